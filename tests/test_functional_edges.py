"""Edges of autograd.grad / autograd.functional that the mutation run found untested."""
import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.autograd import grad
from tinygrad_edu.autograd.functional import hessian, hvp, jacobian


def test_grad_refuses_empty_outputs_or_inputs():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="must not be empty"):
        grad((x * x).sum(), [])
    with pytest.raises(ValueError, match="must not be empty"):
        grad([], [x])


@pytest.mark.parametrize("fn", [jacobian, hessian])
def test_func_must_return_a_tensor(fn):
    with pytest.raises(TypeError, match="func must return a Tensor, got float"):
        fn(lambda v: 3.0, Tensor([1.0, 2.0]))


def test_hvp_refuses_a_non_scalar_function():
    with pytest.raises(ValueError, match=r"hvp: func must return a single number.*\(2,\)"):
        hvp(lambda v: v * 2.0, Tensor([1.0, 2.0]), Tensor([1.0, 1.0]))


def test_hessian_and_hvp_of_a_linear_function_are_zero():
    # The gradient of a linear function does not depend on x: the second pass finds x unused.
    x = Tensor([1.0, -2.0, 3.0])
    H = hessian(lambda v: (v * 2.0).sum(), x)
    np.testing.assert_array_equal(H.data, np.zeros((3, 3)))
    value, Hv = hvp(lambda v: (v * 2.0).sum(), x, Tensor([1.0, 1.0, 1.0]))
    assert value.item() == 4.0
    np.testing.assert_array_equal(Hv.data, np.zeros(3))


def test_hvp_takes_pytorchs_one_tuple_forms():
    value, Hv = hvp(lambda v: (v ** 3).sum(), (Tensor([1.0, 2.0]),), (Tensor([1.0, 1.0]),))
    np.testing.assert_allclose(np.asarray(Hv[0].data if isinstance(Hv, tuple) else Hv.data),
                               [6.0, 12.0])
