"""Dtypes against PyTorch, case by case: the grid of ``dtype_cases.py`` (about 5,000 results:
every operator between every pair of dtype and operand kind, reductions, element-wise
functions, joining, clamp, factories, lists of NumPy numbers, gradients at NaN) compared
with PyTorch's stored results — the result dtype exactly, the values to a tolerance per
dtype, the gradients and their dtypes (a leaf's ``.grad`` has the leaf's dtype) — and live
when torch is installed.

Tolerances: float64 1e-12 relative; float32 2e-6 (NumPy's and PyTorch's exp, log, pow
differ in the last bit); float16 2e-3, two units in the last place (PyTorch divides a
number by a float16 tensor as number · (1/x), rounding twice; see README, "Coming from
PyTorch").
"""
import os

import numpy as np
import pytest

import dtype_cases
import tinygrad_edu

REFERENCE = os.path.join(os.path.dirname(__file__), "reference", "dtype_reference.npz")
RTOL = {2: 2e-3, 4: 2e-6, 8: 1e-12}


@pytest.fixture(scope="module")
def reference():
    with np.load(REFERENCE, allow_pickle=False) as npz:
        return dtype_cases.unpack(dict(npz))


def differences(got, expected, names):
    """A line per result that differs (a missing or extra result, a dtype, shape or value)."""
    lines = []
    for name in sorted(names):
        if name not in got or name not in expected:
            where = "PyTorch" if name not in expected else "tinygrad_edu"
            lines.append(f"{name}: only in {'tinygrad_edu' if where == 'PyTorch' else 'PyTorch'}"
                         f" (a case that raises in one library only gives '/raises')")
            continue
        a, b = got[name], expected[name]
        if a.dtype != b.dtype or a.shape != b.shape:
            lines.append(f"{name}: dtype {a.dtype} shape {a.shape}, PyTorch {b.dtype} {b.shape}")
        elif a.dtype.kind == "f":
            if not np.allclose(a, b, rtol=RTOL[a.dtype.itemsize], atol=1e-300, equal_nan=True):
                lines.append(f"{name}: {a.ravel()[:4]}, PyTorch {b.ravel()[:4]}")
        elif a.dtype.kind in "iub" and not np.array_equal(a, b):
            lines.append(f"{name}: {a.ravel()[:4]}, PyTorch {b.ravel()[:4]}")
    return lines


@pytest.mark.parametrize("make", dtype_cases.MAKERS, ids=lambda make: make.__name__)
def test_grid_matches_stored_pytorch_results(make, reference):
    # The cases run here, in the test itself (not in a fixture), so that a coverage-guided
    # tool (tools/mutate.py) sees which lines each group reaches.
    ours = dtype_cases.run_all(tinygrad_edu, [make])
    own_cases = set(make(tinygrad_edu))
    names = set(ours) | {name for name in reference if name.rsplit("/", 1)[0] in own_cases}
    assert {name.rsplit("/", 1)[0] for name in ours} == own_cases
    lines = differences(ours, reference, names)
    assert not lines, (f"{len(lines)} of {len(names)} results differ from PyTorch's (if the "
                       f"cases changed: python tests/reference/make_dtype_reference.py):\n"
                       + "\n".join(lines[:25]))


def test_stored_results_are_from_these_cases(reference):
    cases = {name for make in dtype_cases.MAKERS for name in make(tinygrad_edu)}
    assert cases == {name.rsplit("/", 1)[0] for name in reference}, (
        "the stored results are from another version of the cases: run "
        "python tests/reference/make_dtype_reference.py")


def test_grid_matches_live_pytorch():
    torch = pytest.importorskip("torch")
    ours = dtype_cases.run_all(tinygrad_edu)
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        expected = dtype_cases.run_all(torch)
    finally:
        torch.set_default_dtype(before)
    lines = differences(ours, expected, set(ours) | set(expected))
    assert not lines, "\n".join(lines[:25])


def test_the_grid_is_hostile_enough(reference):
    """The grid reaches what issue 22 is about: 0-d operands of every dtype pairing, NumPy
    numbers, errors, gradients of every floating dtype."""
    names = set(reference)
    assert len(names) > 4000
    for needle in ("binary/add/f32/f64_0d/out", "binary/add/i32/i64_0d/out",
                   "binary/add/f16/np_f64/out", "binary/mul/i32_0d/f16/grad1",
                   "binary/sub/b/py_bool/raises", "cat/i64/f32/out", "where/i32/py_float/out",
                   "clamp/i64/0_1.5/out", "list/f32/out", "list/big_int/raises",
                   "reduce/mean_70000/half/grad0", "nan/max/f32/grad0"):
        assert needle in names, needle
    grads = [n for n in names if "/grad" in n]
    assert {str(reference[n].dtype) for n in grads} == {"float16", "float32", "float64"}
