"""Demo 02: gradcheck finds the bug, passes the fix, and shows why summed checks are blind."""
from _demos import load_demo


def test_gradcheck_demo_results(capsys):
    results = load_demo("02_gradcheck.py").main([])
    assert results == {"buggy_softplus": False, "softplus": True, "zero_softmax_summed": True,
                       "zero_softmax_full": False, "softmax": True}
    out = capsys.readouterr().out
    assert "d out[0, 0] / d x[0, 0]" in out  # the index column names Jacobian entries
    assert out.count("rel err") == 2  # one table per failed check
