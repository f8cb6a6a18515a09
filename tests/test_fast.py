"""The speed door (tinygrad_edu.fast) changes no result: what runs with the tricks on equals
what runs inside ``fast.plain()``, where the plain rules run as written — bit for bit, or to
the rounding of a matrix product summed in another order."""
import numpy as np
import pytest

from tinygrad_edu import Tensor, fast, optim
from tinygrad_edu.fast import accumulate_leaf_grad, switch
from tinygrad_edu.nn import functional as F


def _train(steps, plain, dtype=np.float64):
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((16, 5)).astype(dtype))
    y = rng.integers(0, 3, 16)
    w1 = Tensor(rng.standard_normal((8, 5)).astype(dtype) * 0.3, requires_grad=True)
    b1 = Tensor(np.zeros(8, dtype), requires_grad=True)
    w2 = Tensor(rng.standard_normal((3, 8)).astype(dtype) * 0.3, requires_grad=True)
    params = [w1, b1, w2]
    opt = optim.SGD(params, lr=0.1, momentum=0.9)
    grads = []
    for _ in range(steps):
        opt.zero_grad()
        with fast.plain() if plain else _nothing():
            hidden = F.linear(x, w1, b1).relu()          # Linear: the layout choice
            logits = hidden @ w2.T                        # MatMul of a transposed weight
            F.cross_entropy(logits, y).backward()
            grads.append([p.grad.copy() for p in params])
            opt.step()
    return [p.data for p in params], grads


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_training_with_the_tricks_equals_the_plain_rules(dtype):
    fast_params, fast_grads = _train(20, plain=False, dtype=dtype)
    plain_params, plain_grads = _train(20, plain=True, dtype=dtype)
    # A matrix product computed in the other memory order sums in another order: rounding.
    tolerance = 1e-12 if dtype == np.float64 else 1e-5
    for a, b in zip(fast_params, plain_params):
        np.testing.assert_allclose(a, b, rtol=tolerance, atol=tolerance)
    for step_a, step_b in zip(fast_grads, plain_grads):
        for a, b in zip(step_a, step_b):
            assert a.dtype == b.dtype == dtype
            np.testing.assert_allclose(a, b, rtol=tolerance, atol=tolerance)


def test_elementwise_training_is_bit_for_bit_the_same():
    """No matrix product: no layout choice, so the leaf-gradient trick alone must give the
    very same bits."""
    def run(plain):
        w = Tensor(np.linspace(-1, 1, 6), requires_grad=True)
        opt = optim.Adam([w], lr=0.05)
        for _ in range(30):
            opt.zero_grad()
            with fast.plain() if plain else _nothing():
                ((w * w).tanh() + w.sin()).sum().backward()
            opt.step()
        return w.data
    np.testing.assert_array_equal(run(False), run(True))


def test_plain_turns_every_trick_off_and_back_on_even_after_an_error():
    assert switch.on
    with fast.plain():
        assert not switch.on
        with fast.plain():             # nested: still off inside, restored to off after
            assert not switch.on
        assert not switch.on
    assert switch.on
    with pytest.raises(ZeroDivisionError):
        with fast.plain():
            1 / 0
    assert switch.on


class _Leaf:
    """What accumulate_leaf_grad needs of a leaf: ``dtype`` and a settable ``grad``."""
    def __init__(self, data):
        self.data, self.grad = data, None

    @property
    def dtype(self):
        return self.data.dtype


def test_a_leaf_keeps_its_ops_array_only_when_that_is_safe():
    handed_out = set()
    leaf, other = _Leaf(np.zeros(3)), _Leaf(np.zeros(3))
    grad = np.ones(3)
    accumulate_leaf_grad(handed_out, leaf, grad)
    assert leaf.grad is grad                   # kept, not copied
    accumulate_leaf_grad(handed_out, other, grad)    # the same memory for a second leaf: a copy
    assert other.grad is not grad and not np.shares_memory(other.grad, grad)
    view = np.broadcast_to(np.ones(1), (3,))   # read-only: a copy
    third = _Leaf(np.zeros(3))
    accumulate_leaf_grad(handed_out, third, view)
    assert third.grad.flags.writeable and not np.shares_memory(third.grad, view)
    single = _Leaf(np.zeros(3, np.float32))    # another dtype: converted
    accumulate_leaf_grad(set(), single, np.ones(3))
    assert single.grad.dtype == np.float32
    before = leaf.grad
    accumulate_leaf_grad(handed_out, leaf, np.full(3, 2.0))   # a second gradient: added in
    assert leaf.grad is before and (before == 3).all()        # place, as PyTorch
    frozen = _Leaf(np.zeros(3))
    frozen.grad = np.broadcast_to(np.ones(1), (3,))           # read-only: replaced by the sum
    accumulate_leaf_grad(set(), frozen, np.ones(3))
    assert frozen.grad.flags.writeable and (frozen.grad == 2).all()


def test_plain_copies_every_leaf_gradient():
    grad = np.ones(3)
    leaf = _Leaf(np.zeros(3))
    with fast.plain():
        accumulate_leaf_grad(set(), leaf, grad)
    assert leaf.grad is not grad and not np.shares_memory(leaf.grad, grad)
    np.testing.assert_array_equal(leaf.grad, grad)


def test_the_door_imports_nothing_of_the_package():
    import ast
    import pathlib
    folder = pathlib.Path(fast.__file__).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.level <= 1 and not (node.module or "").startswith("tinygrad_edu"), \
                    f"{path.name} imports {node.module}"
