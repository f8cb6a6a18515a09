"""The scalar engine: every Value operation against math, hand-derived derivatives and gradcheck."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu
from tinygrad_edu import Value, detect_anomaly, no_grad
from tinygrad_edu.gradcheck import GradcheckError, gradcheck
from tinygrad_edu.scalar import MLP, Layer, Neuron

# One catalog drives the value checks, the hand-derived derivative checks and gradcheck:
# (name, forward on a Value, forward with math, derivative by hand, points of the domain)
UNARY = [
    ("exp", lambda v: v.exp(), math.exp, math.exp, [-3.0, -0.5, 0.0, 1.2, 4.0]),
    ("log", lambda v: v.log(), math.log, lambda x: 1 / x, [0.1, 0.5, 1.0, 7.0]),
    ("tanh", lambda v: v.tanh(), math.tanh, lambda x: 1 - math.tanh(x) ** 2, [-3.0, -0.2, 0.0, 2.5]),
    ("sigmoid", lambda v: v.sigmoid(), lambda x: 1 / (1 + math.exp(-x)),
     lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2, [-6.0, -0.3, 0.0, 0.7, 5.0]),
    ("relu", lambda v: v.relu(), lambda x: max(x, 0.0), lambda x: float(x > 0), [-2.0, -0.1, 0.3, 3.0]),
    ("sqrt", lambda v: v.sqrt(), math.sqrt, lambda x: 0.5 / math.sqrt(x), [0.01, 0.5, 4.0]),
    ("abs", lambda v: v.abs(), abs, lambda x: math.copysign(1.0, x), [-3.0, -0.4, 0.2, 5.0]),
    ("sin", lambda v: v.sin(), math.sin, math.cos, [-2.0, 0.0, 0.5, 3.0]),
    ("cos", lambda v: v.cos(), math.cos, lambda x: -math.sin(x), [-2.0, 0.0, 0.5, 3.0]),
    ("neg", lambda v: -v, lambda x: -x, lambda x: -1.0, [-1.5, 2.0]),
    ("square", lambda v: v ** 2, lambda x: x ** 2, lambda x: 2 * x, [-1.5, 0.0, 2.0]),
    ("cube", lambda v: v ** 3, lambda x: x ** 3, lambda x: 3 * x ** 2, [-1.5, 2.0]),
    ("pow_half", lambda v: v ** 0.5, lambda x: x ** 0.5, lambda x: 0.5 * x ** -0.5, [0.3, 2.0]),
    ("reciprocal", lambda v: 1 / v, lambda x: 1 / x, lambda x: -1 / x ** 2, [-2.0, 0.5, 3.0]),
    ("rpow", lambda v: 2 ** v, lambda x: 2 ** x, lambda x: 2 ** x * math.log(2), [-1.0, 0.0, 2.5]),
    ("rsub", lambda v: 3 - v, lambda x: 3 - x, lambda x: -1.0, [0.5]),
]

BINARY = [
    ("add", lambda a, b: a + b, lambda a, b: (1.0, 1.0)),
    ("sub", lambda a, b: a - b, lambda a, b: (1.0, -1.0)),
    ("mul", lambda a, b: a * b, lambda a, b: (b, a)),
    ("div", lambda a, b: a / b, lambda a, b: (1 / b, -a / b ** 2)),
    ("pow", lambda a, b: a ** b, lambda a, b: (b * a ** (b - 1), a ** b * math.log(a))),
]
BINARY_POINTS = [(0.7, 1.3), (2.0, -0.5), (1.5, 3.0)]


def _unary_cases():
    return [pytest.param(fn, ref, dref, x, id=f"{name}({x})")
            for name, fn, ref, dref, xs in UNARY for x in xs]


@pytest.mark.parametrize("fn, ref, dref, x", _unary_cases())
def test_unary_value_and_derivative(fn, ref, dref, x):
    v = Value(x)
    out = fn(v)
    assert out.data == pytest.approx(ref(x), rel=1e-12, abs=1e-15)
    out.backward()
    assert v.grad == pytest.approx(dref(x), rel=1e-12, abs=1e-15)
    assert gradcheck(fn, Value(x))


@pytest.mark.parametrize("name, fn, dref", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("a, b", BINARY_POINTS)
def test_binary_value_and_derivatives(name, fn, dref, a, b):
    va, vb = Value(a), Value(b)
    out = fn(va, vb)
    assert out.data == pytest.approx(fn(a, b), rel=1e-12)
    out.backward()
    assert (va.grad, vb.grad) == pytest.approx(dref(a, b), rel=1e-12)
    assert gradcheck(fn, Value(a), Value(b))


@pytest.mark.parametrize("name, fn, dref", BINARY, ids=[b[0] for b in BINARY])
def test_numbers_on_either_side(name, fn, dref):
    a, b = 1.5, 2.5
    left, right = Value(a), Value(b)
    fn(left, b).backward()
    fn(a, right).backward()
    assert fn(left, b).data == pytest.approx(fn(a, b))
    assert fn(a, right).data == pytest.approx(fn(a, b))
    assert (left.grad, right.grad) == pytest.approx(dref(a, b))


def test_int_and_numpy_scalars_are_numbers():
    assert (Value(2) * np.float32(1.5)).data == 3.0
    assert isinstance(Value(np.int64(3)).data, float)
    assert (np.float64(2.0) + Value(1.0)).data == 3.0


def test_dot_is_one_node_with_the_sum_of_products_gradients():
    w = [Value(0.5), Value(-1.0), Value(2.0)]
    x = [Value(3.0), Value(4.0), Value(-1.5)]
    y = Value.dot(w, x)
    assert y.op == "dot" and len(y.parents) == 6
    (y * y).backward()
    expected = sum(a.data * b.data for a, b in zip(w, x))
    assert y.data == pytest.approx(expected)
    assert [v.grad for v in w] == pytest.approx([2 * expected * v.data for v in x])
    assert gradcheck(lambda *v: Value.dot(v[:3], v[3:]).tanh(), *[Value(v.data) for v in w + x])
    with pytest.raises(ValueError, match="differ in length"):
        Value.dot(w, x[:2])


# --------------------------------------------------------------------------- backward
def test_node_used_twice_gets_both_contributions():
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert (a.grad, b.grad) == (4.0, 2.0)
    d = Value(-2.0)
    (d * d).backward()  # one node, both operands
    assert d.grad == -4.0


def test_backward_twice_accumulates_into_leaves_without_stale_interior_grads():
    x, w = Value(2.0), Value(-3.0)
    h = x * w          # interior node with one user...
    y = h * h + h      # ...used three times here
    y.backward()
    first = (x.grad, w.grad, h.grad)
    y.backward()
    assert x.grad == 2 * first[0] and w.grad == 2 * first[1]
    assert h.grad == first[2]  # interior grads are this call's, not the sum of both


def test_a_million_operation_chain_backpropagates_iteratively():
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y * 1.000001
    y.backward()
    assert x.grad == pytest.approx(1.000001 ** 1_000_000, rel=1e-6)


def test_no_grad_records_nothing():
    x = Value(2.0)
    with no_grad():
        y = x * x + 1
    assert y.parents == () and y.op == ""
    y.backward()
    assert x.grad == 0.0
    z = x * x
    assert z.parents == (x, x)  # recording is back on after the block


def test_detect_anomaly_names_the_first_bad_operation():
    with detect_anomaly():
        with pytest.raises(FloatingPointError, match="exp produced inf in its forward"):
            Value(800.0).exp() * 0.0
        x = Value(0.0)
        y = x.sqrt()  # forward is fine (0), its derivative is infinite
        with pytest.raises(FloatingPointError, match="sqrt produced inf in the gradient"):
            y.backward()
    assert (Value(800.0).exp() * 0.0).data != (Value(800.0).exp() * 0.0).data  # nan outside


def test_stable_sigmoid_and_overflowing_exp():
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(1000.0).exp().data == math.inf
    assert (Value(1e200) ** 2).data == math.inf


@pytest.mark.parametrize("fn, message", [
    (lambda: Value(0.0).log(), r"log of a non-positive number: log\(0\)"),
    (lambda: Value(-2.0).log(), r"log\(-2\)"),
    (lambda: Value(-1.0).sqrt(), r"sqrt of a negative number: sqrt\(-1\)"),
    (lambda: Value(1.0) / 0, "division by zero"),
    (lambda: 3.0 / Value(0.0), "division by zero"),
    (lambda: Value(0.0) ** -1, r"0 \*\* -1"),
    (lambda: Value(-8.0) ** 0.5, "negative base"),
    (lambda: Value(-2.0) ** Value(2.0), "positive base"),
    (lambda: (-2.0) ** Value(2.0), "positive base"),
])
def test_domain_errors_name_the_operation_and_value(fn, message):
    with pytest.raises(ValueError, match=message):
        fn()


@pytest.mark.parametrize("fn", [
    lambda: Value("1.0"), lambda: Value(None), lambda: Value(1 + 2j), lambda: Value([1.0]),
    lambda: Value(1.0) + "a", lambda: "a" * Value(1.0), lambda: Value(1.0) ** "2",
    lambda: Value(Value(1.0)), lambda: Value(1.0, label=3),
])
def test_non_numbers_raise_type_error(fn):
    with pytest.raises(TypeError):
        fn()


def test_relu_and_abs_have_zero_gradient_at_zero():
    for op in (Value.relu, Value.abs):
        x = Value(0.0)
        op(x).backward()
        assert x.grad == 0.0


NAN = float("nan")


@pytest.mark.parametrize("name, fn", [(name, fn) for name, fn, *_ in UNARY]
                         + [("negative base ** nan", lambda v: Value(-2.0) ** NAN),
                            ("Value ** nan", lambda v: Value(2.0) ** v),
                            ("+", lambda v: v + 1), ("*", lambda v: v * 2),
                            ("/", lambda v: 1 / v), ("dot", lambda v: Value.dot([v], [1.0]))])
def test_nan_propagates_through_every_operation(name, fn):
    """A NaN weight must not "train" to loss 0: relu(nan) was 0.0 (issue 9, row 6)."""
    x = Value(NAN)
    y = fn(x)
    assert math.isnan(y.data), f"{name}(nan) gave {y.data}"
    y.backward()  # the backward pass does not raise either


def test_backward_twice_on_a_leaf_accumulates_as_pytorch():
    """Issue 9, row 16: x.backward() twice leaves 2.0 (PyTorch), it was reset to 1.0."""
    x = Value(3.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0
    y = x * x  # an interior root is still reset per call: x gets exactly 2·3 more each time
    x.grad = 0.0
    y.backward()
    y.backward()
    assert (y.grad, x.grad) == (1.0, 12.0)


def test_repr_shows_data_and_grad():
    v = Value(1.5, label="w")
    v.grad = -0.25
    assert repr(v) == "Value(data=1.5, grad=-0.25, label='w')"


# ----------------------------------------------------------- random expression graphs
# Smooth, total operations only: finite differences are exact up to round-off there.
_UNARY_OPS = [lambda v: v.tanh(), lambda v: v.sin(), lambda v: v.cos(), lambda v: v.sigmoid(),
              lambda v: (v.tanh() * 2).exp(), lambda v: v ** 2, lambda v: (v * v + 1).log(),
              lambda v: (v * v + 0.5).sqrt(), lambda v: 1 / (1 + v * v), lambda v: -v]
_BINARY_OPS = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b,
               lambda a, b: a / (1 + b * b), lambda a, b: (a * a + 1) ** b.tanh()]

_program = st.lists(st.tuples(st.booleans(), st.integers(0, 9), st.integers(0, 50),
                              st.integers(0, 50)), min_size=1, max_size=12)


def _run(program, inputs):
    """Apply the program's ops to a growing pool of nodes; nodes get reused (many users)."""
    pool = list(inputs)
    for is_binary, op, i, j in program:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        pool.append(_BINARY_OPS[op % 5](a, b) if is_binary else _UNARY_OPS[op](a))
    return pool[-1] + pool[-2] * 0.5


@settings(max_examples=60, deadline=None)
@given(_program, st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_random_expression_graphs_match_numerical_gradients(program, xs):
    assert gradcheck(lambda *v: _run(program, v), *[Value(x) for x in xs], rtol=1e-4, atol=1e-6)


# ------------------------------------------------------------------- gradcheck itself
def test_gradcheck_catches_a_wrong_derivative(monkeypatch):
    def wrong_sin(self):  # the classic sign slip: d sin/dx taken as -cos
        return Value._from_op(math.sin(self.data), "sin", (self,), (-math.cos(self.data),))

    monkeypatch.setattr(Value, "sin", wrong_sin)
    a, b = Value(0.3), Value(2.0)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a, b: a.sin() * b, a, b)
    message = str(info.value)
    for column in ("input", "index", "analytic", "numerical", "abs err", "rel err"):
        assert column in message
    assert "1.91067" in message and "-1.91067" in message  # 2·cos(0.3) and its negation
    assert gradcheck(lambda a, b: a.sin() * b, a, b, raise_exception=False) is False
    assert (a.grad, b.grad) == (0.0, 0.0)  # restored


def test_gradcheck_restores_grads_and_data():
    a = Value(1.25)
    a.grad = 7.0
    gradcheck(lambda a: a * a, a)
    assert (a.data, a.grad) == (1.25, 7.0)


# ---------------------------------------------------------------------------- modules
def test_mlp_has_micrographs_shape_and_parameter_order():
    tinygrad_edu.manual_seed(1)
    model = MLP(2, [16, 16, 1])
    params = model.parameters()
    assert len(params) == 337
    first = model.layers[0].neurons[0]
    assert params[:3] == first.w + [first.b]   # neuron by neuron: weights, then bias
    assert params[-1] is model.layers[-1].neurons[0].b
    assert [n.nonlin for n in model.layers[0].neurons] == [True] * 16
    assert model.layers[-1].neurons[0].nonlin is False  # last layer linear
    assert isinstance(model([0.5, -1.0]), Value)
    assert len(MLP(3, [4, 2])([1.0, 2.0, 3.0])) == 2


def test_mlp_is_reproducible_with_manual_seed_and_zero_grad_resets():
    tinygrad_edu.manual_seed(7)
    a = [p.data for p in MLP(2, [4, 1]).parameters()]
    tinygrad_edu.manual_seed(7)
    model = MLP(2, [4, 1])
    assert a == [p.data for p in model.parameters()]
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_neuron_matches_its_formula_and_gradcheck():
    n = Neuron(3, nonlin=False)
    x = [0.5, -1.0, 2.0]
    expected = sum(w.data * xi for w, xi in zip(n.w, x)) + n.b.data
    assert n(x).data == pytest.approx(expected)
    relu_neuron = Neuron(3)
    assert relu_neuron(x).data == max(0.0, sum(w.data * xi for w, xi in zip(relu_neuron.w, x)))
    layer = Layer(3, 2)
    assert gradcheck(lambda *p: sum(layer(list(p))), *[Value(v) for v in x])
    with pytest.raises(ValueError, match="expects 3 inputs, got 2"):
        n([1.0, 2.0])
