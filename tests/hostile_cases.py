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


def matmul_needs_one_dtype(torch):
    """PyTorch's ``@`` does not promote: mixed dtypes raise."""
    a = torch.tensor([[1.0, 2.0]])
    return {"float_int": _raises(lambda: a @ torch.tensor([[1], [2]])),
            "double_float": _raises(lambda: a @ torch.tensor([[1.0], [2.0]]).float()),
            "same": a @ torch.tensor([[1.0], [2.0]]),
            "ints": torch.tensor([[1, 2]]) @ torch.tensor([[3], [4]])}


CASES = [floor_divide_in_place_keeps_the_tensor, floor_divide_in_place_with_grad,
         integer_division_by_zero_raises, in_place_on_a_saved_output_raises, in_place_dtypes,
         matmul_needs_one_dtype]


def run_all(torch):
    """Every case's results as ``{"case/key": array}``."""
    results = {}
    for case in CASES:
        for key, value in case(torch).items():
            results[f"{case.__name__}/{key}"] = as_array(value)
    return results
