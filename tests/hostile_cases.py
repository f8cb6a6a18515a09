"""Silent differences from PyTorch found by a hostile differential tester (issue 22, round 2),
each written once and run with ``torch`` and with ``tinygrad_edu``.

Each case is a function of the library module (passed as ``torch``) returning a dict of
results; ``"raised"`` is 1 when the library raised where the case says it may.
``tests/reference/make_hostile_reference.py`` stores PyTorch's results in
``tests/reference/hostile_reference.npz``; ``tests/test_hostile_cases.py`` holds
tinygrad_edu's to them. This module must not import torch.
"""
import numpy as np


def as_array(value):
    if hasattr(value, "detach"):
        return np.array(value.detach().numpy())
    return np.asarray(value)


def _raises(run):
    """1 if ``run()`` raises, else 0 (PyTorch's RuntimeError; NumPy's casting TypeError)."""
    try:
        run()
    except (RuntimeError, TypeError):
        return 1
    return 0


def floor_divide_in_place_keeps_the_tensor(torch):
    """``//=`` and ``%=`` change the tensor itself (aliases see it) and keep its dtype."""
    x = torch.tensor(np.array([7, -7, 5], dtype=np.int32))
    alias = x
    x //= torch.tensor([2, 2, -3])                     # int64 divisor: x stays int32
    y = torch.tensor([7.5, -7.5, 2.0], dtype=torch.float32)
    same = y
    y %= torch.tensor([2.0, 2.0, -3.0])                 # float64 divisor: y stays float32
    z = torch.tensor([7, -7])
    return {"x": x, "alias": alias, "y": y, "same": same, "y_is_same": y is same,
            "int_floordiv_float_raises": _raises(lambda: z.__ifloordiv__(torch.tensor([0.5, 2.0]))),
            "int_mod_float_raises": _raises(lambda: z.__imod__(1.5))}


def floor_divide_in_place_with_grad(torch):
    x = torch.tensor([5.0, -7.0, 3.5], requires_grad=True)
    y = x * 1
    alias = y
    y %= torch.tensor([2.0, 3.0, -2.0])
    (alias * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    return {"alias": alias, "x_grad": x.grad}


def integer_division_by_zero_raises(torch):
    a = torch.tensor([5, -3, 4])
    zero = torch.tensor([1, 0, 2])
    return {"floordiv": _raises(lambda: a // zero), "mod": _raises(lambda: a % zero),
            "number": _raises(lambda: a // 0), "reverse": _raises(lambda: 7 % zero),
            "in_place": _raises(lambda: a.__ifloordiv__(zero)),
            "a_unchanged": a,
            "float_floordiv": torch.tensor([5.0, -3.0, 0.0]) // torch.tensor([0.0, 0.0, 0.0]),
            "float_mod": torch.tensor([5.0, -3.0]) % torch.tensor([0.0, 0.0])}


def in_place_on_a_saved_output_raises(torch):
    """sigmoid, exp and relu save their output for backward: changing it in place afterwards
    must make backward raise (the gradient used to be computed from the new numbers)."""
    def change_after(make, change):
        x = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
        y = make(x * 1)
        change(y)
        return _raises(lambda: y.sum().backward())

    def times_two(y):
        y *= 2

    def first_to_five(y):
        y[0] = 5.0

    def add_(y):
        y.add_(torch.tensor([1.0, 1.0, 1.0]))

    x = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    y = x * 1
    y *= 2                      # Mul saved x, not y: fine
    y.sum().backward()
    return {"sigmoid": change_after(lambda t: t.sigmoid(), times_two),
            "exp": change_after(lambda t: t.exp(), first_to_five),
            "relu": change_after(lambda t: t.relu(), add_),
            "tanh_view": change_after(lambda t: t.tanh(), lambda y: y[1:].mul_(3)),
            "mul_then_change_is_fine": x.grad}


def in_place_dtypes(torch):
    """In place without grad, as PyTorch: the result is cast into the tensor's dtype when it
    fits the category (int32 into uint8), else raises; ``-=`` with a bool raises."""
    u = torch.tensor(np.array([1, 2], dtype=np.uint8))
    u += torch.tensor(np.array([3, 4], dtype=np.int32))
    h = torch.tensor(np.array([1.5, 2.5], dtype=np.float16))
    h *= torch.tensor([2.0, 4.0])
    i = torch.tensor([4, 6])
    f = torch.tensor([1.0, 2.0])
    return {"uint8": u, "float16": h,
            "int_div_raises": _raises(lambda: i.__itruediv__(torch.tensor([2, 3]))),
            "int_add_float_raises": _raises(lambda: i.__iadd__(0.5)),
            "bool_add_raises": _raises(lambda: torch.tensor([True]).__iadd__(1)),
            "minus_bool_raises": _raises(lambda: f.__isub__(torch.tensor([True, False]))),
            "minus_true_raises": _raises(lambda: i.__isub__(True)),
            "i_unchanged": i, "f_unchanged": f}


def nan_from_above(torch):
    """A NaN gradient arriving at relu or max() reaches only the elements that pass (PyTorch
    selects, it does not multiply by a 0/1 mask: 0·nan would be nan)."""
    nan = float("nan")
    x = torch.tensor([-1.0, 0.0, 2.0, -0.0], requires_grad=True)
    x.relu().backward(torch.tensor([nan, nan, 3.0, nan]))
    m = torch.tensor([[1.0, 5.0], [5.0, -2.0]], requires_grad=True)
    m.max().backward(torch.tensor(nan))
    n = torch.tensor([1.0, -4.0, -4.0], requires_grad=True)
    n.min().backward(torch.tensor(nan))
    a = torch.tensor([1.0, 3.0, 2.0], requires_grad=True)
    a.amax().backward(torch.tensor(nan))             # amax multiplies: nan everywhere
    h = torch.tensor([[0.5, -1.0], [2.0, 1.0]], requires_grad=True)
    g, = torch.autograd.grad((h.relu() * 3).sum(), h, create_graph=True)
    return {"relu": x.grad, "max": m.grad, "min": n.grad, "amax": a.grad, "relu_create_graph": g}


def ignored_samples_are_skipped(torch):
    """A sample whose class is ``ignore_index`` counts for nothing, even when its logits hold
    nan or inf (it used to add 0·nan = nan to the loss)."""
    nan, inf = float("nan"), float("inf")
    logits = [[1.0, nan, 0.5], [0.2, -1.0, 3.0], [inf, 0.0, 1.0], [0.1, 0.2, 0.3]]
    target = [0, 2, 1, 1]
    F = torch.nn.functional
    out = {}
    for reduction in ("none", "sum", "mean"):
        for weight in (None, [1.0, 2.0, 0.5]):
            for ii in (0, 1):
                x = torch.tensor(logits, requires_grad=True)
                w = None if weight is None else torch.tensor(weight)
                t = torch.tensor([ii if k in (0, 2) else c for k, c in enumerate(target)])
                ce = F.cross_entropy(x, t, weight=w, ignore_index=ii, reduction=reduction)
                ce.sum().backward()
                z = torch.tensor(logits, requires_grad=True)
                nll = F.nll_loss(z, t, weight=w, ignore_index=ii, reduction=reduction)
                nll.sum().backward()
                key = f"{reduction}_{'w' if weight else 'nw'}_{ii}"
                out[f"ce_{key}"] = ce
                out[f"ce_grad_{key}"] = x.grad[1::2]     # the kept rows (nan in ignored ones)
                out[f"nll_{key}"] = nll
                out[f"nll_grad_{key}"] = z.grad
    loss = torch.nn.CrossEntropyLoss(ignore_index=2)
    out["module"] = loss(torch.tensor([[nan, 1.0], [0.5, 0.25]]), torch.tensor([2, 0]))
    return out


def zero_grad_keeps_the_array(torch):
    """``zero_grad(set_to_none=False)`` zeros ``.grad`` in place (a reference sees the zeros
    and the next backward's sum); a Module leaves a missing ``.grad`` None."""
    x = torch.tensor([1.0, -2.0], requires_grad=True)
    opt = torch.optim.SGD([x], lr=0.1)
    (x * x).sum().backward()
    kept = x.grad
    opt.zero_grad(set_to_none=False)
    (x * 3).sum().backward()
    lin = torch.nn.Linear(2, 1)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([[0.5, -1.0]]))
    lin.weight.requires_grad_(True)
    lin(torch.tensor([[1.0, 2.0]])).sum().backward()
    weight_grad = lin.weight.grad
    lin.bias.grad = None
    lin.zero_grad(set_to_none=False)
    bias_none = lin.bias.grad is None
    lin(torch.tensor([[3.0, 4.0]])).sum().backward()
    y = torch.tensor([2.0], requires_grad=True)
    g, = torch.autograd.grad((y ** 3).sum(), [y], retain_graph=True)
    return {"kept": kept, "grad": x.grad, "weight_grad_kept": weight_grad,
            "bias_grad": lin.bias.grad, "bias_none": bias_none, "autograd_retain_graph_keyword": g}


def setitem_drops_leading_ones(torch):
    """``t[0] = tensor([5.])``: a value with leading dimensions of size 1 fits, as PyTorch (NumPy
    alone refuses); recorded, its gradient comes back in its own shape."""
    t = torch.tensor([1.0, 2.0, 3.0])
    t[0] = torch.tensor([5.0])
    m = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    m[1] = torch.tensor([[[7.0, 8.0]]])
    x = torch.tensor([5.0], requires_grad=True)
    y = torch.tensor([1.0, 2.0, 3.0], requires_grad=True) * 1
    y[1] = x * 2
    (y * torch.tensor([1.0, 10.0, 100.0])).sum().backward()
    return {"t": t, "m": m, "y": y, "x_grad": x.grad}


CASES = [floor_divide_in_place_keeps_the_tensor, floor_divide_in_place_with_grad,
         integer_division_by_zero_raises, in_place_on_a_saved_output_raises, in_place_dtypes,
         nan_from_above, ignored_samples_are_skipped,
         zero_grad_keeps_the_array, setitem_drops_leading_ones]


def run_all(torch):
    """Every case's results as ``{"case/key": array}``."""
    results = {}
    for case in CASES:
        for key, value in case(torch).items():
            results[f"{case.__name__}/{key}"] = as_array(value)
    return results
