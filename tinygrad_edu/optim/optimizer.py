"""``Optimizer``: the bookkeeping every optimizer shares, so each algorithm is only its rule.

An optimizer walks over *parameters* — anything with ``.data`` and ``.grad`` — and moves
each one a little against its gradient. The base class owns everything that is not the
algorithm itself:

* **param groups**: ``param_groups`` is a list of dicts, each holding a list of parameters
  under ``"params"`` and its own copy of every hyper-parameter (``"lr"``, ``"betas"``, ...).
  Pass one list of parameters and you get one group; pass a list of dicts to give, say,
  the biases a different learning rate. A scheduler changes ``group["lr"]`` between steps.
* **state**: ``state[param]`` is a small dict of arrays and numbers per parameter (a step
  count, running averages...). It is created lazily at the parameter's first step.
* **state_dict / load_state_dict**: all of the above as plain data (numbers, strings,
  arrays, lists, dicts), with parameters replaced by their position, exactly PyTorch's
  layout — so a checkpoint can be saved with ``tinygrad_edu.save`` and resumed bit for bit.
* **validation**: bad hyper-parameters and bad state dicts are refused with a message
  that says what is wrong, before anything is changed.

The two engines are handled alike. A ``Tensor`` parameter's ``.data`` is a NumPy array
that is updated *in place*; a ``Value`` parameter's ``.data`` is a Python float, so for
the update it is wrapped as a 0-d float64 array and written back afterwards. Its state is
0-d arrays too, so a state dict looks the same for both. A ``Value``'s gradient is a float
that is never ``None`` (0.0 means "no gradient"), so a ``Value`` is always stepped —
unlike a ``Tensor`` whose ``.grad is None``, which is skipped, as in PyTorch.

A subclass supplies four things: its hyper-parameter checks (``_check_group``), its fresh
per-parameter state (``_init_state``), which state entries are numbers rather than arrays
(``_scalar_state_keys``) and the update itself (``_update``), which calls the algorithm's
pure-looking rule ``<name>_update(param, grad, state, **hyper_parameters)``.

The step counter ``state["step"]`` is a Python float (1.0, 2.0, ...), as PyTorch stores it.
"""
import math
import numbers
import os
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..graph import enable_grad

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
    #: array state that accumulates squares (or |g|): a negative entry is a damaged state
    _non_negative_state_keys = ("sum", "square_avg", "acc_delta", "exp_avg_sq",
                                "max_exp_avg_sq", "exp_inf", "exp_avg_var")

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

        Tensors: ``grad = None`` (or zeros with ``set_to_none=False``); Values: ``grad = 0.0``
        (a Value's grad is always a float).
        """
        for group in self.param_groups:
            for p in group["params"]:
                if not isinstance(p.data, np.ndarray):
                    p.grad = 0.0
                elif set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad = np.zeros_like(p.grad)

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
        # Gather and check everything first, so a bad gradient cannot leave half the
        # parameters updated.
        jobs = []
        for group_index, group in enumerate(self.param_groups):
            for position, p in enumerate(group["params"]):
                arrays = _arrays_for_update(p, group_index, position)
                if arrays is None:
                    continue
                param, grad = arrays
                state = self.state[p]
                if not state:
                    state.update(self._init_state(param, group))
                jobs.append((p, param, grad, state, group))
        _run_updates(self._update, jobs)
        for p, param, _, _, _ in jobs:
            # Write back: a Value's float, a read-only array's copy, or (for a Tensor updated
            # in place) the same array, which bumps the Tensor's version counter, so a
            # backward() through a graph built before this step raises instead of using
            # the new numbers.
            p.data = float(param) if not isinstance(p.data, np.ndarray) else param
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
            saved = {k: _copy_plain(v) for k, v in group.items() if k != "params"}
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
                    state[index_of[id(p)]] = {k: _copy_plain(v) for k, v in entry.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Load a ``state_dict()`` (copying it). Everything is checked first: the number of
        groups, of parameters per group, hyper-parameters, state keys, array shapes and
        values (``step`` a whole number >= 0, everything finite, accumulators of squares not
        negative); on any mismatch a ``ValueError`` says what (a wrong type too, so one
        ``except ValueError`` catches every bad state dict), and the optimizer is left
        unchanged."""
        new_groups, new_state = self._validated_copy(state_dict)
        self.state = defaultdict(dict, new_state)
        for group, new in zip(self.param_groups, new_groups):
            group.clear()              # in place: code holding a group dict sees the change
            group.update(new)

    def _validated_copy(self, state_dict):
        name = type(self).__name__
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= state_dict.keys():
            raise ValueError(f"{name}.load_state_dict expects a dict with 'state' and "
                             f"'param_groups' (from optimizer.state_dict())")
        saved_groups, saved_state = state_dict["param_groups"], state_dict["state"]
        if not isinstance(saved_groups, (list, tuple)) or not isinstance(saved_state, dict):
            raise ValueError("state_dict['param_groups'] must be a list and "
                             "state_dict['state'] a dict")
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"the state dict has {len(saved_groups)} param group(s), this "
                             f"{name} has {len(self.param_groups)}")
        param_of = {}                  # saved index -> (our parameter, its group dict)
        new_groups = []
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if not isinstance(saved, dict) or not isinstance(saved.get("params"), (list, tuple)):
                raise ValueError(f"saved param group {i} must be a dict with a 'params' list")
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"saved param group {i} has {len(saved['params'])} "
                                 f"parameter(s), this optimizer's group {i} has "
                                 f"{len(group['params'])}")
            missing = [k for k in self.defaults if k not in saved]
            if missing:
                raise ValueError(f"saved param group {i} lacks hyper-parameter(s) {missing}; "
                                 f"was it saved from a different optimizer than {name}?")
            new = {k: _copy_plain(v) for k, v in saved.items() if k != "params"}
            try:
                self._check_group(new, where=f"saved param group {i}")
            except TypeError as error:  # the constructor's TypeError; here, a bad state dict
                raise ValueError(str(error)) from None
            new["params"] = group["params"]
            new_groups.append(new)
            for index, p in zip(saved["params"], group["params"]):
                if isinstance(index, bool) or not isinstance(index, numbers.Integral) \
                        or int(index) in param_of:
                    raise ValueError(f"saved param group {i} has a bad or repeated "
                                     f"parameter index {index!r}")
                param_of[int(index)] = (p, new)
        new_state = {}
        for index, entry in saved_state.items():
            key = _as_index(index)
            if key not in param_of:
                raise ValueError(f"the state dict has state for parameter {index!r}, which "
                                 f"is not in its param groups")
            p, group = param_of[key]
            new_state[p] = self._validated_state_entry(entry, p, group, key)
        return new_groups, new_state

    def _validated_state_entry(self, entry, p, group, index):
        if not isinstance(entry, dict):
            raise ValueError(f"state of parameter {index} must be a dict, got "
                             f"{type(entry).__name__}")
        shape, dtype = _shape_and_dtype(p)
        expected = set(self._init_state(np.zeros(shape, dtype), group))
        if not self._state_keys_fit(set(entry), expected):
            raise ValueError(f"state of parameter {index} has keys {sorted(entry)}, "
                             f"{type(self).__name__} with these hyper-parameters expects "
                             f"{sorted(expected)}")
        copied = {}
        for k, v in entry.items():
            if k in self._scalar_state_keys:
                if isinstance(v, np.ndarray) and v.shape == ():
                    v = v.item()
                if isinstance(v, bool) or not isinstance(v, numbers.Real) \
                        or not math.isfinite(v):
                    raise ValueError(f"state[{index}][{k!r}] must be a finite number, got {v!r}")
                if k == "step" and (v < 0 or v != int(v)):
                    raise ValueError(f"state[{index}]['step'] counts the steps taken: a whole "
                                     f"number >= 0, got {v!r}")
                if k == "mu_product" and not 0 < v <= 1:  # a product of momentum factors
                    raise ValueError(f"state[{index}]['mu_product'] must be in (0, 1], "
                                     f"got {v!r}")
                copied[k] = float(v)
            else:
                if not isinstance(v, np.ndarray) or v.shape != shape:
                    got = v.shape if isinstance(v, np.ndarray) else type(v).__name__
                    raise ValueError(f"state[{index}][{k!r}] must be an array of shape "
                                     f"{shape} (the parameter's), got {got}")
                if v.dtype.kind not in "iuf":
                    raise ValueError(f"state[{index}][{k!r}] must hold real numbers, got "
                                     f"dtype {v.dtype}")
                if not np.isfinite(v).all():
                    raise ValueError(f"state[{index}][{k!r}] holds NaN or inf (was it saved "
                                     f"after the training diverged?)")
                if k in self._non_negative_state_keys and (v < 0).any():
                    raise ValueError(f"state[{index}][{k!r}] has negative entries; it "
                                     f"accumulates squares (or |g|), so it cannot be negative")
                copied[k] = np.array(v, dtype=dtype, copy=True)
        return copied

    def _state_keys_fit(self, keys, expected):
        return keys == expected

    # ------------------------------------------------------------------ subclass hooks
    def _check_group(self, group, where):
        """Raise ``ValueError`` for a bad hyper-parameter in ``group``."""

    def _init_state(self, param, group):
        """The fresh state of ``param`` (an array) at its first step."""
        return {}

    def _update(self, param, grad, state, group):
        """Update ``param`` (an array, in place) from ``grad`` and ``state``."""
        raise NotImplementedError

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


def _shape_and_dtype(p):
    if isinstance(p.data, np.ndarray):
        return p.data.shape, p.data.dtype
    return (), np.dtype(np.float64)


def _arrays_for_update(p, group_index, position):
    """``(param_array, grad_array)`` to update in place, or None when there is no gradient.

    A Value's float becomes a 0-d float64 array (written back by ``step``). The gradient
    is cast to the parameter's dtype, so float32 parameters and state stay float32.
    """
    grad = p.grad
    if grad is None:
        return None
    param = p.data
    if not isinstance(param, np.ndarray):
        return np.array(float(param)), np.array(float(grad))
    if not param.flags.writeable:
        param = param.copy()
    grad = np.asarray(grad)
    if grad.shape != param.shape:
        raise ValueError(f"param group {group_index}, parameter {position}: gradient shape "
                         f"{grad.shape} does not match the parameter's shape {param.shape}")
    if grad.dtype != param.dtype:
        grad = grad.astype(param.dtype)
    return param, grad


def effective_grad(grad, param, weight_decay, maximize):
    """The gradient the rule follows: ``-grad`` when maximizing, plus the L2 term
    ``weight_decay * param`` (the gradient of ``weight_decay/2 * ||param||²``).

    Never modifies ``grad`` (it belongs to the parameter); returns a new array when it
    has to change it.
    """
    if maximize:
        grad = np.negative(grad)
        if weight_decay != 0:
            grad += weight_decay * param
        return grad
    if weight_decay != 0:
        return grad + weight_decay * param
    return grad


# ---------------------------------------------------------------------- running the rules
# Why threads in a teaching library? NumPy releases the GIL inside element-wise loops, so
# two threads updating two *different* large parameters really run at once. Each update
# touches only its own parameter and state, so the result is exactly the same as a plain
# loop, in any order — unless two parameters share memory (weights tied by `b.data =
# a.data`): then both updates must land one after the other, so such a step runs as a plain
# loop. Small parameters (and Values) are updated in the calling thread: below ~64K
# elements handing one to a worker costs about as much as the update itself.
_PARALLEL_MIN_SIZE = 1 << 16
_CPUS = os.cpu_count() or 1    # asked once: the call costs microseconds, every step
_pool = None
_pool_pid = None


def _run_updates(update, jobs):
    """Call ``update(param, grad, state, group)`` for every job.

    With two or more large parameters and more than one CPU, the large ones are dealt
    into one bucket per CPU (largest first, each to the lightest bucket); the calling
    thread runs the first bucket and the small jobs while worker threads run the others.
    """
    big = sorted((job for job in jobs if job[1].size >= _PARALLEL_MIN_SIZE),
                 key=lambda job: job[1].size, reverse=True)
    workers = min(4, _CPUS, len(big))
    if workers < 2 or _memory_is_shared(jobs):
        for job in jobs:
            _apply(update, *job[1:])
        return
    buckets = [[] for _ in range(workers)]
    for job in big:
        min(buckets, key=lambda b: sum(j[1].size for j in b)).append(job)
    futures = [_thread_pool().submit(_apply_all, update, bucket) for bucket in buckets[1:]]
    _apply_all(update, buckets[0] + [job for job in jobs if job[1].size < _PARALLEL_MIN_SIZE])
    for future in futures:
        future.result()


def _memory_is_shared(jobs):
    """True when two jobs' arrays (a parameter or a gradient) view the same memory."""
    owner_of = {}
    for index, job in enumerate(jobs):
        for array in job[1:3]:
            while isinstance(array.base, np.ndarray):   # a view: follow it to its owner
                array = array.base
            owner = id(array if array.base is None else array.base)
            if owner_of.setdefault(owner, index) != index:
                return True
    return False


def _apply_all(update, jobs):
    for job in jobs:
        _apply(update, *job[1:])


def _thread_pool():
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():   # a forked child needs its own threads
        # 3 workers: with at most 4 buckets, the calling thread runs the first one itself
        _pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="optim")
        _pool_pid = os.getpid()
    return _pool


def _apply(update, param, grad, state, group):
    """``update(param, grad, state, group)``, also for a 0-d parameter (every Value).

    NumPy turns the result of arithmetic on 0-d arrays into a scalar, which ``out=``
    cannot write into. So a 0-d parameter is updated through 1-element views of it and
    of its state arrays (views share memory: writing into them updates the originals).
    """
    if param.ndim:
        update(param, grad, state, group)
        return
    views = {k: v.reshape(1) for k, v in state.items() if isinstance(v, np.ndarray)}
    flat_state = {**state, **views}
    update(param.reshape(1), grad.reshape(1), flat_state, group)
    for k, v in flat_state.items():     # new numbers, and arrays the rule created
        if not isinstance(v, np.ndarray):
            state[k] = v
        elif views.get(k) is not v:
            state[k] = v.reshape(())


def _as_index(key):
    """A state-dict key as an int (a digit string counts: JSON turns int keys into str)."""
    if isinstance(key, numbers.Integral) and not isinstance(key, bool):
        return int(key)
    if isinstance(key, str) and key.isdigit():
        return int(key)
    return None


def _copy_plain(value):
    """A deep copy of plain data (arrays copied; lists, tuples and dicts rebuilt)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_copy_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _copy_plain(v) for k, v in value.items()}
    return value
