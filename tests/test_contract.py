"""Contract conformance: every promise of /work/shared/API.md (§0–§10), checked as written.

One group per numbered section; each group's docstring quotes the contract line it checks.
Signatures are compared with ``inspect.signature`` — parameter names, order, kinds (positional,
``*args``, keyword-only) and defaults — so a renamed or reordered argument fails here even when
every other test still passes. Extra *keyword-only* options after the contracted ones are
allowed (a documented superset); anything else is a deviation.

Behaviour checks use small hand-computed numbers (no stored output of our own code). The whole
file runs in a few seconds.
"""
import gc
import inspect
import math
import os
import pickle
import re
import subprocess
import sys
import tomllib
import weakref
from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import Tensor, Value

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
P = inspect.Parameter
EMPTY = P.empty


# --------------------------------------------------------------------------- helpers
def parse_params(spec):
    """The parameters written in the contract, e.g. ``"params, lr=1e-3, *, maximize=False"``,
    as a list of (name, kind, default). Defaults are Python literals."""
    params, kind = [], P.POSITIONAL_OR_KEYWORD
    for part in _split_top_level(spec):
        if part == "*":
            kind = P.KEYWORD_ONLY
        elif part.startswith("**"):
            params.append((part[2:], P.VAR_KEYWORD, EMPTY))
        elif part.startswith("*"):
            params.append((part[1:], P.VAR_POSITIONAL, EMPTY))
            kind = P.KEYWORD_ONLY
        elif "=" in part:
            name, default = part.split("=", 1)
            params.append((name.strip(), kind, eval(default, {})))  # literals only
        else:
            params.append((part, kind, EMPTY))
    return params


def _split_top_level(spec):
    parts, depth, current = [], 0, ""
    for ch in spec:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current.strip())
    return parts


def assert_signature(obj, spec, *, method=False):
    """``obj``'s signature starts with exactly the contracted parameters (names, order, kinds,
    defaults); anything after them must be keyword-only with a default (a superset)."""
    params = list(inspect.signature(obj).parameters.values())
    if method:  # an unbound method: drop `self`
        assert params[0].name == "self", (obj, params)
        params = params[1:]
    expected = parse_params(spec)
    got = [(p.name, p.kind, p.default) for p in params]
    assert len(got) >= len(expected), f"{obj.__qualname__}{inspect.signature(obj)} vs ({spec})"
    for (name, kind, default), (g_name, g_kind, g_default) in zip(expected, got):
        if kind in (P.VAR_POSITIONAL, P.VAR_KEYWORD):
            g_name = name  # a caller cannot tell `**kw` from `**kwargs`
        assert (g_name, g_kind) == (name, kind), \
            f"{obj.__qualname__}{inspect.signature(obj)}: {g_name} ({g_kind}) vs ({spec})"
        assert type(g_default) is type(default) or (
            isinstance(default, (int, float)) and isinstance(g_default, (int, float))
            and not isinstance(default, bool) and not isinstance(g_default, bool)), \
            f"{obj.__qualname__}: default of {name} is {g_default!r}, contract {default!r}"
        assert g_default == default, \
            f"{obj.__qualname__}: default of {name} is {g_default!r}, contract says {default!r}"
    for extra in params[len(expected):]:
        assert extra.kind == P.KEYWORD_ONLY and extra.default is not EMPTY, \
            f"{obj.__qualname__}: extra parameter {extra} is not an optional keyword-only one"


def run_python(code):
    """Run ``code`` in a fresh interpreter (clean sys.modules); returns the completed process."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=60)


def numbers_in(text):
    return [float(x) for x in re.findall(r"[-+]?\d+\.?\d*(?:[eE][-+]?\d+)?", text)]


# =========================================================================== §0
class TestSection0Package:
    """§0: "Distribution and import name: `tinygrad_edu`; `pyproject.toml` (PEP 621) at the repo
    root. Runtime dependencies: `numpy` only. `graphviz` ..., `matplotlib` (+ `pillow` for GIFs)
    ..., `tqdm` ...: optional extras (`viz`, `demos`), imported lazily, with a clear message
    naming the extra when missing. `pytest` (+ `hypothesis`) in the `dev` extra."
    "Top level of the repo: `pyproject.toml`, `tinygrad_edu/`, `tests/`, `demos/`, `README.md`
    (plus `.ci/`, licence and tool config files)." "`tinygrad_edu.__version__` is a string."
    """

    @staticmethod
    def project():
        with open(os.path.join(REPO, "pyproject.toml"), "rb") as f:
            return tomllib.load(f)["project"]  # PEP 621 table

    @staticmethod
    def names(requirements):
        return {re.split(r"[\s<>=!~\[;]", r, maxsplit=1)[0].lower() for r in requirements}

    def test_pep621_name_and_numpy_only(self):
        project = self.project()
        assert project["name"] == "tinygrad_edu"
        assert self.names(project["dependencies"]) == {"numpy"}

    def test_extras(self):
        extras = self.project()["optional-dependencies"]
        assert {"viz", "demos", "dev"} <= set(extras)
        assert {"graphviz", "matplotlib", "pillow"} <= self.names(extras["viz"])
        optional = self.names(extras["viz"]) | self.names(extras["demos"])
        assert {"graphviz", "matplotlib", "pillow", "tqdm"} <= optional
        assert {"pytest", "hypothesis"} <= self.names(extras["dev"])

    def test_top_level_layout(self):
        for entry in ["pyproject.toml", "tinygrad_edu", "tests", "demos", "README.md"]:
            assert os.path.exists(os.path.join(REPO, entry)), entry
        # Tracked top-level directories are only the contracted ones (files may be config).
        tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True,
                                 cwd=REPO).stdout.split()
        dirs = {p.split("/")[0] for p in tracked if "/" in p}
        assert dirs <= {"tinygrad_edu", "tests", "demos", ".ci", ".github", "tools"}, dirs

    def test_version_is_str(self):
        assert isinstance(tinygrad_edu.__version__, str) and tinygrad_edu.__version__

    def test_optional_packages_not_imported_at_import_time(self):
        viz = ", tinygrad_edu.viz" if os.path.isdir(os.path.join(REPO, "tinygrad_edu", "viz")) \
            else ""
        proc = run_python(
            f"import sys, tinygrad_edu{viz}\n"
            "loaded = [m for m in ('matplotlib', 'graphviz', 'tqdm', 'PIL', 'torch')"
            " if m in sys.modules]\n"
            "assert not loaded, loaded")
        assert proc.returncode == 0, proc.stderr

    def test_missing_optional_package_names_the_extra(self):
        # sys.modules[name] = None makes `import name` raise ImportError, as if not installed.
        code = ["import sys",
                "sys.modules['matplotlib'] = None; sys.modules['matplotlib.pyplot'] = None",
                "sys.modules['graphviz'] = None",
                "import tinygrad_edu",
                "from tinygrad_edu.optim.lr_finder import LRRangeTestResult",
                "calls = [lambda: LRRangeTestResult([1e-3], [1.0], 1e-3).plot()]",
                "from tinygrad_edu import viz, Value",
                "calls += [lambda: viz.draw_graph(Value(1.0)),",
                "          lambda: viz.plot_history({'loss': [1.0, 0.5]})]"]
        code += ["for call in calls:",
                 "    try: call()",
                 "    except ImportError as e: assert 'tinygrad_edu[viz]' in str(e), str(e)",
                 "    else: raise SystemExit('no ImportError')"]
        proc = run_python("\n".join(code))
        assert proc.returncode == 0, proc.stderr + proc.stdout


# =========================================================================== §1
class TestSection1Value:
    """§1: "`Value(data, label="")`: `data` a real number (int, float or NumPy scalar; stored as
    a Python float); `.data: float`, `.grad: float` (starts 0.0, assignable), `.label: str`,
    `.op: str` (..., `""` for leaves), `.parents: tuple[Value, ...]`."
    """

    def test_import_paths_and_signature(self):
        from tinygrad_edu.scalar import Value as ScalarValue
        assert tinygrad_edu.Value is ScalarValue
        assert_signature(Value, 'data, label=""')

    @pytest.mark.parametrize("data", [3, 2.5, np.float32(1.5), np.int64(-4), np.float64(0.25)])
    def test_leaf_attributes(self, data):
        v = Value(data)
        assert type(v.data) is float and v.data == float(data)
        assert type(v.grad) is float and v.grad == 0.0
        assert v.label == "" and v.op == "" and v.parents == () and type(v.parents) is tuple
        v.grad = 2.0
        assert v.grad == 2.0
        assert Value(1.0, label="w").label == "w"

    def test_operators_with_numbers_on_either_side(self):
        """"Operators with a `Value`, `int` or `float` on either side: `+ - * / **` and unary
        `-`"."""
        a = Value(3.0)
        cases = [(a + 2, 5.0), (2 + a, 5.0), (a - 1, 2.0), (1 - a, -2.0), (a * 2.0, 6.0),
                 (2.0 * a, 6.0), (a / 2, 1.5), (6 / a, 2.0), (a ** 2, 9.0), (2 ** a, 8.0),
                 (-a, -3.0), (a + Value(1.0), 4.0), (a ** Value(2.0), 9.0)]
        for out, expected in cases:
            assert isinstance(out, Value) and out.data == pytest.approx(expected)
            assert isinstance(out.op, str) and out.op != ""
            assert type(out.parents) is tuple and all(isinstance(p, Value) for p in out.parents)
        assert a in (a * 2.0).parents

    def test_pow_with_value_exponent(self):
        """"`a ** b` with `b` a number or a `Value` (d/db = a**b · ln a, defined for a > 0)"."""
        a, b = Value(2.0), Value(3.0)
        (a ** b).backward()
        assert a.grad == pytest.approx(3 * 2.0 ** 2)
        assert b.grad == pytest.approx(8.0 * math.log(2.0))

    @pytest.mark.parametrize("name, fn, dfn", [
        ("exp", math.exp, math.exp), ("log", math.log, lambda x: 1 / x),
        ("tanh", math.tanh, lambda x: 1 - math.tanh(x) ** 2),
        ("relu", lambda x: max(x, 0.0), lambda x: float(x > 0)),
        ("sigmoid", lambda x: 1 / (1 + math.exp(-x)),
         lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2),
        ("sqrt", math.sqrt, lambda x: 0.5 / math.sqrt(x)), ("abs", abs, lambda x: 1.0),
        ("sin", math.sin, math.cos), ("cos", math.cos, lambda x: -math.sin(x))])
    def test_methods(self, name, fn, dfn):
        """"Methods: `exp() log() tanh() relu() sigmoid() sqrt() abs() sin() cos()`"."""
        x = Value(0.7)
        out = getattr(x, name)()
        out.backward()
        assert out.data == pytest.approx(fn(0.7)) and x.grad == pytest.approx(dfn(0.7))

    def test_relu_and_abs_gradient_zero_at_zero(self):
        """"`relu` and `abs` have gradient 0 at 0 (as PyTorch)"."""
        for name in ["relu", "abs"]:
            x = Value(0.0)
            getattr(x, name)().backward()
            assert x.grad == 0.0, name

    @pytest.mark.parametrize("make, op_words, value", [
        (lambda: Value(0.0).log(), ["log"], "0"), (lambda: Value(-2.0).log(), ["log"], "-2"),
        (lambda: Value(-3.0).sqrt(), ["sqrt"], "-3"),
        (lambda: Value(1.0) / 0, ["division", "/"], "0"),
        (lambda: 1.0 / Value(0.0), ["division", "/"], "0"),
        (lambda: Value(0.0) ** -1, ["pow", "**"], "-1")])
    def test_domain_errors(self, make, op_words, value):
        """"Domain errors (log of a non-positive, sqrt of a negative, division by zero,
        0 ** negative) raise `ValueError` naming the operation and the offending value"."""
        with pytest.raises(ValueError) as info:
            make()
        message = str(info.value)
        assert any(w in message for w in op_words), message
        assert value in message, message

    def test_backward_seeds_visits_once_and_accumulates(self):
        """"`backward()`: seeds `self.grad = 1.0` and accumulates (`+=`) ... each node visited
        once. ... Gradients accumulate across calls, as PyTorch."""
        a = Value(1.5)
        b = a + a
        c = b + b  # dc/da = 4: b must be visited once, after both of c's uses
        c.backward()
        assert c.grad == 1.0 and b.grad == 2.0 and a.grad == 4.0
        c.backward()
        assert a.grad == 8.0

    def test_backward_is_iterative(self):
        """"Iterative, never recursive: a chain of 1,000,000 operations back-propagates without
        `RecursionError`." (a chain 30x the recursion limit proves the point quickly)"""
        x = Value(1.0)
        y = x
        for _ in range(30 * sys.getrecursionlimit()):
            y = y + 1.0
        y.backward()
        assert x.grad == 1.0

    def test_scalar_modules(self):
        """"`Neuron(nin, nonlin=True)`, `Layer(nin, nout, **kw)`, `MLP(nin, nouts)`: ...
        `MLP(2, [16, 16, 1])(x)` takes a list of numbers or Values and returns a Value (one
        output) or a list; `.parameters()` returns a list of Values; `.zero_grad()` sets every
        grad to 0.0. Last layer linear, the others ReLU. `parameters()` order: layer by layer,
        neuron by neuron, each neuron's weights then its bias."""
        from tinygrad_edu.scalar import MLP, Layer, Neuron
        assert_signature(Neuron, "nin, nonlin=True")
        assert_signature(Layer, "nin, nout, **kw")
        assert_signature(MLP, "nin, nouts")
        m = MLP(2, [16, 16, 1])
        params = m.parameters()
        assert type(params) is list and all(isinstance(p, Value) for p in params)
        assert len(params) == (2 * 16 + 16) + (16 * 16 + 16) + (16 + 1)
        assert isinstance(m([1.0, -2.0]), Value) and isinstance(m([Value(1.0), 2]), Value)
        out = MLP(2, [3, 2])([1.0, 2.0])
        assert isinstance(out, list) and len(out) == 2
        for p in params:
            p.grad = 1.5
        m.zero_grad()
        assert all(p.grad == 0.0 for p in params)

        # Order and nonlinearities: set MLP(2, [2, 1]) by hand in parameters() order:
        # hidden neuron 0: w=(1, 2), b=0.5; neuron 1: w=(-1, -1), b=0; output: w=(1, 1), b=-10.
        small = MLP(2, [2, 1])
        for p, v in zip(small.parameters(), [1, 2, 0.5, -1, -1, 0, 1, 1, -10]):
            p.data = float(v)
        x = [1.0, 1.0]  # hidden: relu(3.5)=3.5, relu(-2)=0 -> output 3.5 - 10 (not relu'd)
        assert small(x).data == pytest.approx(-6.5)


# =========================================================================== §2
class TestSection2Tensor:
    """§2: "`Tensor(data, requires_grad=False, dtype=None)`: `data` array-like. Floating numpy
    arrays keep their dtype; Python floats get the default dtype, float64; integer and bool
    data keep an integer (int64) / bool dtype ... `.data` is the
    `np.ndarray` (assignable: the array is stored as given, dtype and shape), `.grad` is
    `np.ndarray` or `None` (assignable), `.requires_grad`, `.shape`, `.ndim`, `.dtype`, `len(t)`,
    `.T`, `.numpy()` (the array), `.item()` (size-1 only: a float, or an int / bool for
    integer / bool tensors)."
    """

    def test_signature(self):
        assert_signature(Tensor, "data, requires_grad=False, dtype=None")

    def test_dtypes(self):
        assert Tensor([1.0, 2]).dtype == np.float64
        assert Tensor(3.0).dtype == np.float64
        assert Tensor([1, 2]).dtype == np.int64 and Tensor(3).dtype == np.int64
        assert Tensor([True, False]).dtype == np.bool_
        assert Tensor(np.arange(3, dtype=np.int64)).dtype == np.int64
        assert type(Tensor([3]).item()) is int and type(Tensor([True]).item()) is bool
        with pytest.raises(TypeError, match="float"):
            Tensor([1, 2], requires_grad=True)
        assert Tensor(np.ones(2, np.float32)).dtype == np.float32  # floating arrays keep it
        assert Tensor(np.ones(2, np.float16)).dtype == np.float16
        assert Tensor([1, 2], dtype=np.float32).dtype == np.float32
        assert np.dtype(tinygrad_edu.get_default_dtype()) == np.float64
        try:
            tinygrad_edu.set_default_dtype(np.float32)
            assert np.dtype(tinygrad_edu.get_default_dtype()) == np.float32
            assert Tensor([1.0, 2.0]).dtype == np.float32
        finally:
            tinygrad_edu.set_default_dtype(np.float64)

    def test_attributes(self):
        t = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        assert isinstance(t.data, np.ndarray) and t.grad is None and t.requires_grad is True
        assert t.shape == (2, 3) and t.ndim == 2 and t.dtype == np.float64 and len(t) == 2
        assert t.T.shape == (3, 2) and np.array_equal(t.T.data, t.data.T)
        assert np.shares_memory(t.numpy(), t.data) and t.data.shape == t.numpy().shape
        assert Tensor([[2.5]]).item() == 2.5 and type(Tensor([[2.5]]).item()) is float
        with pytest.raises(ValueError):
            t.item()
        t.grad = np.ones((2, 3))
        assert np.array_equal(t.grad, np.ones((2, 3)))

    def test_data_is_stored_as_given(self):
        t = Tensor([1.0, 2.0])
        new = np.arange(6, dtype=np.float32).reshape(3, 2)
        t.data = new
        assert np.shares_memory(t.data, new) and t.dtype == np.float32 and t.shape == (3, 2)

    def test_factories(self):
        """"`Tensor.zeros(*shape, requires_grad=False)`, `Tensor.ones(...)`,
        `Tensor.randn(*shape, requires_grad=False)` (drawn from the library's seeded
        generator)"."""
        for name in ["zeros", "ones", "randn"]:
            assert_signature(getattr(Tensor, name), "*shape, requires_grad=False")
        z = Tensor.zeros(2, 3)
        assert z.shape == (2, 3) and z.dtype == np.float64 and not z.data.any()
        assert not z.requires_grad and Tensor.ones(2, requires_grad=True).requires_grad
        assert np.array_equal(Tensor.ones(3).data, np.ones(3))
        tinygrad_edu.manual_seed(7)
        a = Tensor.randn(4, 2).data
        tinygrad_edu.manual_seed(7)
        assert np.array_equal(a, Tensor.randn(4, 2).data) and a.shape == (4, 2)

    def test_arithmetic_and_broadcasting(self):
        """"Arithmetic with NumPy broadcasting on either side (Tensor, ndarray, number):
        `+ - * / ** @` and unary `-`; `**` with a number or a Tensor exponent. Gradients of
        broadcast operands are summed back to the operand's own shape."""
        a = Tensor([[1.0, 2.0, 3.0]], requires_grad=True)   # (1, 3)
        b = Tensor([[1.0], [2.0]], requires_grad=True)      # (2, 1)
        arr = np.array([1.0, 2.0, 4.0])
        for out, expected in [(a + arr, [[2, 4, 7]]), (arr + a, [[2, 4, 7]]),
                              (a - 1, [[0, 1, 2]]), (1 - a, [[0, -1, -2]]),
                              (arr * a, [[1, 4, 12]]), (a / 2, [[.5, 1, 1.5]]),
                              (6 / a, [[6, 3, 2]]), (a ** 2, [[1, 4, 9]]),
                              (2 ** a, [[2, 4, 8]]), (-a, [[-1, -2, -3]]),
                              (a @ np.ones((3, 1)), [[6]]), (np.ones((2, 1)) @ a,
                                                              [[1, 2, 3], [1, 2, 3]])]:
            assert isinstance(out, Tensor), type(out)
            np.testing.assert_allclose(out.data, expected)
        assert isinstance(np.float64(2.0) * a, Tensor)  # a NumPy number on the left
        (a * b).sum().backward()
        assert a.grad.shape == (1, 3) and b.grad.shape == (2, 1)
        np.testing.assert_allclose(a.grad, [[3, 3, 3]])
        np.testing.assert_allclose(b.grad, [[6], [6]])
        base, exponent = Tensor([2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
        (base ** exponent).sum().backward()
        np.testing.assert_allclose(exponent.grad, [8 * math.log(2)])
        np.testing.assert_allclose(base.grad, [12.0])

    def test_elementwise(self):
        x = np.array([0.3, 1.7])
        for name, fn in [("exp", np.exp), ("log", np.log), ("tanh", np.tanh),
                         ("relu", lambda v: np.maximum(v, 0)),
                         ("sigmoid", lambda v: 1 / (1 + np.exp(-v))), ("sqrt", np.sqrt),
                         ("abs", np.abs), ("sin", np.sin), ("cos", np.cos)]:
            np.testing.assert_allclose(getattr(Tensor(x), name)().data, fn(x), err_msg=name)

    def test_reductions(self):
        """"`sum(axis=None, keepdims=False)`, `mean(...)`, `max(...)` (axis an int, a tuple or
        None, given by keyword). Ties in `max`: the gradient is split evenly between the tied
        elements. (§12: `max`'s positional argument is PyTorch's `dim`, see test_idioms.py.)"""
        for name in ["sum", "mean"]:
            assert_signature(getattr(Tensor, name), "axis=None, keepdims=False", method=True)
        assert_signature(Tensor.max, "dim=None, keepdim=False, *, axis=None, keepdims=False",
                         method=True)
        x = np.arange(24.0).reshape(2, 3, 4)
        t = Tensor(x)
        assert t.sum().data == x.sum()
        np.testing.assert_allclose(t.sum(axis=(0, 2)).data, x.sum(axis=(0, 2)))
        assert t.mean(axis=1, keepdims=True).shape == (2, 1, 4)
        np.testing.assert_allclose(t.max(axis=-1).data, x.max(axis=-1))
        tied = Tensor([1.0, 3.0, 3.0, 2.0], requires_grad=True)
        tied.max().backward()
        np.testing.assert_allclose(tied.grad, [0, 0.5, 0.5, 0])

    def test_shape_ops_and_indexing(self):
        """"Shape, as PyTorch: `reshape(*shape)`, `transpose(dim0, dim1)` (swaps two axes),
        `permute(*dims)`, `.T` (reverses the axes), `flatten(start_dim=0, end_dim=-1)`
        (out-of-range or reversed dims raise); `t[index]` with ints, slices, `None`, `...`,
        integer arrays and boolean masks (NumPy arrays or bool Tensors) ...; repeated indices
        accumulate their gradients. An index that is a floating-point Tensor or array raises
        `IndexError`."""
        assert_signature(Tensor.reshape, "*shape", method=True)
        assert_signature(Tensor.transpose, "dim0, dim1", method=True)
        assert_signature(Tensor.permute, "*dims", method=True)
        assert_signature(Tensor.flatten, "start_dim=0, end_dim=-1", method=True)
        t = Tensor(np.arange(24.0).reshape(2, 3, 4))
        assert t.reshape(6, 4).shape == (6, 4) and t.T.shape == (4, 3, 2)
        assert t.transpose(0, 1).shape == (3, 2, 4) and t.flatten().shape == (24,)
        assert t.permute(2, 0, 1).shape == (4, 2, 3) and t.flatten(1, 2).shape == (2, 12)
        with pytest.raises(IndexError):
            t.flatten(5)
        with pytest.raises(ValueError):
            t.flatten(1, 0)
        np.testing.assert_array_equal(Tensor([10.0, 20.0, 30.0])[Tensor([True, False, True])]
                                      .data, [10.0, 30.0])
        with pytest.raises(IndexError):
            t[Tensor([0.9])]
        assert t[1].shape == (3, 4) and t[:, 1:].shape == (2, 2, 4)
        assert t[None].shape == (1, 2, 3, 4) and t[..., 0].shape == (2, 3)
        x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
        x[np.array([0, 0, 2])].sum().backward()
        np.testing.assert_allclose(x.grad, [2, 0, 1])

    def test_softmax_is_stable(self):
        """"`softmax(axis=-1)`, `log_softmax(axis=-1)`: numerically stable (no overflow for
        logits of 1e4)."""
        assert_signature(Tensor.softmax, "axis=-1", method=True)
        assert_signature(Tensor.log_softmax, "axis=-1", method=True)
        logits = Tensor([[1e4, 0.0, -1e4]])
        np.testing.assert_allclose(logits.softmax().data, [[1, 0, 0]])
        np.testing.assert_allclose(logits.log_softmax().data, [[0, -1e4, -2e4]])

    def test_backward(self):
        """"`backward(grad=None)`: `grad` defaults to ones only when the tensor has one element;
        otherwise a `ValueError` says a gradient must be given. Accumulates into `.grad` ...;
        leaves keep their grads."""
        # §14's PyTorch form comes first; §2's grad= keeps working (as a keyword).
        assert_signature(Tensor.backward, "gradient=None, retain_graph=None, create_graph=False",
                         method=True)
        x = Tensor([1.0, 2.0], requires_grad=True)
        (x * 1).backward(grad=np.array([0.5, 0.5]))
        np.testing.assert_allclose(x.grad, [0.5, 0.5])
        x.grad = None
        with pytest.raises(ValueError, match="grad"):
            (x * 2).backward()
        (x * 2).backward(np.array([1.0, 10.0]))
        np.testing.assert_allclose(x.grad, [2, 20])
        (x * x).sum().backward()  # accumulates
        np.testing.assert_allclose(x.grad, [4, 24])
        (x.sum() * 1).reshape(1, 1).backward()  # one element, any shape: seeded with ones
        np.testing.assert_allclose(x.grad, [5, 25])

    def test_backward_is_iterative(self):
        """"Iterative": a chain deeper than Python's recursion limit back-propagates."""
        x = Tensor([1.0], requires_grad=True)
        y = x
        for _ in range(5 * sys.getrecursionlimit()):
            y = y * 1.0
        y.backward()
        np.testing.assert_array_equal(x.grad, [1.0])

    def test_no_reference_cycles(self):
        """"no reference cycles between a tensor and its backward closure (a training loop's
        memory stays flat with `gc.disable()`)": an output is freed by reference counting."""
        w = Tensor(np.ones((3, 3)), requires_grad=True)
        enabled = gc.isenabled()
        gc.disable()
        try:
            h = (w @ np.ones((3, 2))).relu()
            loss = (h * h).sum()
            loss.backward()
            refs = [weakref.ref(h), weakref.ref(loss)]
            del h, loss
            assert all(r() is None for r in refs)
        finally:
            if enabled:
                gc.enable()

    def test_detach_and_no_grad(self):
        """"`detach()`; `tinygrad_edu.no_grad()` context manager (nothing is recorded inside;
        works for Value and Tensor)"."""
        x = Tensor([1.0, 2.0], requires_grad=True)
        d = (x * 2).detach()
        assert not d.requires_grad and d.parents == () and d.op == ""
        with tinygrad_edu.no_grad():
            t = x * 2
            v = Value(2.0) * Value(3.0)
        assert not t.requires_grad and t.parents == ()
        assert v.parents == () and v.data == 6.0
        assert (x * 2).requires_grad  # recording resumes afterwards

    def test_rng_state(self, tmp_path):
        """"`tinygrad_edu.manual_seed(seed)`; `get_rng_state()` / `set_rng_state(state)` (a plain
        dict, savable with `tinygrad_edu.save`)."""
        tinygrad_edu.manual_seed(3)
        state = tinygrad_edu.get_rng_state()
        assert type(state) is dict
        first = Tensor.randn(5).data
        tinygrad_edu.save(state, tmp_path / "rng")
        Tensor.randn(5)
        tinygrad_edu.set_rng_state(tinygrad_edu.load(tmp_path / "rng"))
        assert np.array_equal(Tensor.randn(5).data, first)

    def test_detect_anomaly(self):
        """"`tinygrad_edu.detect_anomaly()` context manager: the first operation whose forward
        or backward produces a NaN or inf raises `FloatingPointError` naming that operation."""
        with tinygrad_edu.detect_anomaly(), np.errstate(all="ignore"):
            with pytest.raises(FloatingPointError, match="log"):
                Tensor([-1.0, 1.0]).log()
            x = Tensor([0.0, 4.0], requires_grad=True)
            y = x.sqrt()  # forward is finite; backward 1/(2·sqrt(0)) is inf
            with pytest.raises(FloatingPointError, match="sqrt"):
                y.sum().backward()
        with np.errstate(all="ignore"):
            assert np.isnan(Tensor([-1.0]).log().data[0])  # outside: no check

    def test_custom_function(self):
        """"`tinygrad_edu.Function`, as PyTorch's `torch.autograd.Function`: static
        `forward(ctx, *arrays, **kw) -> ndarray` and `backward(ctx, grad) -> ndarray | tuple`
        (one gradient per positional input, `None` for inputs without one);
        `ctx.save_for_backward(*arrays)` / `ctx.saved_tensors`; call with
        `MyOp.apply(*tensors)`."""

        class ScaledMul(tinygrad_edu.Function):
            @staticmethod
            def forward(ctx, a, b, scale=1.0):
                ctx.save_for_backward(a, b)
                ctx.scale = scale
                return scale * a * b

            @staticmethod
            def backward(ctx, grad):
                a, b = ctx.saved_tensors
                return ctx.scale * grad * b, None

        a = Tensor([1.0, 2.0], requires_grad=True)
        b = Tensor([3.0, 4.0], requires_grad=True)
        out = ScaledMul.apply(a, b, scale=2.0)
        assert isinstance(out, Tensor)
        np.testing.assert_allclose(out.data, [6, 16])
        out.sum().backward()
        np.testing.assert_allclose(a.grad, [6, 8])
        assert b.grad is None or not b.grad.any()


# =========================================================================== §3
class TestSection3Gradcheck:
    """§3: "`numerical_gradient(f, x, eps=1e-6) -> np.ndarray`: ... `x` is left unchanged
    afterwards. `numerical_jacobian(f, x, eps=1e-6)`: shape `f(x).shape + x.shape`.
    `numerical_hessian(f, x, eps=1e-4)`: symmetric matrix of a scalar function.
    `gradcheck(fn, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True) -> bool`"."""

    def test_signatures(self):
        from tinygrad_edu import gradcheck as gc_module
        assert_signature(gc_module.numerical_gradient, "f, x, eps=1e-6")
        assert_signature(gc_module.numerical_jacobian, "f, x, eps=1e-6")
        assert_signature(gc_module.numerical_hessian, "f, x, eps=1e-4")
        assert_signature(gc_module.gradcheck,
                         "fn, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True")
        assert issubclass(gc_module.GradcheckError, AssertionError)

    def test_numerical_derivatives(self):
        from tinygrad_edu.gradcheck import (numerical_gradient, numerical_hessian,
                                            numerical_jacobian)
        x = np.array([1.0, -2.0, 0.5])
        before = x.copy()
        g = numerical_gradient(lambda v: float((v ** 2).sum()), x)
        assert isinstance(g, np.ndarray)
        np.testing.assert_allclose(g, 2 * before, rtol=1e-6)
        assert np.array_equal(x, before)
        jac = numerical_jacobian(lambda v: np.outer(v, v), x)
        assert jac.shape == (3, 3, 3)
        np.testing.assert_allclose(jac[0, 1], [x[1], x[0], 0], atol=1e-6)
        h = numerical_hessian(lambda v: float(v[0] ** 2 * v[1]), np.array([1.5, 2.0]))
        np.testing.assert_allclose(h, [[4.0, 3.0], [3.0, 0.0]], atol=1e-4)
        assert np.array_equal(h, h.T)

    def test_gradcheck_passes_and_restores_grads(self):
        """"`inputs` are Tensors (those with `requires_grad` are checked) or Values; `fn`
        returns a Tensor of any shape or a Value. ... The inputs' `.grad` are restored."""
        from tinygrad_edu.gradcheck import gradcheck
        a = Tensor(np.array([[0.3, -1.2], [2.0, 0.7]]), requires_grad=True)
        a.grad = np.full((2, 2), 7.0)
        const = Tensor(np.array([1.0, 2.0]))
        assert gradcheck(lambda t, c: (t * c).tanh(), a, const) is True
        np.testing.assert_array_equal(a.grad, np.full((2, 2), 7.0))
        v = Value(0.4)
        v.grad = 5.0
        assert gradcheck(lambda u: u.sigmoid() * u, v) is True and v.grad == 5.0

    def test_failure_report(self):
        """"On failure raises `GradcheckError` (a subclass of `AssertionError`) whose message is
        a readable table of the worst mismatches, with columns labelled `input`, `index`,
        `analytic`, `numerical`, `abs err`, `rel err` (values to at least 4 significant
        digits); with `raise_exception=False` it returns False."""
        from tinygrad_edu.gradcheck import GradcheckError, gradcheck

        class BadSquare(tinygrad_edu.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return 3 * x * grad  # wrong: should be 2x

        x0 = 1.234567
        x = Tensor([x0], requires_grad=True)
        with pytest.raises(GradcheckError) as info:
            gradcheck(BadSquare.apply, x)
        message = str(info.value)
        for column in ["input", "index", "analytic", "numerical", "abs err", "rel err"]:
            assert column in message, message
        found = numbers_in(message)
        for expected in [3 * x0, 2 * x0, x0, 0.5]:  # analytic, numerical, abs err, rel err
            assert any(abs(f - expected) <= 5e-4 * abs(expected) for f in found), \
                (expected, message)
        assert gradcheck(BadSquare.apply, x, raise_exception=False) is False


# =========================================================================== §4
class TestSection4NN:
    """§4: "`Module`: `forward`, `__call__`, `parameters()` (each once, stable order),
    `named_parameters()`, `zero_grad()`, `train()`/`eval()`/`.training`, `state_dict()` (an
    ordered dict name -> copy of the array), `load_state_dict(d, strict=True)` (a
    missing/unexpected key or a shape mismatch raises `ValueError`/`KeyError` naming it and
    changes nothing)."
    """

    def test_signatures(self):
        from tinygrad_edu import nn
        # The contract's `d` is a placeholder name; PyTorch calls it `state_dict`.
        _, first, strict = inspect.signature(nn.Module.load_state_dict).parameters.values()
        assert first.kind == P.POSITIONAL_OR_KEYWORD and first.default is EMPTY
        assert (strict.name, strict.default) == ("strict", True)
        assert_signature(nn.Linear, "in_features, out_features, bias=True, dtype=None")
        assert_signature(nn.Sequential, "*modules")
        assert_signature(nn.MLP, 'sizes, activation="relu"')
        for act in [nn.ReLU, nn.Tanh, nn.Sigmoid]:
            assert_signature(act, "")

    def test_module_api(self):
        from tinygrad_edu import nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = nn.Linear(2, 3)
                self.b = nn.Linear(3, 1)

            def forward(self, x):
                return self.b(self.a(x).relu())

        net = Net()
        names = [n for n, _ in net.named_parameters()]
        assert names == ["a.weight", "a.bias", "b.weight", "b.bias"]
        assert [id(p) for p in net.parameters()] == [id(p) for _, p in net.named_parameters()]
        out = net(np.ones((4, 2)))
        assert isinstance(out, Tensor) and out.shape == (4, 1)
        out.sum().backward()
        assert all(p.grad is not None for p in net.parameters())
        net.zero_grad()
        assert all(p.grad is None or not p.grad.any() for p in net.parameters())
        assert net.training and net.a.training
        net.eval()
        assert not net.training and not net.a.training
        net.train()
        assert net.training and net.a.training

        shared = nn.Linear(2, 2)
        seq = nn.Sequential(shared, nn.ReLU(), shared)
        assert len(list(seq.parameters())) == 2  # each parameter once

    def test_state_dict(self):
        from tinygrad_edu import nn
        m = nn.MLP([2, 4, 3])
        sd = m.state_dict()
        assert isinstance(sd, OrderedDict)
        assert list(sd) == ["0.weight", "0.bias", "2.weight", "2.bias"]
        assert all(isinstance(v, np.ndarray) for v in sd.values())
        sd["0.weight"][...] = 123.0  # a copy: the model is unchanged
        assert not (m.state_dict()["0.weight"] == 123.0).any()

    @pytest.mark.parametrize("change, name", [
        (lambda d: d.pop("2.bias"), "2.bias"),
        (lambda d: d.__setitem__("9.weight", np.zeros(1)), "9.weight"),
        (lambda d: d.__setitem__("2.weight", np.zeros((4, 4))), "2.weight")])
    def test_load_state_dict_all_or_nothing(self, change, name):
        from tinygrad_edu import nn
        m = nn.MLP([2, 4, 3])
        before = m.state_dict()
        new = OrderedDict((k, v + 1.0) for k, v in before.items())
        change(new)
        with pytest.raises((ValueError, KeyError)) as info:
            m.load_state_dict(new)
        assert name in str(info.value)
        for k, v in m.state_dict().items():
            assert np.array_equal(v, before[k]), k
        good = OrderedDict((k, v + 1.0) for k, v in before.items())
        m.load_state_dict(good)
        assert np.array_equal(m.state_dict()["2.bias"], before["2.bias"] + 1.0)

    def test_inputs_may_be_arrays_and_numbers(self):
        """"Modules and `nn.functional` accept Tensors, NumPy arrays and numbers (the latter
        become Tensors without grad)."""
        from tinygrad_edu import nn
        from tinygrad_edu.nn import functional as F
        lin = nn.Linear(1, 1)
        for x in [np.array([[2.0]]), Tensor([[2.0]])]:
            assert isinstance(lin(x), Tensor)
        assert isinstance(nn.ReLU()(3.0), Tensor) and nn.ReLU()(-3).item() == 0.0
        assert F.tanh(0.0).item() == 0.0 and F.sigmoid(np.zeros(2)).shape == (2,)
        assert F.mse_loss(3.0, np.array(1.0)).item() == 4.0

    def test_linear(self):
        """"`Linear(in_features, out_features, bias=True, dtype=None)` (dtype None = the default
        dtype): `weight` shape `(out, in)`, `bias` `(out,)`, y = x @ W.T + b, both initialised
        U(-1/sqrt(in), 1/sqrt(in)) from the library's seeded generator"."""
        from tinygrad_edu import nn
        tinygrad_edu.manual_seed(11)
        lin = nn.Linear(16, 200)
        assert lin.weight.shape == (200, 16) and lin.bias.shape == (200,)
        assert lin.weight.dtype == np.float64 and lin.weight.requires_grad
        bound = 1 / math.sqrt(16)
        for p in [lin.weight.data, lin.bias.data]:
            assert np.abs(p).max() <= bound and np.abs(p).max() > 0.9 * bound
        x = np.random.default_rng(0).standard_normal((5, 16))
        np.testing.assert_allclose(lin(x).data, x @ lin.weight.data.T + lin.bias.data)
        tinygrad_edu.manual_seed(11)
        assert np.array_equal(nn.Linear(16, 200).weight.data, lin.weight.data)
        assert nn.Linear(2, 2, dtype=np.float32).weight.dtype == np.float32
        assert [n for n, _ in nn.Linear(2, 3, bias=False).named_parameters()] == ["weight"]

    def test_mlp_layout(self):
        """"`MLP(sizes, activation="relu")` builds `Linear(sizes[0], sizes[1]), act, ...,
        Linear(...)` as a Sequential, so its `state_dict` keys (`"0.weight"`, `"0.bias"`,
        `"2.weight"`, ...) equal those of the same `torch.nn.Sequential`"."""
        from tinygrad_edu import nn
        m = nn.MLP([3, 5, 4, 2], activation="tanh")
        assert isinstance(m, nn.Sequential)
        assert list(m.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias",
                                        "4.weight", "4.bias"]
        x = np.random.default_rng(1).standard_normal((2, 3))
        sd = m.state_dict()
        h = np.tanh(x @ sd["0.weight"].T + sd["0.bias"])
        h = np.tanh(h @ sd["2.weight"].T + sd["2.bias"])
        np.testing.assert_allclose(m(x).data, h @ sd["4.weight"].T + sd["4.bias"])
        relu = nn.MLP([3, 2, 1])
        relu.load_state_dict(OrderedDict([("0.weight", np.array([[1.0, 0, 0], [-1.0, 0, 0]])),
                                          ("0.bias", np.zeros(2)),
                                          ("2.weight", np.array([[1.0, 1.0]])),
                                          ("2.bias", np.array([-5.0]))]))
        assert relu(np.array([[2.0, 0, 0]])).item() == pytest.approx(-3.0)

    def test_functional(self):
        """"`tinygrad_edu.nn.functional`: `relu tanh sigmoid softmax log_softmax linear`,
        `mse_loss(input, target, reduction="mean")`, `cross_entropy(input, target,
        reduction="mean")` (... a float target is refused with a message, unless it is class
        probabilities of the input's shape, as PyTorch), `binary_cross_entropy(input, target,
        reduction="mean")` (input: probabilities; targets outside [0, 1] raise),
        `binary_cross_entropy_with_logits(input, target, reduction="mean")`; reductions
        `"mean" | "sum" | "none"` (keyword); first argument named `input`, as PyTorch"."""
        from tinygrad_edu.nn import functional as F
        for name in ["relu", "tanh", "sigmoid", "softmax", "log_softmax", "linear"]:
            assert callable(getattr(F, name))
        assert_signature(F.mse_loss, 'input, target, reduction="mean"')
        # §14: PyTorch's order, weight third (reduction stays a keyword, as §4 says)
        assert_signature(F.cross_entropy, 'input, target, weight=None, size_average=None, '
                                          'ignore_index=-100, reduce=None, reduction="mean"')
        assert_signature(F.binary_cross_entropy, 'input, target, reduction="mean"')
        assert_signature(F.binary_cross_entropy_with_logits, 'input, target, reduction="mean"')
        with pytest.raises(ValueError):
            F.cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))     # float class indices
        soft = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
        assert F.cross_entropy(np.zeros((2, 3)), soft).item() == pytest.approx(np.log(3))
        with pytest.raises(ValueError):
            F.binary_cross_entropy(np.array([0.5]), np.array([2.0]))

        logits = np.array([[2.0, 0.5, -1.0], [0.0, 1.0, 3.0]])
        target = np.array([0, 2])
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        per = -log_p[[0, 1], target]
        for t in [target, Tensor(target)]:
            assert F.cross_entropy(logits, t).item() == pytest.approx(per.mean())
        assert F.cross_entropy(logits, target, reduction="sum").item() == pytest.approx(
            per.sum())
        np.testing.assert_allclose(F.cross_entropy(logits, target, reduction="none").data, per)
        np.testing.assert_allclose(F.log_softmax(logits, dim=1).data, log_p)
        np.testing.assert_allclose(F.softmax(logits, dim=1).data, np.exp(log_p))

        p, y = np.array([0.9, 0.2]), np.array([1.0, 0.0])
        bce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
        assert F.binary_cross_entropy(p, y).item() == pytest.approx(bce.mean())
        z = np.array([2.0, -1.0])
        bce_z = -(y * np.log(1 / (1 + np.exp(-z))) + (1 - y) * np.log(1 - 1 / (1 + np.exp(-z))))
        np.testing.assert_allclose(
            F.binary_cross_entropy_with_logits(z, y, reduction="none").data, bce_z)
        np.testing.assert_allclose(
            F.mse_loss(np.array([1.0, 4.0]), np.array([0.0, 0.0]), reduction="sum").item(), 17)
        w, b = np.array([[1.0, 2.0]]), np.array([0.5])
        np.testing.assert_allclose(F.linear(np.array([[1.0, 1.0]]), w, b).data, [[3.5]])


# =========================================================================== §5
OPTIMIZER_SIGNATURES = {
    "SGD": "params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, "
           "maximize=False",
    "Adagrad": "params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, "
               "eps=1e-10, *, maximize=False",
    "RMSprop": "params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, "
               "centered=False, *, maximize=False",
    "Adadelta": "params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *, maximize=False",
    "Adam": "params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *, "
            "maximize=False",
    "AdamW": "params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, "
             "*, maximize=False",
    "Adamax": "params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, *, "
              "maximize=False",
    "NAdam": "params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, "
             "momentum_decay=4e-3, decoupled_weight_decay=False",
    "RAdam": "params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, "
             "decoupled_weight_decay=False",
    "AdaBelief": "params, lr=1e-3, betas=(0.9, 0.999), eps=1e-16, weight_decay=0, "
                 "decoupled_weight_decay=True",
    "Lion": "params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0",
}

# Per-parameter state keys after one step (PyTorch's names), for the given options.
STATE_KEYS = [
    ("SGD", {"lr": 0.1, "momentum": 0.9}, {"momentum_buffer"}),
    ("Adagrad", {}, {"step", "sum"}),
    ("RMSprop", {"momentum": 0.9, "centered": True},
     {"step", "square_avg", "momentum_buffer", "grad_avg"}),
    ("Adadelta", {}, {"step", "square_avg", "acc_delta"}),
    ("Adam", {"amsgrad": True}, {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}),
    ("AdamW", {}, {"step", "exp_avg", "exp_avg_sq"}),
    ("Adamax", {}, {"step", "exp_avg", "exp_inf"}),
    ("NAdam", {}, {"step", "mu_product", "exp_avg", "exp_avg_sq"}),
    ("RAdam", {}, {"step", "exp_avg", "exp_avg_sq"}),
    ("AdaBelief", {}, {"step", "exp_avg", "exp_avg_var"}),
    ("Lion", {}, {"exp_avg"}),
]


def _quadratic_grad(p):
    """Set p.grad to the gradient of sum(p²) (2p) by autograd."""
    p.grad = None
    (p * p).sum().backward()


class TestSection5Optim:
    """§5: "Classes, signatures, defaults and update rules as PyTorch: `SGD(params, lr=1e-3,
    momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False)`, ..."
    """

    @pytest.mark.parametrize("name", sorted(OPTIMIZER_SIGNATURES))
    def test_signature(self, name):
        from tinygrad_edu import optim
        assert_signature(getattr(optim, name), OPTIMIZER_SIGNATURES[name])

    def test_base_signatures(self):
        """"`Optimizer` base: `param_groups` ..., `state` (dict keyed by parameter),
        `zero_grad(set_to_none=True)` ..., `step(closure=None)` (returns the closure's loss),
        `add_param_group(group)`, `state_dict()` / `load_state_dict(sd)`."""
        from tinygrad_edu.optim import Optimizer
        assert_signature(Optimizer.zero_grad, "set_to_none=True", method=True)
        assert_signature(Optimizer.step, "closure=None", method=True)
        assert len(inspect.signature(Optimizer.add_param_group).parameters) == 2
        assert len(inspect.signature(Optimizer.load_state_dict).parameters) == 2
        assert_signature(Optimizer.state_dict, "", method=True)

    @pytest.mark.parametrize("name, options, keys", STATE_KEYS)
    def test_state_and_state_dict(self, name, options, keys):
        """"`state_dict()` has PyTorch's shape: `{"state": {index: {...}}, "param_groups":
        [{..., "params": [indices]}]}`, per-parameter state keys named as PyTorch's ..., arrays
        as `np.ndarray`, `step` a number."""
        from tinygrad_edu import optim
        w = Tensor([1.0, -2.0], requires_grad=True)
        v = Value(0.5)
        opt = getattr(optim, name)([w, v], **options)
        group = opt.param_groups[0]
        defaults = {k: p.default for k, p in inspect.signature(type(opt)).parameters.items()
                    if k != "params"}
        assert set(defaults) <= set(group) and group["params"] == [w, v]
        _quadratic_grad(w)
        v.grad = 1.0
        opt.step()
        assert set(opt.state[w]) == keys and set(opt.state[v]) == keys
        sd = opt.state_dict()
        assert set(sd) == {"state", "param_groups"}
        assert set(sd["state"]) == {0, 1} and sd["param_groups"][0]["params"] == [0, 1]
        for k, value in sd["state"][0].items():
            if k in ("step", "mu_product"):  # scalars (0-d tensors in PyTorch)
                assert isinstance(value, (int, float, np.number)), value
            else:
                assert isinstance(value, np.ndarray) and value.shape == (2,), (k, value)

    def test_update_rules_first_step(self):
        """Update rules as PyTorch / the authors: first steps worked out by hand."""
        from tinygrad_edu import optim
        g = np.array([0.5, -2.0])

        def one_step(cls, **kw):
            p = Tensor([1.0, 1.0], requires_grad=True)
            p.grad = g.copy()
            cls([p], **kw).step()
            return p.data

        np.testing.assert_allclose(one_step(optim.SGD, lr=0.1), 1 - 0.1 * g)
        np.testing.assert_allclose(one_step(optim.SGD, lr=0.1, maximize=True), 1 + 0.1 * g)
        np.testing.assert_allclose(one_step(optim.SGD, lr=0.1, weight_decay=0.5),
                                   1 - 0.1 * (g + 0.5))
        # Adam: m̂ = g, v̂ = g² after one step, so p -= lr·g/(|g| + eps).
        np.testing.assert_allclose(one_step(optim.Adam, lr=0.1), 1 - 0.1 * g / (abs(g) + 1e-8))
        np.testing.assert_allclose(one_step(optim.AdamW, lr=0.1),
                                   (1 - 0.1 * 1e-2) - 0.1 * g / (abs(g) + 1e-8))
        # Adagrad: sum = g², p -= lr·g/(|g| + eps).
        np.testing.assert_allclose(one_step(optim.Adagrad, lr=0.1),
                                   1 - 0.1 * g / (abs(g) + 1e-10))
        # RMSprop: v = (1-α)g², p -= lr·g/(√v + eps).
        np.testing.assert_allclose(one_step(optim.RMSprop, lr=0.01),
                                   1 - 0.01 * g / (np.sqrt(0.01 * g * g) + 1e-8))
        # Adamax: u = max(0, |g| + eps), p -= lr/(1-β1)·(1-β1)g/u.
        np.testing.assert_allclose(one_step(optim.Adamax, lr=0.1), 1 - 0.1 * g / (abs(g) + 1e-8))
        # Lion: p -= lr·sign((1-β1)·g).
        np.testing.assert_allclose(one_step(optim.Lion, lr=0.1), 1 - 0.1 * np.sign(g))
        # AdaBelief (contract formula): m = (1-β1)g; s = (1-β2)(g-m)² + eps;
        # p -= lr/(1-β1^t) · m / (√s/√(1-β2^t) + eps).
        m = 0.1 * g
        s = 0.001 * (g - m) ** 2 + 1e-16
        np.testing.assert_allclose(one_step(optim.AdaBelief, lr=0.1),
                                   1 - 0.1 / 0.1 * m / (np.sqrt(s) / np.sqrt(0.001) + 1e-16))

    def test_zero_grad_step_closure_add_group(self):
        from tinygrad_edu import optim
        w = Tensor([1.0, 2.0], requires_grad=True)
        v = Value(1.0)
        opt = optim.SGD([w, v], lr=0.1)
        _quadratic_grad(w)
        v.grad = 3.0
        opt.zero_grad()
        assert w.grad is None and v.grad == 0.0
        _quadratic_grad(w)
        opt.zero_grad(set_to_none=False)
        assert np.array_equal(w.grad, np.zeros(2)) and v.grad == 0.0

        def closure():
            opt.zero_grad()
            _quadratic_grad(w)
            return 42.0
        assert opt.step(closure) == 42.0
        np.testing.assert_allclose(w.data, [0.8, 1.6])
        assert opt.step() is None

        u = Tensor([5.0], requires_grad=True)
        opt.add_param_group({"params": [u], "lr": 0.5})
        assert len(opt.param_groups) == 2 and opt.param_groups[1]["momentum"] == 0
        assert opt.param_groups[1]["lr"] == 0.5
        u.grad = np.array([1.0])
        w.grad = None  # grad None: skipped
        before = w.data.copy()
        opt.step()
        np.testing.assert_allclose(u.data, [4.5])
        assert np.array_equal(w.data, before)

    def test_load_state_dict_copies_and_validates(self):
        """"`load_state_dict` copies; a state dict whose groups, parameter counts or shapes do
        not fit raises `ValueError` and leaves the optimizer as it was."""
        from tinygrad_edu import optim
        w = Tensor([1.0, 2.0], requires_grad=True)
        opt = optim.Adam([w], lr=0.1)
        _quadratic_grad(w)
        opt.step()
        sd = opt.state_dict()
        other = optim.Adam([Tensor([0.0, 0.0], requires_grad=True)], lr=0.5)
        target = other.param_groups[0]["params"][0]
        other.load_state_dict(sd)
        assert other.param_groups[0]["lr"] == 0.1
        sd["state"][0]["exp_avg"][...] = 99.0
        assert not (other.state[target]["exp_avg"] == 99.0).any()

        wrong = optim.Adam([Tensor([0.0, 0.0, 0.0], requires_grad=True)], lr=0.5)
        for bad in [wrong, optim.Adam([Tensor([0.0]), Tensor([0.0])], lr=0.5)]:
            before = bad.state_dict()
            with pytest.raises(ValueError):
                bad.load_state_dict(opt.state_dict())
            assert bad.state_dict()["param_groups"] == before["param_groups"]
            assert bad.state_dict()["state"] == before["state"]

    @pytest.mark.parametrize("make", [
        lambda o, p: o.SGD(p, lr=-0.1), lambda o, p: o.Adam(p, eps=-1e-8),
        lambda o, p: o.Adam(p, weight_decay=-1), lambda o, p: o.SGD(p, momentum=-0.5),
        lambda o, p: o.Adam(p, betas=(1.0, 0.999)), lambda o, p: o.Adam(p, betas=(0.9, -0.1)),
        lambda o, p: o.SGD(p, nesterov=True), lambda o, p: o.SGD(p, momentum=0.9, dampening=0.1,
                                                                   nesterov=True),
        lambda o, p: o.SGD(p + p), lambda o, p: o.Adam([])])
    def test_bad_hyper_parameters(self, make):
        """"Bad hyper-parameters (negative lr, eps, weight_decay or momentum; betas outside
        [0, 1); nesterov without momentum or with dampening; a parameter given twice; an empty
        parameter list) raise `ValueError` at construction."""
        from tinygrad_edu import optim
        with pytest.raises(ValueError):
            make(optim, [Tensor([1.0], requires_grad=True)])

    @pytest.mark.parametrize("name", sorted(OPTIMIZER_SIGNATURES))
    def test_every_optimizer_validates(self, name):
        from tinygrad_edu import optim
        cls = getattr(optim, name)
        p = [Tensor([1.0], requires_grad=True)]
        with pytest.raises(ValueError):
            cls(p, lr=-1.0)
        with pytest.raises(ValueError):
            cls([])
        if "betas" in inspect.signature(cls).parameters:
            with pytest.raises(ValueError):
                cls(p, betas=(0.9, 1.0))

    def test_param_group_dicts(self):
        """"Every optimizer takes an iterable of parameters or of param-group dicts"."""
        from tinygrad_edu import optim
        a, b = Tensor([1.0], requires_grad=True), Value(1.0)
        opt = optim.SGD(iter([{"params": [a]}, {"params": [b], "lr": 0.5}]), lr=0.1)
        a.grad, b.grad = np.array([1.0]), 1.0
        opt.step()
        assert a.data[0] == pytest.approx(0.9) and b.data == pytest.approx(0.5)


# =========================================================================== §6
SCHEDULER_SIGNATURES = {  # PyTorch 2.x's
    "LRScheduler": "optimizer, last_epoch=-1",
    "LambdaLR": "optimizer, lr_lambda, last_epoch=-1",
    "StepLR": "optimizer, step_size, gamma=0.1, last_epoch=-1",
    "MultiStepLR": "optimizer, milestones, gamma=0.1, last_epoch=-1",
    "ExponentialLR": "optimizer, gamma, last_epoch=-1",
    "CosineAnnealingLR": "optimizer, T_max, eta_min=0.0, last_epoch=-1",
    "LinearLR": "optimizer, start_factor=1.0/3, end_factor=1.0, total_iters=5, last_epoch=-1",
    "OneCycleLR": "optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, "
                  "pct_start=0.3, anneal_strategy='cos', cycle_momentum=True, "
                  "base_momentum=0.85, max_momentum=0.95, div_factor=25.0, "
                  "final_div_factor=1e4, three_phase=False, last_epoch=-1",
    "SequentialLR": "optimizer, schedulers, milestones, last_epoch=-1",
    "ReduceLROnPlateau": "optimizer, mode='min', factor=0.1, patience=10, threshold=1e-4, "
                         "threshold_mode='rel', cooldown=0, min_lr=0, eps=1e-8",
}


class TestSection6Schedules:
    """§6: "As PyTorch (same names, arguments, defaults, `last_epoch`, and the learning rates
    they produce ...): `LRScheduler` base with `step()`, `get_last_lr()`, `state_dict()`,
    `load_state_dict()`; `LambdaLR`, `StepLR`, ..., `ReduceLROnPlateau`."
    "`lr_range_test(model, optimizer, loss_fn, loader, start_lr=1e-7, end_lr=10, num_iter=100)`
    -> object with `lrs`, `losses` and `suggestion`"."""

    @pytest.mark.parametrize("name", sorted(SCHEDULER_SIGNATURES))
    def test_signature(self, name):
        from tinygrad_edu.optim import lr_scheduler
        assert_signature(getattr(lr_scheduler, name), SCHEDULER_SIGNATURES[name])

    def test_base_methods_and_step_lr(self):
        from tinygrad_edu import optim
        from tinygrad_edu.optim import lr_scheduler
        for method in ["step", "get_last_lr", "state_dict", "load_state_dict"]:
            assert callable(getattr(lr_scheduler.LRScheduler, method))
        opt = optim.SGD([Tensor([1.0], requires_grad=True)], lr=1.0)
        sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
        assert sched.last_epoch == 0 and sched.get_last_lr() == [1.0]
        seen = []
        for _ in range(5):
            opt.step()
            sched.step()
            seen.append(sched.get_last_lr()[0])
        np.testing.assert_allclose(seen, [1.0, 0.1, 0.1, 0.01, 0.01])
        assert opt.param_groups[0]["lr"] == seen[-1] and sched.last_epoch == 5
        fresh = lr_scheduler.StepLR(optim.SGD([Tensor([1.0], requires_grad=True)], lr=1.0),
                                    step_size=2, gamma=0.1)
        fresh.load_state_dict(sched.state_dict())
        assert fresh.last_epoch == 5

    def test_reduce_on_plateau(self):
        """`ReduceLROnPlateau.step(metric)`: patience=0 reduces on the first non-improvement."""
        from tinygrad_edu import optim
        from tinygrad_edu.optim.lr_scheduler import ReduceLROnPlateau
        opt = optim.SGD([Tensor([1.0], requires_grad=True)], lr=1.0)
        sched = ReduceLROnPlateau(opt, factor=0.5, patience=0)
        sched.step(1.0)
        assert opt.param_groups[0]["lr"] == 1.0
        sched.step(2.0)
        assert opt.param_groups[0]["lr"] == 0.5

    def test_lr_range_test(self):
        from tinygrad_edu import nn, optim
        from tinygrad_edu.nn import functional as F
        assert_signature(optim.lr_range_test, "model, optimizer, loss_fn, loader, "
                                              "start_lr=1e-7, end_lr=10, num_iter=100")
        rng = np.random.default_rng(0)
        X = rng.standard_normal((32, 2))
        y = X @ np.array([1.0, -2.0])
        loader = [(X[i:i + 8], y[i:i + 8, None]) for i in range(0, 32, 8)]
        model = nn.Linear(2, 1)
        opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        F.mse_loss(model(X), y[:, None]).backward()
        opt.step()  # some momentum state to restore
        opt_state = opt.state_dict()
        weights = model.state_dict()
        seen_targets = []

        def loss_fn(pred, target):
            seen_targets.append(np.asarray(target))
            return F.mse_loss(pred, target)

        result = optim.lr_range_test(model, opt, loss_fn, loader, start_lr=1e-4, end_lr=1e4,
                                     num_iter=60)
        lrs = np.array(result.lrs)
        assert lrs[0] == pytest.approx(1e-4) and len(result.losses) == len(lrs)
        ratios = lrs[1:] / lrs[:-1]
        np.testing.assert_allclose(ratios, (1e4 / 1e-4) ** (1 / 59))  # exponential growth
        assert len(lrs) < 60  # diverges long before lr = 1e4: stops early
        assert result.suggestion is None or lrs.min() <= result.suggestion <= lrs.max()
        assert np.array_equal(seen_targets[0], y[:8, None])
        for k, v in model.state_dict().items():
            assert np.array_equal(v, weights[k]), k
        assert opt.param_groups[0]["lr"] == 0.05
        after = opt.state_dict()
        assert after["param_groups"] == opt_state["param_groups"]
        for i, entry in opt_state["state"].items():
            assert np.array_equal(after["state"][i]["momentum_buffer"],
                                  entry["momentum_buffer"])


# =========================================================================== §7
class TestSection7Data:
    """§7: "`TensorDataset(*arrays)` (equal first dimensions, else `ValueError`);
    `DataLoader(dataset, batch_size=1, shuffle=False, drop_last=False, seed=None)`: yields
    tuples of numpy arrays; each epoch visits every sample once; `len(loader)` is the number of
    batches; with `shuffle=True` the order changes each epoch and is reproducible from `seed`;
    with `seed=None` each epoch's order is drawn from the library's global generator at the
    moment iteration of that epoch starts (so `manual_seed` / `set_rng_state` reproduce it)."
    "`make_moons(n_samples=100, noise=0.1, seed=None)`, ... Each returns `(X, y)` with `X`
    float64 `(n, d)` and `y` `(n,)`."""

    def test_signatures(self):
        from tinygrad_edu import data
        assert_signature(data.TensorDataset, "*arrays")
        assert_signature(data.DataLoader,
                         "dataset, batch_size=1, shuffle=False, drop_last=False, seed=None")
        assert_signature(data.make_moons, "n_samples=100, noise=0.1, seed=None")
        assert_signature(data.make_spirals, "n_samples=300, n_classes=3, noise=0.2, seed=None")
        assert_signature(data.make_blobs, "n_samples=300, centers=3, std=1.0, seed=None")
        assert_signature(data.make_linear_regression,
                         "n_samples=100, n_features=1, noise=0.1, seed=None")

    def test_tensor_dataset_and_loader(self):
        from tinygrad_edu.data import DataLoader, TensorDataset
        with pytest.raises(ValueError):
            TensorDataset(np.zeros((3, 2)), np.zeros(4))
        X = np.arange(20.0).reshape(10, 2)
        y = np.arange(10)
        ds = TensorDataset(X, y)
        assert len(ds) == 10
        loader = DataLoader(ds, batch_size=4)
        assert len(loader) == 3 and len(DataLoader(ds, batch_size=4, drop_last=True)) == 2
        assert len(DataLoader(ds)) == 10
        batches = list(loader)
        assert all(type(b) is tuple and len(b) == 2 for b in batches)
        assert all(isinstance(a, np.ndarray) for b in batches for a in b)
        assert [len(b[1]) for b in batches] == [4, 4, 2]
        assert np.array_equal(np.concatenate([b[1] for b in batches]), y)  # in order
        assert np.array_equal(np.concatenate([b[0] for b in batches]), X)
        assert [len(b[1]) for b in DataLoader(ds, batch_size=4, drop_last=True)] == [4, 4]

    @staticmethod
    def epoch_order(loader):
        return np.concatenate([b[1] for b in loader])

    def test_shuffle_seeded(self):
        from tinygrad_edu.data import DataLoader, TensorDataset
        ds = TensorDataset(np.zeros((30, 1)), np.arange(30))
        loader = DataLoader(ds, batch_size=7, shuffle=True, seed=5)
        e1, e2 = self.epoch_order(loader), self.epoch_order(loader)
        assert sorted(e1) == list(range(30)) and sorted(e2) == list(range(30))
        assert not np.array_equal(e1, e2)  # changes each epoch
        again = DataLoader(ds, batch_size=7, shuffle=True, seed=5)
        assert np.array_equal(self.epoch_order(again), e1)
        assert np.array_equal(self.epoch_order(again), e2)

    def test_shuffle_global_generator(self):
        from tinygrad_edu.data import DataLoader, TensorDataset
        ds = TensorDataset(np.zeros((30, 1)), np.arange(30))
        loader = DataLoader(ds, batch_size=30, shuffle=True)
        tinygrad_edu.manual_seed(1)
        first = self.epoch_order(loader)
        tinygrad_edu.manual_seed(1)  # seeding after construction, before iteration, counts
        assert np.array_equal(self.epoch_order(loader), first)
        state = tinygrad_edu.get_rng_state()
        second = self.epoch_order(loader)
        tinygrad_edu.set_rng_state(state)
        assert np.array_equal(self.epoch_order(loader), second)

    @pytest.mark.parametrize("name, kwargs, n, d, classes", [
        ("make_moons", {}, 100, 2, 2), ("make_spirals", {}, 300, 2, 3),
        ("make_spirals", {"n_samples": 60, "n_classes": 4}, 60, 2, 4),
        ("make_blobs", {}, 300, 2, 3), ("make_blobs", {"n_samples": 50, "centers": 5}, 50, 2, 5)])
    def test_classification_sets(self, name, kwargs, n, d, classes):
        from tinygrad_edu import data
        X, y = getattr(data, name)(seed=0, **kwargs)
        assert X.dtype == np.float64 and X.shape == (n, d) and y.shape == (n,)
        assert set(np.unique(y)) == set(range(classes))
        X2, y2 = getattr(data, name)(seed=0, **kwargs)
        assert np.array_equal(X, X2) and np.array_equal(y, y2)
        tinygrad_edu.manual_seed(4)
        a = getattr(data, name)(**kwargs)[0]
        tinygrad_edu.manual_seed(4)
        assert np.array_equal(a, getattr(data, name)(**kwargs)[0])

    def test_linear_regression(self):
        from tinygrad_edu import data
        X, y, coef = data.make_linear_regression(20, n_features=3, noise=0.0, seed=0)
        assert X.dtype == np.float64 and X.shape == (20, 3) and y.shape == (20,)
        w, b = coef
        np.testing.assert_allclose(y, X @ w + b)


# =========================================================================== §8
class TestSection8Landscapes:
    """§8: "`LANDSCAPES`: dict name -> landscape, with at least `"saddle"` (x² − y², start
    (2, 0.001)), `"ill_conditioned"` (x²/20 + y², start (−7, 2)), `"rosenbrock"` (start
    (−1.5, 2)), `"beale"`, `"himmelblau"`, `"rastrigin"` — the standard definitions ... A
    landscape is callable `f(x, y)` on floats, Values or Tensors ... and has `.name`, `.start`,
    `.minima` (list of (x, y)), `.bounds` ((xmin, xmax), (ymin, ymax))."
    "`run_optimizer(landscape, make_optimizer, steps=100, start=None) -> np.ndarray`"."""

    FORMULAS = {
        "saddle": lambda x, y: x ** 2 - y ** 2,
        "ill_conditioned": lambda x, y: x ** 2 / 20 + y ** 2,
        "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2,
        "beale": lambda x, y: ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2
                               + (2.625 - x + x * y ** 3) ** 2),
        "himmelblau": lambda x, y: (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2,
        "rastrigin": lambda x, y: (20 + x ** 2 - 10 * math.cos(2 * math.pi * x)
                                   + y ** 2 - 10 * math.cos(2 * math.pi * y)),
    }

    def test_keys_starts_formulas(self):
        from tinygrad_edu.landscapes import LANDSCAPES
        assert set(self.FORMULAS) <= set(LANDSCAPES)
        assert LANDSCAPES["saddle"].start == pytest.approx((2, 0.001))
        assert LANDSCAPES["ill_conditioned"].start == pytest.approx((-7, 2))
        assert LANDSCAPES["rosenbrock"].start == pytest.approx((-1.5, 2))
        for name, formula in self.FORMULAS.items():
            f = LANDSCAPES[name]
            assert f.name == name
            for x, y in [(0.3, -1.2), (-1.7, 0.6), (2.0, 1.5)]:
                assert f(x, y) == pytest.approx(formula(x, y), rel=1e-12), name
            assert all(f(*m) == pytest.approx(0, abs=1e-9) for m in f.minima), name
            (xmin, xmax), (ymin, ymax) = f.bounds
            assert xmin < xmax and ymin < ymax
            assert type(f.minima) is list and len(f.start) == 2
        assert len(LANDSCAPES["himmelblau"].minima) == 4

    def test_values_and_tensors(self):
        from tinygrad_edu.landscapes import LANDSCAPES
        f = LANDSCAPES["rosenbrock"]
        x, y = Value(-1.5), Value(2.0)
        f(x, y).backward()
        expected = (-2 * (1 + 1.5) - 400 * -1.5 * (2 - 2.25), 200 * (2 - 2.25))
        assert (x.grad, y.grad) == pytest.approx(expected)
        tx, ty = Tensor(-1.5, requires_grad=True), Tensor(2.0, requires_grad=True)
        f(tx, ty).backward()
        assert (float(tx.grad), float(ty.grad)) == pytest.approx(expected)

    def test_run_optimizer(self):
        """"returns the trajectory, shape `(steps + 1, 2)`, row 0 the start, stopping early
        (remaining rows filled with NaN) only if the point or its gradient becomes
        non-finite"."""
        from tinygrad_edu import optim
        from tinygrad_edu.landscapes import LANDSCAPES, run_optimizer
        assert_signature(run_optimizer, "landscape, make_optimizer, steps=100, start=None")
        saddle = LANDSCAPES["saddle"]
        path = run_optimizer(saddle, lambda p: optim.SGD(p, lr=0.1), steps=5)
        assert isinstance(path, np.ndarray) and path.shape == (6, 2)
        assert tuple(path[0]) == pytest.approx(saddle.start)
        # x ← x − 0.1·2x, y ← y + 0.1·2y
        np.testing.assert_allclose(path[1], [2 * 0.8, 0.001 * 1.2])
        own = run_optimizer(saddle, lambda p: optim.SGD(p, lr=0.1), steps=3, start=(1.0, 1.0))
        np.testing.assert_allclose(own[:, 0], 0.8 ** np.arange(4))
        blown = run_optimizer(LANDSCAPES["rosenbrock"], lambda p: optim.SGD(p, lr=1.0),
                              steps=50)
        assert blown.shape == (51, 2) and np.isnan(blown[-1]).all()
        first_nan = np.argmax(np.isnan(blown[:, 0]))
        assert first_nan > 0 and np.isnan(blown[first_nan:]).all()
        assert np.isfinite(blown[:first_nan]).all()


# =========================================================================== §9
class TestSection9Serialization:
    """§9: "`load` returns an equal structure (arrays equal bit for bit, dtypes kept). The file
    is written exactly at `path` (no suffix added) and is a NumPy `.npz` that `np.load(path,
    allow_pickle=False)` opens ... A file that is not such a checkpoint (truncated, a pickle,
    random bytes, a foreign npz) raises `tinygrad_edu.CheckpointError` (a `ValueError`).
    Atomic: ... a failed save ... leaves the earlier file at `path` untouched, with no temporary
    file left behind."""

    OBJ = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), 3: [1, 2.5, True, None, "s"],
           "t": (np.array([1, 2], dtype=np.int64), {"nested": np.array([np.nan, -0.0])}),
           "b": False, "h": np.array([1.5], dtype=np.float16), "e": {}}

    @staticmethod
    def same(a, b):
        assert type(a) is type(b), (a, b)
        if isinstance(a, dict):
            assert list(a) == list(b)
            for k in a:
                TestSection9Serialization.same(a[k], b[k])
        elif isinstance(a, (list, tuple)):
            assert len(a) == len(b)
            for x, y in zip(a, b):
                TestSection9Serialization.same(x, y)
        elif isinstance(a, np.ndarray):
            assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
        else:
            assert a == b

    def test_round_trip_exact_path_npz(self, tmp_path):
        assert_signature(tinygrad_edu.save, "obj, path")
        # §14: torch.load's arguments (map_location positional, as torch.load's)
        assert_signature(tinygrad_edu.load, "path, map_location=None, pickle_module=None, *, "
                                            "weights_only=None, mmap=None, **pickle_load_args")
        path = tmp_path / "ckpt"
        tinygrad_edu.save(self.OBJ, path)
        assert os.listdir(tmp_path) == ["ckpt"]
        self.same(self.OBJ, tinygrad_edu.load(path))
        self.same(self.OBJ, tinygrad_edu.load(str(path)))
        with np.load(path, allow_pickle=False) as archive:
            assert len(archive.files) >= 1

    def test_bad_files(self, tmp_path):
        assert issubclass(tinygrad_edu.CheckpointError, ValueError)
        good = tmp_path / "good"
        tinygrad_edu.save(self.OBJ, good)
        raw = good.read_bytes()
        foreign = tmp_path / "foreign.npz"
        np.savez(foreign, x=np.arange(3))
        cases = {"truncated": raw[: len(raw) // 2], "pickle": pickle.dumps({"a": 1}),
                 "random": np.random.default_rng(0).bytes(300), "foreign": foreign.read_bytes()}
        for name, content in cases.items():
            path = tmp_path / name
            path.write_bytes(content)
            with pytest.raises(tinygrad_edu.CheckpointError):
                tinygrad_edu.load(path)

    def test_failed_save_is_atomic(self, tmp_path):
        path = tmp_path / "ckpt"
        tinygrad_edu.save({"x": 1}, path)
        before = path.read_bytes()
        with pytest.raises((TypeError, ValueError)):
            tinygrad_edu.save({"x": object()}, path)
        assert path.read_bytes() == before and os.listdir(tmp_path) == ["ckpt"]

    def test_resume_bit_for_bit(self, tmp_path):
        """"Resuming from a checkpoint of model + optimizer + scheduler + RNG state continues
        training bit for bit as if never interrupted."""
        from tinygrad_edu import nn, optim
        from tinygrad_edu.nn import functional as F
        from tinygrad_edu.optim.lr_scheduler import StepLR

        def setup():
            tinygrad_edu.manual_seed(0)
            model = nn.MLP([2, 8, 1])
            opt = optim.Adam(model.parameters(), lr=0.01)
            return model, opt, StepLR(opt, step_size=2, gamma=0.5)

        def train(model, opt, sched, steps):
            for _ in range(steps):
                x = Tensor.randn(4, 2)
                opt.zero_grad()
                F.mse_loss(model(x), x.sum(axis=1, keepdims=True)).backward()
                opt.step()
                sched.step()

        model, opt, sched = setup()
        train(model, opt, sched, 6)
        straight = model.state_dict()

        model, opt, sched = setup()
        train(model, opt, sched, 3)
        tinygrad_edu.save({"model": model.state_dict(), "opt": opt.state_dict(),
                           "sched": sched.state_dict(), "rng": tinygrad_edu.get_rng_state()},
                          tmp_path / "ck")
        tinygrad_edu.manual_seed(123)
        model, opt, sched = setup()
        ck = tinygrad_edu.load(tmp_path / "ck")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        sched.load_state_dict(ck["sched"])
        tinygrad_edu.set_rng_state(ck["rng"])
        train(model, opt, sched, 3)
        for k, v in model.state_dict().items():
            assert v.tobytes() == straight[k].tobytes(), k


# =========================================================================== §10
class TestSection10VizNames:
    """§10 (names and signatures only): "`draw_graph(root, rankdir="LR", show_grad=True)`",
    "`plot_trajectories(landscape, trajectories, ax=None)`, `animate_trajectories(landscape,
    trajectories, path, fps=20)`, `plot_history(history, ax=None)`,
    `plot_decision_boundary(model, X, y, ax=None)`"."""

    @pytest.mark.parametrize("name, spec", [
        ("draw_graph", 'root, rankdir="LR", show_grad=True'),
        ("plot_trajectories", "landscape, trajectories, ax=None"),
        ("animate_trajectories", "landscape, trajectories, path, fps=20"),
        ("plot_history", "history, ax=None"),
        ("plot_decision_boundary", "model, X, y, ax=None")])
    def test_signature(self, name, spec):
        import tinygrad_edu.viz as viz
        assert_signature(getattr(viz, name), spec)
