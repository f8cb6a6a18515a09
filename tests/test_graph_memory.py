"""After ``backward()`` a Tensor graph keeps its shape but none of its arrays (API.md §14,
issue 22 finding 15), unless ``retain_graph=True``: the classic slip ``total += loss`` then
costs a few bytes per step, not every step's activations."""
import gc
import tracemalloc
import weakref

import numpy as np
import pytest

from tinygrad_edu import Tensor, manual_seed, nn, optim, tensor
from tinygrad_edu.graph import topological_order


def _training(steps, accumulate):
    """An MLP trained for ``steps``; ``accumulate`` is how the losses are summed (or None)."""
    manual_seed(0)
    model = nn.MLP([16, 512, 10])
    opt = optim.SGD(model.parameters(), lr=0.01)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((64, 16)), rng.integers(0, 10, 64)
    total = tensor(0.0)
    for _ in range(steps):
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if accumulate is not None:
            total = accumulate(total, loss)
    return total


def _peak(steps, accumulate):
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        kept = _training(steps, accumulate)
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    del kept
    return peak


def _add(total, loss):
    return total + loss


def _add_in_place(total, loss):
    total += loss
    return total


@pytest.fixture(scope="module")
def plain_peak():
    return _peak(20, None)


@pytest.mark.parametrize("accumulate", [_add, _add_in_place], ids=["total + loss", "total += loss"])
def test_summing_losses_keeps_no_activations(accumulate, plain_peak):
    """20 steps keep 20 graphs alive through ``total``; each step's activations are about
    1 MB (64 x 512 float64, several of them), so keeping them would cost ~20 MB."""
    summed = _peak(20, accumulate)
    assert summed - plain_peak < 1_000_000, (f"peak {summed / 1e6:.1f} MB vs "
                                             f"{plain_peak / 1e6:.1f} MB")


def test_the_graph_keeps_its_shape_and_no_numbers():
    x = tensor(np.ones((4, 3)))
    w = tensor(np.full((3, 2), 0.5), requires_grad=True)
    hidden = (x @ w).tanh()
    loss = (hidden * hidden).sum()
    held = weakref.ref(hidden)
    before = [n.op or "leaf" for n in topological_order(loss)]
    loss.backward()
    del hidden
    gc.collect()
    assert held() is None                     # the intermediate tensor is gone
    order = topological_order(loss)
    assert [n.op or "leaf" for n in order] == before    # the shape is kept
    for node in order:
        if node is loss or node is w:
            continue                          # the output and the parameter keep their data
        assert node.freed and node.data.strides == (0,) * node.ndim   # no memory behind it
        assert node.shape in {(4, 3), (4, 2)}
    for node in order:
        if node._ctx is not None:
            assert not node._ctx.saved_tensors and not hasattr(node._ctx, "inputs")
    np.testing.assert_allclose(loss.data, (np.tanh(1.5) ** 2) * 8)


def test_a_drawing_after_backward_says_the_numbers_are_freed():
    pytest.importorskip("graphviz")
    from tinygrad_edu.viz import draw_graph
    w = tensor([1.0, 2.0], requires_grad=True)
    loss = (w.exp() * 2).sum()
    loss.backward()
    source = draw_graph(loss).source
    assert "data freed by backward()" in source and "Exp" in source


def test_second_backward_raises_pytorchs_error_with_its_advice_and_retain_graph_keeps_it():
    w = tensor([1.0, 2.0], requires_grad=True)
    loss = (w.exp() * w).sum()
    loss.backward(retain_graph=True)
    loss.backward()                               # retained: works
    np.testing.assert_allclose(w.grad, 2 * (np.exp([1.0, 2.0]) * (1 + np.array([1.0, 2.0]))))
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        loss.backward()
    with pytest.raises(RuntimeError, match="second time"):
        from tinygrad_edu.autograd import grad
        grad(loss, [w])


def test_the_intermediates_a_user_holds_keep_their_numbers():
    w = tensor([1.0, 2.0], requires_grad=True)
    hidden = w * 3
    loss = hidden.sum()
    loss.backward()
    np.testing.assert_array_equal(hidden.data, [3.0, 6.0])
    with pytest.raises(RuntimeError, match="second time"):
        (hidden * 2).sum().backward()            # through hidden's freed Mul: as PyTorch
    (hidden.detach() * 2).sum()                  # its numbers are all there


def test_a_graph_of_ops_that_saved_nothing_runs_backward_again():
    w = tensor([1.0, 2.0], requires_grad=True)
    loss = (w.reshape(2, 1).T + 1).sum()
    loss.backward()
    loss.backward()
    np.testing.assert_array_equal(w.grad, [2.0, 2.0])


def test_stand_ins_keep_in_place_history():
    x = tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = (y + 1).sum()
    y *= 3
    total = z + y.sum()
    total.backward()
    np.testing.assert_array_equal(x.grad, [2.0 + 6.0, 2.0 + 6.0])
    assert all(isinstance(n, Tensor) for n in topological_order(total))
