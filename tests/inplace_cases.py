"""In-place changes, version counters, freed graphs and ``.grad`` accumulation (API.md §14,
issue 22), written once and run with ``torch`` and with ``tinygrad_edu``.

Each case is a function of the library module (``torch`` or ``tinygrad_edu``, passed as
``torch``) returning a dict of results. ``"raised"`` is 1 when the library raised
``RuntimeError`` where the case says it may. ``tests/reference/make_inplace_reference.py``
stores PyTorch's results in ``tests/reference/inplace_reference.npz``; ``tests/test_in_place.py``
holds tinygrad_edu's to them. This module must not import torch.
"""
import warnings

import numpy as np


def as_array(value):
    if hasattr(value, "detach"):
        return np.array(value.detach().numpy())
    return np.asarray(value)


def _raises(run):
    """1 if ``run()`` raises RuntimeError, else 0."""
    try:
        run()
    except RuntimeError:
        return 1
    return 0


# ------------------------------------------------------------------ the findings
def add_into_a_tensor_without_grad(torch):            # finding 1
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = torch.tensor([1.0, 1.0, 2.0], requires_grad=True)
    a = torch.zeros(3)
    a += x * 2
    (a * w).sum().backward()
    total = torch.zeros(())
    for k in range(3):
        loss = (x * (k + 1)).sum()
        total += loss
    x.grad = None
    total.backward()
    return {"x_grad": x.grad, "w_grad": w.grad, "a": a, "a_is_leaf": a.is_leaf,
            "total": total, "total_x_grad": x.grad}


def view_of_a_computed_tensor(torch):                  # finding 2
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    row = y[0]
    row *= 10
    y.sum().backward()
    return {"y": y, "row": row, "x_grad": x.grad}


def alias_of_a_computed_tensor(torch):                 # finding 2
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    ys = [y]
    y *= 3
    ys[0].sum().backward()
    return {"y": ys[0], "x_grad": x.grad, "same": ys[0] is y}


def index_changed_after_use(torch):                    # finding 3
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    i = torch.tensor([0])
    ys = []
    for _ in range(3):
        ys.append(x[i])
        i += 1
    total = ys[0] + ys[1] + ys[2]
    return {"raised": _raises(lambda: total.sum().backward()), "i": i}


def mask_changed_after_where(torch):                   # finding 4
    x = torch.tensor([1.0, 2.0, -3.0, 4.0], requires_grad=True)
    m = x > 0
    y = torch.where(m, x, x * 0)
    m *= x < 2
    return {"raised": _raises(lambda: y.sum().backward()), "m": m}


def init_after_forward(torch):                         # finding 5
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    y = (w * x).sum()
    torch.nn.init.constant_(w, 0.5)
    raised = _raises(y.backward)
    z = (w * x).sum()                                  # a forward pass after the change
    z.backward()
    return {"raised": raised, "x_grad": x.grad, "w": w}


def uint8_index_is_a_mask(torch):                      # finding 11
    t = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        picked = t[torch.tensor(np.array([1, 0, 1], np.uint8))]
    picked.sum().backward()
    return {"picked": picked, "grad": t.grad}


# ------------------------------------------------------------------ more in-place semantics
def stale_user_gets_the_old_node(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    z = y + 1                     # recorded before y changes; saves nothing of y
    y *= 3
    z.sum().backward()
    return {"x_grad": x.grad, "z": z, "y": y}


def saved_then_changed_raises(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    z = y * y                     # saves y
    y += 1
    return {"raised": _raises(lambda: z.sum().backward())}


def setitem(torch):
    t = torch.tensor([1.0, 2.0, 3.0])
    t[0] = 5
    t[1:] = torch.tensor([7.0, 8.0])
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    y[0] = x[2] * 10
    y[torch.tensor([False, True, False])] = 0.5
    (y * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    m = torch.zeros(2, 3)
    v = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    m[1] = v * v                  # a tensor without grad gets a graph
    m.sum().backward()
    return {"t": t, "y": y, "x_grad": x.grad, "m": m, "v_grad": v.grad}


def item_through_getitem(torch):
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    y = x * 1
    y[1] *= x[0]                  # Python: tmp = y[1]; tmp *= x[0]; y[1] = tmp
    y[:, 0] += 100
    cell = y[0][1:]
    cell -= 1                     # a view of a view
    y.sum().backward()
    return {"y": y, "x_grad": x.grad}


def reshape_and_transpose_views(torch):
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    y = x * 1
    flat = y.view(6)
    flat.add_(1)
    t = y.T
    t.mul_(torch.tensor([2.0, 3.0]))
    (y * y).sum().backward()
    return {"y": y, "flat": flat, "t": t, "x_grad": x.grad}


def methods(torch):
    x = torch.tensor([1.0, 5.0, 9.0], requires_grad=True)
    y = x * 1
    y.clamp_(2.0, 6.0)
    y.mul_(2).add_(x, alpha=0.5).sub_(1).div_(4)
    y.sum().backward()
    plain = {"clamp_": torch.tensor([1.0, 5.0, 9.0]).clamp_(2, 6),
             "fill_": torch.tensor([1.0, 2.0]).fill_(3),
             "zero_": torch.tensor([1.0, 2.0]).zero_(),
             "copy_": torch.tensor([1.0, 2.0]).copy_(torch.tensor([4.0, 5.0])),
             "add_alpha": torch.tensor([1.0, 2.0]).add_(torch.tensor([1.0, 1.0]), alpha=3)}
    z = x * 1
    src = torch.tensor([7.0, 8.0, 9.0], requires_grad=True)
    z.copy_(src * 2)
    z.sum().backward()
    f = x * 1
    f.fill_(2.0)
    f.zero_()
    return {"y": y, "x_grad": x.grad, "src_grad": src.grad, "f": f, **plain}


def mul_into_a_tensor_without_grad(torch):
    a = torch.tensor([1.0, 2.0, 3.0])
    w = torch.tensor([4.0, 5.0, 6.0], requires_grad=True)
    a *= w                       # w's gradient needs a's values before the change
    a /= w * 0 + 2
    a.sum().backward()
    return {"a": a, "w_grad": w.grad}


def in_place_keeps_the_dtype(torch):
    x = torch.tensor([1.0, 2.0], dtype=torch.float32)
    w = torch.tensor([0.5, 0.25], dtype=torch.float64, requires_grad=True)
    x += w
    x.sum().backward()
    return {"x": x, "dtype_is_float32": x.dtype == torch.float32, "w_grad": w.grad}


def refused(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)

    def leaf():
        x.add_(1)

    def leaf_view():
        x[0] = 5

    def leaf_view_op():
        row = x[1:]
        row *= 2

    def grows():
        y = x * 1
        y += torch.ones(2, 3)

    return {"leaf": _raises(leaf), "leaf_setitem": _raises(leaf_view),
            "leaf_view": _raises(leaf_view_op), "grows": _raises(grows)}


# ------------------------------------------------------------------ //, %
def floor_divide_and_remainder(torch):
    a = torch.tensor([5.0, -5.0, 7.5], requires_grad=True)
    b = torch.tensor([2.0, 3.0, -2.0], requires_grad=True)
    r = a % b
    r.sum().backward()
    q = a // b
    return {"floordiv": q, "floordiv_number": torch.tensor([5.0, -5.0]) // 2,
            "rfloordiv": 7 // torch.tensor([2.0, -2.0]),
            "int_floordiv": torch.tensor([5, -5]) // 2, "int_mod": torch.tensor([5, -5]) % 3,
            "rmod": 7 % torch.tensor([2.0, -3.0]), "mod": r, "a_grad": a.grad,
            "b_grad": b.grad, "floordiv_requires_grad": q.requires_grad,
            "floordiv_backward_raised": _raises(lambda: q.sum().backward())}


def power_in_place(torch):        # **= changes the tensor (it was a silent rebind)
    a = torch.tensor([1.0, 2.0, 3.0])
    view = a[1:]
    a **= 2
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    earlier = y[1:]
    y **= 2
    earlier.sum().backward()
    w = torch.tensor([1.0, 4.0, 9.0], requires_grad=True)
    with torch.no_grad():
        alias = w.detach()
        alias **= 0.5
    b = torch.tensor([1.0, 2.0], requires_grad=True)
    e = torch.tensor([2.0, 3.0], requires_grad=True)
    c = b * 1
    c **= e
    c.sum().backward()
    ints = torch.tensor([2, 3])
    ints **= 2

    def leaf():
        leaf_tensor = torch.tensor([1.0, 2.0], requires_grad=True)
        leaf_tensor **= 2

    def int_to_half():
        t = torch.tensor([2, 3])
        t **= 0.5

    return {"view": view, "a": a, "x_grad": x.grad, "w": w, "b_grad": b.grad,
            "e_grad": e.grad, "ints": ints, "leaf_raised": _raises(leaf),
            "int_to_half_raised": _raises(int_to_half)}


def custom_function_saved_then_changed(torch):   # autograd.Function's saved Tensors
    class Square(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    class ExpSavingOutput(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = x.exp()
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, grad):
            (out,) = ctx.saved_tensors
            return grad * out

    def input_changed():
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 1
        s = Square.apply(y)
        y.add_(1)
        s.sum().backward()

    def output_changed():
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        s = ExpSavingOutput.apply(x)
        s.mul_(2)
        s.sum().backward()

    def twice():
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        s = Square.apply(x * 1).sum()
        s.backward()
        s.backward()

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    s = Square.apply(x).sum()
    s.backward(retain_graph=True)
    s.backward()
    return {"input_changed_raised": _raises(input_changed),
            "output_changed_raised": _raises(output_changed), "twice_raised": _raises(twice),
            "retained_grad": x.grad}


def views_made_before_their_base_had_a_graph(torch):   # a buffer, a view, then a write
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a = torch.zeros(2, 3)
    row = a[1]
    a[1] = x
    row[0] = 100.0                       # through the old view: recorded in a's graph
    (a * a).sum().backward()
    written_through = x.grad
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = torch.tensor([1.0, 1.0, 1.0], requires_grad=True)
    a = torch.zeros(3)
    whole = a[:]
    a += x
    (whole * w).sum().backward()         # read through the old view: x gets its gradient
    read_through = x.grad
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a = torch.zeros(3)
    reshaped = a.reshape(1, 3)
    a.copy_(x)
    reshaped.sum().backward()            # the old view is the only path
    only_path = x.grad
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a = torch.zeros(3)
    view = a[:]
    a += x
    view.backward(torch.tensor([1.0, 2.0, 3.0]))   # backward() on the old view itself
    backward_on_the_view = x.grad
    w = torch.zeros(3)
    first = w[:2]
    w.requires_grad_()                   # a leaf now: the earlier view stays without a graph
    ((first * torch.tensor([5.0, 7.0])).sum() + w.sum()).backward()
    return {"written_through": written_through, "read_through": read_through,
            "only_path": only_path, "requires_grad": reshaped.requires_grad,
            "backward_on_the_view": backward_on_the_view, "leaf_made_later": w.grad}


def changes_to_what_backward_does_not_read(torch):   # kept only what is needed, as PyTorch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    s = y[0] * 2                         # the 2 needs no gradient: y is not kept
    y.add_(1)
    s.backward()
    scaled = x.grad
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    c = torch.tensor([3.0, 4.0])
    product, quotient = (w * c).sum(), (w / c).sum()
    with torch.no_grad():
        w.mul_(10)                       # w is not read by ∂/∂w of w·c or w/c
    product.backward()
    quotient.backward()
    weight = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    out = torch.nn.functional.linear(torch.tensor([[1.0, -1.0]]), weight).sum()
    with torch.no_grad():
        weight.mul_(2)                   # a first layer: its weight is not kept
    out.backward()

    def both_need_it():
        a = torch.tensor([1.0, 2.0], requires_grad=True)
        b = torch.tensor([3.0, 4.0], requires_grad=True)
        p = (a * b).sum()
        with torch.no_grad():
            b.mul_(2)                    # ∂/∂a reads b
        p.backward()

    def divisor_changed():
        a = torch.tensor([1.0, 2.0], requires_grad=True)
        b = torch.tensor([3.0, 4.0])
        q = (a / b).sum()
        b.mul_(2)                        # ∂/∂a reads b
        q.backward()

    return {"scaled": scaled, "w_grad": w.grad, "weight_grad": weight.grad,
            "both_need_it_raised": _raises(both_need_it),
            "divisor_changed_raised": _raises(divisor_changed)}


# ------------------------------------------------------------------ backward, .grad
def grad_accumulates_in_place(torch):
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    (w * 2).sum().backward()
    g = w.grad
    (w * 3).sum().backward()
    g.zero_()                     # PyTorch's idiom, on the same array
    (w * w).sum().backward()
    return {"g": g, "grad": w.grad}


def second_backward(torch):
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()
    y.backward()
    saved = _raises(y.backward)
    k = (w * w).sum()
    k.backward(retain_graph=True)
    k.backward()
    s = (w + 1).sum()             # saves nothing: a second pass works, as PyTorch's
    s.backward()
    s.backward()
    return {"saved_raised": saved, "grad": w.grad}


def gradient_keyword(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).backward(gradient=torch.tensor([1.0, 0.5]))
    return {"grad": x.grad}


CASES = [add_into_a_tensor_without_grad, view_of_a_computed_tensor, alias_of_a_computed_tensor,
         index_changed_after_use, mask_changed_after_where, init_after_forward,
         uint8_index_is_a_mask, stale_user_gets_the_old_node, saved_then_changed_raises,
         setitem, item_through_getitem, reshape_and_transpose_views, methods,
         mul_into_a_tensor_without_grad, in_place_keeps_the_dtype, refused,
         floor_divide_and_remainder, power_in_place, custom_function_saved_then_changed,
         views_made_before_their_base_had_a_graph, changes_to_what_backward_does_not_read,
         grad_accumulates_in_place,
         second_backward,
         gradient_keyword]


def run_all(torch):
    """Every case's results as ``{"case/key": array}``."""
    results = {}
    for case in CASES:
        for key, value in case(torch).items():
            results[f"{case.__name__}/{key}"] = as_array(value)
    return results
