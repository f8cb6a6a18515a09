"""Cases whose PyTorch numbers are stored in ``reference/edges_reference.npz`` (made by
``reference/make_edges_reference.py``): weighted / ignore_index cross-entropy and NLL, and
the scalar engine's derivatives of √x and x^n at 0.

``run_loss_case(xp, nn_functional, name)`` runs one loss case with either library (``xp``
is ``torch`` or ``tinygrad_edu``) and returns its numbers: the loss, the gradient of
⟨u, loss⟩ for a fixed cotangent u, and the Hessian-vector product of that along v (double
backward), each as a NumPy array.
"""
import zlib

import numpy as np

# name -> (function, logits shape, float dtype, target kind, keyword arguments)
#   target kind: "indices" (some entries -100 when "ignored" is in the name) or "probs"
LOSS_CASES = {
    "ce_weight_mean": ("cross_entropy", (5, 4), "float64", "indices", {"weight": True}),
    "ce_weight_sum": ("cross_entropy", (5, 4), "float64", "indices",
                      {"weight": True, "reduction": "sum"}),
    "ce_weight_none": ("cross_entropy", (5, 4), "float64", "indices",
                       {"weight": True, "reduction": "none"}),
    "ce_weight_one_sample": ("cross_entropy", (4,), "float64", "indices", {"weight": True}),
    "ce_weight_float32": ("cross_entropy", (6, 3), "float32", "indices", {"weight": True}),
    "ce_ignored_mean": ("cross_entropy", (6, 4), "float64", "indices", {}),
    "ce_ignored_weight_mean": ("cross_entropy", (6, 4), "float64", "indices", {"weight": True}),
    "ce_ignored_index_2": ("cross_entropy", (6, 4), "float64", "indices",
                           {"weight": True, "ignore_index": 2}),
    "ce_probs_weight_mean": ("cross_entropy", (5, 3), "float64", "probs", {"weight": True}),
    "ce_probs_weight_none": ("cross_entropy", (5, 3), "float64", "probs",
                             {"weight": True, "reduction": "none"}),
    "nll_weight_mean": ("nll_loss", (5, 4), "float64", "indices", {"weight": True}),
    "nll_weight_sum": ("nll_loss", (5, 4), "float64", "indices",
                       {"weight": True, "reduction": "sum"}),
    "nll_ignored_weight_none": ("nll_loss", (6, 4), "float64", "indices",
                                {"weight": True, "reduction": "none"}),
    "nll_ignored_mean": ("nll_loss", (6, 4), "float64", "indices", {}),
}


def loss_case_inputs(name):
    """Logits (or log-probabilities), target, weight, cotangent u and direction v of a case."""
    function, shape, dtype, kind, kwargs = LOSS_CASES[name]
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    classes = shape[-1]
    logits = (rng.standard_normal(shape) * 2).astype(dtype)
    if function == "nll_loss":   # log-probabilities, as nll_loss expects
        logits = (logits - np.log(np.exp(logits).sum(-1, keepdims=True))).astype(dtype)
    if kind == "probs":
        target = rng.random(shape)
        target = (target / target.sum(-1, keepdims=True)).astype(dtype)
    else:
        target = rng.integers(0, classes, shape[:-1]).astype(np.int64)
        if "ignored" in name:
            target[::3] = kwargs.get("ignore_index", -100)
    weight = rng.uniform(0.2, 3.0, classes).astype(dtype) if kwargs.get("weight") else None
    out_shape = shape[:-1] if kwargs.get("reduction") == "none" else ()
    u = rng.standard_normal(out_shape).astype(dtype)
    v = rng.standard_normal(shape).astype(dtype)
    return logits, target, weight, u, v


def run_loss_case(xp, functional, name):
    """The case's loss, ∂⟨u, loss⟩/∂input and its product with the Hessian along v."""
    function, _, _, kind, kwargs = LOSS_CASES[name]
    logits, target, weight, u, v = loss_case_inputs(name)
    options = {k: val for k, val in kwargs.items() if k != "weight"}
    x = xp.tensor(logits, requires_grad=True)
    y = xp.tensor(target)
    w = None if weight is None else xp.tensor(weight)
    loss = getattr(functional, function)(x, y, weight=w, **options)
    (g,) = _grad(xp, (loss * xp.tensor(u)).sum(), [x], create_graph=True)
    if g.requires_grad:
        (hvp,) = _grad(xp, (g * xp.tensor(v)).sum(), [x], create_graph=False)
        hvp = _numpy(hvp)
    else:   # nll_loss is linear in its input: a constant gradient (PyTorch: a product of 0)
        hvp = np.zeros_like(logits)
    return {"loss": _numpy(loss), "grad": _numpy(g), "hvp": hvp}


def _grad(xp, output, inputs, create_graph):
    return xp.autograd.grad(output, inputs, create_graph=create_graph)


def _numpy(t):
    return t.detach().numpy().copy() if hasattr(t, "detach") else np.array(t.data)


# (label, function on a scalar) for the derivatives at 0, up to the third
VALUE_AT_ZERO = [("sqrt", lambda x: x.sqrt()), ("pow_0.5", lambda x: x ** 0.5),
                 ("pow_1.5", lambda x: x ** 1.5), ("pow_2.5", lambda x: x ** 2.5)]
VALUE_POINTS = {"sqrt": (0.0, -0.0), "pow_0.5": (0.0,), "pow_1.5": (0.0,), "pow_2.5": (0.0,)}
