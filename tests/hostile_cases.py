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


CASES = [floor_divide_in_place_keeps_the_tensor, floor_divide_in_place_with_grad,
         integer_division_by_zero_raises]


def run_all(torch):
    """Every case's results as ``{"case/key": array}``."""
    results = {}
    for case in CASES:
        for key, value in case(torch).items():
            results[f"{case.__name__}/{key}"] = as_array(value)
    return results
