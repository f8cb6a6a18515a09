"""The catalog of Tensor operations, and the three checks it drives.

One table (``CATALOG``): each row names an operation, the function that applies it to
Tensors, an independent NumPy formula for its value, the shapes and domains of its inputs,
and (where PyTorch spells it differently) the PyTorch expression. Every row is checked for

1. its value against the NumPy formula (float64, and float32 keeping float32 everywhere);
2. its full Jacobian against central differences (``gradcheck``: element by element);
3. its value and vector-Jacobian product against PyTorch, from numbers stored in
   ``tests/reference/tensor_ops.npz`` (made by ``tests/reference/make_tensor_reference.py``).

This module is also imported by that generator script, so it must not need torch.
"""
import os
import zlib
from typing import Callable, NamedTuple, Optional

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.gradcheck import gradcheck

REFERENCE = os.path.join(os.path.dirname(__file__), "reference", "tensor_ops.npz")


class Op(NamedTuple):
    name: str
    fn: Callable                      # Tensors -> Tensor (also used for torch unless torch_fn)
    shapes: tuple                     # one shape per input
    domains: tuple = ()               # one per input: real | positive | nonzero | distinct
    numpy_fn: Optional[Callable] = None  # arrays -> array; default: fn works on arrays too
    torch_fn: Optional[Callable] = None  # (torch module, *tensors) -> tensor


def _softmax(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _log_softmax(a, axis):
    shifted = a - a.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


CATALOG = [
    # --- arithmetic with broadcasting on either side
    Op("add", lambda a, b: a + b, ((3, 4), (4,))),
    Op("add_column", lambda a, b: a + b, ((3, 1), (1, 4))),
    Op("add_number", lambda a: a + 2.5, ((3,),)),
    Op("radd_number", lambda a: 2.5 + a, ((2, 2),)),
    Op("sub", lambda a, b: a - b, ((2, 3), (2, 1))),
    Op("rsub_number", lambda a: 1.5 - a, ((4,),)),
    Op("neg", lambda a: -a, ((2, 3),)),
    Op("mul", lambda a, b: a * b, ((2, 3), (3,))),
    Op("mul_same_tensor", lambda a: a * a, ((3,),)),
    Op("rmul_number", lambda a: 3.0 * a, ((3,),)),
    Op("div", lambda a, b: a / b, ((2, 3), (2, 3)), ("real", "positive")),
    Op("div_broadcast", lambda a, b: a / b, ((2, 3), (3,)), ("real", "nonzero")),
    Op("rdiv_number", lambda a: 2.0 / a, ((3,),), ("positive",)),
    Op("pow_int", lambda a: a ** 3, ((2, 3),)),
    Op("pow_half", lambda a: a ** 0.5, ((4,),), ("positive",)),
    Op("pow_negative", lambda a: a ** -1.5, ((4,),), ("positive",)),
    Op("pow_zero", lambda a: a ** 0, ((3,),)),
    Op("pow_tensor", lambda a, b: a ** b, ((2, 3), (3,)), ("positive", "real")),
    Op("rpow_number", lambda a: 2.0 ** a, ((3,),)),
    # --- matmul in every NumPy case
    Op("matmul", lambda a, b: a @ b, ((3, 4), (4, 2))),
    Op("matmul_vec_mat", lambda a, b: a @ b, ((4,), (4, 2))),
    Op("matmul_mat_vec", lambda a, b: a @ b, ((3, 4), (4,))),
    Op("matmul_vec_vec", lambda a, b: a @ b, ((4,), (4,))),
    Op("matmul_batched", lambda a, b: a @ b, ((2, 3, 4), (4, 2))),
    Op("matmul_batch_broadcast", lambda a, b: a @ b, ((2, 1, 2, 3), (3, 3, 2))),
    Op("matmul_vec_batch", lambda a, b: a @ b, ((3,), (2, 3, 2))),
    # --- element-wise functions
    Op("exp", lambda a: a.exp(), ((2, 3),), numpy_fn=np.exp),
    Op("log", lambda a: a.log(), ((2, 3),), ("positive",), numpy_fn=np.log),
    Op("tanh", lambda a: a.tanh(), ((2, 3),), numpy_fn=np.tanh),
    Op("relu", lambda a: a.relu(), ((2, 3),), ("nonzero",), numpy_fn=lambda a: np.maximum(a, 0)),
    Op("sigmoid", lambda a: a.sigmoid(), ((2, 3),), numpy_fn=_sigmoid),
    Op("sqrt", lambda a: a.sqrt(), ((2, 3),), ("positive",), numpy_fn=np.sqrt),
    Op("abs", lambda a: a.abs(), ((2, 3),), ("nonzero",), numpy_fn=np.abs),
    Op("sin", lambda a: a.sin(), ((2, 3),), numpy_fn=np.sin),
    Op("cos", lambda a: a.cos(), ((2, 3),), numpy_fn=np.cos),
    # --- reductions
    Op("sum_all", lambda a: a.sum(), ((2, 3),)),
    Op("sum_axis0", lambda a: a.sum(axis=0), ((2, 3),)),
    Op("sum_axis_neg", lambda a: a.sum(axis=-1), ((2, 3, 2),)),
    Op("sum_tuple_keepdims", lambda a: a.sum(axis=(0, 2), keepdims=True), ((2, 3, 2),)),
    Op("mean_all", lambda a: a.mean(), ((2, 3),)),
    Op("mean_axis_keepdims", lambda a: a.mean(axis=1, keepdims=True), ((2, 3),)),
    Op("mean_tuple", lambda a: a.mean(axis=(0, -1)), ((2, 3, 2),)),
    Op("max_all", lambda a: a.max(), ((2, 3),), ("distinct",),
       torch_fn=lambda torch, a: torch.amax(a, dim=())),
    Op("max_axis", lambda a: a.max(axis=1), ((3, 4),), ("distinct",),
       torch_fn=lambda torch, a: torch.amax(a, dim=1)),
    Op("max_tuple_keepdims", lambda a: a.max(axis=(0, 2), keepdims=True), ((2, 3, 2),),
       ("distinct",), torch_fn=lambda torch, a: torch.amax(a, dim=(0, 2), keepdim=True)),
    # --- shape
    Op("reshape", lambda a: a.reshape(3, 4), ((2, 6),)),
    Op("reshape_tuple", lambda a: a.reshape((4, -1)), ((2, 6),)),
    Op("transpose_2d", lambda a: a.transpose(0, 1), ((2, 3),), numpy_fn=lambda a: a.T,
       torch_fn=lambda torch, a: a.transpose(0, 1)),
    Op("T", lambda a: a.T, ((3, 2),)),
    Op("transpose_axes", lambda a: a.permute(2, 0, 1), ((2, 3, 4),),
       numpy_fn=lambda a: a.transpose(2, 0, 1),
       torch_fn=lambda torch, a: a.permute(2, 0, 1)),
    Op("flatten", lambda a: a.flatten(), ((2, 3, 2),)),
    Op("getitem_int", lambda a: a[1], ((3, 4),)),
    Op("getitem_slice", lambda a: a[1:, ::2], ((3, 4),)),
    Op("getitem_none_ellipsis", lambda a: a[None, ..., 1], ((2, 3, 4),)),
    Op("getitem_repeated", lambda a: a[[0, 2, 0, 0]], ((3, 2),)),
    Op("getitem_mixed", lambda a: a[1:, [0, 0, 2]], ((3, 4),)),
    Op("getitem_pairs", lambda a: a[[0, 1, 1], [2, 0, 2]], ((2, 3),)),
    # --- softmax family
    Op("softmax", lambda a: a.softmax(), ((3, 4),), numpy_fn=lambda a: _softmax(a, -1),
       torch_fn=lambda torch, a: torch.softmax(a, dim=-1)),
    Op("softmax_axis0", lambda a: a.softmax(axis=0), ((3, 4),),
       numpy_fn=lambda a: _softmax(a, 0), torch_fn=lambda torch, a: torch.softmax(a, dim=0)),
    Op("log_softmax", lambda a: a.log_softmax(), ((3, 4),),
       numpy_fn=lambda a: _log_softmax(a, -1),
       torch_fn=lambda torch, a: torch.log_softmax(a, dim=-1)),
    Op("log_softmax_axis1", lambda a: a.log_softmax(axis=1), ((2, 3, 2),),
       numpy_fn=lambda a: _log_softmax(a, 1),
       torch_fn=lambda torch, a: torch.log_softmax(a, dim=1)),
    # --- PyTorch's spellings (§12): shape methods, dim=/keepdim=, values with indices
    Op("view", lambda a: a.view(3, 4), ((2, 6),), numpy_fn=lambda a: a.reshape(3, 4)),
    Op("view_infer", lambda a: a.view(-1), ((2, 3),), numpy_fn=lambda a: a.reshape(-1)),
    Op("unsqueeze", lambda a: a.unsqueeze(1), ((2, 3),), numpy_fn=lambda a: a[:, None]),
    Op("unsqueeze_neg", lambda a: a.unsqueeze(-1), ((2, 3),), numpy_fn=lambda a: a[..., None]),
    Op("squeeze_all", lambda a: a.squeeze(), ((2, 1, 3, 1),)),
    Op("squeeze_dim", lambda a: a.squeeze(1), ((2, 1, 3),)),
    Op("squeeze_dim_not_one", lambda a: a.squeeze(0), ((2, 3),), numpy_fn=lambda a: a),
    Op("clone", lambda a: a.clone(), ((2, 3),), numpy_fn=lambda a: a.copy()),
    Op("pow_method", lambda a: a.pow(3), ((2, 3),), numpy_fn=lambda a: a ** 3),
    Op("pow_method_tensor", lambda a, b: a.pow(b), ((2, 3), (3,)), ("positive", "real"),
       numpy_fn=lambda a, b: a ** b),
    Op("clamp", lambda a: a.clamp(-0.5, 0.5), ((3, 4),), numpy_fn=lambda a: np.clip(a, -0.5, 0.5)),
    Op("clamp_min", lambda a: a.clamp(min=0.1), ((3, 4),),
       numpy_fn=lambda a: np.maximum(a, 0.1)),
    Op("clamp_max", lambda a: a.clamp(max=-0.2), ((3, 4),),
       numpy_fn=lambda a: np.minimum(a, -0.2)),
    Op("sum_dim", lambda a: a.sum(dim=1), ((2, 3),), numpy_fn=lambda a: a.sum(axis=1)),
    Op("sum_dims_keepdim", lambda a: a.sum(dim=(0, 2), keepdim=True), ((2, 3, 2),),
       numpy_fn=lambda a: a.sum(axis=(0, 2), keepdims=True)),
    Op("mean_dim_keepdim", lambda a: a.mean(dim=0, keepdim=True), ((2, 3),),
       numpy_fn=lambda a: a.mean(axis=0, keepdims=True)),
    Op("softmax_dim", lambda a: a.softmax(dim=0), ((3, 4),), numpy_fn=lambda a: _softmax(a, 0)),
    Op("log_softmax_dim", lambda a: a.log_softmax(dim=1), ((2, 3, 2),),
       numpy_fn=lambda a: _log_softmax(a, 1)),
    Op("amax", lambda a: a.amax(), ((2, 3),), ("distinct",), numpy_fn=np.max),
    Op("amax_dim", lambda a: a.amax(dim=1), ((3, 4),), ("distinct",),
       numpy_fn=lambda a: a.max(axis=1)),
    Op("amax_dims_keepdim", lambda a: a.amax(dim=(0, 2), keepdim=True), ((2, 3, 2),),
       ("distinct",), numpy_fn=lambda a: a.max(axis=(0, 2), keepdims=True)),
    Op("amin_dim", lambda a: a.amin(dim=0), ((3, 4),), ("distinct",),
       numpy_fn=lambda a: a.min(axis=0)),
    Op("max_dim_values", lambda a: a.max(1).values, ((3, 4),), ("distinct",),
       numpy_fn=lambda a: a.max(axis=1)),
    Op("max_dim_keepdim_values", lambda a: a.max(dim=0, keepdim=True)[0], ((3, 4),),
       ("distinct",), numpy_fn=lambda a: a.max(axis=0, keepdims=True)),
    Op("min_dim_values", lambda a: a.min(dim=-1).values, ((2, 3, 4),), ("distinct",),
       numpy_fn=lambda a: a.min(axis=-1)),
    Op("min_all", lambda a: a.min(), ((2, 3),), ("distinct",), numpy_fn=np.min),
    Op("where", lambda a, b: tg.where(a > 0, a, b), ((3, 4), (3, 4)),
       numpy_fn=lambda a, b: np.where(a > 0, a, b),
       torch_fn=lambda torch, a, b: torch.where(a > 0, a, b)),
    Op("where_broadcast", lambda a, b: tg.where(a > b, a, b), ((2, 3), (3,)),
       numpy_fn=lambda a, b: np.where(a > b, a, b),
       torch_fn=lambda torch, a, b: torch.where(a > b, a, b)),
    Op("where_number", lambda a: tg.where(a < 0, 0.0, a), ((3, 4),),
       numpy_fn=lambda a: np.where(a < 0, 0.0, a),
       torch_fn=lambda torch, a: torch.where(a < 0, 0.0, a)),
    Op("cat", lambda a, b: tg.cat([a, b]), ((2, 3), (1, 3)),
       numpy_fn=lambda a, b: np.concatenate([a, b]),
       torch_fn=lambda torch, a, b: torch.cat([a, b])),
    Op("cat_dim1_three", lambda a, b: tg.cat([a, b, a], dim=1), ((2, 3), (2, 1)),
       numpy_fn=lambda a, b: np.concatenate([a, b, a], axis=1),
       torch_fn=lambda torch, a, b: torch.cat([a, b, a], dim=1)),
    Op("stack", lambda a, b: tg.stack([a, b]), ((2, 3), (2, 3)),
       numpy_fn=lambda a, b: np.stack([a, b]),
       torch_fn=lambda torch, a, b: torch.stack([a, b])),
    Op("stack_last", lambda a, b: tg.stack([a, b, b], dim=-1), ((2, 3), (2, 3)),
       numpy_fn=lambda a, b: np.stack([a, b, b], axis=-1),
       torch_fn=lambda torch, a, b: torch.stack([a, b, b], dim=-1)),
    # --- composites: every input used more than once
    Op("composite_0d", lambda a, b: (a * b + a) * a - (a * b) ** 2 + 2.25 * b, ((), ())),
    # a tiny layer and loss
    Op("composite_layer", lambda x, w, b: ((x @ w + b).tanh() * (x @ w)).mean(axis=0),
       ((4, 3), (3, 2), (2,)),
       numpy_fn=lambda x, w, b: (np.tanh(x @ w + b) * (x @ w)).mean(axis=0)),
]
BY_NAME = {op.name: op for op in CATALOG}


def make_inputs(op):
    """The op's inputs as float64 arrays, drawn from its domains (same on every machine)."""
    rng = np.random.default_rng(zlib.crc32(op.name.encode()))
    arrays = []
    for i, shape in enumerate(op.shapes):
        domain = op.domains[i] if i < len(op.domains) else "real"
        if domain == "real":
            x = rng.standard_normal(shape)
        elif domain == "positive":
            x = rng.uniform(0.5, 2.0, shape)
        elif domain == "nonzero":  # away from the kinks of relu and abs at 0
            x = rng.uniform(0.2, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
        elif domain == "distinct":  # no ties, gaps far wider than gradcheck's eps
            x = (rng.permutation(int(np.prod(shape))) * 0.25 - 1.0).reshape(shape)
        else:
            raise ValueError(domain)
        arrays.append(np.asarray(x, dtype=np.float64))
    return arrays


ids = [op.name for op in CATALOG]


@pytest.mark.parametrize("op", CATALOG, ids=ids)
def test_value_matches_numpy(op):
    arrays = make_inputs(op)
    out = op.fn(*[Tensor(a) for a in arrays])
    expected = (op.numpy_fn or op.fn)(*arrays)
    assert isinstance(out, Tensor) and out.dtype == np.float64
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("op", CATALOG, ids=ids)
def test_full_jacobian_gradcheck(op):
    tensors = [Tensor(a, requires_grad=True) for a in make_inputs(op)]
    assert gradcheck(op.fn, *tensors)


@pytest.mark.parametrize("op", CATALOG, ids=ids)
def test_float32_stays_float32(op):
    tensors = [Tensor(a.astype(np.float32), requires_grad=True) for a in make_inputs(op)]
    out = op.fn(*tensors)
    assert out.dtype == np.float32, f"{op.name} promoted float32 to {out.dtype}"
    out.backward(np.ones(out.shape, dtype=np.float32))
    for t in tensors:
        assert t.grad is not None and t.grad.dtype == np.float32 and t.grad.shape == t.shape


@pytest.fixture(scope="module")
def reference():
    with np.load(REFERENCE, allow_pickle=False) as npz:
        return dict(npz)


@pytest.mark.parametrize("op", CATALOG, ids=ids)
def test_matches_stored_pytorch_reference(op, reference):
    """Value and vector-Jacobian product (a random cotangent) as PyTorch computed them."""
    n = len(op.shapes)
    assert f"{op.name}/out" in reference, (f"no reference for {op.name}: run "
                                           f"python tests/reference/make_tensor_reference.py")
    tensors = [Tensor(reference[f"{op.name}/in{i}"], requires_grad=True) for i in range(n)]
    out = op.fn(*tensors)
    np.testing.assert_allclose(out.data, reference[f"{op.name}/out"], rtol=1e-10, atol=1e-12)
    out.backward(reference[f"{op.name}/cotangent"])
    for i, t in enumerate(tensors):
        np.testing.assert_allclose(t.grad, reference[f"{op.name}/grad{i}"], rtol=1e-10,
                                   atol=1e-12, err_msg=f"{op.name}: gradient of input {i}")


def test_reference_inputs_are_the_catalog_inputs(reference):
    """The stored file belongs to this catalog (it was regenerated after the last change)."""
    for op in CATALOG:
        for i, a in enumerate(make_inputs(op)):
            np.testing.assert_array_equal(reference[f"{op.name}/in{i}"], a, err_msg=op.name)


def test_function_classes_applied_with_their_defaults_act_as_pytorch():
    """The op classes are public (``from tinygrad_edu.tensors.ops import Softmax``; a learner may call
    ``Softmax.apply(x)`` as in a custom Function), so their defaults are PyTorch's:
    softmax over the last dim, reductions dropping the reduced dim, cat along dim 0."""
    from tinygrad_edu.tensors.ops import Cat, LogSoftmax, Max, Softmax, Sum, Transpose
    x = np.random.default_rng(5).standard_normal((2, 3, 4))
    t = Tensor(x)
    np.testing.assert_allclose(Softmax.apply(t).data, _softmax(x, -1), rtol=1e-12)
    np.testing.assert_allclose(LogSoftmax.apply(t).data, np.log(_softmax(x, -1)), rtol=1e-12)
    assert Sum.apply(t).shape == () and Sum.apply(t).item() == pytest.approx(x.sum())
    np.testing.assert_allclose(Sum.apply(t, axis=1).data, x.sum(axis=1), rtol=1e-12)  # (2, 4)
    np.testing.assert_array_equal(Max.apply(t, axis=(0, 2)).data, x.max(axis=(0, 2)))  # (3,)
    np.testing.assert_array_equal(Cat.apply(t, t).data, np.concatenate([x, x]))      # (4, 3, 4)
    np.testing.assert_array_equal(Transpose.apply(t).data, x.transpose(2, 1, 0))      # reversed
