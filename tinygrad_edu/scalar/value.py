"""``Value``: one number that remembers how it was computed, and reverse-mode autodiff over it.

Every operation makes a new ``Value`` that records three things:

* ``parents`` — the Values it was computed from;
* ``op``      — the operation's name (for drawings and error messages);
* the *local derivatives* ∂out/∂parent, worked out right there in the forward pass.

That is all the chain rule needs. If ``L`` is the final loss and ``out = f(a, b)``, then

    ∂L/∂a = ∂L/∂out · ∂out/∂a

so once ``out.grad`` (= ∂L/∂out) is known, each parent receives ``local · out.grad``.
``backward()`` visits the nodes from the loss back to the inputs (reverse topological
order, see :mod:`tinygrad_edu.autograd`) and does exactly that multiplication at each one.

Why ``+=`` and never ``=``? A Value used twice (``b = a * a``, or ``a`` feeding two neurons)
receives one contribution per use, and ∂L/∂a is their *sum* (the multivariate chain rule).

Keeping local derivatives as numbers, rather than a closure per node as micrograd does,
keeps the graph free of reference cycles: Python frees it as soon as the loss goes out of
scope, with no work left for the cycle collector.
"""
import math
import numbers
import operator

from ..autograd import _AnomalyMode, _GradMode, check_finite, topological_order

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
        """The result of an operation: ``data`` with, for each parent, ∂data/∂parent."""
        out = Value.__new__(Value)
        out.data = data
        out.grad = 0.0
        out.label = ""
        if _GradMode.everywhere or _GradMode.local.enabled:  # see autograd._GradMode
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
        return Value._from_op(self.data + other.data, "+", (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = _as_value(other)
        if other is NotImplemented:
            return other
        # ∂(ab)/∂a = b and ∂(ab)/∂b = a
        return Value._from_op(self.data * other.data, "*", (self, other),
                              (other.data, self.data))

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
        # d(a^n)/da = n·a^(n-1); at a = 0 with n = 0 (x**0 = 1) the derivative is 0.
        local = n * _safe_pow(a, n - 1.0) if n != 0.0 else 0.0
        return Value._from_op(out, _power_name(n), (self,), (local,))

    def _pow_value(self, exponent):
        a, b = self.data, exponent.data
        if a <= 0.0:
            raise ValueError(f"pow: a Value exponent needs a positive base, got {a:g} "
                             f"(∂(a**b)/∂b = a**b · ln a is defined only for a > 0)")
        out = _safe_pow(a, b)
        # ∂/∂a = b·a^(b-1); ∂/∂b = a^b · ln a (reuses the output)
        return Value._from_op(out, "**", (self, exponent),
                              (b * _safe_pow(a, b - 1.0), out * math.log(a)))

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
        a, b = [_as_value(v) for v in a_given], [_as_value(v) for v in b_given]
        if len(a) != len(b):
            raise ValueError(f"dot: the sequences differ in length ({len(a)} vs {len(b)})")
        if NotImplemented in a or NotImplemented in b:
            bad = next(v for v, c in zip(a_given + b_given, a + b) if c is NotImplemented)
            raise TypeError(f"dot: every element must be a Value or a real number, got "
                            f"{type(bad).__name__}: {bad!r}")
        a_data = [v.data for v in a]
        b_data = [v.data for v in b]
        data = sum(map(operator.mul, a_data, b_data))
        return Value._from_op(data, "dot", (*a, *b), (*b_data, *a_data))

    # ------------------------------------------------------------------ functions
    def exp(self):
        out = _safe_exp(self.data)
        return Value._from_op(out, "exp", (self,), (out,))  # d(e^x)/dx = e^x: reuse the output

    def log(self):
        if self.data <= 0.0:
            raise ValueError(f"log of a non-positive number: log({self.data:g}); "
                             f"log is defined for x > 0")
        return Value._from_op(math.log(self.data), "log", (self,), (1.0 / self.data,))

    def tanh(self):
        t = math.tanh(self.data)
        return Value._from_op(t, "tanh", (self,), (1.0 - t * t,))  # 1 - tanh²: reuse output

    def sigmoid(self):
        x = self.data
        # Stable in both directions: never exp of a large positive number.
        if x >= 0.0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return Value._from_op(s, "sigmoid", (self,), (s * (1.0 - s),))  # σ(1-σ): reuse output

    def relu(self):
        x = self.data
        # The derivative at exactly 0 is taken as 0, as PyTorch does. Written `x <= 0` and
        # not `x > 0` so that a NaN stays NaN: a NaN weight must not silently "train" to 0.
        return Value._from_op(0.0 if x <= 0.0 else x, "relu", (self,),
                              (1.0 if x > 0.0 else 0.0,))

    def sqrt(self):
        x = self.data
        if x < 0.0:
            raise ValueError(f"sqrt of a negative number: sqrt({x:g}); sqrt is defined for x >= 0")
        out = math.sqrt(x)
        # d√x/dx = 1/(2√x): infinite at 0, as in PyTorch.
        return Value._from_op(out, "sqrt", (self,), (0.5 / out if out != 0.0 else math.inf,))

    def abs(self):
        x = self.data
        sign = 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)  # 0 at 0, as PyTorch
        return Value._from_op(abs(x), "abs", (self,), (sign,))

    def sin(self):
        return Value._from_op(math.sin(self.data), "sin", (self,), (math.cos(self.data),))

    def cos(self):
        return Value._from_op(math.cos(self.data), "cos", (self,), (-math.sin(self.data),))

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

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"


def _power_name(n):
    """The op name of ``x ** n``: ``"**2"``, ``"**0.5"``; exact (the second-order rule reads
    n back from it), so an exponent that ``:g`` would round is written in full."""
    name = f"**{n:g}"
    return name if float(name[2:]) == n else f"**{n!r}"


# ----------------------------------------------------------------------- second derivatives
def differentiable_local_grads(node):
    """∂node/∂parent for each parent, as *Values* built from the parents (and ``node``).

    ``backward()`` only needs the local derivatives as numbers, stored in the forward pass.
    To differentiate a gradient again (``autograd.grad(..., create_graph=True)``) they
    must be functions of the inputs: ∂(ab)/∂a is the Value ``b``, not the number ``b.data``,
    so that ∂²(ab)/∂a∂b = 1 can be found. This table rebuilds them from the op's name, its
    parents and its output (the output is reused as the fast rule does, e.g. ∂eˣ/∂x = eˣ;
    pointing at ``node`` makes no cycle: the new Values point at it, never the reverse).
    Only ``create_graph=True`` calls it, so ``backward()`` pays nothing for it. A number in
    the result is a constant local derivative (1 for +, relu's 0/1, abs's ±1).
    """
    rule = _LOCAL_GRAD_RULES.get(node.op)
    if rule is not None:
        return rule(node, *node.parents)
    if node.op == "dot":  # parents (a_1..a_n, b_1..b_n): ∂/∂a_i = b_i, ∂/∂b_i = a_i
        half = len(node.parents) // 2
        return node.parents[half:] + node.parents[:half]
    if node.op.startswith("**"):  # x ** n, n a number: n·x^(n−1)
        (x,), n = node.parents, float(node.op[2:])
        if n == 0.0:
            return (0.0,)
        if x.data == 0.0 and n < 1.0:  # infinite slope at 0 (√x): a constant inf, as backward
            return node._local_grads
        return (n * x ** (n - 1.0),)
    raise RuntimeError(f"no second-order rule for the Value op {node.op!r}; add one to "
                       f"_LOCAL_GRAD_RULES in tinygrad_edu/scalar/value.py")


_LOCAL_GRAD_RULES = {
    "+": lambda out, a, b: (1.0, 1.0),
    "*": lambda out, a, b: (b, a),
    "**": lambda out, a, b: (b * a ** (b - 1.0), out * a.log()),  # a > 0 (checked in forward)
    "exp": lambda out, x: (out,),
    "log": lambda out, x: (x ** -1.0,),
    "tanh": lambda out, x: (1.0 - out * out,),
    "sigmoid": lambda out, x: (out * (1.0 - out),),
    "sqrt": lambda out, x: (0.5 * out ** -1.0,) if out.data > 0.0 else out._local_grads,
    "sin": lambda out, x: (x.cos(),),
    "cos": lambda out, x: (-x.sin(),),
    # Piecewise linear: the slope is a constant (second derivative 0 away from the kink).
    "relu": lambda out, x: out._local_grads,
    "abs": lambda out, x: out._local_grads,
}


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
        return math.inf
