"""Demo 02: gradcheck finds the bug, passes the fix, and shows why summed checks are blind."""
import importlib.util
import os

DEMO = os.path.join(os.path.dirname(__file__), os.pardir, "demos", "02_gradcheck.py")


def test_gradcheck_demo_results(capsys):
    spec = importlib.util.spec_from_file_location("demo_02_gradcheck", DEMO)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    results = module.main([])
    assert results == {"buggy_softplus": False, "softplus": True, "zero_softmax_summed": True,
                       "zero_softmax_full": False, "softmax": True}
    out = capsys.readouterr().out
    assert "d out[0, 0] / d x[0, 0]" in out  # the index column names Jacobian entries
    assert out.count("rel err") == 2  # one table per failed check
