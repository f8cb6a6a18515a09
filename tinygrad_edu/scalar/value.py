"""``Value``: one number that remembers how it was computed, and reverse-mode autodiff over it.

Every operation makes a new ``Value`` that records three things:

* ``parents`` — the Values it was computed from;
* ``op``      — the operation's name (for drawings and error messages);
* the *local derivatives* ∂out/∂parent, worked out right there in the forward pass.

That is all the chain rule needs. If ``L`` is the final loss and ``out = f(a, b)``, then

    ∂L/∂a = ∂L/∂out · ∂out/∂a

so once ``out.grad`` (= ∂L/∂out) is known, each parent receives ``local · out.grad``.
``backward()`` visits the nodes from the loss back to the inputs (reverse topological
order, see :mod:`tinygrad_edu.graph`) and does exactly that multiplication at each one.

Why ``+=`` and never ``=``? A Value used twice (``b = a * a``, or ``a`` feeding two neurons)
receives one contribution per use, and ∂L/∂a is their *sum* (the multivariate chain rule).

Each operation's local derivatives are written once, in a one-line function at the end of
this file (``_d_tanh(out, x)``, ...), as a function of the output and the inputs (``out`` is
passed as None where a rule does not use it). The forward pass calls it with numbers and
stores the numbers (not a closure per node, as micrograd does: the graph then has no
reference cycles, and Python frees it as soon as the loss goes out of scope). For a second
derivative, ``autograd.grad(..., create_graph=True)`` calls the same function with the
Values themselves, so the derivative is recorded and can be differentiated again.
"""
import math
import numbers
import operator

from ..graph import _AnomalyMode, _grad_mode, check_finite, topological_order

__all__ = ["Value"]


class Value:
    """A scalar with a gradient.

    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> c = a * b + a          # c = ab + a
    >>> c.backward()
    >>> a.grad, b.grad         # ∂c/∂a = b + 1, ∂c/∂b = a
    (-2.0, 2.0)
    """

    __slots__ = ("data", "grad", "label", "op", "parents", "_local_grads")

    def __init__(self, data, label=""):
        if isinstance(data, Value):
            raise TypeError("Value(...) got a Value; use the Value itself, or Value(v.data) "
                            "for a new leaf that is cut off from v's graph")
        if not isinstance(data, numbers.Real):
            raise TypeError(f"Value expects a real number (int, float or NumPy scalar), "
                            f"got {type(data).__name__}: {data!r}")
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {type(label).__name__}")
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self.op = ""
        self.parents = ()
        self._local_grads = ()

    @staticmethod
    def _from_op(data, op, parents, local_grads):
        """The result of operation ``op``: ``data``, with ∂data/∂parent for each parent (the
        numbers its rule in :data:`LOCAL_DERIVATIVES` gave)."""
        out = Value.__new__(Value)
        out.data = data
        out.grad = 0.0
        out.label = ""
        if _grad_mode.enabled:
            out.op, out.parents, out._local_grads = op, parents, local_grads
        else:  # inside no_grad(): a constant, not connected to anything
            out.op, out.parents, out._local_grads = "", (), ()
        if _AnomalyMode.enabled:  # a flag, not a function call: this runs for every node
            check_finite(op, data, "forward")
        return out

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other):
        other = _as_value(other)
        if other is NotImplemented:
            return other
        return Value._from_op(self.data + other.data, "+", (self, other),
                              _d_add(None, self.data, other.data))

    def __mul__(self, other):
        other = _as_value(other)
        if other is NotImplemented:
            return other
        a, b = self.data, other.data
        return Value._from_op(a * b, "*", (self, other), _d_mul(None, a, b))

    def __pow__(self, exponent):
        if isinstance(exponent, Value):
            return self._pow_value(exponent)
        if not isinstance(exponent, numbers.Real):
            return NotImplemented
        a, n = self.data, float(exponent)
        if a == 0.0 and n < 0:
            raise ValueError(f"pow: 0 ** {n:g} is a division by zero")
        if a < 0.0 and not n.is_integer() and not math.isnan(n):  # a NaN exponent gives NaN
            raise ValueError(f"pow: a negative base ({a:g}) to a non-integer power ({n:g}) "
                             f"is not a real number")
        out = _safe_pow(a, n)
        return Value._from_op(out, _power_name(n), (self,), _d_power(out, a, n))

    def _pow_value(self, exponent):
        a, b = self.data, exponent.data
        if a <= 0.0:
            raise ValueError(f"pow: a Value exponent needs a positive base, got {a:g} "
                             f"(∂(a**b)/∂b = a**b · ln a is defined only for a > 0)")
        out = _safe_pow(a, b)
        return Value._from_op(out, "**", (self, exponent), _d_pow(out, a, b))

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        other = _as_value(other)
        if other is NotImplemented:
            return other
        return self + (-other)

    def __truediv__(self, other):
        other = _as_value(other)
        if other is NotImplemented:
            return other
        if other.data == 0.0:
            raise ValueError(f"division by zero: {self.data:g} / 0")
        return self * other ** -1

    def __radd__(self, other):  # other + self, when other is a number
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        other = _as_value(other)
        if other is NotImplemented:
            return other
        return other - self

    def __rtruediv__(self, other):
        other = _as_value(other)
        if other is NotImplemented:
            return other
        return other / self

    def __rpow__(self, base):
        base = _as_value(base)
        if base is NotImplemented:
            return base
        return base._pow_value(self)

    @staticmethod
    def dot(a, b):
        """``Σ a_i · b_i`` over two equally long sequences of Values, as ONE node.

        ∂/∂a_i = b_i and ∂/∂b_i = a_i. Building the sum from ``n`` products and ``n`` additions
        gives the same gradients with ``2n`` nodes; one node per dot product is what makes a
        neuron (``w · x + b``) cheap enough to train in pure Python.

        >>> w = [Value(2.0), Value(3.0)]; x = [Value(-1.0), Value(4.0)]
        >>> y = Value.dot(w, x); y.backward()
        >>> y.data, [wi.grad for wi in w], [xi.grad for xi in x]
        (10.0, [-1.0, 4.0], [2.0, 3.0])
        """
        a_given, b_given = list(a), list(b)
        a = [v if type(v) is Value else _as_value(v) for v in a_given]   # (no call per Value)
        b = [v if type(v) is Value else _as_value(v) for v in b_given]
        if len(a) != len(b):
            raise ValueError(f"dot: the sequences differ in length ({len(a)} vs {len(b)})")
        if NotImplemented in a or NotImplemented in b:
            bad = next(v for v, c in zip(a_given + b_given, a + b) if c is NotImplemented)
            raise TypeError(f"dot: every element must be a Value or a real number, got "
                            f"{type(bad).__name__}: {bad!r}")
        a_data, b_data = [v.data for v in a], [v.data for v in b]
        data = sum(map(operator.mul, a_data, b_data))
        return Value._from_op(data, "dot", (*a, *b), _d_dot(data, a_data, b_data))

    # ------------------------------------------------------------------ functions
    def exp(self):
        out = _safe_exp(self.data)
        return Value._from_op(out, "exp", (self,), _d_exp(out, self.data))

    def log(self):
        if self.data <= 0.0:
            raise ValueError(f"log of a non-positive number: log({self.data:g}); "
                             f"log is defined for x > 0")
        return Value._from_op(math.log(self.data), "log", (self,), _d_log(None, self.data))

    def tanh(self):
        out = math.tanh(self.data)
        return Value._from_op(out, "tanh", (self,), _d_tanh(out, self.data))

    def sigmoid(self):
        x = self.data
        # Stable in both directions: never exp of a large positive number.
        if x >= 0.0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return Value._from_op(s, "sigmoid", (self,), _d_sigmoid(s, x))

    def relu(self):
        x = self.data
        # Written `x <= 0` and not `x > 0` so that a NaN stays NaN: a NaN weight must not
        # silently "train" to 0.
        return Value._from_op(0.0 if x <= 0.0 else x, "relu", (self,), _d_relu(None, x))

    def sqrt(self):
        x = self.data
        if x < 0.0:
            raise ValueError(f"sqrt of a negative number: sqrt({x:g}); sqrt is defined for x >= 0")
        out = math.sqrt(x)
        return Value._from_op(out, "sqrt", (self,), _d_sqrt(out, x))

    def abs(self):
        x = self.data
        return Value._from_op(abs(x), "abs", (self,), _d_abs(None, x))

    def sin(self):
        x = self.data
        return Value._from_op(math.sin(x), "sin", (self,), _d_sin(None, x))

    def cos(self):
        x = self.data
        return Value._from_op(math.cos(x), "cos", (self,), _d_cos(None, x))

    # ------------------------------------------------------------------ backward
    def backward(self):
        """Fill ``.grad`` of every Value this one depends on with ∂self/∂(that Value).

        Seeds ∂self/∂self = 1 and walks the graph from here back to the leaves. Leaves
        *accumulate* (``+=``) across calls, as in PyTorch, so reset them between training
        steps: the optimizer's ``zero_grad()`` (``tinygrad_edu.optim``), the model's
        (``scalar/nn.py``'s ``Module.zero_grad``), or ``v.grad = 0.0``. Intermediate nodes are
        reset first, so calling ``backward()`` twice adds exactly one more gradient to each
        leaf — ``self`` included when it is a leaf (``x.backward()`` twice leaves 2.0).
        """
        order = topological_order(self)
        for node in order:
            if node.parents:
                node.grad = 0.0
        self.grad += 1.0  # an interior self was just reset to 0; a leaf self accumulates
        anomaly = _AnomalyMode.enabled
        for node in reversed(order):
            grad = node.grad
            for parent, local in zip(node.parents, node._local_grads):
                parent.grad += local * grad  # chain rule; += because a parent may have many users
            if anomaly and node.parents:
                for parent in node.parents:
                    check_finite(node.op, parent.grad, "backward")

    def __float__(self):
        """``float(v)`` is ``v.data`` (for ``f"{float(loss):.3f}"``, ``math`` functions...)."""
        return self.data

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"


def _power_name(n):
    """The op name of ``x ** n``: ``"**2"``, ``"**0.5"``; exact (the second-order rule reads
    n back from it), so an exponent that ``:g`` would round is written in full."""
    name = f"**{n:g}"
    return name if float(name[2:]) == n else f"**{n!r}"


# ------------------------------------------------------------------- local derivatives
# ∂out/∂input for every operation, each written once, as a function of the output and the
# inputs. The forward pass calls it with numbers and stores the numbers (what backward()
# multiplies by). ``autograd.grad(create_graph=True)`` calls the same function with the
# Values themselves (:func:`differentiable_local_grads`), so the derivative is recorded and
# can be differentiated again: ∂(ab)/∂a is ``b``, and with Values that is the Value b, whose
# own derivative ∂²(ab)/∂a∂b = 1 the walk can then find. Where a derivative reuses the output
# (eˣ, tanh, σ, √x), ``out`` is then the node itself, which makes no cycle (the new Values
# point at it, never the reverse). A number in a result is a constant: 1 for +, relu's 0/1,
# abs's ±1 (second derivative 0 away from the kink); the slope of √x at 0, relu's and abs's
# at 0 follow PyTorch (inf, 0, 0). (``out`` is None where a rule does not use it.)
def _d_add(out, a, b): return (1.0, 1.0)
def _d_mul(out, a, b): return (b, a)
def _d_pow(out, a, b): return (b * _pow(a, b - 1.0), out * _log(a))   # a > 0 (checked in forward)
def _d_exp(out, x): return (out,)
def _d_log(out, x): return (1.0 / x,)
def _d_tanh(out, x): return (1.0 - out * out,)
def _d_sigmoid(out, x): return (out * (1.0 - out),)
def _d_sqrt(out, x): return (0.5 / out if _number(out) != 0.0 else 0.5 * _pow(out, -1.0),)
def _d_sin(out, x): return (_cos(x),)
def _d_cos(out, x): return (-_sin(x),)
def _d_relu(out, x): return (1.0 if (x.data if type(x) is Value else x) > 0.0 else 0.0,)
def _d_abs(out, x): return (_sign(_number(x)),)
def _d_dot(out, a, b): return (*b, *a)   # Σ aᵢbᵢ: ∂/∂aᵢ = bᵢ, ∂/∂bᵢ = aᵢ


def _d_power(out, x, n):
    """x ** n for a number n: n·xⁿ⁻¹ (0 for n = 0: x⁰ = 1 is flat even at x = 0; inf at
    x = 0 for 0 < n < 1, the infinite slope of √x there, see :func:`_pow`)."""
    if n == 0.0:
        return (0.0,)
    return (n * _pow(x, n - 1.0),)


#: The rule of each op with a fixed number of inputs, by the name it records as ``.op``
#: (``dot`` and ``x ** n`` take more than their parents: see differentiable_local_grads).
LOCAL_DERIVATIVES = {"+": _d_add, "*": _d_mul, "**": _d_pow, "exp": _d_exp, "log": _d_log,
                     "tanh": _d_tanh, "sigmoid": _d_sigmoid, "sqrt": _d_sqrt, "sin": _d_sin,
                     "cos": _d_cos, "relu": _d_relu, "abs": _d_abs}


# ------------------------------------------------------------- one node's step of the walk
def chain_rule(node, grad):
    """One node's step of :func:`tinygrad_edu.graph.backpropagate` (what ``autograd.grad``
    walks with): the pairs (parent, ∂L/∂node · ∂node/∂parent), from the stored numbers."""
    pairs = [(parent, local * grad) for parent, local in zip(node.parents, node._local_grads)]
    if _AnomalyMode.enabled:
        for _, share in pairs:
            check_finite(node.op, share, "backward")
    return pairs


def chain_rule_on_values(node, grad):
    """:func:`chain_rule` for ``create_graph=True``: the local derivatives as Values, so that
    each share is recorded (a local derivative of exactly 1 adds no node)."""
    return [(parent, grad if (type(local) is float and local == 1.0) else local * grad)
            for parent, local in zip(node.parents, differentiable_local_grads(node))]


def differentiable_local_grads(node):
    """∂node/∂parent for each parent, as Values built from the parents (and ``node``): the
    op's rule called with Values, for ``create_graph=True``."""
    op, parents = node.op, node.parents
    rule = LOCAL_DERIVATIVES.get(op)
    if rule is not None:
        return rule(node, *parents)
    if op == "dot":  # parents (a_1..a_n, b_1..b_n)
        half = len(parents) // 2
        return _d_dot(node, parents[:half], parents[half:])
    if op.startswith("**"):  # "**2", "**0.5": the exponent is written in the op's name
        return _d_power(node, parents[0], float(op[2:]))
    raise RuntimeError(f"no local derivative for the Value op {op!r}; add one to "
                       f"LOCAL_DERIVATIVES in tinygrad_edu/scalar/value.py")


# The few functions the rules call, for a number or a Value alike.
def _number(x):
    return x.data if type(x) is Value else x


def _sign(x):
    return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)


def _cos(x):
    return x.cos() if type(x) is Value else math.cos(x)


def _sin(x):
    return x.sin() if type(x) is Value else math.sin(x)


def _log(x):
    return x.log() if type(x) is Value else math.log(x)


def _pow(x, n):
    """xⁿ inside a derivative rule, where x = 0 with n < 0 is not an error but the infinite
    slope of √x (or x^1.5's curvature) at 0, as PyTorch: inf, recorded as a node (for a
    Value) so that the next derivative (−inf for √x) can be taken through it."""
    if type(x) is not Value:
        return _safe_pow(x, n)
    if x.data == 0.0 and n < 0.0:   # x ** n would refuse the division by zero
        out = _safe_pow(x.data, n)
        return Value._from_op(out, _power_name(n), (x,), _d_power(out, x.data, n))
    return x ** n


def _as_value(x):
    """A Value for ``x``, or NotImplemented so that Python raises its usual TypeError."""
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real):
        return Value(x)
    return NotImplemented


def _safe_exp(x):
    try:
        return math.exp(x)
    except OverflowError:  # as IEEE floats (and PyTorch) do: overflow gives inf
        return math.inf


def _safe_pow(a, n):
    try:
        return a ** n
    except OverflowError:
        return math.inf if a > 0.0 or float(n) % 2.0 == 0.0 else -math.inf
    except ZeroDivisionError:  # 0.0 ** negative inside a derivative, e.g. d(x**0.5)/dx at 0
        # IEEE 754 (and PyTorch): +inf, but -inf for -0.0 to an odd integer power
        odd = float(n).is_integer() and float(n) % 2.0 == 1.0
        return math.copysign(math.inf, a) if odd else math.inf
