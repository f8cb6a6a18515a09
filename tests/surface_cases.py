"""PyTorch's tutorial surface (API.md §14, issue 21) written once, run with ``torch`` and with
``tinygrad_edu``.

As in ``idiom_cases.py``: each case is a function of the library module (passed as
``torch``) returning a dict of results; ``tests/reference/make_surface_reference.py`` stores
PyTorch's (float64 default) in ``tests/reference/surface_reference.npz`` and
``tests/test_surface.py`` holds tinygrad_edu's to them, values and dtypes. This module must
not import torch. Random draws differ between the libraries by construction, so only their
shapes and dtypes are cases here; their values are tested in ``test_surface.py``.
"""
import warnings

import numpy as np

A = np.array([[0.5, -1.5, 2.0], [3.0, 0.25, -0.75]])
B = np.array([[1.0, 2.0], [-0.5, 0.0], [0.75, -1.25]])
BATCH = np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 10 - 1
POSITIVE = np.array([[0.5, 1.5, 2.0], [3.0, 0.25, 0.75]])
WEIGHTS = np.array([[1.0, -2.0, 0.5], [0.25, 3.0, -1.0]])


def as_array(value):
    """A result as a NumPy array: tensors (either library) via detach().numpy()."""
    if hasattr(value, "detach"):
        return np.array(value.detach().numpy())
    return np.asarray(value)


def dtype_name(dtype):
    return str(dtype).replace("torch.", "")


def _grad(x):
    g = x.grad
    x.grad = None
    return g


def products(torch):
    a = torch.tensor(A, requires_grad=True)
    b = torch.tensor(B, requires_grad=True)
    v = torch.tensor(B[:, 0].copy(), requires_grad=True)
    batch = torch.tensor(BATCH, requires_grad=True)
    out = {}
    for name, f in [("matmul", lambda: torch.matmul(a, b)),
                    ("matmul_keywords", lambda: torch.matmul(input=a, other=b)),
                    ("matmul_vector", lambda: torch.matmul(a, v)),
                    ("matmul_batch", lambda: torch.matmul(batch, torch.ones(4, 2))),
                    ("method_matmul", lambda: a.matmul(b)), ("mm", lambda: a.mm(b)),
                    ("torch_mm", lambda: torch.mm(a, b)), ("t", lambda: a.t() * 2),
                    ("t_1d", lambda: v.t()), ("torch_t", lambda: torch.t(a)),
                    ("mul", lambda: torch.mul(a, b.t())), ("method_mul", lambda: a.mul(3.0)),
                    ("dot", lambda: torch.dot(v, v))]:
        y = f()
        (y * torch.ones(y.shape)).sum().backward()
        out[name] = y
        for input_name, x in (("a", a), ("b", b), ("v", v), ("batch", batch)):
            if x.grad is not None:
                out[f"{name}_grad_{input_name}"] = _grad(x)
    return out


def module_math(torch):
    """torch.f(x) for the element-wise functions and reductions, values and gradients."""
    x = torch.tensor(POSITIVE, requires_grad=True)
    w = torch.tensor(WEIGHTS)
    out = {}
    for name, f in [("sin", torch.sin), ("cos", torch.cos), ("exp", torch.exp),
                    ("log", torch.log), ("tanh", torch.tanh), ("sigmoid", torch.sigmoid),
                    ("sqrt", torch.sqrt), ("abs", lambda x: torch.abs(x - 1)),
                    ("neg", torch.neg), ("square", torch.square), ("relu", lambda x: torch.relu(x - 1)),
                    ("pow", lambda x: torch.pow(x, 3)), ("pow_base", lambda x: torch.pow(2.0, x)),
                    ("add", lambda x: torch.add(x, w, alpha=2)), ("sub", lambda x: torch.sub(x, w)),
                    ("sub_alpha", lambda x: torch.sub(x, w, alpha=0.5)),
                    ("div", lambda x: torch.div(w, x)),
                    ("clamp", lambda x: torch.clamp(x, min=0.6, max=2.5)),
                    ("clip", lambda x: torch.clip(x, 0.6)),
                    ("sum", torch.sum), ("sum_dim", lambda x: torch.sum(x, dim=1)),
                    ("sum_keepdim", lambda x: torch.sum(x, 0, keepdim=True)),
                    ("mean", torch.mean), ("mean_dim", lambda x: torch.mean(x, 1)),
                    ("max", torch.max), ("min", torch.min),
                    ("max_dim_values", lambda x: torch.max(x, 1)[0]),
                    ("min_dim_values", lambda x: torch.min(x, dim=0).values),
                    ("amax", lambda x: torch.amax(x, 1)), ("amin", lambda x: torch.amin(x, 0)),
                    ("softmax", lambda x: torch.softmax(x, dim=1)),
                    ("log_softmax", lambda x: torch.log_softmax(x, 0)),
                    ("softmax_dtype", lambda x: torch.softmax(x, 1, dtype=torch.float32)),
                    ("log_softmax_dtype", lambda x: torch.log_softmax(x, 1, torch.float32)),
                    ("sum_dtype", lambda x: torch.sum(x, 1, dtype=torch.float32)),
                    ("mean_dtype", lambda x: torch.mean(x, dtype=torch.float32)),
                    ("reshape", lambda x: torch.reshape(x, (3, 2))),
                    ("flatten", torch.flatten), ("unsqueeze", lambda x: torch.unsqueeze(x, 1)),
                    ("squeeze", lambda x: torch.squeeze(torch.unsqueeze(x, 0))),
                    ("transpose", lambda x: torch.transpose(x, 0, 1)),
                    ("permute", lambda x: torch.permute(x, (1, 0))),
                    ("clone", torch.clone)]:
        y = f(x)
        weights = torch.tensor(np.linspace(0.5, 2.0, int(np.prod(y.shape))).reshape(y.shape))
        (y * weights).sum().backward()
        out[name], out[name + "_grad"] = y, _grad(x)
    out["max_dim_indices"] = torch.max(x, 1)[1]
    out["argmax"] = torch.argmax(x, dim=1)
    out["argmin"] = torch.argmin(x)
    out["argmax_axis"] = x.argmax(axis=1)
    out["numel"] = torch.numel(x)
    out["is_tensor"] = [torch.is_tensor(x), torch.is_tensor(A)]
    return out


def out_keyword(torch):
    a, b = torch.tensor(A), torch.tensor(B)
    c = torch.zeros(2, 2)
    same = torch.matmul(a, b, out=c)
    z = torch.zeros(2, 3)
    torch.mul(a, a, out=z)
    s = torch.zeros(2, 3, dtype=torch.float32)
    torch.sin(a, out=s)
    empty = torch.zeros(0)
    torch.exp(a, out=empty)            # an empty out is resized without a warning
    i = torch.tensor([1, 2, 3])
    f = torch.zeros(3)
    torch.add(i, i, out=f)             # an integer result into a floating out: cast
    return {"matmul_out": c, "returns_out": same is c, "mul_out": z, "sin_out_float32": s,
            "resized": empty, "int_into_float": f}


def linspace(torch):
    return {"pi": torch.linspace(-np.pi, np.pi, 2000), "seven": torch.linspace(-3.0, 3.0, 7),
            "float32": torch.linspace(-np.pi, np.pi, 101, dtype=torch.float32),
            "one": torch.linspace(2.0, 5.0, 1), "none": torch.linspace(0, 1, 0),
            "ints": torch.linspace(0, 10, 5), "int_dtype": torch.linspace(-5, 5, 11, dtype=torch.int64),
            "reverse": torch.linspace(1.0, -1.0, 9),
            "device": torch.linspace(0.0, 1.0, 3, device="cpu")}


def factories(torch):
    return {"full_int": torch.full((2, 3), 7), "full_float": torch.full((2,), 1.5),
            "full_bool": torch.full((2,), True), "full_dtype": torch.full((1, 2), 3, dtype=torch.float32),
            "eye": torch.eye(3), "eye_rect": torch.eye(2, 3), "eye_m": torch.eye(3, m=2),
            "eye_grad": torch.eye(2, requires_grad=True).requires_grad,
            "zeros_device": torch.zeros(2, device="cpu"),
            "ones_device": torch.ones(2, device=torch.device("cpu")),
            "tensor_device": torch.tensor([1.0, 2.0], device="cpu"),
            "arange_device": torch.arange(3, device="cpu"),
            "empty_shape": list(torch.empty(2, 3).shape),
            "from_numpy_f32": torch.from_numpy(np.array([1.5, 2.5], dtype=np.float32)),
            "from_numpy_int": torch.from_numpy(np.array([1, 2])),
            "zeros_like_device": torch.zeros_like(torch.tensor(A), device="cpu")}


def random_shapes(torch):
    """Shapes and dtypes of the random factories (the values differ by construction)."""
    m = torch.zeros(2, 3)
    out = {}
    for name, t in [("rand", torch.rand(2, 3)), ("rand_tuple", torch.rand((4,))),
                    ("rand_f32", torch.rand(2, dtype=torch.float32)),
                    ("randn_device", torch.randn(3, device="cpu")),
                    ("rand_like", torch.rand_like(m)),
                    ("rand_like_int_to_float", torch.rand_like(torch.tensor([1, 2]), dtype=torch.float)),
                    ("randn_like", torch.randn_like(m)),
                    ("normal_numbers", torch.normal(0.0, 0.01, size=(3, 1))),
                    ("normal_positional", torch.normal(2, 3, (1, 4))),
                    ("normal_tensors", torch.normal(m, torch.ones(3))),
                    ("normal_tensor_mean", torch.normal(torch.zeros(5), 1.0)),
                    ("normal_tensor_std", torch.normal(0.0, torch.ones(2, 2))),
                    ("normal_f32", torch.normal(0.0, 1.0, (2,), dtype=torch.float32)),
                    ("normal_f32_mean", torch.normal(torch.zeros(2, dtype=torch.float32), 1.0)),
                    ("normal_f32_std", torch.normal(1.0, torch.ones(2, dtype=torch.float32))),
                    ("randint", torch.randint(10, (3,))), ("randint_low", torch.randint(3, 10, (2, 2))),
                    ("randint_size", torch.randint(10, size=(2,)))]:
        out[name + "_shape"], out[name + "_dtype"] = list(t.shape), dtype_name(t.dtype)
    return out


def dtypes(torch):
    x = torch.tensor(A, requires_grad=True)
    y = x.type(torch.float32)
    (y * 2).sum().backward()
    return {"names": [dtype_name(d) for d in (torch.float32, torch.float64, torch.int64,
                                                  torch.bool, torch.float, torch.double,
                                                  torch.long, torch.int, torch.int32, torch.uint8)],
            "type_float32": y, "type_grad": _grad(x), "type_name": [
                torch.tensor([1.0]).type(), torch.tensor([1.0], dtype=torch.float32).type(),
                torch.tensor([1]).type(), torch.tensor([True]).type()],
            "type_string": x.type("torch.FloatTensor"),
            "type_long": x.type(torch.long), "to_dtype": x.to(torch.float32),
            "cast_flags": [[t.requires_grad, t.is_leaf] for t in (
                x.to(torch.long), x.type(torch.bool), x.to(torch.float32),
                torch.tensor([1, 2]).to(torch.float64))],
            "to_device_dtype": x.to("cpu", torch.float32), "to_keyword": x.to(dtype=torch.int64),
            "to_other": x.to(torch.tensor([1, 2])), "to_cpu_same": x.to("cpu") is x,
            "to_same_dtype": x.to(torch.float64) is x, "to_copy": x.to("cpu", copy=True) is x,
            "cpu": x.cpu() is x, "device": str(x.device), "device_type": x.device.type,
            "int_to_float": torch.tensor([1, 2]).to(torch.float32),
            "bool_type": (x > 0).type(torch.float32)}


def devices(torch):
    cuda, cuda1, cpu = torch.device("cuda"), torch.device("cuda:1"), torch.device("cpu")
    chosen = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
    return {"cuda_index_is_none": cuda.index is None, "cuda1_index": cuda1.index,
            "types": [cuda.type, cuda1.type, cpu.type], "strs": [str(cuda), str(cuda1), str(cpu)],
            "reprs": [repr(cuda), repr(cuda1), repr(torch.device("cuda", 2))],
            "equal": [cpu == torch.device("cpu"), cuda == cuda1, cpu == "cpu"],
            "cuda_available": torch.cuda.is_available(),
            "accelerator": [torch.accelerator.is_available(),
                            torch.accelerator.current_accelerator() is None],
            "chosen": chosen, "chosen_cuda": "cuda" if torch.cuda.is_available() else "cpu"}


def formatting(torch):
    loss, count = torch.tensor(0.123456789), torch.tensor(42)
    return {"f": f"{loss:f}", "width": f"loss: {loss:>7f}", "e": f"{loss:.3e}",
            "int": f"{count:>5d}", "percent": f"{loss:.1%}", "empty_0d": f"{loss}" == str(loss)}


def smooth_l1(torch):
    F = torch.nn.functional
    target = torch.tensor([[0.0, 1.0, -2.0, 0.5], [2.0, -1.0, 0.0, 0.3]])
    base = np.array([[0.2, 1.0, 1.0, -1.5], [2.5, -0.4, -0.05, 0.3]])
    out = {}
    for beta in (1.0, 0.5, 2.0, 0.0, 3.5):
        for reduction in ("mean", "sum", "none"):
            x = torch.tensor(base, requires_grad=True)
            loss = F.smooth_l1_loss(x, target, reduction=reduction, beta=beta)
            (loss * torch.tensor(np.linspace(1.0, 2.0, loss.numel()).reshape(loss.shape))).sum().backward()
            key = f"beta{beta}_{reduction}"
            out[key], out[key + "_grad"] = loss, _grad(x)
    x = torch.tensor(base, requires_grad=True)
    module = torch.nn.SmoothL1Loss(beta=0.5)(x, target)
    module.backward()
    out["module"], out["module_grad"] = module, _grad(x)
    out["default"] = F.smooth_l1_loss(torch.tensor(base), target)
    return out


def implicit_softmax_dim(torch):
    """F.softmax / log_softmax without dim: PyTorch's implicit choice (0 for 0-, 1-, 3-D)."""
    F = torch.nn.functional
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for ndim in range(5):
            x = torch.tensor(np.sin(np.arange(1.0, 2 ** ndim + 1)).reshape((2,) * ndim),
                             requires_grad=True)
            for name, f in (("softmax", F.softmax), ("log_softmax", F.log_softmax)):
                y = f(x)
                (y * torch.tensor(np.linspace(-1.0, 1.0, y.numel()).reshape(y.shape))).sum().backward()
                out[f"{name}_{ndim}d"], out[f"{name}_{ndim}d_grad"] = y, _grad(x)
        out["module_3d"] = torch.nn.Softmax()(torch.tensor(BATCH))
    out["module_dim"] = torch.nn.Softmax(dim=-1)(torch.tensor(BATCH))
    out["explicit_last"] = F.softmax(torch.tensor(BATCH), dim=-1)
    return out


def layers(torch):
    nn = torch.nn
    x = torch.tensor(BATCH, requires_grad=True)
    out = {}
    for name, layer in [("flatten", nn.Flatten()), ("flatten_01", nn.Flatten(0, 1)),
                        ("flatten_12", nn.Flatten(start_dim=1, end_dim=2)),
                        ("flatten_0_neg", nn.Flatten(0, -1))]:
        y = layer(x)
        (y * torch.tensor(np.linspace(0.0, 1.0, y.numel()).reshape(y.shape))).sum().backward()
        out[name], out[name + "_grad"] = y, _grad(x)
    out["reprs"] = [repr(nn.Flatten()), repr(nn.Softmax(dim=1))]
    p = nn.Parameter(torch.tensor([1.0, 2.0]))
    out["parameter"] = [p.requires_grad, p.is_leaf, isinstance(p, torch.Tensor)]
    q = nn.Parameter(torch.tensor([1.0]), requires_grad=False)
    out["parameter_no_grad"] = q.requires_grad

    class Poly(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Parameter(torch.tensor(0.5))
            self.b = nn.Parameter(torch.tensor(-1.0))

        def forward(self, x):
            return self.a + self.b * x

    model = Poly()
    out["module_parameter_names"] = [name for name, _ in model.named_parameters()]
    return out


def clipping(torch):
    out = {}
    for norm_type in (2.0, 1.0, float("inf"), 3.0):
        for max_norm in (0.5, 100.0):
            w = torch.tensor(A, requires_grad=True)
            b = torch.tensor(B[0].copy(), requires_grad=True)
            unused = torch.tensor([1.0], requires_grad=True)     # grad None: skipped
            ((w * torch.tensor(WEIGHTS)).sum() + (b ** 2).sum() * 3).backward()
            total = torch.nn.utils.clip_grad_norm_([w, b, unused], max_norm, norm_type=norm_type)
            key = f"norm{norm_type}_max{max_norm}"
            out[key], out[key + "_w"], out[key + "_b"] = total, w.grad, b.grad
    w = torch.tensor(A, requires_grad=True)
    (w * torch.tensor(WEIGHTS)).sum().backward()
    out["single_tensor"] = torch.nn.utils.clip_grad_norm_(w, 1.0)
    out["single_tensor_grad"] = w.grad
    w = torch.tensor(A, requires_grad=True)
    (w * torch.tensor(WEIGHTS)).sum().backward()
    torch.nn.utils.clip_grad_value_([w], clip_value=0.75)
    out["value_grad"] = w.grad
    return out


def custom_functions(torch):
    """PyTorch's LegendrePolynomial3 shape, a clamp/where ReLU and an output saved for backward."""

    class LegendrePolynomial3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    class ClampReLU(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            grad_input = grad_output.clone()
            return torch.where(input < 0, torch.zeros_like(grad_input), grad_input)

    class ExpSavingOutput(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            result = input.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            result, = ctx.saved_tensors
            return grad_output * result

    class ScaleBy(torch.autograd.Function):    # a number input: its gradient is None
        @staticmethod
        def forward(ctx, input, factor):
            ctx.factor = factor
            ctx.flags = ctx.needs_input_grad
            return input * factor

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * ctx.factor, None

    x = torch.tensor([-0.8, -0.1, 0.3, 0.9], requires_grad=True)
    out = {}
    for name, f in (("legendre", LegendrePolynomial3.apply), ("relu", ClampReLU.apply),
                    ("exp", ExpSavingOutput.apply), ("scale", lambda x: ScaleBy.apply(x, 2.5))):
        y = f(x)
        (y * torch.tensor([1.0, -2.0, 0.5, 3.0])).sum().backward()
        out[name], out[name + "_grad"] = y, _grad(x)
        first, = torch.autograd.grad(f(x).sum(), [x], create_graph=True)
        if first.requires_grad:
            second, = torch.autograd.grad((first * first).sum(), [x])
            out[name + "_second"] = second
    out["op_inside_graph"] = (LegendrePolynomial3.apply(x * 2) + 1).requires_grad
    with torch.no_grad():
        out["no_grad_result"] = LegendrePolynomial3.apply(x).requires_grad
    return out


def grad_modes(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    out = {}
    with torch.inference_mode():
        out["inference"] = (x * 2).requires_grad
    with torch.set_grad_enabled(False):
        out["set_false_block"] = [(x * 2).requires_grad, torch.is_grad_enabled()]
    out["after_block"] = torch.is_grad_enabled()
    torch.set_grad_enabled(False)
    out["set_false_call"] = [(x * 2).requires_grad, torch.is_grad_enabled()]
    torch.set_grad_enabled(True)
    out["set_true_call"] = (x * 2).requires_grad

    @torch.set_grad_enabled(False)
    def decorated(t):
        return t * 2

    out["after_decorating"] = torch.is_grad_enabled()
    out["decorated"] = decorated(x).requires_grad

    @torch.inference_mode()
    def evaluate(t):
        return t * 2

    out["inference_decorated"] = evaluate(x).requires_grad
    with torch.no_grad():
        with torch.set_grad_enabled(True):
            out["enabled_inside_no_grad"] = (x * 2).requires_grad
        with torch.inference_mode(False):
            out["inference_false"] = torch.is_grad_enabled()
    return out


def modules_to(torch):
    nn = torch.nn
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    model.load_state_dict({name: torch.tensor(values) for (name, _), values in zip(
        model.named_parameters(), (np.linspace(-1, 1, 12).reshape(3, 4),
                                   np.array([0.1, -0.2, 0.3]), np.linspace(1, -1, 6).reshape(2, 3),
                                   np.array([0.05, -0.05])))})
    same = model.to("cpu")
    x = torch.tensor(BATCH[:, :2, :2]).to("cpu")
    y64 = model(x)
    model.to(torch.float32)
    y32 = model(x.to(torch.float32))
    dtypes_after = [dtype_name(p.dtype) for p in model.parameters()]
    model.double()
    return {"returns_self": same is model, "y64": y64, "y32": y32, "dtypes_f32": dtypes_after,
            "dtypes_double": [dtype_name(p.dtype) for p in model.parameters()]}


def comparison_names(torch):
    """pred.eq(target) and friends (pytorch/examples mnist), as methods and torch functions."""
    a = torch.tensor(A)
    b = torch.tensor([[0.5, 0.0, 2.0], [1.0, 0.25, 0.0]])
    out = {}
    for name in ("eq", "ne", "lt", "le", "gt", "ge"):
        out[f"method_{name}"] = getattr(a, name)(b)
        out[f"method_{name}_number"] = getattr(a, name)(0.5)
        out[f"torch_{name}"] = getattr(torch, name)(a, b)
        into = torch.zeros(2, 3, dtype=torch.bool)
        getattr(torch, name)(a, b, out=into)
        out[f"torch_{name}_out"] = into
    labels = torch.tensor([[1], [0], [2]])
    out["eq_view_as"] = torch.tensor([1, 0, 1]).eq(labels.view_as(torch.zeros(3))).sum()
    return out


def shaped_as(torch):
    """view_as / reshape_as: another tensor's shape, with the gradient flowing back."""
    x = torch.tensor(BATCH, requires_grad=True)
    out = {}
    for name in ("view_as", "reshape_as"):
        y = getattr(x, name)(torch.zeros(4, 6))
        (y * torch.tensor(np.arange(24.0).reshape(4, 6))).sum().backward()
        out[name], out[f"{name}_grad"] = y, _grad(x)
    return out


def adaptive_pooling(torch):
    """F.adaptive_avg_pool2d / nn.AdaptiveAvgPool2d (nn_tutorial): even and overlapping bins."""
    x = torch.tensor(np.sin(np.arange(2 * 3 * 7 * 5.0)).reshape(2, 3, 7, 5), requires_grad=True)
    weights = torch.tensor(np.cos(np.arange(400.0)))
    out = {}
    for name, size in (("one", 1), ("pair", (3, 2)), ("keep_rows", (None, 2)), ("same", (7, 5)),
                       ("bigger", (9, 6)), ("square", 2)):
        y = torch.nn.functional.adaptive_avg_pool2d(x, size)
        (y * weights[:y.numel()].reshape(y.shape)).sum().backward()
        out[name], out[f"{name}_grad"] = y, _grad(x)
    y = torch.nn.AdaptiveAvgPool2d((2, None))(x[0])     # (C, H, W) input, a module
    y.sum().backward()
    out["module_3d"], out["module_3d_grad"] = y, _grad(x)
    return out


def next_functions(torch):
    """loss.grad_fn.next_functions (the blitz tutorial's walk): per input, 0 for a constant
    (None), 1 for a leaf's AccumulateGrad (whose .variable is the leaf), 2 for an operation."""
    w = torch.tensor(B[:, 0].copy(), requires_grad=True)
    x = torch.tensor([1.0, 2.0, 3.0])

    def kinds(node):
        return [0 if n is None else 1 if getattr(n, "variable", None) is w else 2
                for n, _ in node.next_functions]

    y = (w * x).sum()
    z = w * 2 + x
    return {"sum": kinds(y.grad_fn), "mul": kinds(y.grad_fn.next_functions[0][0]),
            "add": kinds(z.grad_fn),
            "indices": [i for node in (y.grad_fn, y.grad_fn.next_functions[0][0], z.grad_fn)
                        for _, i in node.next_functions],
            "leaf_end": len(y.grad_fn.next_functions[0][0].next_functions[0][0].next_functions)}


def loader_workers(torch):
    """DataLoader(num_workers=2, pin_memory=...) (cifar10 tutorial): the same batches."""
    dataset = torch.utils.data.TensorDataset(torch.tensor(BATCH.reshape(6, 4)),
                                             torch.tensor([0, 1, 2, 0, 1, 2]))
    batches = [x for x, _ in torch.utils.data.DataLoader(dataset, batch_size=4, num_workers=2,
                                                         pin_memory=False)]
    return {"first": batches[0], "second": batches[1], "count": len(batches)}


CASES = [products, module_math, out_keyword, linspace, factories, random_shapes, dtypes, devices,
         formatting, smooth_l1, implicit_softmax_dim, layers, clipping, custom_functions,
         grad_modes, modules_to, comparison_names, shaped_as, adaptive_pooling, next_functions,
         loader_workers]


def run_all(torch):
    """``{"case/key": array}`` for every case."""
    return {f"{case.__name__}/{key}": as_array(value)
            for case in CASES for key, value in case(torch).items()}
