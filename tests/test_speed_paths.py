"""The hot paths of a training step keep the speed the engine had before issue 22 (issue 20's
contract: the eager step no slower than before). Each test holds one of the shortcuts taken
for it, so a change that quietly brings the cost back fails here, and each checks that the
shortcut did not change what is computed or freed."""
import numpy as np
import pytest

from tinygrad_edu import Tensor, nn, optim
from tinygrad_edu.tensors.function import Function


def _count_data_reads(monkeypatch):
    """Count reads of ``Tensor.data`` (each one makes a new InPlaceArray view)."""
    reads = []
    getter = Tensor.data.fget

    def counting(self):
        reads.append(self)
        return getter(self)
    monkeypatch.setattr(Tensor, "data", property(counting, Tensor.data.fset))
    return reads


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_a_step_and_a_backward_read_no_data_views(monkeypatch, name):
    model = nn.MLP([3, 4, 2])
    opt = getattr(optim, name)(model.parameters(), lr=0.1)
    x = Tensor(np.ones((5, 3)))
    before = [p.data.copy() for p in model.parameters()]
    reads = _count_data_reads(monkeypatch)
    loss = model(x).sum()
    loss.backward()
    opt.step()
    assert reads == []
    after = [p.numpy() for p in model.parameters()]
    assert all((a != b).any() for a, b in zip(after, before))   # the update did land


def test_a_step_still_counts_as_an_in_place_change_of_each_parameter():
    w = Tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()           # Mul saved w
    opt = optim.SGD([w], lr=0.1)
    w.grad = np.ones(2)
    opt.step()
    np.testing.assert_allclose(w.numpy(), [0.9, 1.9])
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()


class _KeepsAMask(Function):
    """Keeps an array as a ctx attribute and saves nothing with save_for_backward."""
    @staticmethod
    def forward(ctx, x):
        ctx.mask = x > 0
        return x * ctx.mask

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.mask


class _KeepsOnlyANumber(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.factor = 2.0
        return x * 2.0

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.factor


def test_a_ctx_attribute_array_is_freed_and_a_number_is_kept():
    x = Tensor([-1.0, 2.0], requires_grad=True)
    masked = _KeepsAMask.apply(x)
    doubled = _KeepsOnlyANumber.apply(x)
    (masked.sum() + doubled.sum()).backward()
    np.testing.assert_array_equal(x.grad, [2.0, 3.0])
    assert not hasattr(masked._ctx, "mask") and masked._ctx.freed
    assert doubled._ctx.factor == 2.0 and not doubled._ctx.freed
    with pytest.raises(RuntimeError, match="second time"):
        masked.sum().backward()
    doubled.sum().backward()       # it kept no array: a gradient still passes
    np.testing.assert_array_equal(x.grad, [4.0, 5.0])


def test_only_the_inputs_that_need_a_gradient_get_one_in_any_position():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0])                       # no gradient: skipped by the chain rule
    c = Tensor([5.0, 6.0], requires_grad=True)
    (a * 2 + b * c).sum().backward()             # constants and Tensors interleaved
    np.testing.assert_array_equal(a.grad, [2.0, 2.0])
    np.testing.assert_array_equal(c.grad, [3.0, 4.0])
    assert b.grad is None


class _KeepsArraysInATuple(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.pieces = (x > 0, 2.0)
        return x * ctx.pieces[0]

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.pieces[0]


def test_a_ctx_attribute_tuple_holding_an_array_is_freed():
    x = Tensor([-1.0, 2.0], requires_grad=True)
    out = _KeepsArraysInATuple.apply(x)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0])
    assert not hasattr(out._ctx, "pieces") and out._ctx.freed
