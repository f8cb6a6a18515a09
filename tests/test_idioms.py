"""PyTorch idioms (API.md §12): each works as in PyTorch.

The cases in ``idiom_cases.py`` run unchanged on both libraries and are compared with
PyTorch's stored results (values and dtypes), and live when torch is installed. The
differentiable operations are also in the op catalog (``test_tensor_ops.py``: value vs NumPy,
full-Jacobian gradcheck, PyTorch reference). Below those: what a stored number cannot show
(errors, identity, in-place rules).
"""
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu
import idiom_cases
from tinygrad_edu import Tensor, nn, no_grad, optim
from tinygrad_edu.tensors.ops import sum_to_shape

REFERENCE = os.path.join(os.path.dirname(__file__), "reference", "idioms_reference.npz")


@pytest.fixture(scope="module")
def reference():
    with np.load(REFERENCE, allow_pickle=False) as npz:
        return dict(npz)


def assert_same(got, expected, name):
    assert got.dtype == expected.dtype, f"{name}: dtype {got.dtype}, PyTorch {expected.dtype}"
    assert got.shape == expected.shape, f"{name}: shape {got.shape}, PyTorch {expected.shape}"
    if got.dtype.kind == "f":
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15, equal_nan=True,
                                   err_msg=name)
    else:
        np.testing.assert_array_equal(got, expected, err_msg=name)


@pytest.mark.parametrize("case", idiom_cases.CASES, ids=lambda c: c.__name__)
def test_case_matches_stored_pytorch_results(case, reference):
    results = case(tinygrad_edu)
    stored = {k.split("/", 1)[1] for k in reference if k.startswith(case.__name__ + "/")}
    assert stored == set(results), ("the stored results are from another version of the "
                                    "cases: run python tests/reference/make_idioms_reference.py")
    for key, value in results.items():
        name = f"{case.__name__}/{key}"
        assert_same(idiom_cases.as_array(value), reference[name], name)


def test_cases_match_live_pytorch():
    torch = pytest.importorskip("torch")
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        expected = idiom_cases.run_all(torch)
    finally:
        torch.set_default_dtype(before)
    for name, got in idiom_cases.run_all(tinygrad_edu).items():
        assert_same(got, expected[name], name)


# --------------------------------------------------------------------------- details
def test_max_with_a_dim_is_a_named_tuple_and_max_without_is_values():
    x = Tensor([[1.0, 4.0], [3.0, 2.0]])
    result = x.max(1)
    assert type(result).__name__ == "max" and isinstance(result, tuple)
    assert result.values is result[0] and result.indices is result[1]
    assert result.indices.dtype == np.int64 and not result.indices.requires_grad
    assert x.max(dim=1).values.tolist() == [4.0, 3.0]
    assert isinstance(x.max(), Tensor) and isinstance(x.max(axis=1), Tensor)
    assert x.max(axis=1, keepdims=True).shape == (2, 1)
    assert type(x.min(0)).__name__ == "min" and x.min(0).indices.tolist() == [0, 1]
    with pytest.raises(TypeError, match="amax"):
        x.max(dim=(0, 1))
    with pytest.raises(TypeError, match="not both"):
        x.max(dim=0, axis=0)
    with pytest.raises(IndexError, match="range"):
        x.max(2)


def test_comparisons_give_bool_tensors_without_grad_and_keep_identity_hashing():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([1.0, 2.0], requires_grad=True)
    for result in (a == b, a != b, a < b, a <= b, a > b, a >= b, np.array([0.0, 3.0]) < a):
        assert isinstance(result, Tensor) and result.dtype == bool
        assert not result.requires_grad and result.is_leaf
    assert (np.array([0.0, 3.0]) < a).tolist() == [True, False]   # reflected: a > array
    assert (a == None) is False and (a != None) is True   # noqa: E711  (identity fallback)
    with pytest.raises(TypeError):
        a < "x"
    assert {a: "a", b: "b"}[b] == "b" and len({a, b, a}) == 2


def test_package_uses_identity_not_eq_for_tensors():
    """Two size-1 parameters with equal values: `==` is True element-wise, yet they are two
    parameters to the optimizer, the module and the graph walker."""
    class Twin(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = Tensor([1.0], requires_grad=True)
            self.b = Tensor([1.0], requires_grad=True)

        def forward(self, x):
            return x * self.a + x * self.b

    model = Twin()
    assert len(model.parameters()) == 2
    opt = optim.Adam(model.parameters(), lr=0.1)
    model(Tensor([2.0])).sum().backward()
    opt.step()
    assert len(opt.state) == 2 and len(opt.state_dict()["state"]) == 2
    opt.load_state_dict(opt.state_dict())
    np.testing.assert_allclose([model.a.item(), model.b.item()], [0.9, 0.9])
    with pytest.raises(ValueError, match="more than once|twice|appear"):
        optim.SGD([model.a, model.a], lr=0.1)
    optim.SGD([model.a, model.b], lr=0.1)   # equal values, different tensors: accepted


def test_in_place_updates_under_no_grad_as_pytorch():
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with no_grad():
        same = w
        w -= 0.1 * w.grad
        w *= 2.0
        w += Tensor([1.0, 1.0])
        w /= 2
    assert w is same and w.requires_grad and w.is_leaf
    np.testing.assert_allclose(w.data, [(0.8 * 2 + 1) / 2, (1.6 * 2 + 1) / 2])
    with pytest.raises(RuntimeError, match="no_grad"):
        w -= 1.0                              # a leaf that requires grad, outside no_grad
    h = w * 1.0                               # made by an op: changed in place, recorded
    before = h
    h += w
    assert h is before and h.op == "Add"      # the same tensor, its node now the Add (PyTorch)
    h.sum().backward()
    np.testing.assert_allclose(w.grad, [2.0 + 2, 4.0 + 2])  # 2w (old w) from before, + 2
    c = Tensor([1.0, 2.0])
    c += 1                                    # plain data: in place
    assert c.tolist() == [2.0, 3.0]


def test_in_place_updates_between_forward_and_backward_are_caught_as_pytorch():
    x, w = Tensor([1.0, 2.0]), Tensor([3.0, 4.0], requires_grad=True)
    y = (w * x).sum()
    x += 1                                    # Mul saved x for w's gradient
    with pytest.raises(RuntimeError, match="changed in place"):
        y.backward()
    y = (w * w).sum()
    with no_grad():
        w -= 0.1                              # an update before backward: stale gradient
    with pytest.raises(RuntimeError, match="changed in place"):
        y.backward()


def test_clone_owns_its_memory_float_double_return_self_when_already_so():
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert c.data is not x.data and not np.shares_memory(c.data, x.data)
    assert x.double() is x and x.float().float().dtype == np.float32
    x32 = Tensor(np.ones(2, np.float32))
    assert x32.float() is x32


def test_float_and_int_of_a_tensor_need_one_element():
    assert float(Tensor([[2.5]])) == 2.5 and int(Tensor(7.9)) == 7
    with pytest.raises(ValueError, match="one element"):
        float(Tensor([1.0, 2.0]))


def test_requires_grad_errors():
    t = Tensor([1.0])
    assert t.requires_grad_() is t and t.requires_grad
    assert not t.requires_grad_(False).requires_grad
    with pytest.raises(TypeError, match="floating"):
        Tensor(np.array([1, 2]), dtype=np.int64).requires_grad_()
    y = Tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="detach"):
        y.requires_grad_(False)


def test_shape_method_errors_name_the_range():
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(IndexError, match=r"\[-3, 2\], but got 3"):
        x.unsqueeze(3)
    with pytest.raises(IndexError, match=r"\[-2, 1\]"):
        x.size(2)
    assert x.unsqueeze(2).shape == (2, 3, 1) and x.unsqueeze(-3).shape == (1, 2, 3)
    assert Tensor(5.0).squeeze(0).shape == () and Tensor(5.0).unsqueeze(0).shape == (1,)


def test_clamp_and_where_errors():
    x = Tensor([1.0, -1.0])
    with pytest.raises(ValueError, match="at least one"):
        x.clamp()
    with pytest.raises(TypeError, match="requires grad"):
        x.clamp(min=Tensor([0.0], requires_grad=True))
    assert x.clamp(min=Tensor([0.0])).tolist() == [1.0, 0.0]
    with pytest.raises(TypeError, match="bool"):
        tinygrad_edu.where(Tensor([1.0, 0.0]), x, 0.0)
    x32 = Tensor(np.array([1.0, -1.0], np.float32), requires_grad=True)
    assert tinygrad_edu.where(x32 > 0, x32, 0.0).dtype == np.float32
    assert x32.clamp(0.0, 0.5).dtype == np.float32


def test_cat_and_stack_errors():
    a, b = Tensor(np.zeros((2, 3))), Tensor(np.zeros((2, 4)))
    assert tinygrad_edu.cat([a, b], dim=1).shape == (2, 7)
    with pytest.raises(ValueError, match=r"Cat failed for input shape\(s\) \(2, 3\) and \(2, 4\)"
                                         r".*shapes agree except along the joining dimension"):
        tinygrad_edu.cat([a, b])
    with pytest.raises(ValueError, match="equal shape"):
        tinygrad_edu.stack([a, b])
    with pytest.raises(TypeError, match="list"):
        tinygrad_edu.cat(a)
    with pytest.raises(ValueError, match="stack"):
        tinygrad_edu.cat([Tensor(1.0), Tensor(2.0)])


def test_arange_dtypes_and_factories_seeded():
    assert tinygrad_edu.arange(3).dtype == np.int64
    assert tinygrad_edu.arange(3.0).dtype == np.float64
    assert tinygrad_edu.arange(0, 1, 0.5, dtype=tinygrad_edu.float32).dtype == np.float32
    with pytest.raises(ValueError, match="step"):
        tinygrad_edu.arange(0, 1, 0)
    tinygrad_edu.manual_seed(3)
    a = tinygrad_edu.randn(2, 3)
    tinygrad_edu.manual_seed(3)
    np.testing.assert_array_equal(tinygrad_edu.randn((2, 3)).data, a.data)
    assert tinygrad_edu.zeros(2, requires_grad=True).requires_grad
    assert tinygrad_edu.tensor([1.0], requires_grad=True).requires_grad
    assert tinygrad_edu.long is tinygrad_edu.int64


# --------------------------------------------------------------------------- nn
def test_dropout_in_training_zeroes_about_p_and_scales_the_rest():
    F = nn.functional
    x = Tensor(np.random.default_rng(0).uniform(1.0, 2.0, (200, 100)), requires_grad=True)
    tinygrad_edu.manual_seed(5)
    y = F.dropout(x, p=0.3)
    dropped = y.data == 0
    assert abs(dropped.mean() - 0.3) < 0.01
    np.testing.assert_allclose(y.data[~dropped], x.data[~dropped] / 0.7, rtol=1e-15)
    y.sum().backward()   # the gradient is the same mask: 0 or 1/(1 - p)
    np.testing.assert_allclose(x.grad, np.where(dropped, 0.0, 1 / 0.7), rtol=1e-15)
    tinygrad_edu.manual_seed(5)
    np.testing.assert_array_equal(F.dropout(x, p=0.3).data, y.data)   # seeded
    assert np.all(F.dropout(x, p=1.0).data == 0)
    x32 = Tensor(np.ones(4, np.float32))
    assert F.dropout(x32, 0.5).dtype == np.float32


def test_dropout_module_follows_train_and_eval():
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
    x = Tensor(np.ones((64, 4)))
    model.eval()
    np.testing.assert_array_equal(model(x).data, model[0](x).data)
    model.train()
    assert np.any(model(x).data == 0) and repr(model[1]) == "Dropout(p=0.5)"
    for bad in (-0.1, 1.5, True, "0.5"):
        with pytest.raises(ValueError, match="between 0 and 1"):
            nn.Dropout(bad)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.functional.dropout(x, p=2)


def test_dropout_gradcheck_with_a_fixed_mask():
    from tinygrad_edu.gradcheck import gradcheck

    def f(x):
        tinygrad_edu.manual_seed(1)   # the same mask at every evaluation
        return nn.functional.dropout(x, p=0.4) * x
    assert gradcheck(f, Tensor(np.random.default_rng(1).normal(size=(3, 4)), requires_grad=True))


@pytest.mark.parametrize("shape", [(30, 50), (64, 8, 3)])
def test_init_bounds_are_pytorchs_formulas(shape):
    init = nn.init
    w = Tensor(np.zeros(shape), requires_grad=True)
    array = w.data
    receptive = int(np.prod(shape[2:]))
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    for fill, bound in [
            (lambda: init.xavier_uniform_(w), np.sqrt(6 / (fan_in + fan_out))),
            (lambda: init.xavier_uniform_(w, gain=2.0), 2 * np.sqrt(6 / (fan_in + fan_out))),
            (lambda: init.kaiming_uniform_(w), np.sqrt(2) * np.sqrt(3 / fan_in)),
            (lambda: init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu"),
             np.sqrt(2) * np.sqrt(3 / fan_out)),
            (lambda: init.kaiming_uniform_(w, a=np.sqrt(5)), 1 / np.sqrt(fan_in)),  # nn.Linear's
            (lambda: init.uniform_(w, -0.3, 0.3), 0.3)]:
        assert fill() is w and np.shares_memory(w.data, array)       # in place, same array
        assert np.abs(w.data).max() <= bound and np.abs(w.data).max() > 0.95 * bound
        assert abs(w.data.mean()) < 0.1 * bound
    init.normal_(w, mean=1.0, std=0.5)
    assert abs(w.data.mean() - 1.0) < 0.05 and abs(w.data.std() - 0.5) < 0.05
    tinygrad_edu.manual_seed(9)
    a = init.kaiming_uniform_(w).data.copy()
    tinygrad_edu.manual_seed(9)
    np.testing.assert_array_equal(init.kaiming_uniform_(w).data, a)   # seeded
    assert w.grad is None and w.is_leaf and w.requires_grad


def test_init_errors():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(Tensor(np.zeros(3)))
    with pytest.raises(ValueError, match="mode"):
        nn.init.kaiming_uniform_(Tensor(np.zeros((2, 2))), mode="fan")
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.init.calculate_gain("swish")
    with pytest.raises(TypeError, match="Tensor"):
        nn.init.zeros_(np.zeros(2))


def test_loss_modules_take_reduction_and_show_it():
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.MSELoss(reduction="sum")) == "MSELoss(reduction='sum')"
    with pytest.raises(ValueError, match="reduction"):
        nn.BCELoss(reduction="avg")
    loss = nn.NLLLoss(reduction="none")(np.log([[0.5, 0.5], [0.1, 0.9]]), np.array([0, 1]))
    np.testing.assert_allclose(loss.data, -np.log([0.5, 0.9]))
    with pytest.raises(ValueError, match="class indices"):
        nn.functional.nll_loss(np.zeros((2, 3)), np.array([0, 3]))


def test_dataloader_yields_tensors_for_tensor_datasets_and_arrays_for_arrays():
    from tinygrad_edu.data import DataLoader, TensorDataset
    X = tinygrad_edu.tensor(np.arange(10.0).reshape(5, 2), requires_grad=True)
    y = np.array([0, 1, 0, 1, 1])
    batches = list(DataLoader(TensorDataset(X, y), batch_size=2))
    assert [type(b[0]).__name__ for b in batches] == ["Tensor"] * 3
    assert all(isinstance(b[1], np.ndarray) for b in batches)
    assert not batches[0][0].requires_grad and batches[2][0].tolist() == [[8.0, 9.0]]
    x0, y0 = TensorDataset(X, y)[0]
    assert isinstance(x0, Tensor) and x0.tolist() == [0.0, 1.0] and y0 == 0

    class Pairs:   # any dataset whose samples are Tensors: batches are stacked Tensors
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return Tensor([float(i), 2.0 * i]), i
    (xb, yb), = list(DataLoader(Pairs(), batch_size=3))
    assert isinstance(xb, Tensor) and xb.shape == (3, 2) and isinstance(yb, np.ndarray)


def test_signatures_are_the_contracted_ones():
    """API.md §12's names, arguments and defaults (PyTorch's)."""
    from test_contract import assert_signature
    F = nn.functional
    for fn, spec in [(tinygrad_edu.tensor, "data, requires_grad=False, dtype=None"),
                     (tinygrad_edu.zeros, "*size"), (tinygrad_edu.ones, "*size"),
                     (tinygrad_edu.randn, "*size"), (tinygrad_edu.arange, "start, end=None, step=1"),
                     (tinygrad_edu.zeros_like, "input"), (tinygrad_edu.ones_like, "input"),
                     (tinygrad_edu.cat, "tensors, dim=0"), (tinygrad_edu.stack, "tensors, dim=0"),
                     (tinygrad_edu.where, "condition, input, other"),
                     (F.nll_loss, "input, target, weight=None, size_average=None, "
                                  "ignore_index=-100, reduce=None, reduction='mean'"),
                     (F.dropout, "input, p=0.5, training=True"),
                     (nn.Dropout, "p=0.5"),
                     # §14: PyTorch's order, weight first (size_average/reduce: its deprecated
                     # spellings of reduction)
                     (nn.MSELoss, "size_average=None, reduce=None, reduction='mean'"),
                     (nn.CrossEntropyLoss, "weight=None, size_average=None, ignore_index=-100, "
                                           "reduce=None, reduction='mean'"),
                     (nn.NLLLoss, "weight=None, size_average=None, ignore_index=-100, "
                                  "reduce=None, reduction='mean'"),
                     (nn.BCELoss, "weight=None, size_average=None, reduce=None, "
                                  "reduction='mean'"),
                     (nn.BCEWithLogitsLoss, "weight=None, size_average=None, reduce=None, "
                                            "reduction='mean'"),
                     (nn.init.uniform_, "tensor, a=0.0, b=1.0"),
                     (nn.init.normal_, "tensor, mean=0.0, std=1.0"), (nn.init.zeros_, "tensor"),
                     (nn.init.ones_, "tensor"), (nn.init.constant_, "tensor, val"),
                     (nn.init.xavier_uniform_, "tensor, gain=1.0"),
                     (nn.init.kaiming_uniform_,
                      "tensor, a=0, mode='fan_in', nonlinearity='leaky_relu'")]:
        assert_signature(fn, spec)
    for name, spec in [("view", "*shape"), ("unsqueeze", "dim"), ("squeeze", "dim=None"),
                       ("size", "dim=None"), ("dim", ""), ("numel", ""), ("clone", ""),
                       ("tolist", ""), ("float", ""), ("double", ""), ("long", ""),
                       ("requires_grad_", "requires_grad=True"), ("pow", "exponent"),
                       ("clamp", "min=None, max=None"), ("argmax", "dim=None, keepdim=False"),
                       ("argmin", "dim=None, keepdim=False"), ("amax", "dim=None, keepdim=False"),
                       ("amin", "dim=None, keepdim=False"),
                       ("sum", "axis=None, keepdims=False, *, dim=None, keepdim=None"),
                       ("mean", "axis=None, keepdims=False, *, dim=None, keepdim=None"),
                       ("softmax", "axis=-1, *, dim=None"), ("log_softmax", "axis=-1, *, dim=None"),
                       ("max", "dim=None, keepdim=False, *, axis=None, keepdims=False"),
                       ("min", "dim=None, keepdim=False, *, axis=None, keepdims=False")]:
        assert_signature(getattr(Tensor, name), spec, method=True)


# --------------------------------------------------------------------------- properties


@settings(max_examples=40)
@given(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3),
       st.integers(0, 2 ** 32 - 1))
def test_where_broadcasts_and_sends_each_gradient_to_its_source(shapes, seed):
    rng = np.random.default_rng(seed)
    cond_shape, a_shape, b_shape = shapes.input_shapes
    cond = rng.random(cond_shape) > 0.5
    a = Tensor(rng.normal(size=a_shape), requires_grad=True)
    b = Tensor(rng.normal(size=b_shape), requires_grad=True)
    out = tinygrad_edu.where(Tensor(cond), a, b)
    np.testing.assert_array_equal(out.data, np.where(cond, a.data, b.data))
    weights = rng.normal(size=out.shape)
    (out * weights).sum().backward()
    full = np.broadcast_to(cond, out.shape)
    np.testing.assert_allclose(a.grad, sum_to_shape(np.where(full, weights, 0), a_shape))
    np.testing.assert_allclose(b.grad, sum_to_shape(np.where(full, 0, weights), b_shape))


@settings(max_examples=40)
@given(st.integers(1, 3), st.lists(st.integers(0, 3), min_size=1, max_size=4),
       st.integers(0, 2 ** 32 - 1))
def test_cat_and_stack_cut_the_gradient_back_into_the_pieces(ndim, lengths, seed):
    rng = np.random.default_rng(seed)
    axis = int(rng.integers(ndim))
    base = [int(n) for n in rng.integers(1, 3, ndim)]
    pieces = [Tensor(rng.normal(size=base[:axis] + [n] + base[axis + 1:]), requires_grad=True)
              for n in lengths]
    out = tinygrad_edu.cat(pieces, dim=axis - ndim)      # a negative dim, counted from the end
    np.testing.assert_array_equal(out.data, np.concatenate([p.data for p in pieces], axis))
    weights = rng.normal(size=out.shape)
    (out * weights).sum().backward()
    for piece, expected in zip(pieces, np.split(weights, np.cumsum(lengths)[:-1], axis)):
        np.testing.assert_array_equal(piece.grad, expected)
    same = [Tensor(rng.normal(size=base), requires_grad=True) for _ in lengths]
    stacked = tinygrad_edu.stack(same, dim=axis)
    assert stacked.shape == np.stack([p.data for p in same], axis).shape
    stacked.sum().backward()
    assert all(np.array_equal(p.grad, np.ones(base)) for p in same)


@settings(max_examples=40)
@given(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=3), st.data())
def test_unsqueeze_then_squeeze_is_the_identity(shape, data):
    x = Tensor(np.arange(float(np.prod(shape))).reshape(shape))
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    y = x.unsqueeze(dim)
    assert y.shape == np.expand_dims(x.data, dim).shape
    assert y.squeeze(dim).shape == shape and x.view(-1).numel() == x.numel()
    assert y.squeeze().shape == tuple(n for n in shape if n != 1)
