"""Issue 22 ("no silent wrong answers", round 3), the dtype rows, each as PyTorch 2.x answers
it (the numbers below were read from torch 2.13; ``test_dtype_grid.py`` holds some 5,000
more to PyTorch's stored results). Row numbers are the issue's."""
import warnings

import numpy as np
import pytest

import tinygrad_edu as torch
from tinygrad_edu import Tensor
from tinygrad_edu.nn import functional as F

nan, inf = float("nan"), float("inf")
F16, F32, F64, I32, I64 = np.float16, np.float32, np.float64, np.int32, np.int64


def same(t, values, dtype):
    assert t.dtype == dtype, f"dtype {t.dtype}, PyTorch {np.dtype(dtype)}"
    np.testing.assert_array_equal(t.data, np.array(values, dtype=dtype))


# ----------------------------------------------------------------- 6: clamp's float bounds
def test_row6_an_int_tensor_clamped_to_float_bounds_becomes_floating():
    same(Tensor([-1, 0, 1, 2, 3]).clamp(0, 1.5), [0, 0, 1, 1.5, 1.5], F64)
    same(Tensor(np.int32([-1, 3])).clamp(0, 2), [0, 2], I32)          # int bounds: stays
    same(Tensor([True, False]).clamp(0, 1), [1, 0], I64)              # bools clamp as ints
    same(Tensor(np.int32([0, 2])).clamp(Tensor(0.5)), [0.5, 2], F64)  # a 0-d float bound
    same(Tensor(np.float16([0, 2])).clamp(Tensor([0.5, 0.5])), [0.5, 2], F64)   # 1-d: widens


def test_row6_clamp_of_floats_keeps_their_dtype_and_gradient():
    x = Tensor(np.float32([-1.0, 0.5, 3.0]), requires_grad=True)
    y = x.clamp(Tensor(0.0), 2.5)          # a 0-d float64 bound does not widen float32
    same(y, [0, 0.5, 2.5], F32)
    y.sum().backward()
    assert x.grad.dtype == F32 and x.grad.tolist() == [0.0, 1.0, 0.0]
    x = Tensor(np.float32([1.0, 3.0]), requires_grad=True)
    y = x.clamp(max=Tensor([2.0, 2.0]))    # a float64 bound with dimensions widens, as PyTorch
    y.sum().backward()
    assert y.dtype == F64 and x.grad.dtype == F32 and x.grad.tolist() == [1.0, 0.0]


def test_row6_clamp_of_bools_by_bools_is_refused_as_pytorch():
    with pytest.raises(TypeError, match=r"bool.*t\.long\(\)\.clamp"):
        Tensor([True, False]).clamp(max=True)


# ----------------------------------------------------------------- 7: float16 reductions
def test_row7_float16_mean_over_more_elements_than_float16_can_count():
    same(Tensor(np.full(70000, 0.5, F16)).mean(), 0.5, F16)
    same(Tensor(np.full(70000, 1.0, F16)).mean(), 1.0, F16)     # the sum is beyond 65,504
    same(Tensor(np.full((2, 70000), 0.25, F16)).mean(dim=1), [0.25, 0.25], F16)


def test_row7_float16_mean_gradient_is_float16_one_over_n():
    x = Tensor(np.full(70000, 0.5, F16), requires_grad=True)
    x.mean().backward()
    assert x.grad.dtype == F16
    assert np.all(x.grad == F16(1 / 70000)) and x.grad[0] > 0


def test_row7_float16_sums_accumulate_in_float32_and_overflow_quietly_as_pytorch():
    values = np.full(4097, 1.0, F16)
    same(Tensor(values).sum(), 4096, F16)    # 4097 rounds to 4096 once, at the end
    with warnings.catch_warnings():
        warnings.simplefilter("error")       # PyTorch says nothing: inf is the answer
        same(Tensor(np.full(70000, 1.0, F16)).sum(), inf, F16)
    small = np.full(20000, 0.1, F16)         # float16 steps would stall far below 2000
    assert abs(Tensor(small).sum().item() - float(small.astype(F32).sum())) <= 1


def test_row7_float32_and_float64_means_are_unchanged():
    x = Tensor(np.arange(6.0, dtype=F32).reshape(2, 3), requires_grad=True)
    m = x.mean(dim=0)
    same(m, [1.5, 2.5, 3.5], F32)
    m.sum().backward()
    assert x.grad.dtype == F32 and np.allclose(x.grad, 0.5)
    assert m.op == "Div"                      # float32: sum / n, no casts


# ----------------------------------------------------------------- 9: integer overflow
@pytest.mark.parametrize("data, big", [(2 ** 63, 2 ** 63), ([200, 2 ** 63], 2 ** 63),
                                       ([-200, 2 ** 63], 2 ** 63),   # -200 fits: not named
                                       (-2 ** 63 - 1, -2 ** 63 - 1), ([-2 ** 63 - 1], -2 ** 63 - 1),
                                       ([[2 ** 64]], 2 ** 64)])
def test_row9_a_python_integer_beyond_int64_is_refused_not_wrapped(data, big):
    with pytest.raises(ValueError, match=rf"the integer {big} does not fit in int64.*float.*"
                                         rf"dtype=np\.float64"):
        Tensor(data)


def test_row9_the_int64_extremes_and_float_requests_still_work():
    assert Tensor(-2 ** 63).item() == -2 ** 63 and Tensor(2 ** 63 - 1).item() == 2 ** 63 - 1
    assert Tensor(2 ** 63, dtype=np.float64).item() == 2.0 ** 63
    same(Tensor([2 ** 63, 1.5]), [2.0 ** 63, 1.5], F64)      # floating data: no int64 at all


# ----------------------------------------------------------------- 12: integer arange
def test_row12_arange_with_float_bounds_and_an_int_dtype_truncates_them_first():
    same(torch.arange(-1.5, 1.5, 1, dtype=I64), [-1, 0], I64)
    same(torch.arange(0.5, 4.7, 1.5, dtype=I64), [0, 1, 2, 3], I64)
    same(torch.arange(-2.5, 2.5, 1.5, dtype=I64), [-2, -1, 0, 1], I64)
    same(torch.arange(-1.5, 1.5, 1), [-1.5, -0.5, 0.5], F64)  # no dtype: floating, untouched


def test_row12_a_step_that_truncates_to_zero_is_refused():
    with pytest.raises(ValueError, match=r"step=0\.5 is 0 as an integer.*float dtype"):
        torch.arange(0, 3, 0.5, dtype=I64)


# ----------------------------------------------------------------- 13: promotion
def test_row13_a_0d_tensor_does_not_widen_a_tensor_of_its_own_category():
    f32, i32 = Tensor(np.float32([1.0, 2.0])), Tensor(np.int32([1, 2]))
    assert (f32 + Tensor(0.1)).dtype == F32 and (Tensor(0.1) * f32).dtype == F32
    assert (i32 + Tensor(3)).dtype == I32 and (Tensor(3) - i32).dtype == I32
    assert (Tensor(np.float16([1.0])) / Tensor(np.float64(3.0))).dtype == F16
    assert (i32 + Tensor(0.5)).dtype == F64          # a higher category: its own dtype
    assert (i32 + Tensor(np.float16(0.5))).dtype == F16
    assert (Tensor([True]) + Tensor(np.int32(2))).dtype == I32
    assert (Tensor(np.float32(1.0)) + Tensor(2)).dtype == F32   # two 0-d: as two tensors


def test_row13_gradients_come_back_in_each_leafs_own_dtype():
    w = Tensor(np.float32([1.0, 2.0]), requires_grad=True)
    s = Tensor(np.float64(3.0), requires_grad=True)
    h = Tensor(np.float16([0.5, 0.25]), requires_grad=True)
    out = w * s + (h * s).float()
    assert out.dtype == F32
    out.sum().backward()
    assert w.grad.dtype == F32 and s.grad.dtype == F64 and h.grad.dtype == F16
    assert w.grad.tolist() == [3.0, 3.0] and h.grad.tolist() == [3.0, 3.0]
    assert s.grad.item() == pytest.approx(3.75)


def test_row13_cat_stack_and_where_promote_as_pytorch():
    f32 = Tensor(np.float32([1.0, 2.0]), requires_grad=True)
    joined = torch.cat([f32, Tensor([1])])
    same(joined, [1, 2, 1], F32)
    joined.sum().backward()
    assert f32.grad.dtype == F32
    same(torch.stack([Tensor(np.int32([1])), Tensor(np.float16([2.0]))]), [[1], [2]], F16)
    same(torch.stack([Tensor(np.float32(1.0)), Tensor(2)]), [1, 2], F32)
    mask = Tensor([True, False])
    same(torch.where(mask, f32, 0.5), [1, 0.5], F32)
    same(torch.where(mask, Tensor(np.int32([1, 2])), 1.5), [1, 1.5], F64)
    same(torch.where(mask, Tensor(np.int32([1, 2])), Tensor(np.float32([5, 6]))), [1, 6], F32)
    same(torch.where(mask, 1, 0), [1, 0], I64)
    same(torch.where(mask, 1.0, 0), [1, 0], F64)


def test_row13_lists_of_numpy_numbers_keep_their_dtype_as_pytorch():
    same(Tensor([np.float32(1.5)]), [1.5], F32)
    same(Tensor([np.float32(1.5), 2]), [1.5, 2], F32)        # the float wins over an int
    same(Tensor([np.float32(1.5), 2.0]), [1.5, 2], F64)      # two floats: the wider
    same(Tensor([np.float16(1.5), np.int64(2)]), [1.5, 2], F16)
    same(Tensor([np.int32(1), np.int32(2)]), [1, 2], I32)
    same(Tensor([np.int32(1), 2]), [1, 2], I64)
    same(Tensor([[np.float32(1)], [np.float32(2)]]), [[1], [2]], F32)
    same(Tensor([Tensor(np.float32(1.5)), Tensor(np.float32(2.5))]), [1.5, 2.5], F32)
    assert Tensor([]).dtype == F64 and Tensor([[1, 2], [3, 4]]).dtype == I64


def test_row13_comparisons_compare_in_the_promoted_dtype():
    # 2049 is not a float16: PyTorch compares in float16 (2049 -> 2048), NumPy in float64.
    assert (Tensor(np.int32([2049])) == Tensor(np.float16(2048))).tolist() == [True]
    assert (Tensor(np.float16([0.1])) == 0.1).tolist() == [True]     # 0.1 as a float16
    assert (Tensor([1, 2]) < 1.5).tolist() == [True, False]
    assert (Tensor([1, 2]) == [1, 3]).tolist() == [True, False]


def test_promote_types_and_result_type_are_pytorchs():
    from tinygrad_edu.tensors.dtypes import promote_types, result_type
    assert promote_types(I64, F16) == F16 and promote_types(F16, F32) == F32
    assert promote_types(np.bool_, I32) == I32 and promote_types(None, I32) == I32
    assert promote_types(None, None) is None and promote_types(I32, I64) == I64
    assert result_type(Tensor(np.float32([1])), Tensor(0.1)) == F32
    assert result_type(np.int32([1]), 2.5) == F64 and result_type(np.int32([1]), 2) == I32
    assert result_type(Tensor([True]), 2) == I64 and result_type(Tensor([True]), True) == bool
    assert result_type(Tensor(2), 2.5) == F64 and result_type(None, Tensor(np.int32(1))) == I32
    assert result_type(True, False) == bool and result_type(True, 2) == I64
    assert result_type(2, 2.5) == F64 and result_type(np.float32(1.5)) == F64   # numbers: kinds
    same(torch.where(Tensor([True, False]), True, False), [True, False], bool)


@pytest.mark.parametrize("make", [lambda: Tensor([True]) - 1, lambda: 1 - Tensor([True]),
                                  lambda: Tensor([1]) - True, lambda: Tensor([1]) - Tensor([True])])
def test_subtraction_with_bools_is_refused_as_pytorch(make):
    with pytest.raises(TypeError, match=r"subtraction with a bool.*~mask"):
        make()


@pytest.mark.parametrize("make", [lambda: Tensor([True]) ** Tensor([True]),
                                  lambda: Tensor([1.5]) ** Tensor([True]),
                                  lambda: True ** Tensor([1.5])])
def test_powers_with_bools_pytorch_refuses_are_refused(make):
    with pytest.raises(TypeError, match=r"\*\* with bools.*t\.long\(\)"):
        make()


def test_powers_with_bools_pytorch_answers_are_answered():
    same(Tensor([3, 2]) ** Tensor([True, False]), [3, 1], I64)
    same(2 ** Tensor([True, False]), [2, 1], I64)
    same(True ** Tensor([2, 3]), [1, 1], I64)
    same(Tensor([True, False]) ** 2, [1, 0], I64)


@pytest.mark.parametrize("method", ["abs", "relu", "argmax", "argmin"])
def test_bool_tensors_refuse_what_pytorch_refuses(method):
    with pytest.raises(TypeError, match=rf"{method} of a bool tensor.*t\.long\(\)\.{method}"):
        getattr(Tensor([True, False]), method)()


def test_min_and_amin_of_bools_as_pytorch():
    same(Tensor([True, False]).min(), False, bool)
    same(Tensor([[True, False], [True, True]]).amin(dim=1), [False, True], bool)


# ----------------------------------------------------------------- 14: NaN gradients
def grad_of(f, values, dtype=F64):
    x = Tensor(np.array(values, dtype), requires_grad=True)
    y = f(x)
    y.backward(np.ones(y.shape, y.dtype))
    return x.grad


def test_row14_relu_passes_the_gradient_at_nan_as_pytorch():
    np.testing.assert_array_equal(grad_of(lambda x: x.relu(), [nan, 1, -1, 0]), [1, 1, 0, 0])
    np.testing.assert_array_equal(grad_of(lambda x: x.relu(), [nan, -nan], F32), [1, 1])


def test_row14_abs_gives_0_at_nan_as_pytorch():
    np.testing.assert_array_equal(grad_of(lambda x: x.abs(), [nan, 1, -1, 0]), [0, 1, -1, 0])
    assert grad_of(lambda x: x.abs(), [nan, -2], F32).dtype == F32


def test_row14_max_and_min_split_the_gradient_between_the_nans():
    for f in (lambda x: x.max(), lambda x: x.min()):
        np.testing.assert_array_equal(grad_of(f, [nan, 1, nan, 3]), [0.5, 0, 0.5, 0])
    np.testing.assert_array_equal(grad_of(lambda x: x.max(axis=1), [[nan, 1], [2, 3]]),
                                  [[1, 0], [0, 1]])
    np.testing.assert_array_equal(grad_of(lambda x: x.max(), [1, 3, 3, 2]), [0, 0.5, 0.5, 0])


def test_row14_amax_and_amin_give_nan_to_a_nan_slice_as_pytorch():
    grad = grad_of(lambda x: x.amax(dim=1), [[nan, 1, nan], [1, 3, 2]])
    np.testing.assert_array_equal(grad, [[nan, nan, nan], [0, 1, 0]])
    assert np.isnan(grad_of(lambda x: x.amin(), [nan, 1.0])).all()


def test_row14_max_with_a_dim_sends_the_gradient_to_the_first_nan_as_pytorch():
    x = Tensor([[nan, 1.0, nan], [1.0, 3.0, 2.0], [nan, nan, 0.0]], requires_grad=True)
    values, indices = x.max(1)
    assert indices.tolist() == [0, 1, 0]
    values.sum().backward()
    np.testing.assert_array_equal(x.grad, [[1, 0, 0], [0, 1, 0], [1, 0, 0]])
    assert x.min(1).indices.tolist() == [0, 0, 0] and x.argmax().item() == 0


# ----------------------------------------------------------------- 17a: BCE at ±inf
def test_row17a_bce_with_logits_at_infinite_logits_as_pytorch():
    logits = Tensor([inf, inf, -inf, -inf, 0.0], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(logits, Tensor([1.0, 0.0, 1.0, 0.0, 1.0]),
                                              reduction="none")
    np.testing.assert_allclose(loss.data, [nan, inf, nan, nan, np.log(2)], equal_nan=True)
    loss.backward(np.ones(5))
    np.testing.assert_array_equal(logits.grad, [0, 1, -1, 0, -0.5])
    soft = F.binary_cross_entropy_with_logits(Tensor([inf, -inf]), Tensor([0.5, 0.5]),
                                              reduction="none")
    np.testing.assert_array_equal(soft.data, [inf, nan])


def test_row17a_bce_with_logits_stays_exact_for_large_finite_logits():
    logits = Tensor([1e4, -1e4, 30.0, -30.0])
    loss = F.binary_cross_entropy_with_logits(logits, Tensor([1.0, 0.0, 0.0, 1.0]),
                                              reduction="none")
    np.testing.assert_allclose(loss.data, [0.0, 0.0, 30.0, 30.0], rtol=1e-12, atol=1e-300)


# ----------------------------------------------------------------- float16 rules of several steps
def test_float16_softmax_and_friends_are_computed_in_float32_and_rounded_once():
    x = np.array([[1.5, -2.0, 3.25], [0.5, 4.0, -1.0]], F16)
    wide = x.astype(F32)
    log_softmax = wide - np.log(np.exp(wide).sum(axis=1, keepdims=True))
    same(Tensor(x).log_softmax(dim=1), log_softmax.astype(F16), F16)
    same(Tensor(x).softmax(dim=1), np.exp(log_softmax).astype(F16), F16)
    t = Tensor(x, requires_grad=True)
    weights = np.array([[1, 2, 3], [4, 5, 6]], F16)
    t.softmax(dim=1).backward(weights)
    s = np.exp(log_softmax).astype(F16).astype(F32)
    expected = s * (weights - (weights * s).sum(axis=1, keepdims=True))
    same(Tensor(t.grad), expected.astype(F16), F16)        # 0.0226, not float16 steps' 0.0219
    t = Tensor(x, requires_grad=True)
    t.log_softmax(dim=0).backward(weights)
    out = Tensor(x).log_softmax(dim=0).data.astype(F32)
    same(Tensor(t.grad), (weights - np.exp(out) * weights.sum(axis=0)).astype(F16), F16)


def test_float16_sigmoid_and_tanh_gradients_are_rounded_once():
    x = np.array([1.5, 0.25, 4.0], F16)
    for name, derivative in (("sigmoid", lambda y: y * (1 - y)),
                             ("tanh", lambda y: (1 - y) * (1 + y))):
        t = Tensor(x, requires_grad=True)
        y = getattr(t, name)()
        y.backward(np.ones(3, F16))
        assert t.grad.dtype == F16
        np.testing.assert_array_equal(t.grad, derivative(y.data.astype(F32)).astype(F16))
    same(Tensor(x).sigmoid(), (1 / (1 + np.exp(-x.astype(F32)))).astype(F16), F16)


def test_promotion_casts_only_the_operand_whose_dtype_changes():
    w = Tensor(np.float32([1.0, 2.0]), requires_grad=True)
    s = Tensor(np.float64(3.0), requires_grad=True)      # 0-d: cast to float32, w untouched
    out = w * s
    assert out.parents[0] is w and out.parents[1].op == "Cast" and out.parents[1].parents == (s,)
    h = Tensor(np.float16([1.0]), requires_grad=True)
    out = h + w                                           # float16 -> float32, w untouched
    assert out.parents[0].op == "Cast" and out.parents[1] is w


def test_tensors_stay_slotted_through_their_mixins():
    """Every class in Tensor's bases declares __slots__, so a Tensor has no per-instance
    __dict__ (a training step makes thousands of them)."""
    t = Tensor([1.0])
    assert not hasattr(t, "__dict__")
    with pytest.raises(AttributeError):
        t.anything_else = 1
    # one method of each mixin, run here: a mutation tool maps a class body to the tests that
    # run the class's code, and this is the test that notices a missing __slots__
    assert (t.view(1, 1).mm(Tensor([[2.0]])).view(1) > 1).ne(False).tolist() == [True]
    assert t.add_(1).tolist() == [2.0]
    assert all("__slots__" in vars(cls) for cls in Tensor.__mro__[:-1])


def test_numpy_integers_compare_as_python_integers_in_the_tensors_dtype():
    # PyTorch casts the number to float16 (2049 -> 2048); a NumPy int64 kept as it is would
    # make NumPy compare in float64 instead.
    assert (Tensor(np.float16([2048])) == np.int64(2049)).tolist() == [True]
    assert (Tensor(np.float16([2048])) == 2049).tolist() == [True]


def test_arange_with_a_zero_step_says_so_plainly_for_every_dtype():
    for dtype in (None, I64):
        with pytest.raises(ValueError, match=r"^arange: step must be nonzero$"):
            torch.arange(0, 3, 0, dtype=dtype)


def test_stack_checks_its_list_and_promotes_arrays_among_tensors():
    with pytest.raises(TypeError, match=r"stack expects a non-empty list or tuple of Tensors"):
        torch.stack(Tensor([1.0, 2.0]))
    same(torch.stack([np.float32([1.0]), Tensor(np.float16([2.0]))]), [[1], [2]], F32)


def test_the_max_op_on_its_own_is_amax():
    """``ops.Max`` called directly (a custom op built on it) behaves as ``amax`` at NaN."""
    from tinygrad_edu.tensors.ops import Max
    x = Tensor([nan, 1.0], requires_grad=True)
    Max.apply(x).backward()
    assert np.isnan(x.grad).all()


def test_unsigned_sums_are_int64_and_subtracting_a_number_wraps_as_pytorch():
    # A hostile tester's finding: NumPy sums uint8 to uint64 (so -s wrapped to 2**64 - 5)
    # and refused u8 - 5, computed as u8 + (-5). PyTorch's answers, checked by hand:
    u = torch.tensor([10, 20], dtype=np.uint8)
    s = torch.tensor([3, 2], dtype=np.uint8).sum()
    assert s.dtype == np.int64 and (-s).item() == -5 and (s - 10).item() == -5
    assert u.sum(0, keepdim=True).dtype == np.int64
    assert torch.tensor([3, 2], dtype=np.uint16).sum().dtype == np.int64
    assert torch.tensor([3, 2], dtype=np.uint64).sum().dtype == np.int64   # PyTorch's too
    assert (u - 5).tolist() == [5, 15] and (u - 5).dtype == np.uint8
    assert (u - 255).tolist() == [11, 21]          # wraps modulo 256, as PyTorch
    assert (u - 0).tolist() == [10, 20] and (30 - u).tolist() == [20, 10]
