"""In-place changes as PyTorch (API.md §14, issue 22): the tensor and its views change, and
autograd records the change or raises; version counters watch indices, masks and every writer;
``.grad`` accumulates in place; ``//`` and ``%``; ``grad_fn``.

The cases in ``inplace_cases.py`` run unchanged on both libraries and are held to PyTorch's
stored results (``tests/reference/inplace_reference.npz``; regenerate with
``python tests/reference/make_inplace_reference.py``), and live when torch is importable.
"""
import os
import warnings

import numpy as np
import pytest

import inplace_cases
import tinygrad_edu
from tinygrad_edu import Tensor, nn, no_grad, optim, tensor, where, zeros

REFERENCE = os.path.join(os.path.dirname(__file__), "reference", "inplace_reference.npz")


@pytest.fixture(scope="module")
def reference():
    with np.load(REFERENCE, allow_pickle=False) as npz:
        return dict(npz)


def assert_same(got, expected, name):
    assert got.shape == expected.shape, f"{name}: shape {got.shape} vs PyTorch's {expected.shape}"
    assert got.dtype == expected.dtype, f"{name}: dtype {got.dtype} vs PyTorch's {expected.dtype}"
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("case", inplace_cases.CASES, ids=lambda c: c.__name__)
def test_case_matches_stored_pytorch_results(case, reference):
    results = case(tinygrad_edu)
    assert results
    for key, value in results.items():
        name = f"{case.__name__}/{key}"
        assert_same(inplace_cases.as_array(value), reference[name], name)


def test_cases_match_pytorch_live():
    torch = pytest.importorskip("torch")
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        expected = inplace_cases.run_all(torch)
    finally:
        torch.set_default_dtype(previous)
    for name, got in inplace_cases.run_all(tinygrad_edu).items():
        assert_same(got, expected[name], name)


# ------------------------------------------------------------------ what the tests above imply
def test_the_changed_tensor_is_the_same_object_with_a_new_node():
    x = tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    same = y
    y += x
    assert y is same and y.op == "Add" and not y.is_leaf
    assert repr(y.grad_fn) == "<AddBackward>" and y.grad_fn.name() == "AddBackward"
    assert x.grad_fn is None


def test_the_node_left_behind_keeps_the_label():
    x = tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.label = "y"
    y *= 3
    (before,) = [p for p in y.parents if p.op == "Mul" and p is not y]
    assert before.label == "y" and y.label == "y"
    np.testing.assert_array_equal(before.data, [2.0, 4.0])   # its numbers, kept apart


def test_a_tensor_without_grad_gets_a_graph_and_stops_being_a_leaf():
    x = tensor([1.0, 2.0], requires_grad=True)
    total = zeros(())
    assert total.is_leaf and not total.requires_grad
    total += (x * x).sum()
    assert total.requires_grad and not total.is_leaf
    total.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_in_place_without_anything_to_record_writes_and_counts():
    w = tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()              # saves w
    with no_grad():
        w -= 0.5                   # the optimizer-style update: written in place ...
    assert w.is_leaf and w.op == ""
    with pytest.raises(RuntimeError, match="changed in place"):
        y.backward()               # ... and counted


def test_views_are_remade_after_their_base_changes():
    x = tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    row = y[0]                     # a view, made before y changes
    y *= 3
    np.testing.assert_array_equal(row.data, [3.0, 6.0])   # it shares y's memory
    row.sum().backward()           # and differentiates through y *= 3, as PyTorch
    np.testing.assert_array_equal(x.grad, [[3.0, 3.0], [0.0, 0.0]])


def test_a_view_made_by_another_op_is_refused_with_advice():
    from tinygrad_edu.tensors.function import Function

    class Window(Function):        # hands back a view of its input
        @staticmethod
        def forward(ctx, x):
            return x[1:]

        @staticmethod
        def backward(ctx, grad):
            full = np.zeros(grad.shape[0] + 1)
            full[1:] = grad
            return full

    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    view = Window.apply(x * 1)
    with pytest.raises(RuntimeError, match="clone"):
        view *= 2


def test_refusals_leave_the_numbers_alone():
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    for change in (lambda: x.add_(1), lambda: x.__setitem__(0, 9.0),
                   lambda: y.__iadd__(np.ones((2, 3)))):
        with pytest.raises(RuntimeError, match="in-place"):
            change()
    np.testing.assert_array_equal(x.data, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(y.data, [1.0, 2.0, 3.0])
    i = tensor([1, 2])
    with pytest.raises(TypeError, match="can't be cast"):
        i += tensor([0.5, 0.5], requires_grad=True)
    with pytest.raises(TypeError, match="int64"):
        i[0] = np.array(0.5)


def test_backward_with_create_graph_points_to_autograd_grad():
    x = tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="autograd.grad"):
        (x * x).sum().backward(create_graph=True)
    with pytest.raises(TypeError, match="once"):
        (x * x).sum().backward(np.ones(()), grad=np.ones(()))


# ------------------------------------------------------------------ version counters
def test_every_writer_counts_as_an_in_place_change():
    """nn.init, the data setter, the array's own _ methods, t[i] = v: a backward() through a
    graph that saved the array raises."""
    writers = {
        "init": lambda w: nn.init.normal_(w),
        "setitem": lambda w: w.__setitem__(0, 1.0),
        "data_method": lambda w: w.data.mul_(2),
        "data_fill": lambda w: w.data.fill_(1.0),
        "data_normal": lambda w: w.data.normal_(0, 0.01),
        "data_uniform": lambda w: w.data.uniform_(),
        "data_zero": lambda w: w.data.zero_(),
        "data_add": lambda w: w.data.add_(1.0, alpha=2),
        "data_sub": lambda w: w.data.sub_(1.0),
        "data_div": lambda w: w.data.div_(2.0),
        "data_clamp": lambda w: w.data.clamp_(0.0, 0.1),
        "data_copy": lambda w: w.data.copy_(tensor([5.0, 6.0])),
        "data_assign": lambda w: setattr(w, "data", np.asarray(w.data)),
        "optimizer": lambda w: (setattr(w, "grad", np.ones(2)), optim.SGD([w], lr=0.1).step()),
    }
    written = {}
    for name, write in writers.items():
        tinygrad_edu.manual_seed(0)
        w = tensor([3.0, 4.0], requires_grad=True)
        y = (w * w).sum()
        with no_grad():
            write(w)
        written[name] = w.data.copy()
        with pytest.raises(RuntimeError, match="changed in place"):
            y.backward()
    for name, values in {"setitem": [1.0, 4.0], "data_method": [6.0, 8.0],
                         "data_fill": [1.0, 1.0], "data_zero": [0.0, 0.0],
                         "data_add": [5.0, 6.0], "data_sub": [2.0, 3.0], "data_div": [1.5, 2.0],
                         "data_clamp": [0.1, 0.1], "data_copy": [5.0, 6.0],
                         "optimizer": [2.9, 3.9]}.items():
        np.testing.assert_allclose(written[name], values, err_msg=name)


def test_a_data_view_of_an_old_array_counts_nothing():
    w = tensor([3.0, 4.0], requires_grad=True)
    old = w.data
    w.data = np.array([1.0, 1.0])          # a new array: the old one is no longer w's
    y = (w * w).sum()
    old.mul_(2)                             # changes memory w does not use
    y.backward()
    np.testing.assert_array_equal(w.grad, [2.0, 2.0])


def test_index_and_condition_changes_are_caught_only_after_use():
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    i = tensor([0, 0])
    picked = x[i]
    picked.sum().backward()                 # unchanged: fine
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 0.0])
    m = x > 1
    chosen = where(m, x, 0.0)
    m[0] = True
    with pytest.raises(RuntimeError, match="index or a condition"):
        chosen.sum().backward()
    plain = x[np.array([1])]                # a NumPy index is the caller's to keep
    plain.sum().backward()


def test_uint8_masks_warn_as_pytorch():
    t = tensor([1.0, 2.0, 3.0])
    with pytest.warns(UserWarning, match="uint8"):
        picked = t[np.array([1, 0, 1], np.uint8)]
    np.testing.assert_array_equal(picked.data, [1.0, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(t[np.array([2, 0])].data, [3.0, 1.0])   # int64: positions


# ------------------------------------------------------------------ .data and .grad
def test_data_and_grad_are_arrays_with_pytorchs_in_place_methods():
    w = tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    assert isinstance(w.data, np.ndarray) and isinstance(w.grad, np.ndarray)
    assert repr(w.grad) == "array([2., 4.])" and w.grad is w.grad
    g = w.grad
    assert g.zero_() is g and (w.grad == 0).all()
    w.grad.fill_(3.0).add_(np.ones(2))
    np.testing.assert_array_equal(w.grad, [4.0, 4.0])
    tinygrad_edu.manual_seed(0)
    w.data.normal_(0, 0.01)
    assert np.abs(w.data).max() < 0.1 and not np.array_equal(w.data, [1.0, 2.0])
    copy = w.data.copy()
    assert type(copy) is np.ndarray and not np.shares_memory(copy, w.data)


def test_grad_assignment_accepts_arrays_tensors_and_none_only():
    w = tensor([1.0, 2.0], requires_grad=True)
    w.grad = tensor([0.5, 0.5])
    np.testing.assert_array_equal(w.grad, [0.5, 0.5])
    w.grad = np.float64(2.0) * np.ones(2)
    w.grad = None
    assert w.grad is None
    for number in (0.0, 1, [1.0, 2.0]):
        with pytest.raises(TypeError, match="assigned grad"):
            w.grad = number


def test_grad_reference_sees_later_sums_and_a_read_only_grad_is_replaced():
    w = tensor([1.0, 2.0], requires_grad=True)
    w.grad = np.broadcast_to(np.ones(1), (2,))           # read-only: cannot take the sum
    (w * 3).sum().backward()
    np.testing.assert_array_equal(w.grad, [4.0, 4.0])
    first = w.grad
    (w * 3).sum().backward()
    assert first is w.grad and (first == 7).all()


def test_two_leaves_never_share_a_gradient_array():
    a, b = tensor([1.0, 2.0], requires_grad=True), tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()                 # Add hands both the same array
    assert not np.shares_memory(a.grad, b.grad)
    (a + b).sum().backward()
    np.testing.assert_array_equal(a.grad, [2.0, 2.0])
    np.testing.assert_array_equal(b.grad, [2.0, 2.0])


def test_tensor_normal_and_uniform_fill_in_place_from_the_library_generator():
    """Tensor.normal_/uniform_ (PyTorch's names): the same tensor and memory, the generator's
    draws, a version change that a saved graph notices, and a leaf that requires grad refused
    outside no_grad."""
    from tinygrad_edu.random import generator
    t = zeros(4)
    memory = t.data.__array_interface__["data"][0]
    tinygrad_edu.manual_seed(3)
    assert t.normal_(2.0, 0.5) is t
    tinygrad_edu.manual_seed(3)
    assert t.tolist() == generator().normal(2.0, 0.5, (4,)).tolist()
    assert t.data.__array_interface__["data"][0] == memory
    tinygrad_edu.manual_seed(3)
    t.uniform_(-1.0, 1.0)
    tinygrad_edu.manual_seed(3)
    assert t.tolist() == generator().uniform(-1.0, 1.0, (4,)).tolist()

    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        w.normal_()
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * w).sum()
    with no_grad():
        w.uniform_()
    with pytest.raises(RuntimeError, match="changed in place"):
        y.backward()


def test_an_autograd_function_lets_go_of_the_tensors_it_saved_after_backward():
    """PyTorch frees a custom Function's saved tensors with the graph; so does this engine,
    so `total += loss` through one keeps no activations."""
    import gc
    import weakref

    class Square(tinygrad_edu.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    x = Tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3
    kept = weakref.ref(hidden)
    loss = Square.apply(hidden).sum()
    del hidden
    loss.backward()
    gc.collect()
    assert kept() is None
    assert x.grad.tolist() == [18.0, 36.0]


def test_operators_and_methods_through_a_view_made_before_its_base_had_a_graph():
    """a = zeros(2, 3); row = a[1]; a[1] = x: row shows x's numbers, so a change through row
    is a change of a, recorded. (PyTorch refuses these two, calling row a view of a leaf —
    a was one when row was made; writing row[0] = ... it accepts, and so the stored case
    views_made_before_their_base_had_a_graph checks that one. The numbers here follow from
    a[1] = x, then ×3 or clamped to [0, 1.5].)"""
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    a = zeros(2, 3)
    row = a[1]
    a[1] = x
    row *= 3
    a.sum().backward()
    assert a.tolist() == [[0.0, 0.0, 0.0], [3.0, 6.0, 9.0]] and x.grad.tolist() == [3.0] * 3
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    a = zeros(2, 3)
    row = a[1]
    a[1] = x
    row.clamp_(0.0, 1.5)
    a.sum().backward()
    assert a.tolist()[1] == [1.0, 1.5, 1.5] and x.grad.tolist() == [1.0, 0.0, 0.0]
