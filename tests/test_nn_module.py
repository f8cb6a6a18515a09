"""Module semantics and the layers: registration order, state dicts, modes, Linear's init."""
import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import Tensor
from tinygrad_edu.nn import (MLP, Linear, Module, ReLU, Sequential, Sigmoid, StateDictError,
                             Tanh)


class Block(Module):
    def __init__(self):
        super().__init__()
        self.scale = Tensor(np.ones(3), requires_grad=True)
        self.inner = Linear(3, 2)
        self.constant = Tensor(np.zeros(3))          # no grad: not a parameter
        self.offset = Tensor(np.zeros(2), requires_grad=True)

    def forward(self, x):
        return self.inner(x * self.scale) + self.offset


class Net(Module):
    def __init__(self):
        super().__init__()
        self.first = Block()
        self.head = Linear(2, 1)
        self.tied = self.head.weight                 # the same parameter under a second name

    def forward(self, x):
        return self.head(self.first(x).relu())


NET_NAMES = ["tied", "first.scale", "first.offset", "first.inner.weight", "first.inner.bias",
             "head.weight", "head.bias"]


# --------------------------------------------------------------------------- registration
def test_parameters_in_assignment_order_each_once():
    net = Net()
    names = [name for name, _ in net.named_parameters()]
    # own parameters first, then each child's in assignment order; the tied weight once
    assert names == ["tied", "first.scale", "first.offset", "first.inner.weight",
                     "first.inner.bias", "head.bias"]
    params = net.parameters()
    assert isinstance(params, list) and len(params) == 6
    assert params[0] is net.head.weight and params[3] is net.first.inner.weight
    assert [id(p) for p in params] == [id(p) for p in Net.parameters(net)]   # stable


def test_state_dict_has_every_name_including_shared_parameters():
    net = Net()
    state = net.state_dict()
    assert list(state) == NET_NAMES
    assert all(isinstance(v, np.ndarray) for v in state.values())


def test_reassigning_keeps_position_and_non_parameters_unregister():
    block = Block()
    block.scale = Tensor(np.full(3, 2.0), requires_grad=True)
    assert [n for n, _ in block.named_parameters()][0] == "scale"
    block.offset = None
    assert "offset" not in dict(block.named_parameters())
    del block.inner
    assert [n for n, _ in block.named_parameters()] == ["scale"]
    assert block.children() == []


def test_forgetting_super_init_explains_the_fix():
    class Broken(Module):
        def __init__(self):
            self.layer = Linear(1, 1)
    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Broken()


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="forward"):
        Module()(1.0)


def test_zero_grad_to_none_or_zeros():
    net = Net()
    net(np.ones((4, 3))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(np.array_equal(p.grad, np.zeros_like(p.data)) for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_train_and_eval_recurse_into_children():
    net = Net()
    assert net.training and net.first.inner.training
    assert net.eval() is net
    assert not any(m.training for _, m in net.named_modules())
    net.first.train()
    assert net.first.inner.training and not net.training and not net.head.training
    net.train()
    assert all(m.training for _, m in net.named_modules())


# --------------------------------------------------------------------------- state dicts
def test_state_dict_holds_copies():
    net = Net()
    state = net.state_dict()
    before = state["first.scale"].copy()
    net.first.scale.data += 1.0                        # training changes the model...
    assert np.array_equal(state["first.scale"], before)   # ...not a saved state dict
    state["head.bias"][...] = 42.0                     # editing the dict changes not the model
    assert not np.any(net.head.bias.data == 42.0)


def test_load_state_dict_round_trip_between_models():
    tinygrad_edu.manual_seed(1)
    source = Net()
    tinygrad_edu.manual_seed(2)
    target = Net()
    x = np.random.default_rng(0).standard_normal((5, 3))
    assert not np.allclose(source(x).data, target(x).data)
    result = target.load_state_dict(source.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    np.testing.assert_array_equal(source(x).data, target(x).data)
    assert target.head.weight is target.tied          # still one shared parameter


def _snapshot(module):
    return {k: v.copy() for k, v in module.state_dict().items()}


def _unchanged(module, snapshot):
    return all(np.array_equal(v, snapshot[k]) for k, v in module.state_dict().items())


@pytest.mark.parametrize("edit, words", [
    (lambda sd: sd.pop("head.bias"), ["missing", "head.bias"]),
    (lambda sd: sd.update(extra=np.zeros(1)), ["unexpected", "extra"]),
    (lambda sd: sd.update({"head.bias": np.zeros(3)}), ["head.bias", "(1,)", "(3,)"]),
])
def test_load_state_dict_errors_name_the_problem_and_change_nothing(edit, words):
    net = Net()
    snapshot = _snapshot(net)
    new_state = {k: v + 1.0 for k, v in net.state_dict().items()}   # every value different
    edit(new_state)
    for error_type in (KeyError, ValueError):        # StateDictError is both
        with pytest.raises(error_type) as info:
            net.load_state_dict(new_state)
        for word in words:
            assert word in str(info.value)
    assert isinstance(info.value, StateDictError)
    assert _unchanged(net, snapshot)                  # all or nothing


def test_non_strict_skips_missing_and_unexpected_but_never_wrong_shapes():
    net = Net()
    new_state = {"first.scale": np.full(3, 5.0), "surplus": np.zeros(2)}
    result = net.load_state_dict(new_state, strict=False)
    assert np.array_equal(net.first.scale.data, np.full(3, 5.0))
    assert result.unexpected_keys == ["surplus"]
    assert result.missing_keys == [k for k in NET_NAMES if k != "first.scale"]
    snapshot = _snapshot(net)
    with pytest.raises(ValueError, match=r"first.offset.*\(2,\).*\(5,\)"):
        net.load_state_dict({"first.scale": np.zeros(3), "first.offset": np.zeros(5)},
                            strict=False)
    assert _unchanged(net, snapshot)


def test_load_state_dict_accepts_tensors_and_converts_dtype():
    layer = Linear(2, 2)
    layer.load_state_dict({"weight": Tensor(np.eye(2)), "bias": np.array([1, 2])})
    assert layer.bias.data.dtype == np.float64 and layer.bias.data.tolist() == [1.0, 2.0]
    assert layer.weight.data.tolist() == [[1.0, 0.0], [0.0, 1.0]]


# --------------------------------------------------------------------------- Linear
def test_linear_computes_x_w_transpose_plus_b():
    layer = Linear(3, 2)
    x = np.random.default_rng(0).standard_normal((4, 3))
    np.testing.assert_allclose(layer(x).data, x @ layer.weight.data.T + layer.bias.data)
    no_bias = Linear(3, 2, bias=False)
    assert no_bias.bias is None and len(no_bias.parameters()) == 1
    np.testing.assert_allclose(no_bias(x).data, x @ no_bias.weight.data.T)


def test_linear_init_is_uniform_within_one_over_sqrt_fan_in():
    layer = Linear(400, 300)
    bound = 1 / np.sqrt(400)
    w, b = layer.weight.data, layer.bias.data
    assert w.shape == (300, 400) and b.shape == (300,)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.99 * bound                 # fills the whole interval
    assert abs(w.mean()) < 0.01 * bound
    assert abs(w.var() - bound ** 2 / 3) < 0.02 * bound ** 2 / 3   # variance of U(-a, a)
    assert layer.weight.requires_grad and layer.bias.requires_grad


def test_linear_init_is_reproducible_with_manual_seed():
    tinygrad_edu.manual_seed(5)
    a = Linear(3, 4)
    b = Linear(3, 4)                                  # the generator moved on
    tinygrad_edu.manual_seed(5)
    c = Linear(3, 4)
    assert np.array_equal(a.weight.data, c.weight.data)
    assert np.array_equal(a.bias.data, c.bias.data)
    assert not np.array_equal(a.weight.data, b.weight.data)
    # drawn from the library's generator, weight first, then bias
    tinygrad_edu.manual_seed(5)
    draws = tinygrad_edu.random.generator().uniform(-1 / np.sqrt(3), 1 / np.sqrt(3), 16)
    np.testing.assert_array_equal(a.weight.data.ravel(), draws[:12])
    np.testing.assert_array_equal(a.bias.data, draws[12:])


def test_linear_dtype():
    assert Linear(2, 3).weight.dtype == np.float64
    layer = Linear(2, 3, dtype=np.float32)
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32


@pytest.mark.parametrize("args", [(0, 2), (2, -1), (2.0, 3), (True, 2)])
def test_linear_rejects_bad_sizes(args):
    with pytest.raises(ValueError, match="features"):
        Linear(*args)


def test_modules_accept_arrays_lists_and_tensors():
    layer = Linear(2, 1)
    expected = layer(Tensor(np.array([[1.0, 2.0]]))).data
    np.testing.assert_array_equal(layer(np.array([[1.0, 2.0]])).data, expected)
    np.testing.assert_array_equal(layer([[1.0, 2.0]]).data, expected)
    assert ReLU()(-3.0).item() == 0.0 and Sigmoid()(0.0).item() == 0.5
    assert Tanh()(np.zeros(2)).data.tolist() == [0.0, 0.0]


# --------------------------------------------------------------------------- containers
def test_sequential_applies_in_order_and_behaves_like_a_list():
    first, second = Linear(2, 3), Linear(3, 1)
    model = Sequential(first, ReLU(), second)
    x = np.random.default_rng(0).standard_normal((5, 2))
    np.testing.assert_allclose(model(x).data, second(first(x).relu()).data)
    assert len(model) == 3 and list(model)[0] is first and model[2] is second
    assert model[-1] is second
    head = model[:2]
    assert isinstance(head, Sequential) and len(head) == 2 and head[0] is first
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight",
                                                        "2.bias"]


def test_sequential_rejects_non_modules():
    with pytest.raises(TypeError, match="argument 1"):
        Sequential(Linear(1, 1), ReLU)


@pytest.mark.parametrize("activation, kind", [("relu", ReLU), ("tanh", Tanh),
                                              ("sigmoid", Sigmoid)])
def test_mlp_structure(activation, kind):
    model = MLP([2, 5, 4, 3], activation=activation)
    assert isinstance(model, Sequential) and len(model) == 5
    assert [type(m) for m in model] == [Linear, kind, Linear, kind, Linear]
    assert [(m.in_features, m.out_features) for m in model if isinstance(m, Linear)] == \
        [(2, 5), (5, 4), (4, 3)]
    assert model(np.zeros((7, 2))).shape == (7, 3)


def test_mlp_rejects_bad_arguments():
    with pytest.raises(ValueError, match="sizes"):
        MLP([3])
    with pytest.raises(ValueError, match="'gelu'"):
        MLP([2, 2], activation="gelu")


def test_repr_shows_the_structure():
    text = repr(MLP([2, 4, 1]))
    assert "(0): Linear(in_features=2, out_features=4, bias=True)" in text
    assert "(1): ReLU()" in text and text.startswith("MLP(")
