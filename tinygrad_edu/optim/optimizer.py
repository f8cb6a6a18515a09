"""``Optimizer``: the bookkeeping every optimizer shares, so each algorithm is only its rule.

An optimizer walks over *parameters* — anything with ``.data`` and ``.grad`` — and moves
each one a little against its gradient. A subclass is its rule: a short function
``<name>_update(param, grad, state, **hyper_parameters)`` that updates one parameter's
array in place (the rule in the class docstring, line by line; intermediate results go
into a work array, ``np.empty_like(param)``, with ``out=``, so a step makes few
parameter-sized arrays), plus its checks. This base class owns the rest:

* **param groups**: ``param_groups`` is a list of dicts, each holding a list of parameters
  under ``"params"`` and its own copy of every hyper-parameter (``"lr"``, ``"betas"``, ...).
  Pass one list of parameters and you get one group; pass a list of dicts to give, say,
  the biases a different learning rate. A scheduler changes ``group["lr"]`` between steps.
* **state**: ``state[param]`` is a small dict of arrays and numbers per parameter (a step
  count, running averages...), created at the parameter's first step. The step counter
  ``state["step"]`` is a Python float (1.0, 2.0, ...), as PyTorch stores it.
* **step**: for each parameter with a gradient, call the rule — in a plain loop, or
  through the fast path of :mod:`tinygrad_edu.fast`, which runs the same function faster
  and gives the same bits (``with tinygrad_edu.fast.plain():`` switches it off).
* **state_dict / load_state_dict**: all of the above as plain data, with parameters
  replaced by their position, exactly PyTorch's layout — so a checkpoint can be saved with
  ``tinygrad_edu.save`` and resumed bit for bit (the checks: :mod:`.state_checks`).

The two engines are handled alike. A ``Tensor`` parameter's ``.data`` is a NumPy array,
updated *in place*; a ``Value``'s ``.data`` is a Python float, so for the update it becomes
a 0-d float64 array (and its state 0-d arrays, so a state dict looks the same for both),
written back afterwards. A ``Value``'s gradient is a float that is never ``None`` (0.0
means "no gradient"), so a ``Value`` is always stepped — unlike a ``Tensor`` whose
``.grad is None``, which is skipped, as in PyTorch.
"""
import math
import numbers
from collections import defaultdict

import numpy as np

from .. import fast
from ..graph import enable_grad
from .state_checks import copy_plain, validated_copy

__all__ = ["Optimizer"]


class Optimizer:
    """Base class: param groups, per-parameter state, ``step``, ``zero_grad``, state dicts.

    ``params`` is an iterable of parameters (objects with ``.data`` and ``.grad``:
    ``Tensor`` or ``Value``) or of dicts ``{"params": [...], "lr": ..., ...}`` (param
    groups; missing hyper-parameters are taken from ``defaults``).

    >>> from tinygrad_edu import Value
    >>> from tinygrad_edu.optim import SGD
    >>> w, b = Value(1.0), Value(0.0)
    >>> opt = SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
    >>> [group["lr"] for group in opt.param_groups]
    [0.1, 0.5]
    >>> w.grad, b.grad = 1.0, 1.0
    >>> opt.step()
    >>> w.data, b.data
    (0.9, -0.5)
    """

    #: how many times step() was called (schedulers warn when they step before it)
    _step_calls = 0
    #: state entries that are numbers (the rest are arrays shaped like the parameter)
    _scalar_state_keys = ("step",)
    #: state entries the rule makes when it first needs them (SGD's momentum buffer), so a
    #: saved state may lack them
    _optional_state_keys = ()

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self._check_group(self.defaults, where="the constructor")
        # keyed by the parameter object itself (identity hash), as in PyTorch; a defaultdict
        # so that ``optimizer.state[p]`` of a parameter not yet stepped is simply {}
        self.state = defaultdict(dict)
        self.param_groups = []

        if isinstance(params, dict):
            raise TypeError("params must be an iterable of parameters or of param-group "
                            "dicts; to pass one group write [{'params': ..., ...}]")
        if _is_parameter_like(params):
            raise TypeError(f"params must be an iterable of parameters, got a single "
                            f"{type(params).__name__}; wrap it in a list: [param]")
        if isinstance(params, (set, frozenset)):
            raise TypeError("params must be an ordered collection (a list), not a set: "
                            "a set's order changes between runs, and so would the state dict")
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list; pass "
                             f"model.parameters() (did the model define any?)")
        if all(isinstance(p, dict) for p in params):
            groups = params
        elif any(isinstance(p, dict) for p in params):
            raise TypeError("params mixes parameters and param-group dicts; use one or "
                            "the other")
        else:
            groups = [{"params": params}]
        for group in groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ param groups
    def add_param_group(self, param_group):
        """Append a group: ``{"params": [...], <hyper-parameter>: value, ...}``.

        Hyper-parameters the group leaves out come from ``defaults``. Raises ``ValueError``
        for an empty group, a parameter already being optimized, or a bad hyper-parameter.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"a param group must be a dict, got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError("a param group needs a 'params' entry (the list of parameters)")
        group = dict(param_group)          # never modify the caller's dict
        params = group["params"]
        if _is_parameter_like(params):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError("a param group's 'params' must be a list, not a set (a set's "
                            "order changes between runs)")
        params = list(params)
        index = len(self.param_groups)
        if not params:
            raise ValueError(f"param group {index} has an empty parameter list")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for position, p in enumerate(params):
            _check_parameter(p, f"param group {index}, parameter {position}")
            if id(p) in seen:
                raise ValueError(f"param group {index}, parameter {position} is given twice "
                                 f"(a parameter may appear only once across all groups)")
            seen.add(id(p))
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        self._check_group(group, where=f"param group {index}")
        group["params"] = params
        self.param_groups.append(group)

    # ------------------------------------------------------------------ stepping
    def zero_grad(self, set_to_none=True):
        """Forget the gradients before the next backward pass (they accumulate otherwise).

        Tensors: ``grad = None`` (or, with ``set_to_none=False``, the same array set to zeros);
        Values: ``grad = 0.0``
        (a Value's grad is always a float).
        """
        for group in self.param_groups:
            for p in group["params"]:
                if not isinstance(p.data, np.ndarray):
                    p.grad = 0.0
                elif set_to_none:
                    p.grad = None
                elif p.grad is not None:   # in place, as PyTorch: references see the zeros
                    p.grad[...] = 0

    def step(self, closure=None):
        """Update every parameter that has a gradient; return ``closure()``'s loss (or None).

        ``closure`` (optional) re-computes the loss and its gradients — zero_grad, forward,
        backward, return loss — and is called (with gradients enabled) before the update.
        """
        self._step_calls += 1
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        # Each parameter with a gradient, as arrays, with its state and its group's
        # hyper-parameters; all gathered and checked first, so that a bad gradient cannot
        # leave half the parameters updated.
        params, updates = [], []
        for group_index, group in enumerate(self.param_groups):
            with_gradients = _arrays_with_gradients(group["params"], group_index)
            hyper_parameters = self._hyper_parameters(group)
            for p, param, grad, is_value in with_gradients:
                state = self.state[p]
                if not state:                                  # its first step
                    state.update(self._init_state(param, group))
                params.append((p, param, is_value))
                updates.append((param, grad, state, hyper_parameters))
        # For each parameter, update it: the plain loop, or (by default) the same rule
        # function run faster, bit for bit the same (tinygrad_edu/fast/updates.py).
        if fast.switch.on:
            fast.update_all(self.rule, updates, elementwise=self.rule_is_elementwise)
        else:
            for param, grad, state, hyper_parameters in updates:
                self.rule(param, grad, state, **hyper_parameters)
        for p, param, is_value in params:
            # Write back: a Value's float, a read-only array's copy, or (for a Tensor updated
            # in place) the same array, which bumps the Tensor's version counter, so a
            # backward() through a graph built before this step raises instead of using
            # the new numbers.
            p.data = float(param) if is_value else param
        return loss

    # ------------------------------------------------------------------ state dicts
    def state_dict(self):
        """The optimizer as plain data: ``{"state": {index: {...}}, "param_groups": [...]}``.

        Parameters are replaced by their position counting through all groups (0, 1, ...);
        arrays are copies; numbers stay numbers. Parameters without state are left out.
        """
        index_of = {}
        groups = []
        for group in self.param_groups:
            saved = {k: copy_plain(v) for k, v in group.items() if k != "params"}
            saved["params"] = []
            for p in group["params"]:
                index_of[id(p)] = len(index_of)
                saved["params"].append(index_of[id(p)])
            groups.append(saved)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                entry = self.state.get(p)
                if entry:
                    state[index_of[id(p)]] = {k: copy_plain(v) for k, v in entry.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Load a ``state_dict()`` (copying it). Everything is checked first: the number of
        groups, of parameters per group, hyper-parameters, state keys, array shapes and
        values (``step`` a whole number >= 0, everything finite, accumulators of squares not
        negative); on any mismatch a ``ValueError`` says what (a wrong type too, so one
        ``except ValueError`` catches every bad state dict), and the optimizer is left
        unchanged."""
        new_groups, new_state = validated_copy(self, state_dict)
        self.state = defaultdict(dict, new_state)
        for group, new in zip(self.param_groups, new_groups):
            group.clear()              # in place: code holding a group dict sees the change
            group.update(new)

    # ------------------------------------------------------------------ subclass hooks
    #: the update rule, ``rule(param, grad, state, **hyper_parameters)``: a plain function
    #: (``staticmethod(sgd_update)``) that updates one parameter's array in place
    rule = None
    #: True when every element of the rule's result depends only on the same element of
    #: its arrays (true of every optimizer here); a rule with a norm or a mean over the
    #: array sets it False, and the fast path then never splits its arrays into blocks
    rule_is_elementwise = True

    def _hyper_parameters(self, group):
        """The rule's keyword arguments, from a param group (numbers as Python floats)."""
        raise NotImplementedError(f"{type(self).__name__} must define _hyper_parameters(group), "
                                  f"the keyword arguments of its rule")

    def _check_group(self, group, where):
        """Raise ``ValueError`` for a bad hyper-parameter in ``group``."""

    def _init_state(self, param, group):
        """The fresh state of ``param`` (an array) at its first step."""
        return {}

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        return "\n".join(lines + [")"])


# ---------------------------------------------------------------------- hyper-parameters
# Small checks used by the subclasses' ``_check_group``. Each error names the optimizer
# setting, the value given and the valid range.

def check_number(where, name, value, low=0.0, high=math.inf, high_open=False):
    """``low <= value <= high`` (or ``< high``), else ``ValueError`` naming all three."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {name} must be a real number, got "
                        f"{type(value).__name__} {value!r}")
    ok = low <= value and (value < high if high_open else value <= high)
    if not ok:   # also catches NaN
        bracket = ")" if high_open else "]"
        raise ValueError(f"{where}: invalid {name}={value!r}; valid range is "
                         f"[{low:g}, {high:g}{bracket}")


def check_betas(where, betas):
    """``betas`` is a pair ``(beta1, beta2)``, each in [0, 1)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{where}: betas must be a pair (beta1, beta2), got {betas!r}")
    for i, beta in enumerate(betas):
        check_number(where, f"betas[{i}]", beta, 0.0, 1.0, high_open=True)


def check_flag(where, name, value):
    """``value`` is a bool (catches ``amsgrad="no"``, which Python would treat as True)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: {name} must be True or False, got {value!r}")


# ---------------------------------------------------------------------- parameters
def _is_parameter_like(obj):
    return hasattr(obj, "data") and hasattr(obj, "grad")


def _check_parameter(p, where):
    if not _is_parameter_like(p):
        hint = (" (wrap an array as Tensor(array, requires_grad=True))"
                if isinstance(p, np.ndarray) else "")
        raise TypeError(f"{where}: an optimizer parameter needs .data and .grad (a Tensor "
                        f"or a Value), got {type(p).__name__}{hint}")
    if isinstance(p.data, np.ndarray):
        if not np.issubdtype(p.data.dtype, np.floating):
            raise TypeError(f"{where}: parameters must be floating point, got dtype "
                            f"{p.data.dtype}")
    elif isinstance(p.data, bool) or not isinstance(p.data, numbers.Real):
        raise TypeError(f"{where}: .data must be a NumPy array (Tensor) or a float "
                        f"(Value), got {type(p.data).__name__}")
    if getattr(p, "parents", ()):
        raise ValueError(f"{where} is not a leaf: it was computed by "
                         f"{getattr(p, 'op', '') or 'an operation'!r} from other values, "
                         f"so updating it would not change the model; optimize the leaf "
                         f"parameters it came from")


def _arrays_with_gradients(params, group_index):
    """``(p, param_array, grad_array, is_value)`` for each parameter with a gradient, to update
    in place (``is_value``: a Value, whose float is written back by ``step``).

    A Value's float becomes a 0-d float64 array (written back by ``step``). The gradient
    is cast to the parameter's dtype, so float32 parameters and state stay float32.
    """
    found = []
    for position, p in enumerate(params):
        grad = p.grad
        if grad is None:
            continue                     # no gradient: not stepped (as PyTorch)
        param = getattr(p, "_data", None)   # a Tensor's own array (.data: a new view per call)
        if param is None:
            param = p.data
        if not isinstance(param, np.ndarray):
            found.append((p, np.array(float(param)), np.array(float(grad)), True))
            continue
        param = np.asarray(param)        # (a Tensor's .data: an ndarray subclass; the rule
        if not param.flags.writeable:    # works on the plain array, the same memory)
            param = param.copy()
        grad = np.asarray(grad)
        if grad.shape != param.shape:
            raise ValueError(f"param group {group_index}, parameter {position}: gradient "
                             f"shape {grad.shape} does not match the parameter's shape "
                             f"{param.shape}")
        if grad.dtype != param.dtype:
            grad = grad.astype(param.dtype)
        found.append((p, param, grad, False))
    return found
