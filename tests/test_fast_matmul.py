"""``x @ W.T`` may be computed as ``(W @ x.T).T`` when the BLAS runs that faster: same numbers.

The choice is timed once per shape (fast/layout.py); these tests force each choice, so
both forms are held to the plain product and to the gradients whichever one a machine picks.
"""
import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.gradcheck import gradcheck
from tinygrad_edu.nn import functional as F
from tinygrad_edu.fast import layout


@pytest.fixture(params=[False, True], ids=["plain", "transposed"])
def forced(request, monkeypatch):
    """Every shape's choice forced to one form (a dict that answers the same for any key)."""
    class Always(dict):
        def get(self, key, default=None):
            return request.param
    monkeypatch.setattr(layout, "_choice", Always())
    return request.param


def test_both_forms_compute_x_times_w_transposed(forced):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 7)).astype(np.float32)
    w = rng.standard_normal((3, 7)).astype(np.float32)
    out = layout.matmul(x, w.T)
    np.testing.assert_allclose(out, x.astype(np.float64) @ w.T.astype(np.float64), rtol=1e-5)
    assert out.shape == (5, 3) and out.dtype == np.float32
    assert out.flags.f_contiguous == forced     # the transposed form really ran (or did not)


def test_a_column_major_left_operand_takes_either_form_too(forced):
    """A Linear's output in the transposed form is column-major: the next layer's input."""
    rng = np.random.default_rng(4)
    x = np.asfortranarray(rng.standard_normal((6, 5)).astype(np.float32))
    w = rng.standard_normal((3, 5)).astype(np.float32)
    out = layout.matmul(x, w.T)
    np.testing.assert_allclose(out, x.astype(np.float64) @ w.T.astype(np.float64), rtol=1e-5)
    assert out.flags.f_contiguous == forced and out.flags.c_contiguous != forced


def test_other_layouts_take_the_plain_product(forced):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((4, 6)), rng.standard_normal((6, 2))
    for left, right in ((a, b), (a.T.copy().T, b), (a[:, ::2], b[::2]), (a[0], b)):
        np.testing.assert_array_equal(layout.matmul(left, right), left @ right)


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
    monkeypatch.setattr(layout, "_choice", {})
    calls = []
    monkeypatch.setattr(layout, "_transposed_is_faster",
                        lambda a, b: calls.append(a.shape) or True)
    x, w = np.ones((2, 3)), np.ones((4, 3))
    for _ in range(3):
        layout.matmul(x, w.T)
    assert calls == [(2, 3)]
    assert layout._choice == {((2, 3), (3, 4), x.dtype, w.dtype, True): True}
    layout.matmul(np.asfortranarray(x), w.T)   # the other layout of x: timed apart
    assert calls == [(2, 3), (2, 3)] and len(layout._choice) == 2


def test_products_too_large_to_time_are_plain():
    a = np.empty((1, 1 << 13), np.float32)
    b = np.empty((1 << 14, 1 << 13), np.float32).T      # 2**27 multiply-adds: not timed
    assert layout._transposed_is_faster(a, b) is False


class Timed(np.ndarray):
    """An array whose ``@`` advances a fake clock by a cost chosen per left operand's shape,
    so the timing decision can be tested without a real (noisy) clock."""
    clock = 0.0
    costs = {}      # left operand's shape -> list of costs, one per call

    def __matmul__(self, other):
        Timed.clock += Timed.costs[self.shape].pop(0)
        return None     # the timing only: no product is computed (the shapes may be huge)


def fake_operands(m, k, n, monkeypatch, plain=(10,) * 7, transposed=(5,) * 7):
    """a (m, k) and a column-major b (k, n) with a fake clock: no memory, any size."""
    monkeypatch.setattr(layout, "time", type("FakeTime", (), {
        "perf_counter": staticmethod(lambda: Timed.clock)}))
    monkeypatch.setattr(Timed, "costs", {(m, k): list(plain), (n, k): list(transposed)})
    tiny = np.zeros(1, np.float32)
    a = np.lib.stride_tricks.as_strided(tiny, (m, k), (0, 0)).view(Timed)
    b = np.lib.stride_tricks.as_strided(tiny, (n, k), (0, 0)).view(Timed).T
    return a, b


REST = [40] * 5   # the remaining timings of seven


@pytest.mark.parametrize("plain, transposed, expected", [
    ([30, 10] + REST, [9.4, 50] + REST, True),    # best of seven: 9.4 < 0.95 * 10
    ([10] * 7, [9.6] * 7, False),                 # only 4 % faster: not *clearly* faster
    ([10, 12] + REST, [20, 20, 20, 20, 20, 20, 9.4], True),   # the last trial counts too
    ([10, 9] + REST, [8.6] * 7, False),   # the plain form's best (9) counts, not its first
    ([10] * 7, [10] * 7, False),
])
def test_the_transposed_form_is_chosen_only_when_its_best_time_is_clearly_faster(
        plain, transposed, expected, monkeypatch):
    assert layout._TRIALS == 7 and layout._CLEARLY_FASTER == 0.95
    a, b = fake_operands(2, 3, 4, monkeypatch, plain, transposed)
    assert layout._transposed_is_faster(a, b) is expected
    assert Timed.costs == {(2, 3): [], (4, 3): []}     # both forms ran seven times


def test_products_up_to_2_to_the_26_multiply_adds_are_timed(monkeypatch):
    a, b = fake_operands(4, 4096, 4096, monkeypatch)          # exactly 2**26: timed
    assert layout._transposed_is_faster(a, b) is True
    a, b = fake_operands(64, 16384, 128, monkeypatch)         # 2**27: not timed, plain
    assert layout._transposed_is_faster(a, b) is False
    assert Timed.costs == {(64, 16384): [10] * 7, (128, 16384): [5] * 7}


def test_the_gradient_of_a_transposed_weight_comes_out_in_the_weights_layout():
    """x @ W.T: W.grad is row-major like W with the tricks on; the same numbers without."""
    from tinygrad_edu import fast
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 6))
    grads = {}
    for on in (True, False):
        w = Tensor(rng.standard_normal((3, 6)), requires_grad=True) if on else \
            Tensor(grads["w"], requires_grad=True)
        if on:
            grads["w"] = w.data.copy()
            (x @ w.T).tanh().sum().backward()
            grads[on] = w.grad
        else:
            with fast.plain():
                (x @ w.T).tanh().sum().backward()
            grads[on] = w.grad
    assert grads[True].flags.c_contiguous and not grads[False].flags.c_contiguous
    np.testing.assert_allclose(grads[True], grads[False], rtol=1e-14, atol=1e-15)


def test_plain_turns_the_layout_choice_off(forced):
    from tinygrad_edu import fast
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal((5, 7)), rng.standard_normal((3, 7))
    with fast.plain():
        out = layout.matmul(x, w.T)
    assert out.flags.c_contiguous   # a @ b as written, whatever was chosen for the shape
    np.testing.assert_array_equal(out, x @ w.T)
