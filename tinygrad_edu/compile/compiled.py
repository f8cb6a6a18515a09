"""``Compiled``: trace a call once, write it out as a program, replay the program.

A trace (:meth:`Compiled._trace`) goes in four steps:

1. **Find the state.** The Modules and optimizers the function can reach (its arguments,
   the names its code uses, its closure, ``self`` of a bound method) give the parameters,
   their ``.grad``s, the optimizers' state and hyper-parameters. Each becomes a *slot*: a
   place the program reads at its start (``fc1_weight = params[0].data``) and, if the step
   changed it, writes at its end (``params[0].grad = fc1_weight_grad``).
2. **Swap in tracers.** Each slot's array is replaced by a :class:`~.tracer.Traced` array
   of the same value, each number by a :class:`~.tracer.TracedScalar`, and the library's
   modules see the recording namespaces (:mod:`.namespace`).
3. **Run the function**, eagerly: every array operation is computed and recorded.
4. **Write the program** (inputs, guards, numbers, array operations, write-back), compile
   its text, and put every slot back to real arrays (the values the eager call produced).

Later calls with the same argument shapes and dtypes run the program: one line of NumPy
per operation, no Tensors, no graph.
"""
import importlib
import inspect
import linecache
import numbers
import warnings

import numpy as np

from .. import fast
from ..nn.module import Module
from ..optim.optimizer import Optimizer
from ..tensors.function import Function
from ..tensors.tensor import Tensor
from ..fast import layout as layout_module
from ..graph import _grad_mode, enable_grad
from ..tensors.versions import InPlaceChanges
from . import tracer
from .namespace import lend
from .tracer import DataGuardFailed, GuardFailed, Recorder, Traced, TracedScalar

__all__ = ["Compiled"]

# The engine's modules whose seams a trace names (imported by path: `tensors.tensor` is also
# the name of the factory function tensor(...)).
function_module = importlib.import_module("tinygrad_edu.tensors.function")
tensor_module = importlib.import_module("tinygrad_edu.tensors.tensor")


class Compiled:
    """``fn`` compiled: call it as ``fn``; ``.code`` is the program the last call ran."""

    def __init__(self, fn):
        self._fn = fn
        self._programs = {}        # argument key -> [Program, ...] (one per guard outcome)
        self._last = None
        self._shapes_seen = None
        self._warned_retrace = False
        self._signature_names = _argument_names(fn)
        self.__name__ = getattr(fn, "__name__", type(fn).__name__)
        self.__doc__ = getattr(fn, "__doc__", None)
        self.__wrapped__ = fn

    @property
    def code(self):
        """The program as Python source (the one traced last), or None before the first call."""
        return None if self._last is None else self._last.source

    @property
    def programs(self):
        """Every program traced so far (one per argument shapes, state and branch)."""
        return [p for programs in self._programs.values() for p in programs]

    def __call__(self, *args, **kwargs):
        if tracer.active() is not None:   # inside another trace: run, so that it is recorded
            return self._fn(*args, **kwargs)
        if kwargs:
            raise TypeError(f"compile: call {self.__name__} with positional arguments (the "
                            f"program reads its arguments by position); got keywords "
                            f"{sorted(kwargs)}")
        key = _argument_key(args)
        for program in self._programs.get(key, ()):
            try:
                result = program.run(args)
            except GuardFailed:
                continue
            except DataGuardFailed as failure:   # the library's check would fail: eagerly
                if failure.args and failure.args[0] is not None:
                    from ..random import generator
                    generator().bit_generator.state = failure.args[0]
                return self._fn(*args)
            self._last = program
            return result
        shapes = _shapes(args)
        if self._shapes_seen is not None and shapes not in self._shapes_seen and \
                not self._warned_retrace:
            self._warned_retrace = True
            warnings.warn(f"compile: {self.__name__} is traced again, for new argument "
                          f"shapes/dtypes {shapes} (traced before for "
                          f"{sorted(self._shapes_seen)}); each set of shapes gets its own "
                          f"program (said once)", UserWarning, stacklevel=2)
        self._shapes_seen = (self._shapes_seen or set()) | {shapes}
        program, result = _trace(self._fn, args, self._signature_names, self.__name__)
        self._programs.setdefault(key, []).append(program)
        self._last = program
        return result

    def __repr__(self):
        return f"<compiled {self.__name__}: {len(self.programs)} program(s)>"


# ---------------------------------------------------------------------------- keys
def _argument_key(args):
    """What a program is specialised to: grad mode, and each argument's kind, shape and dtype
    (a number's value; any other object itself)."""
    key = [_grad_mode.enabled]   # no_grad() changes what is recorded, and so the program
    for a in args:
        if isinstance(a, Tensor):
            key.append((0, a._data.shape, a._data.dtype, a.requires_grad))
        elif isinstance(a, np.ndarray):
            key.append((1, a.shape, a.dtype))
        elif isinstance(a, (numbers.Number, str, type(None))):
            key.append((2, type(a), a))
        else:
            key.append((3, id(a)))
    return tuple(key)


def _shapes(args):
    return tuple((tuple(a.shape), str(a.dtype)) if isinstance(a, (Tensor, np.ndarray)) else
                 type(a).__name__ for a in args)


def _argument_names(fn):
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
    if isinstance(fn, Compiled):
        fn = fn._fn
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
        if isinstance(obj, Compiled) or (inspect.isfunction(obj) and not str(
                getattr(obj, "__module__", "")).startswith("tinygrad_edu")):
            _names_reached(obj, found, visited, depth + 1)


def _reachable(fn, args):
    """The Modules and optimizers ``fn`` can reach, with the names it knows them by."""
    found = []
    names = _argument_names(fn)
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
            elif isinstance(item, Tensor) and item.is_leaf and name not in names:
                seen.add(id(item))
                tensors.append((label, item))
    return modules, optimizers, tensors


def _identifier(name):
    """``fc1.weight`` -> ``fc1_weight`` (``0.weight``, a Sequential's, -> ``layer0_weight``)."""
    name = "".join(c if c.isalnum() else "_" for c in name)
    return "layer" + name if name[:1].isdigit() else name


# ---------------------------------------------------------------------------- tracing
class _Slots:
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


def _trace(fn, args, argument_names, fn_name):
    recorder = Recorder()
    slots = _Slots(recorder)
    modules, optimizers, tensors = _reachable(fn, args)
    param_names = {}
    for module_label, module in modules:
        for name, p in module.named_parameters():
            label = name if len(modules) == 1 else f"{module_label}.{name}"
            param_names.setdefault(id(p), label)
    params = []               # the Tensors the program addresses as params[i]
    index_of = {}

    def add_param(p, label=None):
        if id(p) in index_of:
            return index_of[id(p)]
        index_of[id(p)] = len(params)
        params.append(p)
        param_names.setdefault(id(p), label or f"param{len(params) - 1}")
        return index_of[id(p)]

    for _, module in modules:
        for _, p in module.named_parameters():
            add_param(p)
    for _, opt in optimizers:
        for group in opt.param_groups:
            for p in group["params"]:
                add_param(p)
    for label, t in tensors:   # a Tensor the function names directly (`w` in `w @ x`)
        add_param(t, label)

    # ---- slots: arguments
    traced_args = list(args)
    arg_tensors = {}
    for i, a in enumerate(args):
        label = argument_names[i] if i < len(argument_names) else f"arg{i}"
        if isinstance(a, Tensor):
            arg_tensors[id(a)] = i
            real = a._data
            a._data = slots.read(f"args[{i}].data", real, label)
            slots.restore.append((a, "tensor", real))
            slots.write_back.append((f"args[{i}].data", a._data, lambda a=a: a._data, True))
        elif isinstance(a, np.ndarray):
            traced_args[i] = slots.read(f"args[{i}]", a, label)

    # ---- slots: parameters and their gradients
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"compile traces the Tensor engine; parameter {param_names[id(p)]} "
                            f"is a {type(p).__name__}")
        label = _identifier(param_names[id(p)])
        real_data, real_grad = p._data, p.grad
        p._data = slots.read(f"params[{i}].data", real_data, label,
                             f"# {param_names[id(p)]}")
        slots.restore.append((p, "tensor", real_data))
        slots.write_back.append((f"params[{i}].data", p._data, lambda p=p: p._data, True))
        if real_grad is None:
            slots.guards.append(f"if params[{i}].grad is not None: raise GuardFailed('grad')")
            initial_grad = None
        else:   # (guarded only if the program reads it: see _guards)
            p.grad = initial_grad = slots.read(f"params[{i}].grad", np.asarray(real_grad),
                                               label + "_old_grad")
        slots.restore.append((p, "grad", real_grad))
        slots.write_back.append((f"params[{i}].grad", initial_grad, lambda p=p: p.grad, False))

    # ---- slots: optimizer state and hyper-parameters
    patches = []
    counters = []
    for k, (opt_label, opt) in enumerate(optimizers):
        counters.append((k, opt, opt._step_calls))
        for i, p in enumerate(params):
            if p not in opt.state:
                continue
            state = opt.state[p]
            label = _identifier(param_names[id(p)])
            state_name = recorder.fresh(label + "_state")
            slots.inputs.append((f"{state_name} = optimizers[{k}].state[params[{i}]]", "",
                                 state_name))
            recorder.used.add(state_name)
            slots.guards.append(f"if len({state_name}) != {len(state)}: "
                                f"raise GuardFailed('state')")
            for key in list(state):
                real = state[key]
                if isinstance(real, np.ndarray) or (isinstance(real, numbers.Real)
                                                    and not isinstance(real, bool)):
                    state[key] = slots.read(f"{state_name}[{key!r}]", real, f"{label}_{key}")
                slots.restore.append((state, key, real))
            slots.write_back.append((state_name, dict(state), lambda s=state: s, "state"))
            slots.restore.append((state, "new keys", None))
        patches.append((opt, "_hyper_parameters",
                        _traced_hyper_parameters(opt, k, slots, len(optimizers) > 1)))
        patches.append((opt, "state", _StateWatcher(opt, k, params, index_of, param_names,
                                                    slots)))

    # ---- the engine's seams, to name what is recorded (and to adopt leaves it finds)
    leaves = []
    real_run_forward = function_module._run_forward
    real_chain_rule = tensor_module.chain_rule
    real_accumulate = tensor_module.accumulate_leaf_grad

    def run_forward(cls, ctx, arrays, kwargs):
        recorder.comment(f"{cls.__name__}")
        return real_run_forward(cls, ctx, arrays, kwargs)

    def chain_rule(node, grad):
        recorder.comment(f"{node.op} backward")
        return real_chain_rule(node, grad)

    def accumulate(handed_out, leaf, grad):
        if id(leaf) not in index_of and id(leaf) not in arg_tensors:
            _adopt_leaf(leaf, leaves, slots, param_names, index_of)
        where = (f"args[{arg_tensors[id(leaf)]}]" if id(leaf) in arg_tensors else None)
        if where is not None and not any(w[0] == where + ".grad" for w in slots.write_back):
            _grad_slot(leaf, where, slots, _identifier(argument_names[arg_tensors[id(leaf)]]
                       if arg_tensors[id(leaf)] < len(argument_names) else "arg"))
        recorder.comment(f"{param_names.get(id(leaf), 'leaf')}.grad")
        return real_accumulate(handed_out, leaf, grad)

    def update_all(rule, updates, elementwise=True):   # the plain loop, so it is recorded
        for param, grad, state, hyper in updates:
            if type(param) is not Traced:
                raise tracer.TraceError(
                    f"compile: the optimizer updates a parameter the trace cannot name (shape "
                    f"{param.shape}): the compiled function must reach the Module or the "
                    f"optimizer (as an argument, a global or a closure variable)")
            recorder.comment(f"{rule.__name__}: {param.name}")
            rule(param, grad, state, **hyper)

    def transposed_is_faster(a, b):   # timed on the real arrays, not recorded
        return real_transposed(a.value if type(a) is Traced else a,
                               b.value if type(b) is Traced else b)
    real_transposed = layout_module._transposed_is_faster

    patches += [(function_module, "_run_forward", run_forward),
                (tensor_module, "chain_rule", chain_rule),
                (tensor_module, "accumulate_leaf_grad", accumulate),
                (fast, "update_all", update_all),
                (layout_module, "_transposed_is_faster", transposed_is_faster)]

    tracer._active[0] = recorder
    try:
        with lend(patches):
            result = fn(*traced_args)
        outputs = []
        template = _template(result, outputs, recorder)
        for k, opt, before in counters:
            if opt._step_calls != before:
                recorder.body.append(f"optimizers[{k}]._step_calls += {opt._step_calls - before}")
        lines_out = _write_back_lines(slots, recorder)
        for m, (_, module) in enumerate(modules):   # train() / eval() change what runs
            slots.guards.append(f"if modules[{m}].training is not {module.training}: "
                                f"raise GuardFailed('training')")
        source = _source(fn_name, slots, recorder, lines_out, outputs, leaves)
    finally:
        tracer._active[0] = None
        _restore(slots)
    program = Program(source, recorder.constants, template, params, leaves, optimizers,
                      [module for _, module in modules], fn_name, recorder)
    return program, template.build([o.value if type(o) in (Traced, TracedScalar) else o
                                    for o in outputs], program)


def _traced_hyper_parameters(opt, k, slots, several):
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


class _StateWatcher(dict):
    """``opt.state`` during the trace: a parameter whose state is made now (its first step)
    gets a slot for it, so that the program writes the new state back."""

    def __init__(self, opt, k, params, index_of, param_names, slots):
        super().__init__(opt.state)
        self._real_state = opt.state
        self._opt, self._k, self._slots = opt, k, slots
        self._index_of, self._param_names = index_of, param_names

    def __missing__(self, p):
        state = self[p] = {}
        i = self._index_of.get(id(p))
        if i is None:
            raise tracer.TraceError("compile: the optimizer steps a parameter the trace does "
                                    "not know; put it in a Module the step uses")
        label = _identifier(self._param_names[id(p)])
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


def _adopt_leaf(leaf, leaves, slots, param_names, index_of):
    """A leaf the backward pass reached that no Module or optimizer named: addressed as
    ``leaves[i]`` (its data, if not traced, was read by reference: a constant)."""
    i = len(leaves)
    leaves.append(leaf)
    index_of[id(leaf)] = ("leaf", i)
    param_names.setdefault(id(leaf), f"leaves[{i}]")
    _grad_slot(leaf, f"leaves[{i}]", slots, f"leaf{i}")


def _grad_slot(leaf, where, slots, label):
    real = leaf.grad
    if real is None:
        slots.guards.append(f"if {where}.grad is not None: raise GuardFailed('grad')")
        initial = None
    else:
        leaf.grad = initial = slots.read(f"{where}.grad", np.asarray(real),
                                        label + "_old_grad")
    slots.restore.append((leaf, "grad", real))
    slots.write_back.append((f"{where}.grad", initial, lambda leaf=leaf: leaf.grad, False))


def _write_back_lines(slots, recorder):
    lines = []
    for target, initial, get, kind in slots.write_back:
        final = get()
        if kind == "state":     # an optimizer's state for one parameter: what changed
            for key, value in final.items():
                if key in initial and value is initial[key]:
                    continue
                lines.append(f"{target}[{key!r}] = {recorder.source(value, [])}")
                _mark_used(recorder, value)
            continue
        if final is initial:
            if kind is True and initial is not None and initial.name in recorder.written:
                lines.append(f"{target} = {initial.name}")   # as eager: the version moves on
            continue
        if final is None:
            lines.append(f"{target} = None")
            continue
        if type(final) not in (Traced, TracedScalar):
            if isinstance(final, np.ndarray):   # made without traced inputs: a fresh copy
                lines.append(f"{target} = {recorder.source(final, [])}.copy()")
                continue
            lines.append(f"{target} = {recorder.source(final, [])}")
            continue
        _mark_used(recorder, final)
        lines.append(f"{target} = {final.name}")
    return lines


def _mark_used(recorder, value):
    if type(value) in (Traced, TracedScalar):
        recorder.used.add(value.name)


def _restore(slots):
    """Every slot back to real values: the values the eager call left there."""
    for obj, key, real in reversed(slots.restore):
        if key == "tensor":
            obj._data = _real(obj._data)
        elif key == "grad":
            obj.grad = _real(obj.grad)
        elif key == "new keys":
            for k in obj:
                obj[k] = _real(obj[k])
        elif isinstance(obj, dict) and not isinstance(key, str):   # opt.state[p] made now
            for k in list(real):
                real[k] = _real(real[k])
            obj[key] = real
        else:
            obj[key] = _real(obj.get(key, real))


def _real(x):
    return x.value if type(x) in (Traced, TracedScalar) else x


# ---------------------------------------------------------------------------- results
class _Template:
    """How to rebuild ``fn``'s return value from the program's outputs."""

    def __init__(self, build):
        self._build = build

    def build(self, values, program):
        return self._build(values, program)


def _template(result, outputs, recorder):
    if isinstance(result, Tensor):
        data = result._data
        index = len(outputs)
        outputs.append(data)
        _mark_used(recorder, data)
        requires_grad = result.requires_grad
        result._data = _real(data)
        return _Template(lambda v, program: _output_tensor(v[index], requires_grad, program))
    if type(result) in (Traced, TracedScalar):
        index = len(outputs)
        outputs.append(result)
        _mark_used(recorder, result)
        return _Template(lambda v, program: v[index])
    if isinstance(result, (tuple, list)):
        parts = [_template(r, outputs, recorder) for r in result]
        kind = type(result)
        if kind in (tuple, list):
            return _Template(lambda v, program: kind(p.build(v, program) for p in parts))
        return _Template(lambda v, program: kind(*(p.build(v, program) for p in parts)))
    if isinstance(result, dict):
        parts = {k: _template(r, outputs, recorder) for k, r in result.items()}
        return _Template(lambda v, program: {k: p.build(v, program) for k, p in parts.items()})
    return _Template(lambda v, program: result)   # a constant (a number read by .item())


class CompiledOutput(Function):
    """The op of a Tensor a compiled function returned: its graph was not kept (the program
    has none), so backward through it explains what to do instead."""

    @staticmethod
    def forward(ctx, value, *params):
        return value

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError(
            "compile: this Tensor was returned by a compiled function, whose program keeps "
            "no graph, so backward() cannot reach the parameters through it. Compile the "
            "whole training step instead (zero_grad, forward, loss, backward and opt.step "
            "inside one function passed to tinygrad_edu.compile), or call the model "
            "uncompiled when you need its graph")


def _output_tensor(value, requires_grad, program):
    """A Tensor the compiled function returns: its value; and if eager execution would have
    given it a graph, one node (``CompiledOutput``) whose backward says what to do instead."""
    out = Tensor._constant(value)
    if requires_grad and program.output_ctx is not None:
        out.requires_grad, out.op, out._ctx = True, "CompiledOutput", program.output_ctx
        out.parents = program.output_ctx.inputs[1:]
        program.output_ctx.saved_at = InPlaceChanges.count   # nothing to check: it raises
    return out


# ---------------------------------------------------------------------------- the program
def _renames(slots, recorder, write_back, outputs):
    """Names a learner would give: a gradient written to ``params[0].grad`` is
    ``layer0_weight_grad``, a new state array ``layer0_weight_exp_avg``; and the copy
    ``Tensor(x)`` makes of an array nobody changes is not made (the same numbers)."""
    taken = set(recorder.used) | {name for _, _, name in slots.inputs}
    for line in recorder.prologue + recorder.body + write_back:
        taken.update(_names_in(line))
    data_names = {target[:-len(".data")]: initial.name
                  for target, initial, _, kind in slots.write_back
                  if kind is True and initial is not None}
    kept = {o.name for o in outputs if type(o) in (Traced, TracedScalar)}
    renames = {}
    for line in write_back:
        target, _, value = line.partition(" = ")
        if not value.isidentifier() or value in kept:
            continue
        kept.add(value)
        if target.endswith(".grad") and target[:-5] in data_names:
            wanted = data_names[target[:-5]] + "_grad"
        elif target.endswith("']") and "[" in target:
            state, _, key = target[:-2].partition("['")
            wanted = state[:-len("_state")] + "_" + key if state.endswith("_state") else None
        else:
            wanted = None
        if wanted and wanted.isidentifier() and wanted not in taken and value not in renames:
            renames[value] = wanted
            taken.add(wanted)
    for line in recorder.body:   # x_copy = np.array(x): the copy Tensor(x) makes
        name, _, expression = line.partition(" = np.array(")
        source = expression[:-1]
        if (expression.endswith(")") and name.isidentifier() and source.isidentifier()
                and name not in kept and name not in recorder.written
                and source not in recorder.written):
            renames[name] = renames.get(source, source)
    return renames


def _rename(line, renames):
    import re
    if not renames:
        return line
    return re.sub(r"(?<![.\w])[A-Za-z_]\w*", lambda m: renames.get(m.group(0), m.group(0)),
                  line)   # names, not attributes (x.copy() keeps its .copy)


def _source(fn_name, slots, recorder, write_back, outputs, leaves):
    renames = _renames(slots, recorder, write_back, outputs)
    copies = {n for n, s in renames.items() if n != s and f"{n} = np.array({s})" in recorder.body}
    recorder.body = [_rename(line, renames) for line in recorder.body
                     if line.partition(" = ")[0] not in copies
                     or not line.startswith(f"{line.partition(' = ')[0]} = np.array(")]
    write_back = [_rename(line, renames) for line in write_back]
    for o in outputs:
        if type(o) in (Traced, TracedScalar):
            o.name = renames.get(o.name, o.name)
    names_out = {o.name for o in outputs if type(o) in (Traced, TracedScalar)}
    recorder.body = _without_dead_lines(recorder, write_back, names_out)
    buffers = _buffers(recorder, write_back, names_out, renames)
    used = set(recorder.used)
    for line in recorder.prologue + recorder.body + write_back:
        used.update(_names_in(line))
    lines = [f"def {_identifier(fn_name)}(args, params, optimizers, modules, leaves):"]
    add = lines.append
    inputs = [(line, comment) for line, comment, name in slots.inputs if name in used]
    if inputs:
        add("    # read: arguments, parameters, gradients, optimizer state, hyper-parameters")
        width = max(len(line) for line, _ in inputs)
        for line, comment in inputs:
            add(f"    {line.ljust(width)}  {comment}".rstrip())
    guards = [g if isinstance(g, str) else g[1] for g in slots.guards
              if isinstance(g, str) or g[0] in used]
    if guards:
        add("    # guards: what this program was traced for (else: trace again)")
        lines += ["    " + g for g in guards]
    if recorder.random_draws:
        add("    rng = generator()")
        if recorder.data_guards:
            add("    rng_state = rng.bit_generator.state")
    if recorder.prologue:
        add("    # numbers: hyper-parameters and step counts (no arrays)")
        lines += ["    " + line for line in recorder.prologue]
    add("    # arrays: forward, backward, update — one NumPy operation a line")
    state = "rng_state" if recorder.random_draws and recorder.data_guards else "None"
    for line in recorder.body:
        add("    " + line.replace("raise DataGuardFailed()", f"raise DataGuardFailed({state})"))
    if write_back:
        add("    # write back: what the step changed")
        lines += ["    " + line for line in write_back]
    names = ", ".join(o.name if type(o) in (Traced, TracedScalar) else
                      recorder.source(o, []) for o in outputs)
    add(f"    return ({names}{',' if len(outputs) == 1 else ''})")
    return "\n".join(lines) + "\n"


def _without_dead_lines(recorder, write_back, names_out):
    """The body without lines whose result nothing reads (a value the eager step computed
    and dropped). Only plain assignments go: in-place changes, draws (the generator must
    move on) and guards always stay."""
    needed = set(names_out)
    for line in write_back:
        needed.update(_names_in(line.partition(" = ")[2]))
    kept = []
    for line in reversed(recorder.body):
        target, is_assignment, expression = line.partition(" = ")
        if (is_assignment and target.isidentifier() and target not in needed
                and "rng." not in expression and target not in recorder.written):
            continue
        needed.update(_names_in(line))
        kept.append(line)
    return kept[::-1]


def _buffers(recorder, write_back, names_out, renames):
    """Preallocate the arrays the program makes on every call and never hands out: each
    element-wise operation or matrix product writes into its own buffer (``out=``), made
    once here. What leaves the program — gradients, new state, returned values, and any
    array sharing memory with one of them — is made fresh on every call, as eagerly."""
    inverse = {new: old for old, new in renames.items()}
    leaving = [recorder.values[inverse.get(n, n)] for n in names_out | {
        line.partition(" = ")[2] for line in write_back}
        if inverse.get(n, n) in recorder.values]
    body, buffers = [], {}
    for line in recorder.body:
        target, _, expression = line.partition(" = ")
        original = inverse.get(target, target)
        call = recorder.ufunc_lines.get(original)
        value = recorder.values.get(original)
        if (call is None or not isinstance(value, np.ndarray) or value.ndim == 0
                or not value.flags.c_contiguous
                or any(np.may_share_memory(value, other) for other in leaving)):
            body.append(line)
            continue
        buffer = f"{target}_buffer"
        buffers[buffer] = np.empty_like(value)
        arguments = ", ".join(_rename(a, renames) for a in call[1])
        body.append(f"{target} = np.{call[0]}({arguments}, out={buffer})")
    recorder.body = body
    recorder.constants.update(buffers)
    recorder.buffer_bytes = sum(b.nbytes for b in buffers.values())
    return buffers


def _names_in(line):
    import re
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", line))


class Program:
    """One traced program: its source, the function compiled from that source, and what it
    reads (parameters, optimizers, leaves) besides the arguments."""

    _count = 0

    def __init__(self, source, constants, template, params, leaves, optimizers, modules, name,
                 recorder):
        from ..random import generator
        Program._count += 1
        filename = f"<tinygrad_edu.compile {name} #{Program._count}>"
        self.source = source
        # Tracebacks and debuggers show the program's lines, as for a file.
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        namespace = dict(constants, np=np, math=__import__("math"), generator=generator,
                         GuardFailed=GuardFailed, DataGuardFailed=DataGuardFailed)
        exec(compile(source, filename, "exec"), namespace)
        self._function = namespace[_identifier(name)]
        self.params = tuple(params)
        self._leaves = tuple(leaves)
        self._modules = tuple(modules)
        self._optimizers = tuple(opt for _, opt in optimizers)
        self._template = template
        self.buffer_bytes = getattr(recorder, "buffer_bytes", 0)   # preallocated by _buffers
        self.lines = len(recorder.prologue) + len(recorder.body)
        # The node every returned Tensor that would have had a graph hangs from (made once).
        self.output_ctx = None
        grad_params = [p for p in self.params if p.requires_grad][:1]
        if grad_params:
            with enable_grad():
                self.output_ctx = CompiledOutput.apply(np.zeros(()), *grad_params)._ctx

    def run(self, args):
        outputs = self._function(args, self.params, self._optimizers, self._modules,
                                 self._leaves)
        return self._template.build(outputs, self)
