"""``x @ W.T`` may be computed as ``(W @ x.T).T`` when the BLAS runs that faster: same numbers.

The choice is timed once per shape (ops/product_form.py); these tests force each choice, so
both forms are held to the plain product and to the gradients whichever one a machine picks.
"""
import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.gradcheck import gradcheck
from tinygrad_edu.nn import functional as F
from tinygrad_edu.ops import product_form


@pytest.fixture(params=[False, True], ids=["plain", "transposed"])
def forced(request, monkeypatch):
    """Every shape's choice forced to one form (a dict that answers the same for any key)."""
    class Always(dict):
        def get(self, key, default=None):
            return request.param
    monkeypatch.setattr(product_form, "_choice", Always())
    return request.param


def test_both_forms_compute_x_times_w_transposed(forced):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 7)).astype(np.float32)
    w = rng.standard_normal((3, 7)).astype(np.float32)
    out = product_form.matmul(x, w.T)
    np.testing.assert_allclose(out, x.astype(np.float64) @ w.T.astype(np.float64), rtol=1e-5)
    assert out.shape == (5, 3) and out.dtype == np.float32
    assert out.flags.f_contiguous == forced     # the transposed form really ran (or did not)


def test_a_column_major_left_operand_takes_either_form_too(forced):
    """A Linear's output in the transposed form is column-major: the next layer's input."""
    rng = np.random.default_rng(4)
    x = np.asfortranarray(rng.standard_normal((6, 5)).astype(np.float32))
    w = rng.standard_normal((3, 5)).astype(np.float32)
    out = product_form.matmul(x, w.T)
    np.testing.assert_allclose(out, x.astype(np.float64) @ w.T.astype(np.float64), rtol=1e-5)
    assert out.flags.f_contiguous == forced and out.flags.c_contiguous != forced


def test_other_layouts_take_the_plain_product(forced):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((4, 6)), rng.standard_normal((6, 2))
    for left, right in ((a, b), (a.T.copy().T, b), (a[:, ::2], b[::2]), (a[0], b)):
        np.testing.assert_array_equal(product_form.matmul(left, right), left @ right)


def test_linear_and_matmul_gradients_in_both_forms(forced):
    rng = np.random.default_rng(2)
    x = Tensor(rng.standard_normal((4, 5)), requires_grad=True)
    w = Tensor(rng.standard_normal((3, 5)), requires_grad=True)
    b = Tensor(rng.standard_normal(3), requires_grad=True)
    assert gradcheck(lambda x, w, b: F.linear(x, w, b), x, w, b)
    assert gradcheck(lambda x, w: x @ w.T, x, w)
    out = F.linear(x, w, b)
    np.testing.assert_allclose(out.data, x.data @ w.data.T + b.data, rtol=1e-12)
    (out * out).sum().backward()
    assert w.grad.flags.c_contiguous          # W's gradient keeps W's (out, in) layout


def test_second_derivatives_in_both_forms(forced):
    """create_graph: the product of Linear's and MatMul's differentiable backward runs too."""
    from tinygrad_edu.gradcheck import gradgradcheck
    rng = np.random.default_rng(3)
    x = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w = Tensor(rng.standard_normal((2, 4)), requires_grad=True)
    assert gradgradcheck(lambda x, w: F.linear(x, w).tanh(), x, w)
    assert gradgradcheck(lambda x, w: (x @ w.T).tanh(), x, w)


def test_the_choice_is_timed_once_per_shape_and_kept(monkeypatch):
    monkeypatch.setattr(product_form, "_choice", {})
    calls = []
    monkeypatch.setattr(product_form, "_transposed_is_faster",
                        lambda a, b: calls.append(a.shape) or True)
    x, w = np.ones((2, 3)), np.ones((4, 3))
    for _ in range(3):
        product_form.matmul(x, w.T)
    assert calls == [(2, 3)]
    assert product_form._choice == {((2, 3), (3, 4), x.dtype, w.dtype, True): True}
    product_form.matmul(np.asfortranarray(x), w.T)   # the other layout of x: timed apart
    assert calls == [(2, 3), (2, 3)] and len(product_form._choice) == 2


def test_products_too_large_to_time_are_plain():
    a = np.empty((1, 1 << 13), np.float32)
    b = np.empty((1 << 14, 1 << 13), np.float32).T      # 2**27 multiply-adds: not timed
    assert product_form._transposed_is_faster(a, b) is False
