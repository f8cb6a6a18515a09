"""Scalar-engine edges of issue 22: ``float(Value)`` (API §1) and the derivatives of √x and
xⁿ at 0 up to the third, as PyTorch's double backward gives them (stored in
``reference/edges_reference.npz``), instead of "input not used"."""
import math
import os

import numpy as np
import pytest

from tinygrad_edu import Value
from tinygrad_edu.autograd import grad

import edge_cases_round3 as cases

REFERENCE = os.path.join(os.path.dirname(__file__), "reference", "edges_reference.npz")


def test_float_of_a_value_is_its_data():
    v = Value(2.5) * 2
    assert float(v) == 5.0 and type(float(v)) is float
    assert f"{float(Value(1 / 3)):.3f}" == "0.333" and math.exp(Value(0.0)) == 1.0


def _derivatives(fn, point):
    x = Value(point)
    d, found = fn(x), []
    for order in (1, 2, 3):
        (d,) = grad(d, [x], create_graph=order < 3)
        found.append(d.data)
    return found


@pytest.mark.parametrize("label, fn, point", [
    (label, fn, point) for label, fn in cases.VALUE_AT_ZERO
    for point in cases.VALUE_POINTS[label]])
def test_derivatives_at_zero_up_to_the_third_are_pytorchs(label, fn, point):
    with np.load(REFERENCE) as stored:
        expected = [float(stored[f"value/{label}/{point!r}/d{k}"]) for k in (1, 2, 3)]
    assert _derivatives(fn, point) == expected      # ±inf and 0 exactly, signs included


def test_the_slope_of_sqrt_at_minus_zero_is_minus_inf_as_pytorch():
    x = Value(-0.0)
    x.sqrt().backward()
    assert x.grad == -math.inf


def test_a_negative_power_of_zero_is_still_refused_in_the_forward_pass():
    with pytest.raises(ValueError, match="division by zero"):
        Value(0.0) ** -0.5


def test_live_pytorch_agrees():
    torch = pytest.importorskip("torch")
    for label, fn in cases.VALUE_AT_ZERO:
        for point in cases.VALUE_POINTS[label]:
            x = torch.tensor(point, dtype=torch.float64, requires_grad=True)
            d, expected = fn(x), []
            for order in (1, 2, 3):
                (d,) = torch.autograd.grad(d, [x], create_graph=order < 3)
                expected.append(d.item())
            assert _derivatives(fn, point) == expected, (label, point)
