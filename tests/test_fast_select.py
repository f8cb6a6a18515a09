"""fast.select: where_zero is np.where(keep, a, 0) by an integer product of the bits, and
maximum_zero is np.maximum(x, 0) against an array of zeros — the same bits, always."""
import numpy as np
import pytest

from tinygrad_edu import Tensor, fast
from tinygrad_edu.fast.select import maximum_zero, where_zero
from tinygrad_edu.tensors.ops import xp

SPECIAL = [np.nan, -np.nan, np.inf, -np.inf, -0.0, 0.0, 1.5, -2.25, 1e-40, 6e4]


def same_bits(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_every_value_passes_or_becomes_plus_zero_exactly_as_where(dtype):
    rng = np.random.default_rng(0)
    with np.errstate(over="ignore"):
        a = np.array(SPECIAL * 30, dtype)
    keep = rng.random(a.shape) < 0.5
    out = where_zero(keep, a)
    assert same_bits(out, np.where(keep, a, 0))
    assert not np.signbit(out[~keep]).any()        # +0.0, never -0.0 or a NaN
    assert type(out) is np.ndarray


@pytest.mark.parametrize("make", [
    lambda a: np.asfortranarray(a),                 # column-major
    lambda a: a[:, ::2],                            # strided
    lambda a: a.T,                                  # a transposed view
])
def test_any_memory_layout_of_a(make):
    rng = np.random.default_rng(1)
    a = make(rng.standard_normal((6, 8)).astype(np.float32))
    keep = rng.random(a.shape) < 0.5
    assert same_bits(where_zero(keep, a), np.where(keep, a, 0))


def test_shapes_broadcast_as_in_where():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((4, 1, 3))
    keep = rng.random((5, 3)) < 0.5
    assert same_bits(where_zero(keep, a), np.where(keep, a, 0))


@pytest.mark.parametrize("a", [np.array(1e-45, np.float32), np.array(0.0), np.array(-0.0),
                               np.array(-2.5, np.float16), np.array(np.nan, np.float32)])
def test_a_zero_d_a_against_a_mask_keeps_its_width(a):
    # (NumPy 1.x sizes an int product by a 0-d operand's value: the dtype is given)
    keep = np.array([True, False, True, True])
    out = where_zero(keep, a)
    assert same_bits(out, np.where(keep, a, 0)) and out.dtype == a.dtype


@pytest.mark.parametrize("keep, a", [
    (np.array([1, 0, 2]), np.array([1.0, 2.0, 3.0])),          # not a bool mask
    (np.array([True, False, True]), np.array([1, 2, 3])),       # not a float array
    (np.array([True, False, True]), np.array([1 + 1j, 2, 3])),  # complex: no int of its width
    (np.array([True, False]), [1.0, 2.0]),                      # a list
])
def test_anything_else_is_np_where(keep, a):
    assert same_bits(where_zero(keep, a), np.where(keep, a, 0))


def test_plain_calls_np_where(monkeypatch):
    calls = []
    real = np.where
    monkeypatch.setattr(np, "where", lambda *args: calls.append(1) or real(*args))
    keep, a = np.array([True, False]), np.array([np.nan, np.nan])
    where_zero(keep, a)
    assert calls == []                 # the trick: no np.where
    with fast.plain():
        out = where_zero(keep, a)
    assert calls == [1] and np.isnan(out[0]) and out[1] == 0


def test_xp_where_takes_the_trick_only_for_a_zero_that_changes_nothing():
    keep = np.array([True, False])
    a = np.array([1.0, np.nan], np.float32)
    for zero in (0, 0.0, np.float32(0)):
        out = xp.where(keep, a, zero)
        assert same_bits(out, np.array([1.0, 0.0], np.float32))
    out = xp.where(keep, a, -0.0)                     # -0.0 is written as -0.0
    assert np.signbit(out[1]) and out.dtype == np.float32
    assert xp.where(keep, a, np.float64(0)).dtype == np.float64   # widens, as np.where
    assert xp.where(keep, a, True).dtype == np.float32 and xp.where(keep, a, True)[1] == 1
    assert same_bits(xp.where(keep, a, 2), np.array([1.0, 2.0], np.float32))


def test_relu_backward_blocks_a_nan_from_above_and_passes_at_a_nan_input():
    x = Tensor(np.array([np.nan, -1.0, 0.0, -0.0, 2.0], np.float32), requires_grad=True)
    x.relu().backward(np.array([5.0, np.nan, np.inf, np.nan, 3.0], np.float32))
    assert same_bits(x.grad.view(np.ndarray), np.array([5.0, 0, 0, 0, 3.0], np.float32))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int8, np.int64])
def test_maximum_zero_is_maximum_with_0_bit_for_bit(dtype):
    with np.errstate(over="ignore", invalid="ignore"):
        x = np.array(SPECIAL * 3, np.float64).astype(dtype)
    out = maximum_zero(x)
    assert same_bits(out, np.maximum(x, 0))
    assert type(out) is np.ndarray


@pytest.mark.parametrize("make", [
    lambda a: a,
    lambda a: np.asfortranarray(a),                 # column-major: zeros made column-major
    lambda a: a[:, ::2],                            # strided
    lambda a: a[0, 0],                              # 0-d
])
def test_maximum_zero_any_layout_and_its_zeros_follow_a_column_major_x(make, monkeypatch):
    x = make(np.random.default_rng(3).standard_normal((6, 8)).astype(np.float32))
    if x.ndim == 0:
        x = np.asarray(x)
    made = []
    real_zeros = np.zeros
    monkeypatch.setattr(np, "zeros", lambda *a, **k: made.append(k.get("order")) or
                        real_zeros(*a, **k))
    out = maximum_zero(x)
    assert same_bits(out, np.maximum(x, 0))
    column_major = x.flags.f_contiguous and not x.flags.c_contiguous
    assert made == ["F" if column_major else "C"]
    assert out.flags.f_contiguous == x.flags.f_contiguous or x.ndim < 2


def test_maximum_zero_plain_and_non_arrays_take_np_maximum_with_0(monkeypatch):
    calls = []
    real = np.maximum
    monkeypatch.setattr(np, "maximum", lambda a, b, **k: calls.append(b) or real(a, b, **k))
    x = np.array([-1.0, 2.0])
    maximum_zero(x)
    assert len(calls) == 1 and isinstance(calls[0], np.ndarray)   # the trick: an array of 0s
    with fast.plain():
        assert maximum_zero(x).tolist() == [0.0, 2.0]
    assert calls[1] == 0 and type(calls[1]) is int
    assert maximum_zero(-3.0) == 0.0 and calls[2] == 0            # a number: np.maximum(x, 0)


def test_relu_forward_takes_maximum_zero_and_xp_maximum_only_for_an_int_0(monkeypatch):
    from tinygrad_edu.fast import select
    calls = []
    real = select.maximum_zero
    monkeypatch.setattr(xp, "maximum_zero", lambda x: calls.append(x.dtype) or real(x))
    x = np.array([-1, 3], np.int8)
    assert xp.maximum(x, 0).dtype == np.int8 and calls == [np.int8]
    # a float 0 would widen an int array (NumPy's rule): np.maximum, unchanged
    assert xp.maximum(x, 0.0).dtype == np.float64 and len(calls) == 1
    assert xp.maximum(np.array([-1.0]), 2).tolist() == [2.0] and len(calls) == 1
    out = Tensor(np.array([-1.0, np.nan, 2.0], np.float32)).relu().data
    assert len(calls) == 2 and same_bits(out.view(np.ndarray),
                                         np.array([0.0, np.nan, 2.0], np.float32))
