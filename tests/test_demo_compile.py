"""Demo 25 (compile): it runs quickly, and its numbers show its claims."""
import numpy as np
import pytest

from _demos import load_demo


def test_compile_demo_quick_same_losses_program_timings_and_the_frozen_branch(tmp_path, capsys):
    result = load_demo("25_compile.py").main(["--quick", "--out", str(tmp_path)])
    losses = result["losses"]
    assert result["same"] and np.array_equal(losses["eager"], losses["compiled"])
    assert losses["eager"][-1] < losses["eager"][0]              # and it does learn
    code = result["code"]
    assert code.startswith("def step(args, params, optimizers, modules, leaves):")
    for line in ("layer0_weight = params[0]._data", "params[0].grad = layer0_weight_grad",
                 "# Linear backward", "sgd_update", "layer0_weight -= "):
        assert line in code, line
    assert result["lines"] == len(code.splitlines()) and result["buffer_bytes"] > 0
    assert set(result["times"]) == {"eager", "compiled", "NumPy by hand"}
    assert all(t > 0 for t in result["times"].values())
    (warning,) = result["warnings"]
    assert warning.filename.endswith("25_compile.py") and "loss.item() > 1.0" in open(
        warning.filename, encoding="utf-8").read().splitlines()[warning.lineno - 1]
    out = capsys.readouterr().out
    assert "identical, bit for bit" in out and "UserWarning" in out
    if "image" in result:
        pytest.importorskip("PIL.Image")
        from PIL import Image
        with Image.open(result["image"]) as image:
            assert image.size[0] > 600
