"""PyTorch idioms (API.md §12) written once, run with ``torch`` and with ``tinygrad_edu``.

Each case is a function of the library module (``torch`` or ``tinygrad_edu``, passed as
``torch``) that returns a dict of results: tensors, gradients, numbers, shapes. The same code
runs on both libraries; ``tests/reference/make_idioms_reference.py`` stores PyTorch's results
(in float64 by default, ``torch.set_default_dtype(torch.float64)``) in
``tests/reference/idioms_reference.npz`` and ``tests/test_idioms.py`` holds tinygrad_edu's
results to them: values *and dtypes*. This module must not import torch.
"""
import numpy as np

TIES = np.array([[1.0, 3.0, 3.0, -2.0], [5.0, 5.0, 5.0, 0.5], [-1.0, -4.0, -4.0, -1.0]])
MIXED = np.array([[0.5, -1.5, 2.0], [3.0, 0.0, -0.25]])


def as_array(value):
    """A result as a NumPy array: tensors (either library) via detach().numpy()."""
    if hasattr(value, "detach"):
        return np.array(value.detach().numpy())
    return np.asarray(value)


def factories(torch):
    x = torch.tensor(MIXED)
    return {"zeros": torch.zeros(2, 3), "zeros_tuple": torch.zeros((1, 2)),
            "ones": torch.ones(3), "zeros_like": torch.zeros_like(x),
            "ones_like": torch.ones_like(x), "tensor": x,
            "tensor_f32": torch.tensor([1.5, 2.0], dtype=torch.float32)}


def arange(torch):
    return {"n": torch.arange(5), "start_end_step": torch.arange(1, 8, 3),
            "negative_step": torch.arange(5, -2, -2), "float": torch.arange(0.0, 1.0, 0.1),
            "float_offset": torch.arange(0.1, 1.0, 0.2), "float_step": torch.arange(-1, 1, 0.3),
            "int_float_step": torch.arange(3, 5, 0.5), "empty": torch.arange(3, 3)}


def shapes(torch):
    x = torch.zeros(2, 1, 3, 1)
    return {"size": list(x.size()), "size_1": x.size(1), "size_neg": x.size(-2),
            "dim": x.dim(), "numel": x.numel(), "squeeze": list(x.squeeze().shape),
            "squeeze_0": list(x.squeeze(0).shape), "squeeze_1": list(x.squeeze(1).shape),
            "squeeze_tuple": list(x.squeeze((1, 3)).shape),
            "unsqueeze_0": list(x.unsqueeze(0).shape), "unsqueeze_-1": list(x.unsqueeze(-1).shape),
            "view": list(x.view(3, -1).shape), "view_tuple": list(x.view((6,)).shape),
            "tolist": torch.tensor(MIXED).tolist(), "tolist_0d": torch.tensor(2.5).tolist()}


def arg_and_max(torch):
    x = torch.tensor(TIES, requires_grad=True)
    values, indices = x.max(1)
    named = x.min(dim=0, keepdim=True)
    (values * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    grad_max_dim = x.grad
    x.grad = None
    (named.values * 2).sum().backward()
    return {"argmax": x.argmax(), "argmax_1": x.argmax(dim=1), "argmax_0_keep": x.argmax(0, True),
            "argmax_none_keep": x.argmax(keepdim=True), "argmin_1": x.argmin(1),
            "argmin": x.argmin(), "max_values": values, "max_indices": indices,
            "max_dim_grad": grad_max_dim, "min_values": named.values,
            "min_indices": named.indices, "min_dim_grad": x.grad,
            "classic_pred": x.max(1)[1], "max_0d": torch.tensor(4.0).max(0)[0],
            "max_0d_index": torch.tensor(4.0).max(dim=0).indices}


def tied_reductions(torch):
    """max() / amax / amin split the gradient between ties, as PyTorch."""
    x = torch.tensor(TIES, requires_grad=True)
    out = {}
    for name, f in [("max", lambda: x.max()), ("amax", lambda: x.amax()),
                    ("amax_1", lambda: x.amax(dim=1)), ("amin_01", lambda: x.amin(dim=(0, 1))),
                    ("amin_0_keep", lambda: x.amin(0, keepdim=True)), ("min", lambda: x.min())]:
        y = f()
        y.sum().backward()
        out[name], out[name + "_grad"] = y, x.grad
        x.grad = None
    return out


def comparisons(torch):
    a, b = torch.tensor(MIXED), torch.tensor([0.5, 0.0, 1.0])
    out = {"lt": a < b, "le": a <= b, "gt": a > 0, "ge": a >= 0.5, "eq": a == b, "ne": a != b,
           "number_left": 1.0 < a, "eq_number": a == 3.0, "ne_number": a != 0.0}
    logits = torch.tensor([[2.0, 0.5, 0.1], [0.1, 0.3, 0.2], [1.0, -1.0, 3.0], [0.0, 1.0, 0.0]])
    y = torch.tensor([0, 1, 1, 1])
    correct = logits.argmax(dim=1) == y
    out["accuracy"] = correct.float().mean()
    out["accuracy_item"] = correct.float().mean().item()
    out["correct_sum"] = correct.sum()
    out["grad_free"] = (torch.tensor([1.0], requires_grad=True) > 0).requires_grad
    return out


def casts(torch):
    x = torch.tensor([[1.7, -2.6], [0.25, 3.0]], requires_grad=True)
    y = x.float()
    (y * torch.tensor([2.0, 3.0], dtype=torch.float32)).sum().backward()
    flags = torch.tensor([True, False, True])
    return {"float": y, "float_grad": x.grad, "double": y.double(), "long": x.long(),
            "bool_float": flags.float(), "bool_long": flags.long(),
            "long_float_mean": torch.tensor([1, 2, 4]).float().mean(),
            "float_requires_grad": y.requires_grad, "long_requires_grad": x.long().requires_grad}


def clamp_and_pow(torch):
    x = torch.tensor([-2.0, -0.5, 0.0, 0.5, 1.0, 3.0, float("nan")], requires_grad=True)
    out = {}
    for name, f in [("clamp", lambda: x.clamp(-0.5, 1.0)), ("clamp_min", lambda: x.clamp(min=0.0)),
                    ("clamp_max", lambda: x.clamp(max=0.5)), ("pow", lambda: x.pow(2)),
                    ("pow_half", lambda: x.clamp(min=0.25).pow(0.5))]:
        y = f()
        (y * torch.arange(1.0, 8.0)).sum().backward()
        out[name], out[name + "_grad"] = y, x.grad
        x.grad = None
    return out


def where_clone_grad(torch):
    x = torch.tensor(MIXED, requires_grad=True)
    w = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    y = torch.where(x > 0, x * w, -w)            # both branches use w
    z = torch.where(x < 1, 1.0, x)               # a number in one branch
    c = x.clone()
    (y.sum() + (z * z).sum() + (c * c * c).sum()).backward()
    v = torch.zeros(3).requires_grad_()
    (v + 1).pow(2).sum().backward()
    return {"where": y, "where_number": z, "clone": c, "x_grad": x.grad, "w_grad": w.grad,
            "requires_grad_": v.grad, "is_leaf": v.is_leaf, "clone_is_leaf": c.is_leaf}


def reduce_dims(torch):
    x = torch.tensor(np.arange(24.0).reshape(2, 3, 4) / 7, requires_grad=True)
    out = {"sum_dim": x.sum(dim=1), "sum_keep": x.sum(2, keepdim=True),
           "sum_dims": x.sum(dim=(0, 2)), "mean_dim_keep": x.mean(dim=0, keepdim=True),
           "mean_neg": x.mean(-1), "softmax_dim": x.softmax(dim=1),
           "log_softmax_dim": x.log_softmax(dim=0)}
    total = sum((v * (i + 1)).sum() for i, v in enumerate(out.values()))
    total.backward()
    out["grad"] = x.grad
    return out


def cat_stack(torch):
    a = torch.tensor(MIXED, requires_grad=True)
    b = torch.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    c = torch.cat([a, b, a], dim=0)
    s = torch.stack([a, a * 2], dim=1)
    (c.pow(2).sum() + (s * torch.arange(6.0).view(1, 2, 3)).sum()).backward()
    return {"cat": c, "stack": s, "a_grad": a.grad, "b_grad": b.grad,
            "stack_0d": torch.stack([torch.tensor(1.0), torch.tensor(2.0)]),
            "cat_neg_dim": torch.cat([a, a], dim=-1)}


LOGITS = np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 0.3], [-3.0, 1.5, 0.0], [1.0, 1.0, 4.0]])


def losses(torch):
    nn, F = torch.nn, torch.nn.functional
    logits = torch.tensor(LOGITS, requires_grad=True)
    y = torch.tensor([0, 2, 1, 2])
    pred = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    probs = torch.tensor([0.9, 0.2, 0.6], requires_grad=True)
    out = {"ce": nn.CrossEntropyLoss()(logits, y),
           "ce_sum": nn.CrossEntropyLoss(reduction="sum")(logits, y),
           "nll": nn.NLLLoss()(logits.log_softmax(dim=1), y),
           "nll_none": F.nll_loss(logits.log_softmax(dim=1), y, reduction="none"),
           "nll_1d": F.nll_loss(logits[0].log_softmax(dim=0), torch.tensor(2)),
           "mse": nn.MSELoss()(pred, torch.tensor([0.0, 1.0, 1.0])),
           "bce": nn.BCELoss()(probs, torch.tensor([1.0, 0.0, 1.0])),
           "bce_logits": nn.BCEWithLogitsLoss(reduction="sum")(pred, torch.tensor([1.0, 0.0, 0.5]))}
    sum(v.sum() for v in out.values()).backward()
    out.update(logits_grad=logits.grad, pred_grad=pred.grad, probs_grad=probs.grad)
    return out


def dropout_and_init(torch):
    nn = torch.nn
    x = torch.tensor(MIXED, requires_grad=True)
    drop = nn.Dropout(p=0.3)
    drop.eval()
    y = drop(x) * 2 + nn.functional.dropout(x, p=0.6, training=False) + \
        nn.functional.dropout(x, p=0.0)
    y.sum().backward()
    w = torch.zeros(3, 4)
    return {"eval": y, "grad": x.grad, "training_flag": drop.training, "p": drop.p,
            "train_flag": drop.train().training,
            "constant": nn.init.constant_(w, 0.25), "ones": nn.init.ones_(torch.zeros(2)),
            "zeros": nn.init.zeros_(torch.ones(2, 2)),
            "gains": [nn.init.calculate_gain(name) for name in ("linear", "sigmoid", "tanh",
                                                                "relu", "leaky_relu", "selu")],
            "gain_leaky": nn.init.calculate_gain("leaky_relu", 0.2)}


def dtypes(torch):
    """Integer and bool data keep int64 / bool (§2), which the idioms above build on."""
    x = torch.tensor(MIXED, requires_grad=True)
    labels = torch.tensor([2, 0])
    picked = x[torch.arange(2), labels] + x[x > 1].sum()      # integer and bool indices
    picked.sum().backward()
    return {"int_list": torch.tensor([0, 1, 2]), "bool_list": torch.tensor([True, False]),
            "mixed_list": torch.tensor([0.5, 1]), "item_int": torch.tensor([3]).item(),
            "item_bool": torch.tensor(True).item(), "item_float": torch.tensor(2.5).item(),
            "float_of": float(torch.tensor([2.5])), "int_of": int(torch.tensor(-3.7)),
            "int_of_int": int(torch.tensor([4])), "float_of_int": float(torch.tensor(4)),
            "argmax_item": torch.tensor([0.1, 0.9]).argmax().item(),
            "correct_count": (torch.tensor([1, 2, 3]) == torch.tensor([1, 0, 3])).sum().item(),
            "bool_sum": torch.tensor([True, True, False]).sum(),
            "int_times_int": torch.tensor([1, 2]) * 2, "int_plus_float": torch.tensor([1, 2]) + 0.5,
            "long_of_bool": (x > 0).long(), "picked": picked, "picked_grad": x.grad,
            "ce_int_labels": torch.nn.functional.cross_entropy(x, labels)}


CASES = [factories, arange, shapes, arg_and_max, tied_reductions, comparisons, casts,
         clamp_and_pow, where_clone_grad, reduce_dims, cat_stack, losses, dropout_and_init,
         dtypes]


def run_all(torch):
    """Every case's results as ``{"case/key": array}``."""
    results = {}
    for case in CASES:
        for key, value in case(torch).items():
            results[f"{case.__name__}/{key}"] = as_array(value)
    return results
