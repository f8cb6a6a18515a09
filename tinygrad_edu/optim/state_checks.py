"""What ``Optimizer.load_state_dict`` checks before it changes anything.

A state dict comes from a file, maybe from another optimizer, another model or a run that
diverged. Everything is checked first — the number of groups and of parameters per group,
the hyper-parameters, each parameter's state keys, array shapes and values — so that a
bad one raises ``ValueError`` (a wrong type too: one ``except ValueError`` catches every
bad state dict) and leaves the optimizer as it was. Also here: the plain-data copy that
``state_dict`` and ``load_state_dict`` both make.
"""
import math
import numbers

import numpy as np

#: array state that accumulates squares (or |g|): a negative entry is a damaged state
NON_NEGATIVE_STATE_KEYS = ("sum", "square_avg", "acc_delta", "exp_avg_sq", "max_exp_avg_sq",
                           "exp_inf", "exp_avg_var")


def validated_copy(optimizer, state_dict):
    """``(param_groups, state)`` for ``optimizer``, copied out of ``state_dict``, or ValueError."""
    name = type(optimizer).__name__
    if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= state_dict.keys():
        raise ValueError(f"{name}.load_state_dict expects a dict with 'state' and "
                         f"'param_groups' (from optimizer.state_dict())")
    saved_groups, saved_state = state_dict["param_groups"], state_dict["state"]
    if not isinstance(saved_groups, (list, tuple)) or not isinstance(saved_state, dict):
        raise ValueError("state_dict['param_groups'] must be a list and "
                         "state_dict['state'] a dict")
    if len(saved_groups) != len(optimizer.param_groups):
        raise ValueError(f"the state dict has {len(saved_groups)} param group(s), this "
                         f"{name} has {len(optimizer.param_groups)}")
    param_of = {}                  # saved index -> (our parameter, its group dict)
    new_groups = []
    for i, (group, saved) in enumerate(zip(optimizer.param_groups, saved_groups)):
        if not isinstance(saved, dict) or not isinstance(saved.get("params"), (list, tuple)):
            raise ValueError(f"saved param group {i} must be a dict with a 'params' list")
        if len(saved["params"]) != len(group["params"]):
            raise ValueError(f"saved param group {i} has {len(saved['params'])} "
                             f"parameter(s), this optimizer's group {i} has "
                             f"{len(group['params'])}")
        missing = [k for k in optimizer.defaults if k not in saved]
        if missing:
            raise ValueError(f"saved param group {i} lacks hyper-parameter(s) {missing}; "
                             f"was it saved from a different optimizer than {name}?")
        new = {k: copy_plain(v) for k, v in saved.items() if k != "params"}
        try:
            optimizer._check_group(new, where=f"saved param group {i}")
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
        new_state[p] = _validated_state_entry(optimizer, entry, p, group, key)
    return new_groups, new_state


def _validated_state_entry(optimizer, entry, p, group, index):
    if not isinstance(entry, dict):
        raise ValueError(f"state of parameter {index} must be a dict, got "
                         f"{type(entry).__name__}")
    shape, dtype = _shape_and_dtype(p)
    expected = set(optimizer._init_state(np.zeros(shape, dtype), group))
    optional = set(optimizer._optional_state_keys)
    if set(entry) - optional != expected - optional:
        raise ValueError(f"state of parameter {index} has keys {sorted(entry)}, "
                         f"{type(optimizer).__name__} with these hyper-parameters expects "
                         f"{sorted(expected)}")
    copied = {}
    for k, v in entry.items():
        if k in optimizer._scalar_state_keys:
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
            if k in NON_NEGATIVE_STATE_KEYS and (v < 0).any():
                raise ValueError(f"state[{index}][{k!r}] has negative entries; it "
                                 f"accumulates squares (or |g|), so it cannot be negative")
            copied[k] = np.array(v, dtype=dtype, copy=True)
    return copied


def _shape_and_dtype(p):
    if isinstance(p.data, np.ndarray):
        return p.data.shape, p.data.dtype
    return (), np.dtype(np.float64)


def _as_index(key):
    """A state-dict key as an int (a digit string counts: JSON turns int keys into str)."""
    if isinstance(key, numbers.Integral) and not isinstance(key, bool):
        return int(key)
    if isinstance(key, str) and key.isdigit():
        return int(key)
    return None


def copy_plain(value):
    """A deep copy of plain data (arrays copied; lists, tuples and dicts rebuilt)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(copy_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: copy_plain(v) for k, v in value.items()}
    return value
