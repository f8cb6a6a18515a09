"""Which state a step reads and writes, and how a trace borrows it.

A compiled function reads more than its arguments: the parameters of the Modules it calls,
their ``.grad``s, its optimizers' state and hyper-parameters. :func:`reachable` finds the
Modules, optimizers and Tensors the function's code can name (its arguments, closure and
globals, through the user's own helper functions). Each place the program reads at its start
and writes at its end is a *slot* (:class:`Slots`): ``params[0]._data``, ``params[0].grad``,
``optimizers[0].state[params[0]]['exp_avg']``, a hyper-parameter. While the trace runs, each
slot holds a traced stand-in; afterwards :func:`restore` puts back the real arrays — the
values the eager call left there.
"""
import inspect
import numbers

import numpy as np

from ..nn.module import Module
from ..optim.optimizer import Optimizer
from ..tensors.tensor import Tensor
from . import tracer
from .tracer import Traced, TracedScalar

__all__ = ["reachable", "argument_names", "identifier", "Slots", "traced_hyper_parameters",
           "StateWatcher", "adopt_leaf", "grad_slot", "write_back_lines", "restore",
           "mark_used", "real_value"]


def argument_names(fn):
    if isinstance(fn, Module):
        fn = fn.forward
    try:
        return [p.name for p in inspect.signature(fn).parameters.values()]
    except (TypeError, ValueError):
        return []


# ---------------------------------------------------------------------------- finding state
def _names_reached(fn, found, visited, depth=0):
    """``(name, object)`` for what ``fn``'s code names: its closure and the globals it uses;
    through the user's own functions (and compiled functions) it calls, a few levels deep."""
    if id(fn) in visited or depth > 3:
        return
    visited.add(id(fn))
    fn = getattr(fn, "__wrapped__", fn)   # a compiled function: the function it compiled
    owner = fn if isinstance(fn, Module) else getattr(fn, "__self__", None)
    if owner is not None:
        found.append(("self", owner))
    code = getattr(fn, "__code__", None)
    if code is None:
        return
    here = []
    for name, cell in zip(code.co_freevars, getattr(fn, "__closure__", None) or ()):
        try:
            here.append((name, cell.cell_contents))
        except ValueError:   # an empty cell
            pass
    namespace = getattr(fn, "__globals__", {})
    here += [(n, namespace[n]) for n in code.co_names if n in namespace]
    found += here
    for _, obj in here:
        if hasattr(obj, "__wrapped__") or (inspect.isfunction(obj) and not str(
                getattr(obj, "__module__", "")).startswith("tinygrad_edu")):
            _names_reached(obj, found, visited, depth + 1)


def reachable(fn, args):
    """The Modules and optimizers ``fn`` can reach, with the names it knows them by; the
    leaf Tensors it names, or that those Modules hold besides their parameters; and for the
    latter, where they are held: ``(module index, attribute path, tensor)``, to guard on."""
    found = []
    names = argument_names(fn)
    for i, a in enumerate(args):
        found.append((names[i] if i < len(names) else f"arg{i}", a))
    _names_reached(fn, found, set())
    modules, optimizers, tensors, seen = [], [], [], set()
    for name, obj in found:
        items = obj if isinstance(obj, (list, tuple)) else [obj]
        for k, item in enumerate(items):
            label = name if items is not obj else f"{name}{k}"
            if id(item) in seen:
                continue
            if isinstance(item, Module):
                seen.add(id(item))
                modules.append((label, item))
            elif isinstance(item, Optimizer):
                seen.add(id(item))
                optimizers.append((label, item))
            elif isinstance(item, Tensor) and item.is_leaf and name not in names and not any(
                    item is a for a in args):   # (an argument is read as one: args[i])
                seen.add(id(item))
                tensors.append((label, item))
    held = []
    for m, (label, module) in enumerate(modules):   # a Module's other Tensors (a temperature,
        for prefix, sub in module.named_modules():  # a mask): read on every call, as params
            for attribute, item in vars(sub).items():
                if (isinstance(item, Tensor) and item.is_leaf and id(item) not in seen
                        and attribute not in sub._parameters
                        and not any(item is a for a in args)):
                    seen.add(id(item))
                    path = f"{prefix}.{attribute}" if prefix else attribute
                    tensors.append((path if len(modules) == 1 else f"{label}.{path}", item))
                    held.append((m, path, item))
    return modules, optimizers, tensors, held


def identifier(name):
    """``fc1.weight`` -> ``fc1_weight`` (``0.weight``, a Sequential's, -> ``layer0_weight``)."""
    name = "".join(c if c.isalnum() else "_" for c in name)
    return "layer" + name if name[:1].isdigit() else name


# ---------------------------------------------------------------------------- tracing
class Slots:
    """Every place the trace swapped a real value for a traced one, to write back."""

    def __init__(self, recorder):
        self.recorder = recorder
        self.inputs = []          # lines that read the slots
        self.guards = []          # lines that check the structure the program assumes
        self.restore = []         # (object, attribute-or-key, kind) to put real values back
        self.write_back = []      # (target source, initial Traced or None, getter)

    def read(self, source, value, name, comment=""):
        """``name = source``; returns the traced stand-in for ``value``."""
        recorder = self.recorder
        name = recorder.fresh(name)
        self.inputs.append((f"{name} = {source}", comment, name))
        if source.endswith(".grad"):   # a gradient the program reads must be there
            self.guards.append((name, f"if {source} is None: raise GuardFailed('grad')"))
        if isinstance(value, np.ndarray):
            return Traced(value, name)
        return TracedScalar(value, name)


def traced_hyper_parameters(opt, k, slots, several):
    """``opt._hyper_parameters`` during the trace: the numbers, traced and read from the
    optimizer's param group on every call; the flags, guarded."""
    real = type(opt)._hyper_parameters
    cache = {}

    def hyper_parameters(group):
        g = next(i for i, candidate in enumerate(opt.param_groups) if candidate is group)
        if g in cache:
            return cache[g]
        values = real(opt, group)
        prefix = f"opt{k}_" if several else ""
        prefix += f"group{g}_" if len(opt.param_groups) > 1 else ""
        hyper_name = slots.recorder.fresh(f"{prefix}hyper")
        slots.inputs.append((f"{hyper_name} = optimizers[{k}]._hyper_parameters("
                             f"optimizers[{k}].param_groups[{g}])", "", hyper_name))
        slots.recorder.used.add(hyper_name)
        traced = {}
        for key, value in values.items():
            if isinstance(value, numbers.Real) and not isinstance(value, bool):
                traced[key] = slots.read(f"{hyper_name}[{key!r}]", value, prefix + key)
            else:
                traced[key] = value
                slots.guards.append(f"if {hyper_name}[{key!r}] != {value!r}: "
                                    f"raise GuardFailed({key!r})")
        cache[g] = traced
        return traced
    return hyper_parameters


def unknown_parameter(shape):
    """The error for an optimizer stepping a parameter no name the trace knows reaches."""
    return tracer.TraceError(
        f"compile: the optimizer updates a parameter the trace cannot name (shape {shape}): "
        f"the compiled function must reach the Module or the optimizer (as an argument, a "
        f"global or a closure variable)")


class StateWatcher(dict):
    """``opt.state`` during the trace: a parameter whose state is made now (its first step)
    gets a slot for it, so that the program writes the new state back."""

    def __init__(self, opt, k, params, index_of, param_names, slots):
        super().__init__(opt.state)
        self._real_state = opt.state
        self._opt, self._k, self._slots = opt, k, slots
        self._index_of, self._param_names = index_of, param_names

    def __missing__(self, p):
        i = self._index_of.get(id(p))
        if type(i) is not int:   # (None, or ("leaf", j): a leaf only backward() reached)
            raise unknown_parameter(p.shape)
        state = self[p] = {}
        label = identifier(self._param_names[id(p)])
        name = self._slots.recorder.fresh(label + "_state")
        self._slots.inputs.append((f"{name} = optimizers[{self._k}].state[params[{i}]]", "",
                                   name))
        self._slots.recorder.used.add(name)
        self._slots.guards.append(f"if len({name}) != 0: raise GuardFailed('state')")
        self._slots.write_back.append((name, {}, lambda s=state: s, "state"))
        self._slots.restore.append((self._real_state, p, state))
        return state

    def __contains__(self, p):
        return dict.__contains__(self, p)


def adopt_leaf(leaf, leaves, slots, param_names, index_of):
    """A leaf the backward pass reached that no Module or optimizer named: addressed as
    ``leaves[i]`` (its data, if not traced, was read by reference: a constant)."""
    i = len(leaves)
    leaves.append(leaf)
    index_of[id(leaf)] = ("leaf", i)
    param_names.setdefault(id(leaf), f"leaves[{i}]")
    grad_slot(leaf, f"leaves[{i}]", slots, f"leaf{i}")


def grad_slot(leaf, where, slots, label):
    real = leaf.grad
    if real is None:
        slots.guards.append(f"if {where}.grad is not None: raise GuardFailed('grad')")
        initial = None
    else:
        leaf.grad = initial = slots.read(f"{where}.grad", np.asarray(real),
                                        label + "_old_grad")
    slots.restore.append((leaf, "grad", real))
    slots.write_back.append((f"{where}.grad", initial, lambda leaf=leaf: leaf.grad, False))


def write_back_lines(slots, recorder):
    lines = []
    for target, initial, get, kind in slots.write_back:
        final = get()
        if kind == "state":     # an optimizer's state for one parameter: what changed
            for key, value in final.items():
                if key in initial and value is initial[key]:
                    continue
                lines.append(f"{target}[{key!r}] = {recorder.source(value, [])}")
                mark_used(recorder, value)
            continue
        if final is initial or (type(final) is Traced and initial is not None
                                and final.name == initial.name):   # (or a view of it)
            if kind is True and initial is not None and initial.name in recorder.written:
                lines.append(f"{target} = {initial.name}")   # as eager: the version moves on
            continue
        if final is None:
            lines.append(f"{target} = None")
            continue
        if type(final) not in (Traced, TracedScalar):
            if isinstance(final, np.ndarray):   # made without traced inputs: a fresh copy
                # of its value now (the array itself stays with the tensor, which later calls
                # change in place)
                snapshot = np.array(final, copy=True)
                lines.append(f"{target} = {recorder.constant(snapshot, 'const')}.copy()")
                continue
            lines.append(f"{target} = {recorder.source(final, [])}")
            continue
        mark_used(recorder, final)
        lines.append(f"{target} = {final.name}")
    return lines


def mark_used(recorder, value):
    if type(value) in (Traced, TracedScalar):
        recorder.used.add(value.name)


def restore(slots):
    """Every slot back to real values: the values the eager call left there."""
    for obj, key, real in reversed(slots.restore):
        if isinstance(key, Tensor):   # opt.state[p] made during the trace (its first step)
            for k in list(real):
                real[k] = real_value(real[k])
            obj[key] = real
        elif key == "tensor":
            give_back_real_arrays(obj)
        elif key == "grad":
            obj.grad = real_value(obj.grad)
        elif key == "entries":   # an optimizer's state for one parameter: every entry
            for k in obj:
                obj[k] = real_value(obj[k])


def give_back_real_arrays(tensor):
    """A Tensor the trace touched — a slot's, or one made during the trace and still alive
    (kept by the function): its array, its gradient, its version's record (an in-place change
    during the trace dated it) and what its op saved for backward become the real arrays, so
    that it works after the trace as it would have eagerly."""
    tensor._data = real_value(tensor._data)
    if type(tensor._grad) is Traced:
        tensor.grad = real_value(tensor._grad)
    if tensor._version is not None:   # (every counter has changed_array, None or an array)
        tensor._version.changed_array = real_value(tensor._version.changed_array)
    if tensor._ctx is not None:
        for name, value in list(vars(tensor._ctx).items()):
            setattr(tensor._ctx, name, tracer.real_values(value))


def real_value(x):
    return x.value if type(x) in (Traced, TracedScalar) else x
