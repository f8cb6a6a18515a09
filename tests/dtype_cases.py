"""Dtype differential cases: the same code run with ``torch`` and with ``tinygrad_edu``.

A hostile tester's grid over PyTorch's type promotion (API.md §2, §14): every dtype of
bool / int32 / int64 / float16 / float32 / float64, as a tensor with dimensions, as a 0-d
tensor, as a Python number and as a NumPy number, met by every arithmetic operator and
comparison; reductions; element-wise functions; ``cat``/``stack``/``where``/``clamp``;
factories with ``dtype=``; casts; lists of NumPy numbers. Each case records its result
(values *and* dtype) and, where the operands require grad, every ``.grad`` (whose dtype must
be the leaf's). A case that raises in PyTorch records ``"raises"``: it must raise here too.

``tests/reference/make_dtype_reference.py`` stores PyTorch's results (default dtype float64,
as this library's) in ``tests/reference/dtype_reference.npz``; ``tests/test_dtype_grid.py``
holds tinygrad_edu to them. This module must not import torch.
"""
import numpy as np

DTYPES = ["bool", "int32", "int64", "float16", "float32", "float64"]
SHORT = {"bool": "b", "int32": "i32", "int64": "i64", "float16": "f16", "float32": "f32",
         "float64": "f64"}
RAISES = "raises"

# Values chosen so that every result is exact or well inside every dtype's range, and so
# that division never meets zero.
LEFT = {"b": [True, False, True], "i": [3, -2, 5], "f": [1.5, -2.25, 4.0]}
RIGHT = {"b": [True, True, True], "i": [2, 1, 3], "f": [0.5, 1.25, 2.0]}
ZERO_D = {"b": True, "i": 2, "f": 1.75}
NUMBERS = {"py_bool": True, "py_int": 2, "py_float": 1.5}
# NumPy numbers of every dtype but bool (PyTorch reads np.bool_ as a float: int32 + np.True_
# is float64 there; here it is a bool, as NumPy says, on purpose: see the README).
NUMPY_NUMBERS = {"np_" + SHORT[name]: name for name in DTYPES if name != "bool"}


def _kind(dtype):
    return "b" if dtype == "bool" else dtype[0]


def _tensor(torch, dtype, values, grad):
    """A tensor of ``dtype`` (made from a NumPy array, which both libraries keep)."""
    return torch.tensor(np.array(values, dtype=dtype),
                        requires_grad=grad and dtype.startswith("float"))


def operands(torch, side):
    """``{label: make()}``: every operand kind of the grid, made fresh (grads start at None)."""
    values = LEFT if side == "left" else RIGHT
    made = {}
    for dtype in DTYPES:
        kind = _kind(dtype)
        made[SHORT[dtype]] = lambda d=dtype, k=kind: _tensor(torch, d, values[k], True)
        made[SHORT[dtype] + "_0d"] = lambda d=dtype, k=kind: _tensor(torch, d, ZERO_D[k], True)
    if side == "right":
        for label, number in NUMBERS.items():
            made[label] = lambda n=number: n
        for label, dtype in NUMPY_NUMBERS.items():
            made[label] = lambda d=dtype: np.dtype(d).type(ZERO_D[_kind(d)])
    return made


BINARY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
          "div": lambda a, b: a / b, "pow": lambda a, b: a ** b,
          "lt": lambda a, b: a < b, "le": lambda a, b: a <= b, "eq": lambda a, b: a == b,
          "ne": lambda a, b: a != b, "gt": lambda a, b: a > b}
REFLECTED = {"radd": lambda a, b: b + a, "rsub": lambda a, b: b - a, "rmul": lambda a, b: b * a,
             "rdiv": lambda a, b: b / a, "rpow": lambda a, b: b ** a, "rlt": lambda a, b: b < a}


def _with_grads(torch, out, inputs):
    """``{"out": out, "grad0": ..., ...}``: the gradients of the inputs that require grad,
    after ``out.backward(ones)`` when ``out`` is differentiable."""
    results = {"out": out}
    if getattr(out, "requires_grad", False):
        out.backward(torch.ones_like(out))
        for i, x in enumerate(inputs):
            if getattr(x, "requires_grad", False):
                results[f"grad{i}"] = x.grad
    return results


def binary_cases(torch):
    """Every operator between a tensor (with dimensions or 0-d) and every operand kind."""
    cases = {}
    lefts, rights = operands(torch, "left"), operands(torch, "right")
    for name, op in BINARY.items():
        for left, make_left in lefts.items():
            for right, make_right in rights.items():
                if name == "pow" and left.startswith("b") and right == "py_bool":
                    continue   # bool ** True: a bool in PyTorch, refused here (see README)
                def case(op=op, make_left=make_left, make_right=make_right):
                    a, b = make_left(), make_right()
                    return _with_grads(torch, op(a, b), [a, b])
                cases[f"binary/{name}/{left}/{right}"] = case
    numbers = {k: v for k, v in rights.items() if k.startswith(("py_", "np_"))}
    for name, op in REFLECTED.items():
        for left, make_left in lefts.items():
            for right, make_right in numbers.items():
                def case(op=op, make_left=make_left, make_right=make_right, name=name):
                    a = make_left()
                    if name == "rpow" and a.dtype in (_dtype(torch, "int32"),
                                                      _dtype(torch, "int64")):
                        a = a.abs()   # PyTorch: 2 ** tensor(-2) is 0; here it raises
                    return _with_grads(torch, op(a, make_right()), [a])
                cases[f"binary/{name}/{left}/{right}"] = case
    return cases


UNARY = ["exp", "log", "sqrt", "tanh", "sigmoid", "sin", "cos", "relu", "abs"]


def unary_cases(torch):
    cases = {}
    for dtype in DTYPES:
        values = {"b": [True, False, True], "i": [3, 1, 5], "f": [1.5, 0.25, 4.0]}[_kind(dtype)]
        for name in UNARY + ["neg"]:
            def case(name=name, dtype=dtype, values=values):
                x = _tensor(torch, dtype, values, True)
                out = -x if name == "neg" else getattr(x, name)()
                return _with_grads(torch, out, [x])
            cases[f"unary/{name}/{SHORT[dtype]}"] = case
        for name in ("float", "double", "long"):
            def case(name=name, dtype=dtype, values=values):
                x = _tensor(torch, dtype, values, True)
                return _with_grads(torch, getattr(x, name)(), [x])
            cases[f"cast/{name}/{SHORT[dtype]}"] = case
    return cases


GRID = [[1.5, -2.0, 3.25], [0.5, 4.0, -1.0]]
REDUCTIONS = {
    "sum": lambda x: x.sum(), "sum_dim": lambda x: x.sum(dim=0), "mean": lambda x: x.mean(),
    "mean_dim": lambda x: x.mean(dim=1, keepdim=True), "max": lambda x: x.max(),
    "min": lambda x: x.min(), "amax_dim": lambda x: x.amax(dim=1), "amin": lambda x: x.amin(),
    "max_dim_values": lambda x: x.max(dim=1).values, "min_dim_values": lambda x: x.min(0).values,
    "max_dim_indices": lambda x: x.max(dim=1).indices, "argmax": lambda x: x.argmax(dim=0),
    "argmin": lambda x: x.argmin()}


def reduction_cases(torch):
    cases = {}
    for dtype in DTYPES:
        values = {"b": [[True, False, True], [False, False, True]],
                  "i": [[3, -2, 5], [1, 7, -4]], "f": GRID}[_kind(dtype)]
        for name, reduce in REDUCTIONS.items():
            def case(reduce=reduce, dtype=dtype, values=values):
                x = _tensor(torch, dtype, values, True)
                return _with_grads(torch, reduce(x), [x])
            cases[f"reduce/{name}/{SHORT[dtype]}"] = case
    # float16 beyond its range: the count (70,000 > 65,504) and the sum.
    for label, value in (("half", 0.5), ("one", 1.0), ("tenth", 0.1)):
        def case(value=value):
            x = _tensor(torch, "float16", np.full(70000, value), True)
            results = _with_grads(torch, x.mean(), [x])
            results["grad0"] = results["grad0"][:3]   # all equal: three are enough to store
            return results
        cases[f"reduce/mean_70000/{label}"] = case

        def case(value=value):
            return {"out": _tensor(torch, "float16", np.full(70000, value), False).sum()}
        cases[f"reduce/sum_70000/{label}"] = case

    def case():
        x = _tensor(torch, "float16", np.linspace(-3, 3, 4001).reshape(1, -1), True)
        return _with_grads(torch, (x * x).mean(dim=1), [x])
    cases["reduce/mean_square_f16"] = case
    return cases


def joining_cases(torch):
    """cat / stack / where over every pair of dtypes; where with numbers and 0-d tensors."""
    cases = {}
    for first in DTYPES:
        for second in DTYPES:
            pair = f"{SHORT[first]}/{SHORT[second]}"

            def case(first=first, second=second):
                a = _tensor(torch, first, LEFT[_kind(first)], True)
                b = _tensor(torch, second, RIGHT[_kind(second)][:2], True)
                return _with_grads(torch, torch.cat([a, b]), [a, b])
            cases[f"cat/{pair}"] = case

            def case(first=first, second=second):
                a = _tensor(torch, first, LEFT[_kind(first)], True)
                b = _tensor(torch, second, RIGHT[_kind(second)], True)
                return _with_grads(torch, torch.stack([a, b], dim=1), [a, b])
            cases[f"stack/{pair}"] = case

            def case(first=first, second=second):
                a = _tensor(torch, first, ZERO_D[_kind(first)], True)
                b = _tensor(torch, second, ZERO_D[_kind(second)], True)
                return _with_grads(torch, torch.stack([a, b]), [a, b])
            cases[f"stack_0d/{pair}"] = case

    condition = np.array([True, False, True])
    rights = operands(torch, "right")
    for first in DTYPES:
        for right, make_right in rights.items():
            def case(first=first, make_right=make_right):
                a, b = _tensor(torch, first, LEFT[_kind(first)], True), make_right()
                return _with_grads(torch, torch.where(torch.tensor(condition), a, b), [a, b])
            cases[f"where/{SHORT[first]}/{right}"] = case
    for label, (a, b) in {"floats": (1.5, 0.0), "ints": (1, 0), "int_float": (1, 0.5),
                          "bools": (True, False)}.items():
        def case(a=a, b=b):
            return {"out": torch.where(torch.tensor(condition), a, b)}
        cases[f"where/numbers/{label}"] = case
    return cases


CLAMP_BOUNDS = {"0_1.5": (0, 1.5), "0_2": (0, 2), "min_0.5": (0.5, None),
                "max_2": (None, 2), "max_true": (None, True), "-1.5_1.5": (-1.5, 1.5)}


def clamp_cases(torch):
    cases = {}
    for dtype in DTYPES:
        values = {"b": [True, False, True], "i": [-1, 0, 1, 2, 3],
                  "f": [-1.0, 0.25, 1.0, 1.75, 3.0]}[_kind(dtype)]
        for label, (low, high) in CLAMP_BOUNDS.items():
            def case(dtype=dtype, values=values, low=low, high=high):
                x = _tensor(torch, dtype, values, True)
                return _with_grads(torch, x.clamp(low, high), [x])
            cases[f"clamp/{SHORT[dtype]}/{label}"] = case
        for bound_dtype in ("int64", "float32", "float64"):
            def case(dtype=dtype, values=values, bound_dtype=bound_dtype):
                x = _tensor(torch, dtype, values, True)
                low = _tensor(torch, bound_dtype, 0.5 if bound_dtype[0] == "f" else 1, False)
                return _with_grads(torch, x.clamp(min=low), [x])
            cases[f"clamp/{SHORT[dtype]}/min_0d_{SHORT[bound_dtype]}"] = case
    return cases


def _dtype(torch, name):
    """The library's spelling of a dtype: ``torch.float32`` or ``np.dtype('float32')``."""
    return getattr(torch, name) if torch.__name__ == "torch" else np.dtype(name)


ARANGE = {"-1.5_1.5_1": (-1.5, 1.5, 1), "0.5_4.7_1.5": (0.5, 4.7, 1.5), "5": (5,),
          "1_8_3": (1, 8, 3), "5_-2_-2": (5, -2, -2), "-2.5_2.5_1.5": (-2.5, 2.5, 1.5),
          "0_1_0.25": (0, 1, 0.25), "2.9_7.1_2": (2.9, 7.1, 2)}


def factory_cases(torch):
    cases = {}
    for dtype in DTYPES:
        for label, args in ARANGE.items():
            if dtype in ("bool", "int32") or (dtype != "int64" and label == "0_1_0.25"):
                continue   # torch: no bool arange; int32 counts differently (see the README)
            def case(dtype=dtype, args=args):
                return {"out": torch.arange(*args, dtype=_dtype(torch, dtype))}
            cases[f"arange/{SHORT[dtype]}/{label}"] = case
        for label, data in {"floats": [1.5, -2.0], "ints": [3, -1], "bools": [True, False],
                            "zero_d": 2.5}.items():
            def case(dtype=dtype, data=data):
                return {"out": torch.tensor(data, dtype=_dtype(torch, dtype))}
            cases[f"tensor_dtype/{SHORT[dtype]}/{label}"] = case

        def case(dtype=dtype):
            like = torch.tensor(np.array(LEFT["f"], dtype="float32"))
            d = _dtype(torch, dtype)
            return {"zeros": torch.zeros(2, dtype=d), "ones": torch.ones((1, 2), dtype=d),
                    "zeros_like": torch.zeros_like(like, dtype=d),
                    "ones_like": torch.ones_like(like, dtype=d)}
        cases[f"factory/{SHORT[dtype]}"] = case
    for label, args in ARANGE.items():
        def case(args=args):
            return {"out": torch.arange(*args)}
        cases[f"arange/default/{label}"] = case
    return cases


def list_cases(torch):
    """Lists of NumPy numbers (and of 0-d tensors): PyTorch promotes their dtypes."""
    f16, f32, i32, i64 = np.float16, np.float32, np.int32, np.int64
    lists = {"f32": lambda: [f32(1.5)], "f32_f32": lambda: [f32(1.5), f32(2)],
             "f32_int": lambda: [f32(1.5), 2], "f32_float": lambda: [f32(1.5), 2.0],
             "f16_i64": lambda: [f16(1.5), i64(2)], "i32_int": lambda: [i32(1), 2],
             "i32_i32": lambda: [i32(1), i32(2)], "bool_np_bool": lambda: [np.bool_(True), False],
             "nested_f32": lambda: [[f32(1)], [f32(2)]], "f64": lambda: [np.float64(1.5)],
             "f16_f32": lambda: [f16(1), f32(2)], "i32_bool": lambda: [i32(3), True],
             "tensors_0d": lambda: [torch.tensor(f32(1.5)), torch.tensor(f32(2.5))],
             "tensor_0d_float": lambda: [torch.tensor(f32(1.5)), 2.0],
             "big_int": lambda: 2 ** 63, "big_negative": lambda: -2 ** 63 - 1,
             "big_in_list": lambda: [1, 2 ** 64], "smallest_int": lambda: -2 ** 63,
             "big_int_float": lambda: [2 ** 63, 1.5]}
    cases = {}
    for label, make in lists.items():
        def case(make=make):
            return {"out": torch.tensor(make())}
        cases[f"list/{label}"] = case
    return cases


def nan_cases(torch):
    """Gradients at NaN inputs (§14): relu passes, abs gives 0, max()/min() split between
    the NaNs, amax/amin give NaN (PyTorch's 0/0), max(dim) picks an index."""
    nan = float("nan")
    x = [[nan, 1.0, nan, 3.0], [2.0, -1.0, 0.0, 2.0], [nan, nan, -2.0, nan]]
    ops = {"relu": lambda t: t.relu(), "abs": lambda t: t.abs(), "max": lambda t: t.max(),
           "min": lambda t: t.min(), "amax": lambda t: t.amax(), "amin": lambda t: t.amin(),
           "amax_dim": lambda t: t.amax(dim=1), "amin_dim": lambda t: t.amin(dim=0),
           "max_dim": lambda t: t.max(dim=1).values, "min_dim": lambda t: t.min(dim=1).values,
           "max_dim_indices": lambda t: t.max(dim=1).indices,
           "min_dim_indices": lambda t: t.min(0).indices,
           "argmax": lambda t: t.argmax(dim=1), "argmin": lambda t: t.argmin(),
           "clamp": lambda t: t.clamp(-0.5, 2.5), "sigmoid": lambda t: t.sigmoid(),
           "max_row": lambda t: t[0].max(), "min_row": lambda t: t[2].min(),
           "max_no_nan": lambda t: t[1].max(), "relu_max": lambda t: t.relu().max()}
    cases = {}
    for dtype in ("float32", "float64"):
        for name, op in ops.items():
            def case(op=op, dtype=dtype):
                t = _tensor(torch, dtype, x, True)
                return _with_grads(torch, op(t), [t])
            cases[f"nan/{name}/{SHORT[dtype]}"] = case

    def case():
        F = torch.nn.functional
        inf = float("inf")
        logits = _tensor(torch, "float64", [inf, inf, -inf, -inf, 0.0, 30.0, -30.0], True)
        results = {}
        for label, t in (("hard", [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0]), ("soft", [0.5] * 7)):
            logits.grad = None
            loss = F.binary_cross_entropy_with_logits(logits, torch.tensor(t), reduction="none")
            results.update({f"{label}": loss, **{f"{label}_{k}": v for k, v in
                                                 _with_grads(torch, loss, [logits]).items()
                                                 if k != "out"}})
        return results
    cases["nan/bce_with_logits_inf"] = case
    return cases


def softmax_and_loss_cases(torch):
    """softmax, log_softmax and the losses per floating dtype: the result keeps the input's
    dtype; float16 is computed in float32 and rounded once, as PyTorch does (softmax's
    gradient subtracts nearly equal numbers: rounding each step would lose its digits)."""
    cases = {}
    F = torch.nn.functional
    ops = {"softmax": lambda x: x.softmax(dim=1) ** 2,
           "log_softmax": lambda x: x.log_softmax(dim=0),
           "cross_entropy": lambda x: F.cross_entropy(x, torch.tensor([0, 2])),
           "mse": lambda x: F.mse_loss(x, torch.ones_like(x)),
           "bce_logits": lambda x: F.binary_cross_entropy_with_logits(x, torch.ones_like(x) / 2),
           "mean_of_exp": lambda x: x.exp().mean()}
    for dtype in ("float16", "float32", "float64"):
        for name, op in ops.items():
            def case(op=op, dtype=dtype):
                x = _tensor(torch, dtype, GRID, True)
                return _with_grads(torch, op(x), [x])
            cases[f"float_ops/{name}/{SHORT[dtype]}"] = case
    return cases


MAKERS = [softmax_and_loss_cases, binary_cases, unary_cases, reduction_cases, joining_cases, clamp_cases,
          factory_cases, list_cases, nan_cases]


def as_array(value):
    """A result as a NumPy array (tensors of either library via detach().numpy())."""
    if hasattr(value, "detach"):
        return np.array(value.detach().numpy())
    return np.asarray(value)


def run_all(torch, makers=None):
    """Every case's results (of ``makers``, default all) as ``{"case/key": array}``; a case
    that raises gives ``{"case/raises": "raises"}``."""
    import warnings
    results = {}
    for make in MAKERS if makers is None else makers:
        for name, case in make(torch).items():
            try:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    produced = case()
            except Exception:   # noqa: BLE001  (any error: PyTorch's kinds differ from ours)
                results[f"{name}/{RAISES}"] = np.array(RAISES)
                continue
            for key, value in produced.items():
                results[f"{name}/{key}"] = as_array(value)
    return results


# --------------------------------------------------------------------------- storage
# Five thousand small results as five thousand .npy members would take a megabyte of zip
# headers; they are packed instead: every float result's numbers in one float64 array
# (float16/32 convert exactly), every integer/bool result's in one int64 array.
def pack(results):
    """``{"case/key": array}`` as a few arrays for ``np.savez_compressed``."""
    names = sorted(results)
    floats, ints, shapes = [], [], []
    for name in names:
        array = results[name]
        shapes.append(list(array.shape))
        if array.dtype.kind == "f":
            floats.append(array.astype(np.float64).ravel())
        elif array.dtype.kind in "iub":
            ints.append(array.astype(np.int64).ravel())
    import json
    return {"names": np.array(names), "dtypes": np.array([str(results[n].dtype) for n in names]),
            "shapes": np.array(json.dumps(shapes)),
            "floats": np.concatenate(floats) if floats else np.zeros(0),
            "ints": np.concatenate(ints) if ints else np.zeros(0, np.int64)}


def unpack(stored):
    """The inverse of :func:`pack`: ``{"case/key": array}`` with the stored dtypes."""
    import json
    results, used = {}, {"f": 0, "i": 0}
    for name, dtype, shape in zip(stored["names"], stored["dtypes"],
                                  json.loads(str(stored["shapes"]))):
        dtype = np.dtype(str(dtype))
        if dtype.kind in "fiub":
            source = "f" if dtype.kind == "f" else "i"
            size = int(np.prod(shape))
            pool = stored["floats"] if source == "f" else stored["ints"]
            results[str(name)] = pool[used[source]:used[source] + size].astype(dtype).reshape(shape)
            used[source] += size
        else:
            results[str(name)] = np.array(RAISES)
    return results
