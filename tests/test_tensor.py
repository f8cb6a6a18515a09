"""Tensor behaviour: construction and dtypes, the backward rules, errors, modes, memory.

Operation values and gradients are checked op by op in test_tensor_ops.py (the catalog);
broadcasting in test_tensor_broadcast.py.
"""
import gc
import tracemalloc
import weakref

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import (Function, Tensor, detect_anomaly, get_default_dtype, manual_seed,
                          no_grad, set_default_dtype)
from tinygrad_edu.gradcheck import gradcheck
from tinygrad_edu.random import generator


@pytest.fixture(autouse=True)
def _restore_default_dtype():
    yield
    set_default_dtype(np.float64)


# --------------------------------------------------------------------------- construction
def test_exports():
    for name in ("Tensor", "Function", "set_default_dtype", "get_default_dtype"):
        assert name in tinygrad_edu.__all__ and hasattr(tinygrad_edu, name)


@pytest.mark.parametrize("data, dtype", [
    ([1, 2, 3], np.int64),                         # integer data stays integer, as PyTorch
    (3, np.int64),
    (2.5, np.float64),
    ([1, 2.5], np.float64),                        # one float makes it floating
    ([True, False], np.bool_),                     # a mask stays a mask
    ([True, 2], np.int64),
    (np.arange(3, dtype=np.int64), np.int64),
    (np.arange(3, dtype=np.int32), np.int32),      # NumPy arrays keep their dtype
    (np.array([True]), np.bool_),
    (np.ones(2, dtype=np.float32), np.float32),
    (np.ones(2, dtype=np.float16), np.float16),
    (np.float32(1.5), np.float32),
])
def test_dtype_rules(data, dtype):
    assert Tensor(data).dtype == dtype


def test_only_floating_tensors_may_require_grad():
    for data in ([0, 1, 2], [True, False], np.arange(3)):
        with pytest.raises(TypeError, match=r"floating.*write the numbers as floats.*dtype"):
            Tensor(data, requires_grad=True)
    assert Tensor([0, 1], requires_grad=True, dtype=np.float64).requires_grad


def test_item_gives_the_python_type_of_the_dtype():
    assert Tensor([3]).item() == 3 and type(Tensor([3]).item()) is int
    assert type(Tensor(True).item()) is bool
    assert type(Tensor([2.5]).item()) is float
    assert type(Tensor(np.float32([2.5])).item()) is float


I64, F64, F32, BOOL = np.int64, np.float64, np.float32, np.bool_


@pytest.mark.parametrize("make, dtype", [
    # PyTorch's answer for the same expression (checked with torch 2.x; F64 = its default
    # float dtype), except the two marked: PyTorch refuses them, we promote.
    (lambda: Tensor([1, 2]) + 1, I64),
    (lambda: Tensor([1, 2]) * 2, I64),
    (lambda: Tensor([1, 2]) - Tensor([1, 1]), I64),
    (lambda: Tensor([1, 2]) ** 2, I64),
    (lambda: 3 - Tensor([1, 2]), I64),
    (lambda: Tensor([1, 2]) + 0.5, F64),
    (lambda: 0.5 * Tensor([1, 2]), F64),
    (lambda: Tensor([1, 2]) / 2, F64),                  # true division
    (lambda: Tensor([1, 2]) / Tensor([2, 2]), F64),
    (lambda: Tensor([1, 2]) + Tensor(np.float32([1, 1])), F32),   # NumPy alone says float64
    (lambda: Tensor(np.float32([1, 1])) * np.array([1, 2]), F32),
    (lambda: Tensor(np.float32([1, 1])) * 2, F32),
    (lambda: Tensor(np.float32([1, 1])) * 0.5, F32),
    (lambda: Tensor([True, False]) + 1, I64),
    (lambda: Tensor([True, False]) * Tensor([True, True]), BOOL),
    (lambda: Tensor([True, False]) * 1.5, F64),
    (lambda: Tensor(np.float32([1, 1])) * Tensor([True, False]), F32),
    (lambda: Tensor([[1, 2]]) @ Tensor([[1], [2]]), I64),
    (lambda: Tensor([[1, 2]]) @ Tensor(np.float32([[1], [2]])), F32),   # refused by PyTorch
    (lambda: Tensor([1, 2]).exp(), F64),
    (lambda: Tensor([1, 2]).softmax(), F64),                    # refused by PyTorch
    (lambda: Tensor([-1, 2]).relu(), I64),
    (lambda: Tensor([-1, 2]).abs(), I64),
    (lambda: Tensor([1, 2]).sum(), I64),
    (lambda: Tensor([1, 2]).max(), I64),
    (lambda: Tensor([True, True]).sum(), I64),
])
def test_type_promotion_follows_pytorch(make, dtype):
    assert make().dtype == dtype


def test_type_promotion_uses_the_default_dtype_where_pytorch_does():
    set_default_dtype(np.float32)
    assert (Tensor([1, 2]) + 0.5).dtype == np.float32
    assert (Tensor([1, 2]) / 2).dtype == np.float32
    assert Tensor([1, 2]).sqrt().dtype == np.float32


def test_integer_arithmetic_is_exact_and_mean_of_integers_is_refused():
    big = Tensor([2 ** 53 + 1])                 # not representable in float64
    assert (big + 0).item() == 2 ** 53 + 1
    with pytest.raises(TypeError, match="floating.*dtype"):
        Tensor([1, 2]).mean()


def test_a_float_parameter_times_an_integer_tensor_gets_the_right_gradient():
    w = Tensor(np.float32([1.0, 2.0]), requires_grad=True)
    labels = Tensor([3, 4])
    out = w * labels
    assert out.dtype == np.float32
    out.sum().backward()
    assert w.grad.dtype == np.float32 and np.array_equal(w.grad, [3.0, 4.0])


def test_default_dtype_can_be_float32():
    assert get_default_dtype() == np.float64
    set_default_dtype(np.float32)
    assert get_default_dtype() == np.float32
    assert Tensor([1.0, 2.0]).dtype == np.float32
    assert Tensor([1, 2]).dtype == np.int64
    assert Tensor(np.zeros(2)).dtype == np.float64  # a float64 array keeps its dtype
    assert Tensor.zeros(2).dtype == Tensor.ones(2).dtype == Tensor.randn(2).dtype == np.float32
    with pytest.raises(TypeError, match="floating"):
        set_default_dtype(np.int32)


def test_constructor_copies_and_data_is_assignable_as_given():
    source = np.array([1.0, 2.0])
    t = Tensor(source)
    source[0] = 99.0
    assert t.data[0] == 1.0  # the tensor does not share the caller's array
    replacement = np.arange(6, dtype=np.float32).reshape(2, 3)
    t.data = replacement
    assert np.shares_memory(t.data, replacement) and t.shape == (2, 3) and t.dtype == np.float32
    t.grad = np.ones((2, 3))
    assert t.grad.shape == (2, 3)


def test_requires_grad_needs_a_floating_dtype():
    with pytest.raises(TypeError, match="floating-point"):
        Tensor([1, 2], dtype=np.int64, requires_grad=True)
    assert Tensor([1, 2], dtype=np.int64).dtype == np.int64  # fine without grad


def test_bad_data_raises():
    with pytest.raises(TypeError, match="detach"):
        Tensor(Tensor([1.0]))
    with pytest.raises(TypeError, match="real numbers"):
        Tensor(np.array([1 + 2j]))


def test_properties_and_conversions():
    t = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert t.shape == (2, 3) and t.ndim == 2 and t.dtype == np.float64 and len(t) == 2
    assert t.T.shape == (3, 2) and t.T.op == "Transpose"
    assert np.shares_memory(t.numpy(), t.data)
    assert Tensor([[4.0]]).item() == 4.0 and isinstance(Tensor([4.0]).item(), float)
    with pytest.raises(ValueError, match="one element"):
        t.item()
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.0))
    assert t.parents == () and t.op == "" and t.label == "" and t.is_leaf
    y = t * 2
    assert y.parents == (t,) and y.op == "Mul" and not y.is_leaf


def test_factories():
    assert np.array_equal(Tensor.zeros(2, 3).data, np.zeros((2, 3)))
    assert np.array_equal(Tensor.ones((2, 3)).data, np.ones((2, 3)))
    assert Tensor.zeros(2, requires_grad=True).requires_grad
    manual_seed(5)
    a = Tensor.randn(3, 4, requires_grad=True)
    manual_seed(5)
    expected = generator().standard_normal((3, 4))
    assert a.requires_grad and np.array_equal(a.data, expected)
    assert not np.array_equal(Tensor.randn(3, 4).data, a.data)  # the stream moves on


def test_repr_shows_data_and_grad():
    t = Tensor([1.0, 2.0], requires_grad=True)
    t.label = "w"
    assert "1." in repr(t) and "grad=None" in repr(t) and "'w'" in repr(t)
    (t * 3).sum().backward()
    assert "grad=[3., 3.]" in repr(t)
    assert "float32" in repr(Tensor(np.ones(2, np.float32)))
    assert "op='Mul'" in repr(t * 2)


def test_identity_hash_and_elementwise_eq():
    """§12: == compares elements (a bool Tensor, as PyTorch); hashing stays by identity."""
    a, b = Tensor([1.0]), Tensor([1.0])
    assert (a == b).dtype == bool and bool(a == b) and not bool(a != b)
    assert len({a, b}) == 2 and {a: 1}[a] == 1 and {a: 1, b: 2}[b] == 2


def test_ndarray_and_numpy_scalar_on_the_left():
    t = Tensor([1.0, 2.0], requires_grad=True)
    out = np.array([10.0, 20.0]) + t
    assert isinstance(out, Tensor) and np.array_equal(out.data, [11.0, 22.0])
    out = np.array([2.0, 3.0]) @ t
    assert isinstance(out, Tensor) and out.item() == 8.0
    assert isinstance(np.float64(2.0) * t, Tensor)


def test_numbers_keep_float32():
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    for y in (x * 0.5, x + 1, 2 - x, x / 3, 1.5 / x, x ** 2, 2.0 ** x, x * np.float64(0.1),
              x.mean(), x.sum() / 7, x.softmax(axis=0)):
        assert y.dtype == np.float32
    (x * np.float64(0.1)).sum().backward()
    assert x.grad.dtype == np.float32


# --------------------------------------------------------------------------- backward rules
def test_backward_needs_a_gradient_for_non_scalars():
    y = Tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(ValueError, match="gradient"):
        y.backward()
    with pytest.raises(ValueError, match="shape"):
        y.backward(np.ones(3))
    with pytest.raises(RuntimeError, match="requires_grad"):
        Tensor([1.0]).exp().backward()


def test_scalar_seed_and_accumulation_across_calls():
    x = Tensor([1.0, -2.0], requires_grad=True)
    loss = (x * x).sum()
    loss.backward(retain_graph=True)   # kept for a second backward, as PyTorch needs
    np.testing.assert_array_equal(x.grad, [2.0, -4.0])
    loss.backward()  # leaves accumulate, as in PyTorch
    np.testing.assert_array_equal(x.grad, [4.0, -8.0])


def test_node_used_twice_gets_the_sum_of_its_uses():
    a = Tensor([3.0], requires_grad=True)
    b = a + a            # db/da = 2
    c = b * b + b        # dc/db = 2b + 1 = 13
    c.backward()
    np.testing.assert_allclose(a.grad, [26.0])
    assert b.grad is None  # intermediates keep no gradient


def test_backward_with_a_given_gradient_and_tensor_seed():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    y.backward(np.array([1.0, 0.0, 2.0]), retain_graph=True)
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 12.0])
    x.grad = None
    y.backward(Tensor([1.0, 1.0, 1.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 4.0, 6.0])


def test_only_requires_grad_inputs_get_gradients():
    x = Tensor([1.0, 2.0])
    w = Tensor([3.0, 4.0], requires_grad=True)
    (x * w).sum().backward()
    assert x.grad is None
    np.testing.assert_array_equal(w.grad, [1.0, 2.0])


def test_leaf_grads_never_share_memory_with_each_other_or_the_seed():
    a = Tensor(np.zeros(3), requires_grad=True)
    b = Tensor(np.zeros(3), requires_grad=True)
    c = Tensor(np.zeros(3), requires_grad=True)
    seed = np.array([1.0, 2.0, 3.0])
    (a + b + c.reshape(3)).backward(seed)  # Add hands one array to both of its inputs
    seed[:] = 0.0
    a.grad *= 10  # an in-place change to one gradient ...
    np.testing.assert_array_equal(b.grad, [1.0, 2.0, 3.0])  # ... leaves the others alone
    np.testing.assert_array_equal(c.grad, [1.0, 2.0, 3.0])
    x = Tensor(np.ones((2, 2)), requires_grad=True)
    x.sum().backward()  # sum's backward is a read-only broadcast view
    x.grad += 1.0       # the kept gradient is a writable array of its own
    np.testing.assert_array_equal(x.grad, np.full((2, 2), 2.0))


def test_deep_chain_is_not_recursive():
    x = Tensor([1.0], requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    np.testing.assert_allclose(x.grad, [1.0001 ** 5000])


def test_max_ties_split_the_gradient_evenly():
    x = Tensor([[1.0, 3.0, 3.0, 2.0], [5.0, 5.0, 5.0, 5.0]], requires_grad=True)
    x.max(axis=1).backward(np.array([1.0, 2.0]))
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5, 0], [0.5, 0.5, 0.5, 0.5]])
    x.grad = None
    x.max().backward()  # the overall maximum 5 appears four times
    np.testing.assert_allclose(x.grad, [[0, 0, 0, 0], [0.25] * 4])


def test_repeated_integer_indices_accumulate():
    x = Tensor([10.0, 20.0, 30.0], requires_grad=True)
    x[[0, 2, 0, 0]].backward(np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(x.grad, [8.0, 0.0, 2.0])
    m = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    m[np.array([[0, 0], [1, 0]])].sum().backward()  # rows 0, 0, 1, 0
    np.testing.assert_array_equal(m.grad, [[3.0] * 3, [1.0] * 3])
    m.grad = None
    m[m.data > 2].sum().backward()  # a boolean mask
    np.testing.assert_array_equal(m.grad, [[0, 0, 0], [1, 1, 1]])
    m.grad = None
    m[Tensor([1, 1])].sum().backward()  # an integer Tensor index
    np.testing.assert_array_equal(m.grad, [[0, 0, 0], [2, 2, 2]])


def test_a_bool_tensor_index_is_a_mask():
    x = Tensor([10.0, 20.0, 30.0], requires_grad=True)
    picked = x[Tensor([True, False, True])]
    np.testing.assert_array_equal(picked.data, [10.0, 30.0])
    picked.backward(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 2.0])
    m = Tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(m[Tensor([False, True])].data, [[3.0, 4.0, 5.0]])
    np.testing.assert_array_equal(m[:, Tensor([True, False, True])].data, [[0, 2], [3, 5]])
    np.testing.assert_array_equal(m[[True, False]].data, [[0, 1, 2]])   # a list of bools too
    np.testing.assert_array_equal(m[Tensor(m.data > 2)].data, [3, 4, 5])


@pytest.mark.parametrize("index", [
    Tensor([0.9]), Tensor([0.0, 1.0]), np.array([0.0]), [0.5], (0, Tensor([1.0])),
    (slice(None), np.array([1.0])), Tensor(1.0),
], ids=["Tensor[0.9]", "Tensor[0.,1.]", "ndarray", "list", "tuple-Tensor", "tuple-ndarray",
        "0-d"])
def test_a_floating_point_index_is_refused(index):
    with pytest.raises(IndexError, match=r"floating.*integer.*bool"):
        Tensor(np.arange(6.0).reshape(2, 3))[index]


def test_softmax_is_stable_for_huge_logits():
    for dtype in (np.float64, np.float32):
        logits = Tensor(np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 1e4]], dtype), requires_grad=True)
        probs = logits.softmax()
        np.testing.assert_allclose(probs.data, [[1, 0, 0], [1 / 3] * 3], atol=1e-7)
        log_probs = logits.log_softmax()
        np.testing.assert_allclose(log_probs.data, [[0, -1e4, -2e4], [-np.log(3)] * 3],
                                   rtol=1e-6)
        (probs.sum() + log_probs[:, 0].sum()).backward()
        assert np.isfinite(logits.grad).all() and logits.grad.dtype == dtype


def test_reshape_transpose_flatten_forms():
    x = Tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    assert x.reshape(6, 4).shape == x.reshape((6, 4)).shape == x.reshape(-1, 4).shape == (6, 4)
    assert x.T.shape == (4, 3, 2) and x.permute((1, 0, 2)).shape == (3, 2, 4)
    assert x.flatten().shape == (24,) and x.flatten(1).shape == (2, 12)
    x.permute(2, 0, 1).flatten().backward(np.arange(24.0))
    np.testing.assert_array_equal(x.grad, np.arange(24.0).reshape(4, 2, 3).transpose(1, 2, 0))


def test_transpose_swaps_two_axes_as_pytorch():
    w = Tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(w.transpose(0, 1).data, w.data.T)   # was: w unchanged
    np.testing.assert_array_equal(w.transpose(1, 0).data, w.data.T)
    np.testing.assert_array_equal(w.transpose(-1, -2).data, w.data.T)
    np.testing.assert_array_equal(w.transpose(0, 0).data, w.data)
    x = Tensor(np.arange(24.0).reshape(2, 3, 4))
    assert x.transpose(0, 2).shape == (4, 3, 2) and x.transpose(-1, 1).shape == (2, 4, 3)
    np.testing.assert_array_equal(x.transpose(0, 2).data, np.swapaxes(x.data, 0, 2))
    np.testing.assert_array_equal(x.permute(2, 0, 1).data, x.data.transpose(2, 0, 1))
    np.testing.assert_array_equal(x.permute(-1, 0, 1).data, x.data.transpose(2, 0, 1))
    np.testing.assert_array_equal(x.T.data, x.data.transpose(2, 1, 0))


@pytest.mark.parametrize("fn", [
    lambda a: a.transpose(0, 1), lambda a: a.transpose(-1, 0), lambda a: a.transpose(2, 1),
    lambda a: a.permute(1, 2, 0), lambda a: a.permute((2, 1, 0)), lambda a: a.T,
    lambda a: a.flatten(1), lambda a: a.flatten(0, 1), lambda a: a.flatten(-2, -1),
], ids=["transpose01", "transpose-10", "transpose21", "permute120", "permute-tuple", "T",
        "flatten1", "flatten01", "flatten-2-1"])
def test_transpose_permute_flatten_gradients(fn):
    a = Tensor(generator().standard_normal((2, 3, 4)), requires_grad=True)
    assert gradcheck(fn, a)


@pytest.mark.parametrize("call, error, match", [
    (lambda x: x.transpose(0, 3), IndexError, r"transpose.*dim.*3.*\[-3, 2\]"),
    (lambda x: x.transpose(-4, 0), IndexError, r"-4.*\[-3, 2\]"),
    (lambda x: x.transpose(0), TypeError, r"dim1"),
    (lambda x: x.transpose(0, 1.0), TypeError, r"int.*float"),
    (lambda x: x.permute(1, 0), ValueError, r"permute.*3 dimensions.*2"),
    (lambda x: x.permute(0, 0, 1), ValueError, r"permute.*repeat.*0"),
    (lambda x: x.permute(0, 1, 3), IndexError, r"permute.*3.*\[-3, 2\]"),
    (lambda x: x.flatten(5), IndexError, r"flatten.*start_dim.*5.*\[-3, 2\]"),
    (lambda x: x.flatten(0, 3), IndexError, r"flatten.*end_dim.*3"),
    (lambda x: x.flatten(1, 0), ValueError, r"flatten.*start_dim.*1.*after.*end_dim.*0"),
    (lambda x: x.flatten(-1, 0), ValueError, r"start_dim.*-1.*end_dim.*0"),
])
def test_bad_dims_raise_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(Tensor(np.ones((2, 3, 4))))


def test_flatten_as_pytorch():
    x = Tensor(np.ones((2, 3, 4, 5)))
    assert x.flatten().shape == (120,) and x.flatten(1).shape == (2, 60)
    assert x.flatten(1, 2).shape == (2, 12, 5) and x.flatten(-3, -2).shape == (2, 12, 5)
    assert x.flatten(2, 2).shape == (2, 3, 4, 5) and x.flatten(0, 0).shape == (2, 3, 4, 5)
    assert Tensor(3.0).flatten().shape == (1,) and Tensor(3.0).flatten(-1, 0).shape == (1,)
    with pytest.raises(IndexError, match="flatten"):
        Tensor(3.0).flatten(1)


# --------------------------------------------------------------------------- Python protocol
def test_len_and_iteration_of_a_0d_tensor_raise_type_error():
    loss = Tensor(3.0, requires_grad=True) * 2
    with pytest.raises(TypeError, match="0-d"):
        len(loss)
    with pytest.raises(TypeError, match=r"iteration over a 0-d tensor.*item\(\)"):
        list(loss)                   # was []
    with pytest.raises(TypeError, match="0-d"):
        sum(loss)                    # was 0: the loss silently vanished
    with pytest.raises(TypeError, match="0-d"):
        for _ in Tensor(1.0):
            pass


def test_iteration_yields_the_rows_as_tensors():
    x = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    rows = list(x)
    assert len(rows) == 3 and all(isinstance(r, Tensor) and r.shape == (2,) for r in rows)
    np.testing.assert_array_equal(rows[2].data, [4.0, 5.0])
    sum(rows).sum().backward()       # iteration stays in the graph, as PyTorch
    np.testing.assert_array_equal(x.grad, np.ones((3, 2)))
    assert [v.item() for v in Tensor([1, 2])] == [1, 2]


# --------------------------------------------------------------------------- errors
def test_shape_mismatch_names_the_op_and_both_shapes():
    with pytest.raises(ValueError, match=r"Add.*\(2, 3\).*\(4,\)"):
        Tensor(np.ones((2, 3))) + Tensor(np.ones(4))
    with pytest.raises(ValueError, match=r"Mul.*\(2, 3\).*\(2,\)"):
        Tensor(np.ones((2, 3))) * np.ones(2)
    with pytest.raises(ValueError, match=r"MatMul.*\(2, 3\).*\(4, 5\).*last dimension"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"Reshape"):
        Tensor(np.ones(6)).reshape(4)
    # NumPy reads any negative length as -1; PyTorch refuses all but -1, and so do we.
    with pytest.raises(ValueError, match=r"Reshape.*\(6,\).*\(-2, 3\).*only -1"):
        Tensor(np.ones(6)).reshape(-2, 3)
    with pytest.raises(ValueError, match=r"\(-3,\) has a dimension below -1"):
        Tensor(np.ones(6)).view(-3)
    with pytest.raises(ValueError, match=r"Sum"):
        Tensor(np.ones(6)).sum(axis=2)


def test_out_of_domain_gives_nan_or_inf_without_raising():
    with np.errstate(all="ignore"):
        y = Tensor([-1.0, 0.0, 4.0], requires_grad=True).log()
        assert np.isnan(y.data[0]) and y.data[1] == -np.inf
        assert np.isnan(Tensor([-4.0]).sqrt().data[0])
        assert (Tensor([1.0]) / 0.0).data[0] == np.inf


def test_unsupported_operand_is_a_type_error():
    with pytest.raises(TypeError):
        Tensor([1.0]) + "a"


# --------------------------------------------------------------------------- modes
def test_no_grad_records_nothing_and_detach_cuts_the_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        y = x * 2
    assert not y.requires_grad and y.parents == () and y.op == ""
    d = (x * 3).detach()
    assert not d.requires_grad and d.parents == ()
    z = x.detach()
    assert np.shares_memory(z.data, x.data)  # shares the array, as PyTorch's detach
    (d * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 6.0])  # no gradient flowed through d


def test_detect_anomaly_forward_names_the_op():
    with np.errstate(all="ignore"), detect_anomaly():
        with pytest.raises(FloatingPointError, match="Log"):
            Tensor([-1.0], requires_grad=True).log()
        with pytest.raises(FloatingPointError, match="Exp"):
            Tensor([1000.0]).exp()
    with np.errstate(all="ignore"):
        Tensor([-1.0]).log()  # outside the block: nan, no error


def test_detect_anomaly_backward_names_the_op():
    x = Tensor([0.0, 1.0], requires_grad=True)
    with np.errstate(all="ignore"), detect_anomaly():
        y = x.sqrt()  # forward is finite: sqrt(0) = 0
        with pytest.raises(FloatingPointError, match="Sqrt.*backward"):
            y.sum().backward()  # d sqrt(x)/dx = inf at 0


# --------------------------------------------------------------------------- Function
class Cube(Function):
    """y = x³, dy/dx = 3x²; a scale given as a keyword and a constant positional input."""

    @staticmethod
    def forward(ctx, x, offset, scale=1.0):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return scale * x ** 3 + offset

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ctx.scale * 3 * x ** 2, None


def test_custom_function():
    x = Tensor([1.0, -2.0, 0.5], requires_grad=True)
    y = Cube.apply(x, np.array([1.0, 1.0, 1.0]), scale=2.0)
    assert y.op == "Cube" and y.parents == (x,)
    np.testing.assert_allclose(y.data, 2 * x.data ** 3 + 1)
    assert gradcheck(lambda t: Cube.apply(t, 0.0, scale=2.0), x)


def test_custom_function_sees_needs_input_grad():
    seen = []

    class Spy(Function):
        @staticmethod
        def forward(ctx, a, b):
            seen.append(ctx.needs_input_grad)
            return a * b

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    Spy.apply(Tensor([1.0], requires_grad=True), Tensor([2.0]))
    Spy.apply(Tensor([1.0]), 3.0)
    assert seen == [(True, False), (False, False)]


def test_custom_function_mistakes_are_explained():
    class TooFew(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, grad):
            return grad

    class WrongShape(Function):
        @staticmethod
        def forward(ctx, a):
            return a.sum()

        @staticmethod
        def backward(ctx, grad):
            return grad  # forgot to broadcast back

    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="TooFew.backward returned 1 gradient.*2 input"):
        TooFew.apply(x, x).backward(np.ones(2))
    with pytest.raises(ValueError, match=r"WrongShape.backward.*shape \(\).*\(2,\)"):
        WrongShape.apply(x).backward()


def test_autograd_grad_names_the_rule_that_returned_too_few_gradients():
    from tinygrad_edu.autograd import grad

    class TooFew(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, grad):
            return grad

        twice_differentiable = True

    class OldStyleTooFew(TooFew):
        @staticmethod
        def differentiable_backward(ctx, grad, out, a, b):
            return grad

    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="TooFew.backward returned 1 gradient.*2 input"):
        grad(TooFew.apply(x, x).sum(), x)
    with pytest.raises(ValueError, match="TooFew.backward returned 1 gradient.*2 input"):
        grad(TooFew.apply(x, x).sum(), x, create_graph=True)
    with pytest.raises(ValueError,
                       match="OldStyleTooFew.differentiable_backward returned 1 gradient.*2 input"):
        grad(OldStyleTooFew.apply(x, x).sum(), x, create_graph=True)


def test_calling_a_function_class_says_to_use_apply():
    class Swish(Function):
        @staticmethod
        def forward(ctx, x):
            return x / (1 + np.exp(-x))

        @staticmethod
        def backward(ctx, grad):
            return grad

    x = Tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"Swish is a Function: call Swish\.apply\(\.\.\.\)"):
        Swish(x)
    with pytest.raises(TypeError, match=r"Swish\.apply"):
        Swish()(x)
    assert Swish.apply(x).op == "Swish"


@pytest.mark.parametrize("which", ["forward", "backward"])
def test_a_function_without_staticmethod_is_refused_when_defined(which):
    body = {
        "forward": staticmethod(lambda ctx, x: x),
        "backward": staticmethod(lambda ctx, grad: grad),
    }
    body[which] = lambda ctx, *args: args[0]   # a plain method: @staticmethod forgotten
    with pytest.raises(TypeError, match=rf"Forgetful\.{which} must be a static method: "
                                        rf"add @staticmethod"):
        type("Forgetful", (Function,), body)


def test_a_function_missing_staticmethod_in_a_class_statement_is_refused():
    with pytest.raises(TypeError, match="add @staticmethod"):
        class NoStatic(Function):  # noqa: F841
            def forward(ctx, x):
                return 2 * x

            @staticmethod
            def backward(ctx, grad):
                return 2 * grad


# --------------------------------------------------------------------------- version counters
def _check_raises_naming(op, fn):
    with pytest.raises(RuntimeError, match=rf"{op}'s backward needs an array that was changed "
                                           rf"in place.*optimizer\.step\(\)"):
        fn()


def test_in_place_change_of_a_saved_input_raises_at_backward():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    x.data += 10                         # was: a wrong gradient (2 * 11, ...)
    _check_raises_naming("Mul", y.backward)
    x.label = "x"
    x.data = x.data                      # the same array set back also counts
    with pytest.raises(RuntimeError, match=r"input 0 of Mul \(a tensor of shape \(3,\), "
                                           r"label 'x'\)"):
        y.backward()


def test_in_place_change_of_a_saved_output_raises():
    x = Tensor([1.0, 2.0], requires_grad=True)
    e = x.exp()                          # Exp saves its output
    e.data *= 2
    _check_raises_naming("Exp", e.sum().backward)


def test_in_place_change_through_a_view_or_a_detached_tensor_raises():
    w = Tensor(np.ones((2, 3)), requires_grad=True)
    out = (np.ones((4, 3)) @ w.T).sum()  # MatMul saved w.T, a view of w's array
    w.data -= 1
    _check_raises_naming("MatMul", out.backward)
    v = Tensor([1.0, 2.0], requires_grad=True)
    out = (v * v).sum()
    d = v.detach()                        # shares v's memory, so its counter
    d.data += 1
    _check_raises_naming("Mul", out.backward)


def test_autograd_grad_checks_versions_too():
    from tinygrad_edu import autograd
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    x.data += 1
    for create_graph in (False, True):
        with pytest.raises(RuntimeError, match="Mul's backward needs an array"):
            autograd.grad(y, x, create_graph=create_graph)


def test_a_constant_input_changed_in_place_is_caught_too():
    w = Tensor([1.0, 2.0], requires_grad=True)
    x = Tensor([3.0, 4.0])               # no grad, but Mul needs it for w's gradient
    out = (w * x).sum()
    x.data += 1
    _check_raises_naming("Mul", out.backward)


def test_an_in_place_change_then_a_new_array_is_still_caught():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    x.data += 1                          # the saved array changes ...
    x.data = np.array([7.0, 7.0])        # ... and is then replaced
    _check_raises_naming("Mul", y.backward)
    z = (x * x).sum()
    x.data = np.array([1.0, 1.0])        # replaced first, then the new array changes:
    x.data += 1                          # the saved one is untouched
    z.backward()
    np.testing.assert_array_equal(x.grad, [14.0, 14.0])


def test_changes_that_cannot_affect_the_gradient_are_allowed():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x + 1).sum()                    # Add saves no array
    x.data += 1
    y.backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])
    x.grad = None
    y = (x * x).sum()
    x.data = np.array([5.0, 5.0])        # a new array: the saved one is unchanged
    y.backward()
    np.testing.assert_array_equal(x.grad, [4.0, 6.0])   # from the forward-time values 2, 3
    x.grad = None
    y = (x * x).sum()
    x.data[0] = 100.0                    # a raw write: not tracked (documented)
    y.backward()
    np.testing.assert_array_equal(x.grad, [200.0, 10.0])


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta",
                                  "Adamax", "NAdam", "RAdam", "Lion", "AdaBelief"])
def test_an_optimizer_step_between_forward_and_backward_raises(name):
    from tinygrad_edu import nn, optim
    manual_seed(0)
    model = nn.MLP([3, 4, 1])
    opt = getattr(optim, name)(model.parameters(), lr=0.01)
    x = np.ones((5, 3))
    for _ in range(3):                   # the normal loop never raises
        opt.zero_grad()
        loss = model(x).sum()
        loss.backward()
        opt.step()
    stale = model(x).sum()
    opt.step()                           # updates the weights that `stale` saved
    _check_raises_naming("Linear", stale.backward)


def test_load_state_dict_between_forward_and_backward_raises():
    # The second layer's weight is kept for the first layer's input gradient; a single layer
    # on data keeps no weight (its input needs no gradient), and PyTorch then does not raise.
    from tinygrad_edu import nn
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    loss = model(np.ones((3, 2))).sum()
    model.load_state_dict(nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2)).state_dict())
    _check_raises_naming("Linear", loss.backward)
    single = nn.Linear(2, 2)
    loss = single(np.ones((3, 2))).sum()
    single.load_state_dict(nn.Linear(2, 2).state_dict())
    loss.backward()
    assert single.weight.grad.tolist() == [[3.0, 3.0], [3.0, 3.0]]


# --------------------------------------------------------------------------- memory
def _train_step(params, x, y):
    w, b = params
    for p in params:
        p.grad = None
    loss = (((x @ w + b).tanh() - y) ** 2).mean()
    loss.backward()
    for p in params:
        p.data -= 0.01 * p.grad


def test_graph_is_freed_without_the_cycle_collector():
    gc.disable()
    try:
        x = Tensor(np.ones((4, 3)), requires_grad=True)
        hidden = x.tanh()
        loss = (hidden * 2).sum()
        loss.backward()
        ref = weakref.ref(hidden)
        del hidden, loss
        assert ref() is None  # freed by reference counting alone: no reference cycles
    finally:
        gc.enable()


def test_training_memory_stays_flat_with_gc_disabled():
    w = Tensor(np.random.default_rng(0).standard_normal((8, 4)) * 0.1, requires_grad=True)
    b = Tensor(np.zeros(4), requires_grad=True)
    x, y = np.ones((16, 8)), np.zeros((16, 4))
    gc.collect()
    gc.disable()
    try:
        tracemalloc.start()
        # Warm up caches, Python's included: its free lists keep up to 2,000 freed tuples of
        # each size for reuse, which tracemalloc counts as held until the lists are full.
        for _ in range(2500):
            _train_step((w, b), x, y)
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(300):
            _train_step((w, b), x, y)
        growth = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
    finally:
        gc.enable()
    assert growth < 20_000, f"memory grew by {growth} bytes over 300 steps"
