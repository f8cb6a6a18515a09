"""PyTorch's tutorial surface (API.md §14, issue 21): what tutorials call, as PyTorch 2.x.

The catalog ``surface_cases.py`` runs the same code with both libraries; its results are held
to PyTorch's stored numbers (values and dtypes) and, where torch is installed, to a live run.
Below it: what a stored number cannot show — errors, warnings, memory sharing, random draws.
"""
import os
import warnings

import numpy as np
import pytest

import surface_cases
import tinygrad_edu
import tinygrad_edu as torch
from tinygrad_edu import nn
from tinygrad_edu.gradcheck import gradcheck, gradgradcheck
from tinygrad_edu.nn import functional as F

REFERENCE = os.path.join(os.path.dirname(__file__), "reference", "surface_reference.npz")


@pytest.fixture(scope="module")
def reference():
    with np.load(REFERENCE, allow_pickle=False) as npz:
        return dict(npz)


def assert_same(got, expected, name):
    assert got.dtype == expected.dtype, f"{name}: dtype {got.dtype}, PyTorch {expected.dtype}"
    assert got.shape == expected.shape, f"{name}: shape {got.shape}, PyTorch {expected.shape}"
    if got.dtype.kind == "f":
        # float64 to 1e-12; float32 to its rounding; linspace's last bit (PyTorch fuses a*b+c)
        rtol = 1e-12 if got.dtype == np.float64 else 1e-6
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=1e-15, equal_nan=True,
                                   err_msg=name)
    else:
        np.testing.assert_array_equal(got, expected, err_msg=name)


@pytest.mark.parametrize("case", surface_cases.CASES, ids=lambda c: c.__name__)
def test_case_matches_stored_pytorch_results(case, reference):
    results = case(tinygrad_edu)
    stored = {k.split("/", 1)[1] for k in reference if k.startswith(case.__name__ + "/")}
    assert stored == set(results), ("the stored results are from another version of the "
                                    "cases: run python tests/reference/make_surface_reference.py")
    for key, value in results.items():
        name = f"{case.__name__}/{key}"
        assert_same(surface_cases.as_array(value), reference[name], name)


def test_cases_match_live_pytorch():
    real = pytest.importorskip("torch")
    before = real.get_default_dtype()
    real.set_default_dtype(real.float64)
    try:
        expected = surface_cases.run_all(real)
    finally:
        real.set_default_dtype(before)
    for name, got in surface_cases.run_all(tinygrad_edu).items():
        assert_same(got, expected[name], name)
