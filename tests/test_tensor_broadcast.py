"""Broadcasting in backward: the ``sum_to_shape`` helper in every pattern, and property tests
over random broadcastable shapes for the binary ops, matmul and the reductions."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu import Tensor
from tinygrad_edu.gradcheck import gradcheck, gradgradcheck
from tinygrad_edu.tensors.ops.broadcast import BroadcastTo, sum_to_shape

# (operand shape, output shape): every way broadcasting can turn the first into the second.
PATTERNS = [
    ((3, 4), (3, 4)),          # nothing to undo
    ((), (3, 4)),              # a scalar, broadcast everywhere
    ((1,), (3, 4)),            # length-1 vector: a leading axis added and one stretched
    ((4,), (3, 4)),            # a leading axis added
    ((4,), (2, 3, 4)),         # two leading axes added
    ((3, 1), (3, 4)),          # a trailing axis stretched
    ((1, 4), (3, 4)),          # a leading axis stretched
    ((1, 1), (3, 4)),          # both stretched
    ((3, 1), (2, 3, 4)),       # one added, one stretched
    ((2, 1, 4), (2, 3, 4)),    # a middle axis stretched
    ((1, 3, 1), (2, 3, 4)),    # outer axes stretched
    ((1, 1, 1), (2, 3, 4)),    # everything stretched, rank kept
    ((5, 1, 1), (5, 2, 3)),
    ((3, 1), (1, 3, 2)),       # an added axis that is itself 1, and one stretched to 2
]


@pytest.mark.parametrize("shape, out_shape", PATTERNS, ids=[f"{a}->{b}" for a, b in PATTERNS])
def test_sum_to_shape_is_the_adjoint_of_broadcasting(shape, out_shape):
    """⟨g, broadcast(x)⟩ = ⟨sum_to_shape(g), x⟩ for all x, g: the defining property of a
    correct backward for broadcasting (checked with random x, g; exact in float64 up to
    rounding)."""
    rng = np.random.default_rng(0)
    g = rng.standard_normal(out_shape)
    reduced = sum_to_shape(g, shape)
    assert reduced.shape == shape
    for _ in range(3):
        x = rng.standard_normal(shape)
        np.testing.assert_allclose(np.sum(g * np.broadcast_to(x, out_shape)),
                                   np.sum(reduced * x), rtol=1e-12)


def test_sum_to_shape_by_hand():
    g = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(sum_to_shape(g, (3, 1)), g.sum(axis=(0, 2))[:, None])
    np.testing.assert_array_equal(sum_to_shape(g, (4,)), g.sum(axis=(0, 1)))
    np.testing.assert_array_equal(sum_to_shape(g, ()), g.sum())
    assert type(sum_to_shape(g, ())) is np.ndarray  # an array even when every axis is summed
    assert sum_to_shape(g, (2, 3, 4)) is g  # nothing to do: no copy


@pytest.mark.parametrize("shape, out_shape", PATTERNS, ids=[f"{a}->{b}" for a, b in PATTERNS])
def test_second_order_forms_of_summing_and_broadcasting(shape, out_shape):
    """``sum_to_shape`` on a Tensor (what a rule runs under create_graph=True) gives the
    array's numbers as a Tensor, and ``BroadcastTo`` (its adjoint, an op so that the gradient of a
    sum can be differentiated) has correct second derivatives."""
    rng = np.random.default_rng(2)
    g = Tensor(rng.standard_normal(out_shape), requires_grad=True)
    reduced = sum_to_shape(g, shape)
    assert isinstance(reduced, Tensor) and reduced.shape == shape
    np.testing.assert_allclose(reduced.data, sum_to_shape(g.data, shape), rtol=1e-12)
    x = Tensor(rng.standard_normal(shape), requires_grad=True)
    np.testing.assert_array_equal(BroadcastTo.apply(x, shape=out_shape).data,
                                  np.broadcast_to(x.data, out_shape))
    assert gradgradcheck(lambda t: BroadcastTo.apply(t, shape=out_shape) ** 3, x)


@pytest.mark.parametrize("shape, out_shape", PATTERNS, ids=[f"{a}->{b}" for a, b in PATTERNS])
@pytest.mark.parametrize("op", ["add", "mul"])
def test_binary_ops_reduce_gradients_to_each_operand(shape, out_shape, op):
    rng = np.random.default_rng(1)
    small = Tensor(rng.standard_normal(shape), requires_grad=True)
    big = Tensor(rng.standard_normal(out_shape), requires_grad=True)
    for left, right in ((small, big), (big, small)):  # the broadcast operand on either side
        small.grad = big.grad = None
        out = left + right if op == "add" else left * right
        g = rng.standard_normal(out_shape)
        out.backward(g)
        local = np.ones(out_shape) if op == "add" else big.data
        np.testing.assert_allclose(small.grad, sum_to_shape(g * local, shape), rtol=1e-12)
        assert small.grad.shape == shape and big.grad.shape == out_shape


# --------------------------------------------------------------------------- properties
SMALL = dict(min_dims=0, max_dims=3, min_side=1, max_side=3)
elements = st.floats(-2.0, 2.0, allow_nan=False, allow_subnormal=False)


@settings(max_examples=30, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, **SMALL),
       op=st.sampled_from(["add", "sub", "mul", "div", "pow"]), data=st.data())
def test_binary_ops_on_random_broadcast_shapes(shapes, op, data):
    a_shape, b_shape = shapes.input_shapes
    a = data.draw(hnp.arrays(np.float64, a_shape, elements=elements))
    b = data.draw(hnp.arrays(np.float64, b_shape, elements=elements))
    if op in ("div", "pow"):  # keep away from 0 (division) and negative bases (pow)
        b = np.abs(b) + 0.5
        a = np.abs(a) + 0.5 if op == "pow" else a
    fn = {"add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y,
          "div": lambda x, y: x / y, "pow": lambda x, y: x ** y}[op]
    ta, tb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    out = fn(ta, tb)
    np.testing.assert_allclose(out.data, fn(a, b), rtol=1e-12)
    assert out.shape == shapes.result_shape
    assert gradcheck(fn, ta, tb)


@settings(max_examples=25, deadline=None)
@given(batch=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=2),
       n=st.integers(1, 3), k=st.integers(1, 3), m=st.integers(1, 3),
       vector=st.sampled_from(["none", "left", "right", "both"]), data=st.data())
def test_matmul_on_random_shapes(batch, n, k, m, vector, data):
    a_shape = (k,) if vector in ("left", "both") else batch.input_shapes[0] + (n, k)
    b_shape = (k,) if vector in ("right", "both") else batch.input_shapes[1] + (k, m)
    a = data.draw(hnp.arrays(np.float64, a_shape, elements=elements))
    b = data.draw(hnp.arrays(np.float64, b_shape, elements=elements))
    ta, tb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    np.testing.assert_allclose((ta @ tb).data, a @ b, rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda x, y: x @ y, ta, tb)


@settings(max_examples=30, deadline=None)
@given(x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=3),
                    # distinct values far apart: no ties for max to split, even at x ± eps
                    elements=st.integers(-20, 20).map(lambda i: i * 0.25), unique=True),
       op=st.sampled_from(["sum", "mean", "max"]), keepdims=st.booleans(), data=st.data())
def test_reductions_over_random_axes(x, op, keepdims, data):
    axis = data.draw(st.one_of(
        st.none(),
        st.integers(-x.ndim, x.ndim - 1),
        st.lists(st.integers(0, x.ndim - 1), min_size=1, max_size=x.ndim, unique=True).map(tuple)))
    t = Tensor(x, requires_grad=True)
    out = getattr(t, op)(axis=axis, keepdims=keepdims)
    expected = getattr(np, op if op != "max" else "amax")(x, axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    assert out.shape == np.shape(expected)
    assert gradcheck(lambda v: getattr(v, op)(axis=axis, keepdims=keepdims), t)
