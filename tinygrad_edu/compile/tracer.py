"""The tracer: arrays that run *and* write down what they did.

A :class:`Traced` array holds a real NumPy array (``.value``) and a name (``.name``). Every
NumPy operation it takes part in — an operator (``a + b``), a NumPy function (``np.exp(a)``,
reached through NumPy's ``__array_ufunc__``/``__array_function__`` protocols), a method
(``a.sum(axis=1)``), indexing — is computed on the real arrays, exactly as eager execution
computes it, *and* appended to the :class:`Recorder` as one line of Python::

    exp_4 = np.exp(add_3)

The result is a new Traced array, so the next operation is recorded too. This is how JAX's
tracers work; the difference is that ours carry their values, so the traced call *is* an
eager call (same numbers, same errors) and the program is a by-product.

Hyper-parameters and step counts are :class:`TracedScalar` numbers: ``1 - beta1 ** step`` is
recorded as a line of plain Python arithmetic in the program's *prologue* (it depends on no
array, so it can run first), and a branch on one (``if rho_t > 5:`` in RAdam) becomes a
*guard*: the program checks, before it touches any array, that the branch goes the same way,
and otherwise a second program is traced for the other way.

What a trace cannot follow is a number leaving the arrays for Python (``float(loss)``,
``if loss > 1:``): that is where :meth:`Traced.__bool__` and friends warn. The library's own
checks on data (class indices in range) become guards of the program instead: if the data
would fail the check, the call runs eagerly and the check raises its own error.
"""
import numbers
import sys
import unicodedata
import warnings

import numpy as np

__all__ = ["Recorder", "Traced", "TracedScalar", "TraceError", "real_values"]


class TraceError(RuntimeError):
    """An operation the tracer cannot record (so the program would replay a stale value)."""


class GuardFailed(Exception):
    """Raised by a program's prologue: it was traced for other shapes, state or branches."""


class DataGuardFailed(Exception):
    """Raised by a program's body: the library's check on the data would go another way."""


# What operators look like in the program, for the ufuncs they call.
_BINARY = {np.add: "+", np.subtract: "-", np.multiply: "*", np.true_divide: "/",
           np.floor_divide: "//", np.remainder: "%", np.power: "**", np.matmul: "@",
           np.greater: ">", np.greater_equal: ">=", np.less: "<", np.less_equal: "<=",
           np.equal: "==", np.not_equal: "!=", np.bitwise_and: "&", np.bitwise_or: "|",
           np.bitwise_xor: "^"}
_UNARY = {np.negative: "-", np.invert: "~", np.positive: "+"}
# The conversions through which a user's code reads a Tensor's number (Tensor.item etc.).
_USER_CONVERSIONS = {"item", "__bool__", "__float__", "__int__", "__index__", "tolist",
                     "__format__", "__len__"}


class Recorder:
    """The program being written: prologue (numbers only), body (arrays), names, constants."""

    def __init__(self):
        self.prologue = []        # scalar arithmetic and guards: runs before any array op
        self.body = []            # array operations, in the order they ran
        self.constants = {}       # name -> object the program refers to (by reference)
        self._constant_names = {}  # id(object) -> name
        self._keep_alive = []      # constants' owners, so that ids stay unique
        self._counts = {}
        self._given = set()        # every name fresh() handed out
        self.used = set()          # names read by some line
        self.data_guards = 0
        self.random_draws = 0
        self.warned = set()
        self.written = set()       # names of arrays changed in place
        self._scalar_names = {}    # expression -> name: numbers are computed once
        self.values = {}           # name -> the array it held during the trace
        self.ufunc_lines = {}      # name -> (ufunc name, argument sources): can take out=
        self.transposed_from = {}  # name of a.T -> name of a

    # ------------------------------------------------------------------ names
    def fresh(self, hint):
        """A new variable name from ``hint`` (``relu`` -> ``relu_3``), never one given out
        before (a parameter may be called ``max_1``), in the form Python reads it (NFKC:
        ``ﬁ`` and ``fi`` are one name to Python, so they are one hint here)."""
        hint = unicodedata.normalize("NFKC", hint)
        hint = "".join(c if c.isalnum() else "_" for c in hint).strip("_") or "t"
        if hint[0].isdigit():
            hint = "t_" + hint
        n = self._counts.get(hint, 0) + 1
        name = hint if n == 1 and hint not in _RESERVED else f"{hint}_{n}"
        while name in self._given or not name.isidentifier():
            n += 1
            name = f"{hint}_{n}"
        self._counts[hint] = n
        self._given.add(name)
        return name

    def constant(self, obj, hint="const"):
        """The name under which the program refers to ``obj`` (an array not made by the
        trace: a constant such as ``np.arange(32)``, held by reference)."""
        name = self._constant_names.get(id(obj))
        if name is None:
            name = self.fresh(hint)
            self._constant_names[id(obj)] = name
            self._keep_alive.append(obj)
            self.constants[name] = obj
        self.used.add(name)
        return name

    # ------------------------------------------------------------------ lines
    def emit(self, line, uses=(), scalar=False):
        if scalar and line.startswith("if ") and line in self.prologue:
            return   # the same guard twice (one per parameter): once is enough
        (self.prologue if scalar else self.body).append(line)
        self.used.update(uses)

    def comment(self, text):
        if self.body and self.body[-1] == "# " + text:
            return
        self.body.append("# " + text)

    # ------------------------------------------------------------------ source of a value
    def source(self, x, uses):
        """Python source that evaluates to ``x`` inside the program."""
        if isinstance(x, (Traced, TracedScalar)):
            uses.append(x.name)
            return x.name
        if x is None or x is Ellipsis or isinstance(x, (bool, int, str)):
            return "..." if x is Ellipsis else repr(x)
        if isinstance(x, float):
            return repr(x) if np.isfinite(x) else self.constant(x, "number")
        if isinstance(x, tuple):
            inner = ", ".join(self.source(v, uses) for v in x)
            return f"({inner},)" if len(x) == 1 else f"({inner})"
        if isinstance(x, list):
            return "[" + ", ".join(self.source(v, uses) for v in x) + "]"
        if isinstance(x, slice):
            return (f"slice({self.source(x.start, uses)}, {self.source(x.stop, uses)}, "
                    f"{self.source(x.step, uses)})")
        if isinstance(x, np.dtype):
            return f"np.dtype({x.name!r})"
        if isinstance(x, type) and issubclass(x, np.generic) and getattr(np, x.__name__, None) is x:
            return f"np.{x.__name__}"
        if x is float or x is int or x is bool:
            return x.__name__
        name = self.constant(x, "const" if isinstance(x, np.ndarray) else "value")
        uses.append(name)
        return name

    def index_source(self, index, uses):
        """``index`` written as it would be inside ``a[...]`` (slices as ``1:3``)."""
        parts = index if isinstance(index, tuple) else (index,)
        text = []
        for part in parts:
            if isinstance(part, slice):
                pieces = [("" if v is None else self.source(v, uses))
                          for v in (part.start, part.stop, part.step)]
                text.append(":".join(pieces[:2]) + (f":{pieces[2]}" if pieces[2] else ""))
            else:
                text.append(self.source(part, uses))
        if isinstance(index, tuple) and len(index) == 1:
            return text[0] + ","
        return ", ".join(text) if text else "()"

    # ------------------------------------------------------------------ results
    def result(self, value, hint, expression, uses, scalar=False):
        """Record ``name = expression`` and return the Traced value ``value`` under ``name``
        (a tuple of arrays: one name each)."""
        if isinstance(value, tuple) and value and all(_is_array(v) for v in value):
            names = [self.fresh(hint) for _ in value]
            self.emit(f"{', '.join(names)} = {expression}", uses, scalar)
            return tuple(_wrap(v, n, scalar) for v, n in zip(value, names))
        if not (_is_array(value) or (scalar and isinstance(value, numbers.Number))):
            raise TraceError(f"compile: {expression} gave a {type(value).__name__}, which the "
                             f"tracer cannot follow")
        if scalar and expression in self._scalar_names:   # computed already: reuse it
            return _wrap(value, self._scalar_names[expression], scalar)
        name = self.fresh(hint)
        self.emit(f"{name} = {expression}", uses, scalar)
        if scalar:
            self._scalar_names[expression] = name
        else:
            self.values[name] = value
        return _wrap(value, name, scalar)


_RESERVED = {"np", "math", "args", "params", "optimizers", "rng", "hyper", "GuardFailed",
             "DataGuardFailed", "generator", "leaves", "int", "float", "bool", "slice", "len",
             "sum", "max", "min", "abs", "range", "round", "pow", "divmod", "rng_state"}
_active = [None]   # the Recorder of the trace running now, if any


def active():
    return _active[0]


def _recording():
    """The Recorder of the running trace; outside one, a traced value has escaped it."""
    recorder = _active[0]
    if recorder is None:
        raise TraceError("compile: a traced value was used after its trace ended (an array "
                         "kept from inside a call of a compiled function that traced). Tensors "
                         "made there get their real arrays back when the trace ends; keep the "
                         "Tensor rather than an array taken out of it")
    return recorder


def _is_array(x):
    return isinstance(x, (np.ndarray, np.generic)) and type(x) is not Traced


def _wrap(value, name, scalar=False):
    if scalar:
        return TracedScalar(value, name)
    return Traced(value, name)


def _value(x):
    """The real value of a traced thing (recursively through tuples, lists and dicts)."""
    t = type(x)
    if t is Traced or t is TracedScalar:
        return x.value
    if t is tuple:
        return tuple(_value(v) for v in x)
    if t is list:
        return [_value(v) for v in x]
    if t is dict:
        return {k: _value(v) for k, v in x.items()}
    return x


real_values = _value   # (its name outside this module)


def _all_scalar(values):
    """True if no Traced array is among ``values`` (then the result is a TracedScalar)."""
    for v in values:
        if type(v) is Traced:
            return False
        if isinstance(v, (tuple, list)) and not _all_scalar(v):
            return False
        if isinstance(v, np.ndarray):   # a constant array makes an array result
            return False
    return True


def _call(function_source, function, args, kwargs, hint, anchors=()):
    """Run ``function`` on the real values and record ``hint = function_source(args)``."""
    recorder = _recording()
    value = function(*_value(args), **_value(kwargs))
    uses = []
    parts = [recorder.source(a, uses) for a in args]
    parts += [f"{k}={recorder.source(v, uses)}" for k, v in kwargs.items()]
    expression = f"{function_source}({', '.join(parts)})"
    return _finish(recorder, value, hint, expression, uses, tuple(anchors) + tuple(args), kwargs)


def _finish(recorder, value, hint, expression, uses, args, kwargs):
    operands = list(args) + list(kwargs.values())
    scalar = (not isinstance(value, np.ndarray) and _all_scalar(operands)
              and any(type(v) is TracedScalar for v in operands))
    out = kwargs.get("out")
    if out is not None:   # in place: the line is a statement, the result is `out` itself
        recorder.emit(expression, uses, scalar)
        targets = out if isinstance(out, tuple) else (out,)
        for target in targets:
            if type(target) is not Traced:
                raise TraceError(f"compile: {expression} writes into an array the trace did "
                                 f"not make or receive; it cannot be replayed")
            recorder.written.add(target.name)
        return out[0] if isinstance(out, tuple) and len(out) == 1 else out
    if value is None:     # a method that changes its array in place (a.fill(0))
        recorder.emit(expression, uses, scalar)
        return None
    return recorder.result(value, hint, expression, uses, scalar)


def _escape(x, kind, convert):
    """A traced number read as a Python ``kind``. In the library's own checks: a guard of the
    program. In the user's code (through Tensor.item(), bool(t), ...): a warning naming the
    line, and the value frozen into the program, as ``torch.jit.trace`` does."""
    recorder = _active[0]
    value = convert(x.value)
    if recorder is None:
        return value
    frame = sys._getframe(2)
    module = frame.f_globals.get("__name__", "")
    user_call = not module.startswith("tinygrad_edu.") or (
        module == "tinygrad_edu.tensors.tensor" and frame.f_code.co_name in _USER_CONVERSIONS)
    if isinstance(x, TracedScalar):
        if kind != "bool":
            raise TraceError(
                f"compile: {x.name} (a hyper-parameter or step count, now {x.value!r}) was "
                f"converted with {kind}(), so the program would freeze it; the tracer "
                f"follows +, -, *, /, **, comparisons and math.* on it")
        recorder.emit(f"if bool({x.name}) is not {value!r}: raise GuardFailed({x.name!r})",
                      [x.name], scalar=True)
        return value
    if not user_call:   # the library's own check on the data: checked on every call
        if kind != "bool":
            raise TraceError(f"compile: tinygrad_edu code at {frame.f_code.co_filename}:"
                             f"{frame.f_lineno} reads the number {x.name} as a {kind}; the "
                             f"tracer cannot record that")
        recorder.data_guards += 1
        recorder.emit(f"if bool({x.name}) is not {value!r}: raise DataGuardFailed()",
                      [x.name])
        return value
    while frame is not None and frame.f_globals.get("__name__", "").startswith("tinygrad_edu."):
        frame = frame.f_back   # the user's line, the one to name
    where = (frame.f_code.co_filename, frame.f_lineno) if frame else ("<unknown>", 0)
    if where not in recorder.warned:
        recorder.warned.add(where)
        recorder.comment(f"frozen: a {kind} read from {x.name} at {where[0]}:{where[1]}")
        warnings.warn_explicit(
            f"compile: a traced tensor's value was read as a Python {kind} ({value!r}), e.g. "
            f"by .item(), float(t), bool(t) or `if t > x:`. The trace records array "
            f"operations, not Python decisions, so the compiled program keeps this value and "
            f"this branch on every later call, whatever the data. Move the decision (or the "
            f".item()) out of the compiled function, or compute it with Tensor operations "
            f"(e.g. a mask) instead.", UserWarning, where[0], where[1])
    return value


class _Number:
    """What Traced and TracedScalar share: operators recorded through NumPy's ufuncs."""

    __slots__ = ()

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        recorder = _recording()
        real_kwargs = dict(kwargs)
        if "out" in real_kwargs:
            real_kwargs["out"] = tuple(_value(o) for o in real_kwargs["out"])
        function = ufunc if method == "__call__" else getattr(ufunc, method)
        value = function(*_value(inputs), **_value(real_kwargs))
        if method == "at":   # np.add.at(a, index, b): a changes in place
            if type(inputs[0]) is not Traced:
                raise TraceError(f"compile: np.{ufunc.__name__}.at into an array the trace "
                                 f"did not make; it cannot be replayed")
            uses = []
            parts = ", ".join(recorder.source(x, uses) for x in inputs)
            recorder.emit(f"np.{ufunc.__name__}.at({parts})", uses)
            recorder.written.add(inputs[0].name)
            return None
        if "out" in kwargs and len(kwargs["out"]) == 1:
            kwargs = dict(kwargs, out=kwargs["out"][0])
        uses = []
        call = None   # (ufunc, arguments) of a plain call, which could write into a buffer
        if (method == "__call__" and ufunc in _BINARY and len(inputs) == 2
                and set(kwargs) == {"out"} and kwargs["out"] is inputs[0]):   # a += b
            a, b = (recorder.source(x, uses) for x in inputs)
            expression = f"{a} {_BINARY[ufunc]}= {b}"
        elif method == "__call__" and not kwargs and ufunc in _BINARY and len(inputs) == 2:
            a, b = (recorder.source(x, uses) for x in inputs)
            expression = f"{a} {_BINARY[ufunc]} {b}"
            call = (ufunc.__name__, [a, b])
        elif method == "__call__" and not kwargs and ufunc in _UNARY:
            expression = f"{_UNARY[ufunc]}{recorder.source(inputs[0], uses)}"
        else:
            parts = [recorder.source(x, uses) for x in inputs]
            parts += [f"{k}={recorder.source(v, uses)}" for k, v in kwargs.items()]
            if method == "__call__" and set(kwargs) <= {"dtype"}:
                call = (ufunc.__name__, list(parts))
            suffix = "" if method == "__call__" else "." + method
            expression = f"np.{ufunc.__name__}{suffix}({', '.join(parts)})"
        result = _finish(recorder, value, ufunc.__name__, expression, uses, inputs, kwargs)
        if call is not None and type(result) is Traced:
            recorder.ufunc_lines[result.name] = call
        return result

    def _binary(self, ufunc, other, reflected=False):
        if isinstance(other, (Traced, TracedScalar)) or _is_array(other) or isinstance(
                other, numbers.Number):
            return ufunc(other, self) if reflected else ufunc(self, other)
        return NotImplemented

    def _in_place(self, ufunc, other):
        return ufunc(self, other, out=(self,))

    def __add__(self, o): return self._binary(np.add, o)
    def __radd__(self, o): return self._binary(np.add, o, True)
    def __sub__(self, o): return self._binary(np.subtract, o)
    def __rsub__(self, o): return self._binary(np.subtract, o, True)
    def __mul__(self, o): return self._binary(np.multiply, o)
    def __rmul__(self, o): return self._binary(np.multiply, o, True)
    def __truediv__(self, o): return self._binary(np.true_divide, o)
    def __rtruediv__(self, o): return self._binary(np.true_divide, o, True)
    def __floordiv__(self, o): return self._binary(np.floor_divide, o)
    def __rfloordiv__(self, o): return self._binary(np.floor_divide, o, True)
    def __mod__(self, o): return self._binary(np.remainder, o)
    def __rmod__(self, o): return self._binary(np.remainder, o, True)
    def __pow__(self, o): return self._binary(np.power, o)
    def __rpow__(self, o): return self._binary(np.power, o, True)
    def __gt__(self, o): return self._binary(np.greater, o)
    def __ge__(self, o): return self._binary(np.greater_equal, o)
    def __lt__(self, o): return self._binary(np.less, o)
    def __le__(self, o): return self._binary(np.less_equal, o)
    def __eq__(self, o): return self._binary(np.equal, o)
    def __ne__(self, o): return self._binary(np.not_equal, o)
    def __and__(self, o): return self._binary(np.bitwise_and, o)
    def __rand__(self, o): return self._binary(np.bitwise_and, o, True)
    def __or__(self, o): return self._binary(np.bitwise_or, o)
    def __ror__(self, o): return self._binary(np.bitwise_or, o, True)
    def __xor__(self, o): return self._binary(np.bitwise_xor, o)
    def __rxor__(self, o): return self._binary(np.bitwise_xor, o, True)
    def __neg__(self): return np.negative(self)
    def __pos__(self): return np.positive(self)
    def __abs__(self): return np.absolute(self)
    __hash__ = object.__hash__


class TracedScalar(_Number):
    """A hyper-parameter, a step count, or a number computed from them, during a trace.

    Arithmetic on it is computed as Python computes it (so the numbers are eager's) and
    recorded in the program's prologue: ``bias_correction1 = 1 - beta1 ** step``."""

    __slots__ = ("value", "name")

    def __init__(self, value, name):
        self.value, self.name = value, name

    def _binary(self, ufunc, other, reflected=False):
        if type(other) is Traced or isinstance(other, np.ndarray):
            return NotImplemented        # the array's own operator records it
        if not isinstance(other, (TracedScalar, numbers.Number)):
            return NotImplemented
        symbol = _BINARY[ufunc]
        recorder = _recording()
        a, b = (other, self) if reflected else (self, other)
        value = _PYTHON_OPERATORS[symbol](_value(a), _value(b))
        uses = []
        expression = f"{recorder.source(a, uses)} {symbol} {recorder.source(b, uses)}"
        return recorder.result(value, "s", expression, uses, scalar=True)

    def __neg__(self):
        recorder = _recording()
        return recorder.result(-self.value, "s", f"-{self.name}", [self.name], scalar=True)

    def __bool__(self):
        return _escape(self, "bool", bool)

    def __float__(self):
        return _escape(self, "float", float)

    def __int__(self):
        return _escape(self, "int", int)

    def __index__(self):
        return _escape(self, "int", int)

    def __repr__(self):
        return repr(self.value)

    def __format__(self, spec):
        return format(self.value, spec)


_PYTHON_OPERATORS = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b, "//": lambda a, b: a // b, "%": lambda a, b: a % b,
    "**": lambda a, b: a ** b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b, "@": lambda a, b: a @ b, "&": lambda a, b: a & b,
    "|": lambda a, b: a | b, "^": lambda a, b: a ^ b}


class Traced(_Number):
    """An array during a trace: its real value, its name in the program.

    It answers ``isinstance(x, np.ndarray)`` with True (``__class__``), so the library's
    code takes its array paths; NumPy's own C code is not fooled and hands every operation
    to ``__array_ufunc__``/``__array_function__``, which record it.
    """

    __slots__ = ("value", "name", "__dict__")   # (a view's attributes: InPlaceArray's)
    __array_priority__ = 1000

    def __init__(self, value, name):
        self.value, self.name = value, name

    @property
    def __class__(self):
        return np.ndarray

    # ------------------------------------------------------------------ what does not change
    shape = property(lambda self: self.value.shape)
    ndim = property(lambda self: self.value.ndim)
    dtype = property(lambda self: self.value.dtype)
    size = property(lambda self: self.value.size)
    flags = property(lambda self: self.value.flags)
    strides = property(lambda self: self.value.strides)
    itemsize = property(lambda self: self.value.itemsize)
    nbytes = property(lambda self: self.value.nbytes)
    base = property(lambda self: self.value.base)   # memory identity, for the fast path
    ctypes = property(lambda self: self.value.ctypes)   # (and for Tensor.data's setter)

    def __len__(self):
        return len(self.value)

    # ------------------------------------------------------------------ recorded
    @property
    def T(self):
        recorder = _recording()
        original = recorder.transposed_from.get(self.name)
        if original is not None:   # (a.T).T is a again (any ndim): no line
            return Traced(self.value.T, original)
        result = recorder.result(self.value.T, self.name + "_T", f"{self.name}.T", [self.name])
        recorder.transposed_from[result.name] = self.name
        return result

    def __array_function__(self, func, types, args, kwargs):
        _recording()
        if func in _STATIC_FUNCTIONS:   # answers about shapes and memory, not data
            return func(*_value(args), **_value(kwargs))
        module = "np." + ("linalg." if func.__module__.endswith("linalg") else "")
        return _call(module + func.__name__, func, args, kwargs, func.__name__)

    def __getattr__(self, name):
        if name.startswith("__"):   # NumPy probing for other array protocols: there are none
            raise AttributeError(name)
        attribute = getattr(self.value, name)
        if not callable(attribute):   # (.data, .flat, .real, ...): not followed, so absent
            raise AttributeError(f"a traced array's .{name} is not traced (compile); use "
                                 f"NumPy functions and operators on the array itself")
        if name in ("item", "tolist"):
            return lambda *a: _escape(self, "number" if name == "item" else "list",
                                      lambda v: getattr(v, name)(*a))

        def method(*args, **kwargs):
            # (the paths that record nothing also serve the trace's set-up, before it runs;
            # everything else goes through _call, which refuses an escaped array)
            if (name == "view" and len(args) == 1 and not kwargs and isinstance(args[0], type)
                    and issubclass(args[0], np.ndarray)):
                # the same memory seen as another ndarray class (Tensor.data's InPlaceArray):
                # the same array in the program, so the same name and no line
                return Traced(self.value.view(args[0]), self.name)
            if name == "reshape":
                view = self.value.reshape(*_value(args), **_value(kwargs))
                if view.shape == self.value.shape:
                    return Traced(view, self.name)   # the same array: no line needed
            if (name in ("astype", "reshape", "view") and _value(args)
                    and getattr(self.value, name)(*_value(args), **_value(kwargs)) is self.value):
                return self   # already so (astype(..., copy=False)): nothing to record
            return _call(f"{self.name}.{name}", getattr(self.value, name), args, kwargs, name,
                         anchors=(self,))
        return method

    def __getitem__(self, index):
        recorder = _recording()
        uses = [self.name]
        expression = f"{self.name}[{recorder.index_source(index, uses)}]"
        return recorder.result(self.value[_value(index)], self.name + "_part", expression,
                               uses)

    def __setitem__(self, index, new):
        recorder = _recording()
        self.value[_value(index)] = _value(new)
        recorder.written.add(self.name)
        uses = [self.name]
        recorder.emit(f"{self.name}[{recorder.index_source(index, uses)}] = "
                      f"{recorder.source(new, uses)}", uses)

    def __iter__(self):
        for i in range(len(self.value)):
            yield self[i]

    def __iadd__(self, o): return self._in_place(np.add, o)
    def __isub__(self, o): return self._in_place(np.subtract, o)
    def __imul__(self, o): return self._in_place(np.multiply, o)
    def __itruediv__(self, o): return self._in_place(np.true_divide, o)
    def __ipow__(self, o): return self._in_place(np.power, o)
    def __matmul__(self, o): return self._binary(np.matmul, o)
    def __rmatmul__(self, o): return self._binary(np.matmul, o, True)
    def __invert__(self): return np.invert(self)

    # ------------------------------------------------------------------ leaving the trace
    def __bool__(self):
        return _escape(self, "bool", bool)

    def __float__(self):
        return _escape(self, "float", float)

    def __int__(self):
        return _escape(self, "int", int)

    def __index__(self):
        return _escape(self, "int", lambda v: v.__index__())

    def __format__(self, spec):
        return format(_escape(self, "number", lambda v: v.item()), spec)

    def __array__(self, dtype=None, copy=None):
        _recording()   # (after its trace: the escaped-array error)
        raise TraceError(
            f"compile: {self.name} was handed to code that needs a plain NumPy array (NumPy "
            f"asked for __array__), so the tracer cannot see what is done with it and the "
            f"program would replay a stale value. Write the operation with NumPy functions "
            f"or operators on the array itself, or keep it out of the compiled function")

    def __repr__(self):
        return f"Traced({self.name}, shape={self.value.shape}, dtype={self.value.dtype})"


_STATIC_FUNCTIONS = {np.shape, np.ndim, np.size, np.may_share_memory, np.shares_memory,
                     np.result_type, np.can_cast, np.iscomplexobj, np.isrealobj}
