"""Second derivatives (contract §11): the op catalogs twice differentiated, against PyTorch and
central differences; ``grad``, ``jacobian``/``hessian``/``hvp`` and ``gradgradcheck`` themselves.

The catalog checked here is the Tensor catalog of ``test_tensor_ops.py`` plus ``EXTRA``
(0-d inputs, broadcasting, ties, the fused ``nn.functional`` ops) and the Value catalog of
``test_scalar.py``. For each row, ``tests/reference/second_order.npz`` (made by
``tests/reference/make_second_order_reference.py``, torch) holds PyTorch's Hessian-vector
product of L = ⟨u, f(x)⟩ for a random cotangent u and random directions v.
This module is imported by that script, so it must not need torch.
"""
import gc
import math
import os
import tracemalloc
import weakref
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import test_scalar
import test_tensor_ops
import test_tensor_random_graphs
from test_tensor_ops import Op
from tinygrad_edu import Function, Tensor, Value, no_grad
from tinygrad_edu.autograd import grad
from tinygrad_edu.autograd.functional import hessian, hvp, jacobian
from tinygrad_edu.gradcheck import GradcheckError, gradgradcheck, numerical_hessian
from tinygrad_edu.nn import functional as F
from tinygrad_edu.tensors.ops import xp

REFERENCE = os.path.join(os.path.dirname(__file__), "reference", "second_order.npz")

_LABELS = np.array([0, 2, 1, 2])


def _torch_F(torch):
    return torch.nn.functional


# Rows beyond test_tensor_ops.CATALOG: 0-d tensors, more broadcasting, ties, fused ops.
EXTRA = [
    Op("exp_0d", lambda a: a.exp(), ((),)),
    Op("mul_0d_by_matrix", lambda a, b: a * b, ((), (2, 3))),
    Op("div_matrix_by_0d", lambda a, b: a / b, ((2, 3), ()), ("real", "positive")),
    Op("pow_0d_exponent", lambda a, b: a ** b, ((2, 3), ()), ("positive", "real")),
    Op("pow_tensor_column", lambda a, b: a ** b, ((3, 1), (1, 4)), ("positive", "real")),
    Op("sum_0d", lambda a: a.sum(), ((),)),
    Op("tanh_sum_keepdims", lambda a: (a.tanh() * a).sum(axis=1, keepdims=True), ((3, 4),)),
    Op("square_sum_axis", lambda a: (a * a * a).sum(axis=0), ((3, 2),)),
    Op("mean_square", lambda a: (a * a).mean(axis=-1), ((2, 3),)),
    Op("getitem_repeated_square", lambda a: a[[0, 2, 0, 0]] ** 2, ((3, 2),)),
    Op("transpose_times", lambda a: a.permute(1, 0, 2) * a.permute(1, 0, 2).exp(), ((2, 3, 2),),
       torch_fn=lambda torch, a: a.permute(1, 0, 2) * a.permute(1, 0, 2).exp()),
    Op("matmul_square", lambda a, b: (a @ b) ** 2, ((3, 4), (4, 2))),
    Op("matmul_vec_vec_square", lambda a, b: (a @ b) ** 2, ((4,), (4,))),
    Op("matmul_batched_tanh", lambda a, b: (a @ b).tanh(), ((2, 3, 4), (4, 2))),
    Op("matmul_vec_batch_tanh", lambda a, b: (a @ b).tanh(), ((3,), (2, 3, 2))),
    Op("softmax_axis0_square", lambda a: a.softmax(axis=0) ** 2, ((3, 4),),
       torch_fn=lambda torch, a: torch.softmax(a, dim=0) ** 2),
    Op("log_softmax_0d_sum", lambda a: a.log_softmax(axis=-1).sum(), ((4,),),
       torch_fn=lambda torch, a: torch.log_softmax(a, dim=-1).sum()),
    Op("max_then_square", lambda a: a.max(axis=1) ** 2, ((3, 4),), ("distinct",),
       torch_fn=lambda torch, a: torch.amax(a, dim=1) ** 2),
    Op("relu_times", lambda a: a.relu() * a, ((2, 3),), ("nonzero",)),
    Op("abs_times", lambda a: a.abs() * a, ((2, 3),), ("nonzero",)),
    # nn.functional: the fused ops (Linear, CrossEntropy, BCE, BCE with logits) and MSE.
    Op("linear", lambda x, w, b: F.linear(x, w, b).tanh(), ((4, 3), (2, 3), (2,)),
       torch_fn=lambda torch, x, w, b: _torch_F(torch).linear(x, w, b).tanh()),
    Op("linear_vector_input", lambda x, w, b: F.linear(x, w, b) ** 2, ((3,), (2, 3), (2,)),
       torch_fn=lambda torch, x, w, b: _torch_F(torch).linear(x, w, b) ** 2),
    Op("linear_3d_no_bias", lambda x, w: F.linear(x, w).sin(), ((2, 4, 3), (2, 3)),
       torch_fn=lambda torch, x, w: _torch_F(torch).linear(x, w).sin()),
    Op("mse_loss", lambda a, b: F.mse_loss(a.tanh(), b), ((3, 2), (3, 2)),
       torch_fn=lambda torch, a, b: _torch_F(torch).mse_loss(a.tanh(), b)),
    Op("cross_entropy_mean", lambda z: F.cross_entropy(z, _LABELS), ((4, 3),),
       torch_fn=lambda torch, z: _torch_F(torch).cross_entropy(z, torch.tensor(_LABELS))),
    Op("cross_entropy_sum", lambda z: F.cross_entropy(z, _LABELS, reduction="sum"), ((4, 3),),
       torch_fn=lambda torch, z: _torch_F(torch).cross_entropy(
           z, torch.tensor(_LABELS), reduction="sum")),
    Op("cross_entropy_none", lambda z: F.cross_entropy(z, _LABELS, reduction="none"), ((4, 3),),
       torch_fn=lambda torch, z: _torch_F(torch).cross_entropy(
           z, torch.tensor(_LABELS), reduction="none")),
    Op("cross_entropy_one_sample", lambda z: F.cross_entropy(z, 1), ((3,),),
       torch_fn=lambda torch, z: _torch_F(torch).cross_entropy(z, torch.tensor(1))),
    Op("binary_cross_entropy", lambda p, t: F.binary_cross_entropy(p.sigmoid(), t.sigmoid()),
       ((2, 3), (2, 3)), torch_fn=lambda torch, p, t: _torch_F(torch).binary_cross_entropy(
           p.sigmoid(), t.sigmoid())),
    Op("bce_with_logits", lambda x, t: F.binary_cross_entropy_with_logits(x, t.sigmoid(),
                                                                          reduction="sum"),
       ((2, 3), (2, 3)), torch_fn=lambda torch, x, t: _torch_F(torch)
       .binary_cross_entropy_with_logits(x, t.sigmoid(), reduction="sum")),
]

# Only in the PyTorch comparison: finite differences cannot see through a tie.
TIES = [
    Op("max_ties", lambda a: a.max(axis=1) * a.sum(axis=1), ((3, 4),), ("ties",),
       torch_fn=lambda torch, a: torch.amax(a, dim=1) * a.sum(dim=1)),
    Op("max_all_ties", lambda a: a.max() * a.sum(), ((2, 3),), ("ties",),
       torch_fn=lambda torch, a: torch.amax(a, dim=()) * a.sum()),
]

TENSOR_OPS = test_tensor_ops.CATALOG + EXTRA
TENSOR_REFERENCE_OPS = TENSOR_OPS + TIES


def make_inputs(op):
    """The op's float64 inputs: the tensor catalog's draw, plus a 'ties' domain."""
    if op.domains and op.domains[0] == "ties":
        rng = np.random.default_rng(zlib.crc32(op.name.encode()))
        return [rng.integers(0, 2, op.shapes[0]).astype(np.float64)]  # many tied maxima
    return test_tensor_ops.make_inputs(op)


def reference_vectors(name, out_shape, shapes):
    """The cotangent u (∂L/∂out) and the directions v (one per input) for a row."""
    rng = np.random.default_rng(zlib.crc32(("second-order/" + name).encode()))
    return rng.standard_normal(out_shape), [rng.standard_normal(s) for s in shapes]


# Value rows: test_scalar's unary catalog at its points, its binary catalog at its points.
def value_rows():
    rows = []
    for name, fn, _, _, points in test_scalar.UNARY:
        if name in ("relu", "abs"):  # kinks: checked separately (second derivative 0)
            continue
        rows += [(f"{name}({x})", fn, (x,)) for x in points]
    for name, fn, _ in test_scalar.BINARY:
        points = [p for p in test_scalar.BINARY_POINTS if name != "pow" or p[0] > 0]
        rows += [(f"{name}{p}", fn, p) for p in points]
    rows.append(("composite(0.7, -1.2)", lambda a, b: (a * b).tanh() * a.exp() / (1 + b * b)
                 + (a * a + 1) ** b.sin(), (0.7, -1.2)))
    return rows


VALUE_ROWS = value_rows()


def _tensor_hvp(op, arrays, u, vs):
    xs = [Tensor(a, requires_grad=True) for a in arrays]
    out = op.fn(*xs)
    gs = grad(out, xs, grad_outputs=[u], create_graph=True, allow_unused=True)
    pairs = [(g, v) for g, v in zip(gs, vs) if g is not None and g.requires_grad]
    if not pairs:
        return [np.zeros_like(a) for a in arrays]
    total = sum(((g * v).sum() for g, v in pairs[1:]), (pairs[0][0] * pairs[0][1]).sum())
    hv = grad(total, xs, allow_unused=True)
    return [np.zeros_like(a) if h is None else h.data for h, a in zip(hv, arrays)]


def _value_hessian(fn, point):
    xs = [Value(x) for x in point]
    gs = grad(fn(*xs), xs, create_graph=True, allow_unused=True)
    H = np.zeros((len(xs), len(xs)))
    for i, g in enumerate(gs):
        if g is not None and g.parents:
            H[i] = [0.0 if h is None else h.data for h in grad(g, xs, allow_unused=True)]
    return H


# ------------------------------------------------------------------ PyTorch reference
@pytest.fixture(scope="module")
def reference():
    with np.load(REFERENCE) as data:
        return dict(data)


@pytest.mark.parametrize("op", TENSOR_REFERENCE_OPS, ids=[op.name for op in TENSOR_REFERENCE_OPS])
def test_tensor_hessian_vector_products_match_pytorch(op, reference):
    arrays = [reference[f"{op.name}/in{i}"] for i in range(len(op.shapes))]
    for mine, theirs in zip(arrays, make_inputs(op)):
        np.testing.assert_array_equal(mine, theirs)  # the stored inputs are the catalog's
    u = reference[f"{op.name}/cotangent"]
    vs = [reference[f"{op.name}/v{i}"] for i in range(len(arrays))]
    for i, hv in enumerate(_tensor_hvp(op, arrays, u, vs)):
        np.testing.assert_allclose(hv, reference[f"{op.name}/hvp{i}"], rtol=1e-10, atol=1e-12,
                                   err_msg=f"{op.name}: H·v for input {i}")


@pytest.mark.parametrize("name, fn, point", VALUE_ROWS, ids=[r[0] for r in VALUE_ROWS])
def test_value_hessians_match_pytorch(name, fn, point, reference):
    np.testing.assert_allclose(_value_hessian(fn, point), reference[f"value/{name}/hessian"],
                               rtol=1e-10, atol=1e-12)


def test_reference_covers_every_catalog_row(reference):
    for op in TENSOR_REFERENCE_OPS:
        assert f"{op.name}/hvp0" in reference, f"regenerate the reference: {op.name} is missing"
    for name, _, _ in VALUE_ROWS:
        assert f"value/{name}/hessian" in reference


# --------------------------------------------------------------- gradgradcheck, catalogs
@pytest.mark.parametrize("op", TENSOR_OPS, ids=[op.name for op in TENSOR_OPS])
def test_gradgradcheck_tensor_catalog(op):
    assert gradgradcheck(op.fn, *[Tensor(a, requires_grad=True) for a in make_inputs(op)])


@pytest.mark.parametrize("name, fn, point", VALUE_ROWS, ids=[r[0] for r in VALUE_ROWS])
def test_gradgradcheck_value_catalog(name, fn, point):
    assert gradgradcheck(fn, *[Value(x) for x in point])


def test_gradgradcheck_value_dot_and_powers():
    assert gradgradcheck(lambda a, b, c: Value.dot([a, b, a], [b, c, a.exp()]) ** 3,
                         Value(0.7), Value(1.3), Value(-0.4))
    assert gradgradcheck(lambda a: a ** 0.5 + 2 ** a + a ** -2 + 1 / a + a ** 0.1234567891,
                         Value(0.7))


def test_powers_second_derivatives_at_one_and_at_a_zero_base():
    """x ** n (n a number) has the second derivative n(n − 1)·x^(n−2) at x = 1 as anywhere
    (at x = 0, where √x has an infinite slope, PyTorch's ±inf: test_value_edges.py); and a Tensor
    a ** b with create_graph keeps PyTorch's ∂/∂b = 0 where a = 0 and b ≥ 0, b = 0 included
    (not 1·log 0 = −inf), with the masked entries' own derivatives 0 as the docstring says."""
    for n in (0.5, -1.0, 0.25):
        np.testing.assert_allclose(_value_hessian(lambda v: v ** n, (1.0,)), [[n * (n - 1)]])
    a = Tensor([0.0, 0.0, 2.0, 0.0], requires_grad=True)
    b = Tensor([0.0, 2.0, 0.0, 1.5], requires_grad=True)
    ga, gb = grad((a ** b).sum(), [a, b], create_graph=True)
    np.testing.assert_array_equal(ga.data, [0.0, 0.0, 0.0, 0.0])           # PyTorch's values
    np.testing.assert_allclose(gb.data, [0.0, 0.0, np.log(2.0), 0.0], rtol=1e-15)
    gba, gbb = grad(gb.sum(), [a, b])
    np.testing.assert_allclose(gba.data, [0.0, 0.0, 0.5, 0.0], rtol=1e-15)  # 1/a at b = 0
    np.testing.assert_allclose(gbb.data, [0.0, 0.0, np.log(2.0) ** 2, 0.0], rtol=1e-15)


def test_piecewise_linear_ops_have_zero_second_derivative_away_from_kinks():
    for fn in (lambda t: t.relu(), lambda t: t.abs(), lambda t: t.max(axis=0)):
        x = Tensor([[-1.5, 2.0], [0.5, -3.0]], requires_grad=True)
        H = hessian(lambda t: (fn(t) * 3.0).sum(), x)
        np.testing.assert_array_equal(H.data, np.zeros((2, 2, 2, 2)))
    for fn in (lambda v: v.relu(), lambda v: v.abs()):
        for x in (-1.5, 2.0):
            np.testing.assert_array_equal(_value_hessian(lambda v: fn(v) * 3.0, (x,)), [[0.0]])


# ------------------------------------------------------------------------------ grad
def test_grad_twice_is_the_second_derivative_and_touches_no_grad():
    x = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    x.grad = np.full(3, 7.0)
    y = (x ** 3).sum()
    (dy,) = grad(y, [x], create_graph=True)
    assert dy.requires_grad
    np.testing.assert_allclose(dy.data, 3 * x.data ** 2)
    (d2y,) = grad(dy, [x], grad_outputs=[np.ones(3)])
    np.testing.assert_allclose(d2y.data, 6 * x.data)
    assert not d2y.requires_grad  # create_graph=False: a constant
    np.testing.assert_array_equal(x.grad, np.full(3, 7.0))


def test_grad_of_values_returns_values_differentiable_again():
    x, y = Value(1.5), Value(-0.5)
    x.grad = 5.0
    L = x * x * y + y.exp()
    dx, dy = grad(L, [x, y], create_graph=True)
    assert isinstance(dx, Value) and math.isclose(dx.data, 2 * 1.5 * -0.5)
    dxx, dxy = grad(dx, [x, y])
    assert (dxx.data, dxy.data) == (2 * -0.5, 2 * 1.5)
    (d3,) = grad(grad(grad(x ** 4, [x], create_graph=True)[0], [x], create_graph=True)[0], [x])
    assert d3.data == 24 * 1.5
    assert x.grad == 5.0 and y.grad == 0.0


def test_grad_without_create_graph_gives_constants_equal_to_backward():
    w = Tensor(np.arange(6.0).reshape(2, 3) / 7, requires_grad=True)
    b = Tensor([0.1, -0.2, 0.3], requires_grad=True)
    loss = ((w * b).tanh() + b).sum()
    gw, gb = grad(loss, [w, b])
    loss.backward()
    np.testing.assert_allclose(gw.data, w.grad)
    np.testing.assert_allclose(gb.data, b.grad)
    assert not gw.requires_grad and gw.data is not w.grad


def test_grad_several_outputs_with_grad_outputs_and_intermediate_inputs():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    a, b = h.sum(), (h * 3).sum()
    (gx,) = grad([a, b], [x], grad_outputs=[2.0, np.array(1.0)])
    np.testing.assert_allclose(gx.data, (2 + 3) * 2 * x.data)
    (gh,) = grad(b, [h])  # an interior node as input
    np.testing.assert_allclose(gh.data, [3.0, 3.0])


def test_grad_unused_inputs_and_bad_arguments():
    x = Tensor([1.0], requires_grad=True)
    z = Tensor([2.0], requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="not used.*allow_unused=True"):
        grad(y, [x, z])
    assert grad(y, [x, z], allow_unused=True)[1] is None
    assert grad(Value(1.0) * 2, [Value(3.0)], allow_unused=True) == (None,)
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        grad(y, [Tensor([1.0])])
    pair = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="grad_outputs"):
        grad(pair * 2, [pair])  # not one element: grad_outputs needed
    with pytest.raises(ValueError, match="shape"):
        grad(pair * 2, [pair], grad_outputs=[np.ones(3)])
    with pytest.raises(TypeError, match="all be Tensors or all be Values"):
        grad(y, [Value(1.0)])
    with pytest.raises(RuntimeError, match="does not require grad"):
        grad(grad(y, [x], create_graph=True)[0], [x])  # 2x has a constant derivative


def test_create_graph_inside_no_grad_still_records():
    x = Tensor([3.0], requires_grad=True)
    y = (x ** 3).sum()
    with no_grad():
        (dy,) = grad(y, [x], create_graph=True)
    np.testing.assert_allclose(grad(dy.sum(), [x])[0].data, [18.0])


# ------------------------------------------------------------------- custom Functions
class ArrayOnlyCube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x ** 2


class Cube(ArrayOnlyCube):
    """The same one rule, declared to work on Tensors too."""
    twice_differentiable = True


class OldStyleCube(ArrayOnlyCube):
    """The older form: a second rule written on Tensors (still honoured)."""
    @staticmethod
    def differentiable_backward(ctx, grad, out, x):
        return grad * 3 * x ** 2


def test_custom_function_not_declared_twice_differentiable_refuses_create_graph():
    x = Tensor([2.0], requires_grad=True)
    y = ArrayOnlyCube.apply(x).sum()
    np.testing.assert_allclose(grad(y, [x])[0].data, [12.0])  # first order still works
    with pytest.raises(RuntimeError, match="ArrayOnlyCube cannot be differentiated twice.*"
                                           "twice_differentiable = True"):
        grad(y, [x], create_graph=True)


@pytest.mark.parametrize("op", [Cube, OldStyleCube], ids=["one rule", "older second rule"])
def test_custom_function_declaring_second_derivatives_has_them(op):
    x = Tensor([2.0, -1.0], requires_grad=True)
    np.testing.assert_allclose(hessian(lambda t: op.apply(t).sum(), x).data,
                               np.diag(6 * x.data))
    assert gradgradcheck(lambda t: op.apply(t).tanh(), x)


def test_a_first_order_only_op_off_the_path_to_the_inputs_is_not_asked():
    x = Tensor([2.0], requires_grad=True)
    other = Tensor([1.0], requires_grad=True)
    y = (x ** 3).sum() + ArrayOnlyCube.apply(other).sum()
    (dx,) = grad(y, [x], create_graph=True)
    np.testing.assert_allclose(grad(dx.sum(), [x])[0].data, [12.0])


def _sin_rule_wrong_on_tensors(ctx, grad):
    (x,) = ctx.saved_tensors
    if isinstance(x, Tensor):
        return grad * x.cos() * (1 + 0 * x) + x
    return grad * np.cos(x)


def _sin_rule_cut_off_on_tensors(ctx, grad):
    (x,) = ctx.saved_tensors
    if isinstance(x, Tensor):
        return grad * x.detach().cos()
    return grad * np.cos(x)


def test_gradgradcheck_catches_a_wrong_second_order_rule(monkeypatch):
    from tinygrad_edu.tensors.ops import Sin
    x = Tensor([0.3, 1.1], requires_grad=True)
    # A rule that is right on arrays but wrong on Tensors (what create_graph=True runs).
    monkeypatch.setattr(Sin, "backward", staticmethod(_sin_rule_wrong_on_tensors))
    with pytest.raises(GradcheckError, match="differs between create_graph=True"):
        gradgradcheck(lambda t: t.sin(), x)
    before = x.data.copy()
    assert gradgradcheck(lambda t: t.sin(), x, raise_exception=False) is False
    assert np.array_equal(x.data, before) and x.data.dtype == before.dtype   # restored
    # The right first derivative, but cut off from x on Tensors: its derivative is lost.
    monkeypatch.setattr(Sin, "backward", staticmethod(_sin_rule_cut_off_on_tensors))
    with pytest.raises(GradcheckError, match=r"gradgradcheck failed.*\n.*input.*analytic"):
        gradgradcheck(lambda t: t.sin(), x)
    assert gradgradcheck(lambda t: t.sin(), x, raise_exception=False) is False


def test_gradgradcheck_disagreement_message_shows_short_gradients_whole_and_cuts_long_ones(
        monkeypatch):
    """The two gradients are printed in the message: up to 6 elements whole, then cut."""
    from tinygrad_edu.tensors.ops import Sin
    monkeypatch.setattr(Sin, "backward", staticmethod(_sin_rule_wrong_on_tensors))
    for size in (6, 7):
        x = Tensor(np.linspace(0.1, 0.7, size), requires_grad=True)
        with pytest.raises(GradcheckError, match="differs between create_graph=True") as error:
            gradgradcheck(lambda t: t.sin(), x)
        message = str(error.value)
        for form in ("True", "False"):
            shown = message.split(f"create_graph={form} ([")[1].split("])")[0].split()
            if size == 6:  # all six values
                assert len(shown) == 6 and "..." not in shown, message
            else:          # the first three, "...", the last three
                assert len(shown) == 7 and shown[3] == "...", message


def test_gradgradcheck_of_a_function_that_ignores_an_input():
    """An input the output does not depend on has no gradient (None): its blocks are zero,
    as PyTorch's allow_unused, and the check passes instead of refusing the function."""
    a, b = Tensor([0.3, -0.7], requires_grad=True), Tensor([1.5], requires_grad=True)
    assert gradgradcheck(lambda a, b: (a * a * a).sum(), a, b)
    assert gradgradcheck(lambda a, b: a * a.exp(), Value(0.5), Value(2.0))


def test_gradgradcheck_restores_inputs():
    x = Tensor(np.array([0.3, 1.1], dtype=np.float32), requires_grad=True)
    data, x.grad = x.data, np.ones(2, dtype=np.float32)
    assert gradgradcheck(lambda t: (t * t).exp(), x, rtol=1e-2)
    assert np.shares_memory(x.data, data) and x.data.dtype == np.float32
    np.testing.assert_array_equal(x.grad, np.ones(2))


# ----------------------------------------------------------------------- functional
def test_jacobian_hessian_hvp_shapes_values_and_no_side_effects():
    A = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, -1.0], [0.0, -1.0, 4.0]])
    x = Tensor([[0.5, -1.0, 2.0]], requires_grad=True)  # shape (1, 3)
    x.grad = np.zeros((1, 3))

    def quadratic(t):
        flat = t.reshape(3)
        return 0.5 * (flat * (Tensor(A) @ flat)).sum()

    H = hessian(quadratic, x)
    assert H.shape == (1, 3, 1, 3) and not H.requires_grad
    np.testing.assert_allclose(H.data.reshape(3, 3), A, rtol=1e-14)
    v = np.array([[1.0, 2.0, -1.0]])
    value, Hv = hvp(quadratic, x, v)
    np.testing.assert_allclose(Hv.data, (A @ v[0])[None], rtol=1e-14)
    np.testing.assert_allclose(value.data, quadratic(x).data)
    J = jacobian(lambda t: t.exp() * 2, x)
    assert J.shape == (1, 3, 1, 3)
    np.testing.assert_allclose(J.data.reshape(3, 3), np.diag(2 * np.exp(x.data[0])))
    np.testing.assert_array_equal(x.grad, np.zeros((1, 3)))
    (Ht,) = hessian(quadratic, (x,))[0]  # a 1-tuple input answers in PyTorch's nesting
    np.testing.assert_allclose(Ht.data, H.data)


def test_functional_on_functions_without_curvature_and_bad_arguments():
    x = Tensor([1.0, 2.0])
    np.testing.assert_array_equal(hessian(lambda t: (t * 3).sum(), x).data, np.zeros((2, 2)))
    np.testing.assert_array_equal(hvp(lambda t: (t * 3).sum(), x, [1.0, 1.0])[1].data, [0, 0])
    np.testing.assert_array_equal(jacobian(lambda t: Tensor([1.0]), x).data, np.zeros((1, 2)))
    with pytest.raises(ValueError, match="single number"):
        hessian(lambda t: t * t, x)
    with pytest.raises(ValueError, match="v has shape"):
        hvp(lambda t: (t * t).sum(), x, np.ones(3))
    with pytest.raises(TypeError, match="Tensor"):
        jacobian(lambda t: t, np.ones(2))


def test_hessian_matches_pytorch_shaped_example_of_a_small_mlp():
    """hvp equals the exact Hessian times v, on an MLP loss (many ops together)."""
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((6, 2)), np.array([0, 1, 1, 0, 1, 0])
    shapes = [(4, 2), (4,), (2, 4), (2,)]
    sizes = [int(np.prod(s)) for s in shapes]

    def loss(theta):
        parts, start = [], 0
        for shape, size in zip(shapes, sizes):
            parts.append(theta[start:start + size].reshape(shape))
            start += size
        w1, b1, w2, b2 = parts
        return F.cross_entropy(F.linear(F.linear(Tensor(X), w1, b1).tanh(), w2, b2), y)

    theta = Tensor(rng.standard_normal(sum(sizes)) * 0.5)
    H = hessian(loss, theta).data
    np.testing.assert_allclose(H, H.T, atol=1e-12)
    np.testing.assert_allclose(H, numerical_hessian(lambda t: loss(Tensor(t)).item(),
                                                    theta.data), atol=1e-6)
    v = rng.standard_normal(theta.shape)
    np.testing.assert_allclose(hvp(loss, theta, v)[1].data, H @ v, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------------------- memory
def test_double_backprop_leaves_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        x = Tensor(np.linspace(0.1, 1.0, 4), requires_grad=True)
        hidden = x.exp() * x.tanh()
        y = (hidden.softmax() * hidden.sigmoid()).sum() / x.sqrt().sum()
        (g,) = grad(y, [x], create_graph=True)
        grad(g.sum(), [x])
        refs = [weakref.ref(t) for t in (hidden, y, g)]
        del hidden, y, g
        assert all(ref() is None for ref in refs)  # freed by reference counting alone
    finally:
        gc.enable()


def test_value_double_backprop_memory_stays_flat_with_gc_disabled():
    def step():
        v = Value(0.3)
        out = (v.exp() * v.tanh()).sigmoid() / (v * v + 1)
        (dv,) = grad(out, [v], create_graph=True)
        return grad(dv, [v])[0].data

    gc.collect()
    gc.disable()
    try:
        tracemalloc.start()
        for _ in range(20):
            step()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(200):
            step()
        growth = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
    finally:
        gc.enable()
    assert growth < 20_000, f"memory grew by {growth} bytes over 200 double backprops"


# ------------------------------------------------------- random graphs: exact Hessians
def _close(exact, numerical):
    scale = max(1.0, float(np.abs(numerical).max()))
    np.testing.assert_allclose(exact, numerical, rtol=1e-4, atol=1e-5 * scale)


@settings(max_examples=25, deadline=None)
@given(test_tensor_random_graphs.program, st.integers(0, 2 ** 32 - 1))
def test_random_tensor_graphs_exact_hessian_equals_numerical_hessian(steps, seed):
    rng = np.random.default_rng(seed)
    start = rng.uniform(-1.5, 1.5, 6)
    weights = {}

    def f(flat):  # one input; the pool holds broadcastable pieces of it (indexing, reshape)
        x = flat.reshape(2, 3)
        out = test_tensor_random_graphs.run(steps, [x, x[0], x[:, :1] * 0.5])
        w = weights.setdefault(out.shape, rng.standard_normal(out.shape))
        return (out * w).sum()

    exact = hessian(f, Tensor(start)).data
    np.testing.assert_allclose(exact, exact.T, rtol=1e-9, atol=1e-9)
    _close(exact, numerical_hessian(lambda a: f(Tensor(a)).item(), start))


@settings(max_examples=40, deadline=None)
@given(test_scalar._program, st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_random_value_graphs_exact_hessian_equals_numerical_hessian(program, xs):
    def f(*values):
        return test_scalar._run(program, values)

    exact = _value_hessian(f, xs)
    _close(exact, numerical_hessian(lambda a: f(*[Value(float(v)) for v in a]).data,
                                    np.array(xs)))


def _function_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _function_subclasses(sub)


def test_every_built_in_op_declares_a_second_order_rule():
    import tinygrad_edu
    import tinygrad_edu.nn.functional  # noqa: F401  (the fused ops)
    built_in = [op for op in _function_subclasses(Function)
                if op.__module__.startswith("tinygrad_edu.")]
    assert len(built_in) >= 30
    missing = [op.__name__ for op in built_in if not op.twice_differentiable]
    assert not missing, f"ops whose one rule is not declared twice differentiable: {missing}"
    assert tinygrad_edu.Function.twice_differentiable is False  # custom ops opt in
    # One rule per op: no built-in op carries the older second rule.
    second = [op.__name__ for op in built_in if op.differentiable_backward is not None]
    assert not second, f"ops with a second rule: {second}"


def test_casts_are_twice_differentiable_and_keep_the_dtypes():
    x = Tensor(np.array([0.5, -1.5], dtype=np.float32), requires_grad=True)
    y = (x.double() ** 3).sum()
    (g,) = grad(y, [x], create_graph=True)
    assert g.dtype == np.float32
    (h,) = grad(g.sum(), [x])
    assert h.dtype == np.float32
    np.testing.assert_allclose(h.data, 6 * x.data, rtol=1e-6)


def test_third_derivative_through_indexing_with_a_repeated_index():
    """x[idx] with idx = [0, 0, 2]: the gradient of indexing is a scatter-add (ScatterAdd), and
    differentiating that with create_graph=True indexes again. y = Σ x[idx]³, so per use of
    x_i: y' = 3x², y'' = 6x, y''' = 6; x_0 is used twice, x_1 never."""
    from tinygrad_edu.autograd import grad
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x[[0, 0, 2]] ** 3).sum()
    (g1,) = grad(y, x, create_graph=True)
    (g2,) = grad(g1.sum(), x, create_graph=True)
    (g3,) = grad(g2.sum(), x)
    np.testing.assert_allclose(g1.data, [6.0, 0.0, 27.0])
    np.testing.assert_allclose(g2.data, [12.0, 0.0, 18.0])
    np.testing.assert_allclose(g3.data, [12.0, 0.0, 6.0])


# --------------------------------------------------- which Tensor a saved array was
def test_a_constant_sharing_its_array_with_the_variable_stays_a_constant():
    """hessian evaluates at a fresh leaf sharing the caller's array: w * z with w that array
    must still see w as a constant (∂²/∂z² of Σ w·z is 0, not the identity)."""
    w = Tensor([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(hessian(lambda z: (w * z).sum(), w).data, np.zeros((3, 3)))
    x = Tensor([1.0, 2.0], requires_grad=True)
    (dx,) = grad((x.detach() * x).sum(), [x], create_graph=True)   # = x.detach(): a constant
    np.testing.assert_array_equal(dx.data, x.data)
    with pytest.raises(RuntimeError, match="does not require grad"):
        grad(dx.sum(), [x])
    (dx,) = grad((x.detach() ** x).sum(), [x], create_graph=True)  # aˣ·ln a, a = x held fixed
    (d2x,) = grad(dx.sum(), [x])
    np.testing.assert_allclose(d2x.data, x.data ** x.data * np.log(x.data) ** 2)


def test_a_new_array_assigned_after_the_forward_pass_keeps_the_second_derivative():
    x = Tensor([2.0], requires_grad=True)
    y = (x * x * x).sum()
    x.data = x.data.copy()             # a new array, same numbers: safe, as documented
    (dx,) = grad(y, [x], create_graph=True)
    np.testing.assert_allclose(grad(dx.sum(), [x])[0].data, [12.0])   # 6x


def test_a_saved_intermediate_is_refused_under_create_graph_rather_than_made_a_constant():
    class SinSquared(Function):
        """y = sin(x)², dy/dx = 2 sin(x) cos(x), with sin(x) saved: not an input or output."""
        twice_differentiable = True

        @staticmethod
        def forward(ctx, x):
            s = np.sin(x)
            ctx.save_for_backward(x, s)
            return s * s

        @staticmethod
        def backward(ctx, grad):
            x, s = ctx.saved_tensors
            return grad * 2 * s * xp.cos(x)

    x = Tensor([0.3, 1.2], requires_grad=True)
    (dx,) = grad(SinSquared.apply(x).sum(), [x])       # first order: fine
    np.testing.assert_allclose(dx.data, np.sin(2 * x.data))
    with pytest.raises(RuntimeError, match="SinSquared saved for backward an array that is "
                                           "neither one of its inputs nor its output"):
        grad(SinSquared.apply(x).sum(), [x], create_graph=True)
