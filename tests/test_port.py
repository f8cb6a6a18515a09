"""Code from a PyTorch tutorial ports by changing its imports (API.md §12 and §14, issues 14
and 21).

The scripts in ``tests/port/`` are written for PyTorch, in the shape of its tutorials (the
tensor tour, the cubic fit by hand / with autograd / with nn / with an optimizer and a custom
Module, a custom autograd Function, the quick-start loop, a train/val loop with clipping).
Run with ``import tinygrad_edu as torch`` (and tinygrad_edu's ``nn`` and DataLoader imports),
they must give PyTorch's numbers to 1e-8 relative in float64 (float32 scripts: to float32
rounding): the numbers stored in ``tests/reference/port_reference.json`` (by
``make_port_reference.py``), and, where torch is installed, a live PyTorch run too.
"""
import json
import os

import numpy as np
import pytest

import port_harness

REFERENCE = os.path.join(os.path.dirname(__file__), "reference", "port_reference.json")


# Scripts that compute in float32, as their tutorial does: float32 rounding, summed over
# 2000 points for 500 steps, differs between two correct libraries in the 7th digit.
FLOAT32_SCRIPTS = {"poly_numpy_like", "two_layer_mm"}


def assert_same_numbers(got, expected, name):
    got, expected = port_harness.flat(got), port_harness.flat(expected)
    assert set(got) == set(expected), f"{name}: results {sorted(got)} vs {sorted(expected)}"
    rtol = 1e-5 if name in FLOAT32_SCRIPTS else 1e-8
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=rtol, atol=1e-12,
                                   err_msg=f"{name}: {key}")


@pytest.fixture(scope="module")
def stored():
    with open(REFERENCE, encoding="utf-8") as f:
        return json.load(f)["results"]


def test_the_tutorial_scripts_are_there(stored):
    assert port_harness.SCRIPTS == ["classify", "custom_module", "data_loading",
                                    "legendre_function", "manual_descent",
                                    "phases_and_clipping", "poly_autograd",
                                    "poly_module_optim", "poly_nn", "poly_numpy_like",
                                    "quickstart", "regress", "regression_scratch",
                                    "tensor_tour", "two_layer_mm"]
    assert sorted(stored) == port_harness.SCRIPTS


@pytest.mark.parametrize("name", port_harness.SCRIPTS)
def test_only_the_import_lines_change(name):
    """The ported script is the PyTorch script with only PORTED_LINES replaced, and those
    are its only imports of torch (no `from torch import nn` left behind)."""
    original = port_harness.source(name, ported=False).splitlines()
    ported = port_harness.source(name, ported=True).splitlines()
    changed = [(a, b) for a, b in zip(original, ported) if a != b]
    assert len(original) == len(ported) and changed
    assert all(port_harness.PORTED_LINES[a] == b for a, b in changed)
    torch_imports = [line for line in original
                     if line.lstrip().startswith(("import torch", "from torch"))]
    assert all(line in port_harness.PORTED_LINES for line in torch_imports)
    assert "torch.set_default_dtype(torch.float64)" in original


@pytest.mark.parametrize("name", port_harness.SCRIPTS)
def test_ported_script_gives_pytorchs_stored_numbers(name, stored):
    assert_same_numbers(port_harness.run_tinygrad(name), stored[name], name)


@pytest.mark.parametrize("name", port_harness.SCRIPTS)
def test_ported_script_gives_live_pytorchs_numbers(name):
    pytest.importorskip("torch")
    assert_same_numbers(port_harness.run_tinygrad(name), port_harness.run_torch(name), name)


def test_the_dropout_script_really_drops_units(stored):
    """Training losses with dropout on differ from a run whose masks are all ones; so the
    equal numbers above depend on equal masks, not on dropout doing nothing."""
    import tinygrad_edu
    real = tinygrad_edu.nn.functional.dropout
    try:
        tinygrad_edu.nn.functional.dropout = lambda x, p=0.5, training=True: real(x, p, False)
        without = port_harness.flat(port_harness.run_tinygrad("custom_module"))
    finally:
        tinygrad_edu.nn.functional.dropout = real
    assert not np.allclose(without["train_losses"], stored["custom_module"]["train_losses"])


def test_the_readme_coming_from_pytorch_snippet_runs(capsys):
    import re
    readme = os.path.join(os.path.dirname(__file__), os.pardir, "README.md")
    text = open(readme, encoding="utf-8").read()
    block = re.search(r"## Coming from PyTorch\n.*?```python\n(.*?)```", text, re.S).group(1)
    assert block.startswith("import tinygrad_edu as torch\n")
    namespace = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["accuracy"] > 0.9
    assert capsys.readouterr().out.startswith("accuracy ")


def test_the_korean_readme_snippet_runs(capsys):
    import re
    readme = os.path.join(os.path.dirname(__file__), os.pardir, "README.ko.md")
    text = open(readme, encoding="utf-8").read()
    block = re.search(r"## PyTorch에서 오셨다면\n.*?```python\n(.*?)```", text, re.S).group(1)
    assert block.startswith("import tinygrad_edu as torch\n")
    exec(compile(block, "README.ko.md", "exec"), {})
    float(capsys.readouterr().out)          # the f-string printed one number
