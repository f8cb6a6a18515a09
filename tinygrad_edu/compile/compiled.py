"""``Compiled``: trace a call once, write it out as a program, replay the program.

A trace (:meth:`Compiled._trace`) goes in four steps:

1. **Find the state** (:mod:`.state`). The Modules and optimizers the function can reach (its arguments,
   the names its code uses, its closure, ``self`` of a bound method) give the parameters,
   their ``.grad``s, the optimizers' state and hyper-parameters. Each becomes a *slot*: a
   place the program reads at its start (``fc1_weight = params[0]._data``) and, if the step
   changed it, writes at its end (``params[0].grad = fc1_weight_grad``).
2. **Swap in tracers.** Each slot's array is replaced by a :class:`~.tracer.Traced` array
   of the same value, each number by a :class:`~.tracer.TracedScalar`, and the library's
   modules see the recording namespaces (:mod:`.namespace`).
3. **Run the function**, eagerly: every array operation is computed and recorded.
4. **Write the program** (:mod:`.program`: inputs, guards, numbers, array operations,
   write-back), compile its text, and put every slot back to real arrays (the values the eager call produced).

Later calls with the same argument shapes and dtypes run the program: one line of NumPy
per operation, no Tensors, no graph.
"""
import importlib
import numbers
import warnings
import weakref

import numpy as np

from .. import fast
from ..fast import layout as layout_module
from ..graph import _AnomalyMode, _grad_mode
from ..tensors.tensor import Tensor
from . import tracer
from .namespace import lend
from .program import Program, template, source
from .state import (Slots, StateWatcher, adopt_leaf, argument_names, give_back_real_arrays,
                    grad_slot, identifier, reachable, restore, traced_hyper_parameters,
                    unknown_parameter, write_back_lines)
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
        self._traced = []          # every program, in the order traced
        self._last = None
        self._shapes_seen = None
        self._warned_retrace = False
        self._signature_names = argument_names(fn)
        self.__name__ = getattr(fn, "__name__", type(fn).__name__)
        self.__doc__ = getattr(fn, "__doc__", None)
        self.__wrapped__ = fn

    @property
    def code(self):
        """The program as Python source (the one traced last), or None before the first call."""
        return None if self._last is None else self._last.source

    @property
    def programs(self):
        """Every program traced so far, in order (one per argument shapes, state and branch)."""
        return list(self._traced)

    def __call__(self, *args, **kwargs):
        if tracer.active() is not None:   # inside another trace: run, so that it is recorded
            return self._fn(*args, **kwargs)
        if kwargs:
            raise TypeError(f"compile: call {self.__name__} with positional arguments (the "
                            f"program reads its arguments by position); got keywords "
                            f"{sorted(kwargs)}")
        key = _argument_key(args)
        programs = self._programs.get(key, ())
        for i, program in enumerate(programs):
            try:
                result = program.run(args)
            except GuardFailed:
                continue
            except DataGuardFailed as failure:   # the library's check would fail: eagerly
                if failure.args and failure.args[0] is not None:
                    from ..random import generator
                    generator().bit_generator.state = failure.args[0]
                return self._fn(*args)
            if i:   # the one that ran goes first: a steady loop tries one program, not two
                programs.insert(0, programs.pop(i))
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
        self._traced.append(program)
        self._last = program
        return result

    def __repr__(self):
        return f"<compiled {self.__name__}: {len(self.programs)} program(s)>"


def _numbers_of(opt):
    """An optimizer's hyper-parameters that are plain numbers, per param group."""
    return [{k: v for k, v in group.items() if isinstance(v, numbers.Number)}
            for group in opt.param_groups]


def _warn_if_changed(label, before, after):
    """A scheduler stepped inside the compiled function (or ``group["lr"] = ...`` there)
    changes a hyper-parameter while traced; the program reads hyper-parameters, it does not
    change them, so later calls would not: say so, naming what changed."""
    changed = [f"param_groups[{g}]['{k}'] {old[k]!r} -> {new[k]!r}"
               for g, (old, new) in enumerate(zip(before, after))
               for k in old if k in new and new[k] != old[k]]
    if changed:
        warnings.warn(f"compile: the traced call changed {label}'s hyper-parameters "
                      f"({', '.join(changed)}); the program reads them on every call but does "
                      f"not change them, so later calls will not. Step a learning-rate "
                      f"scheduler outside the compiled function, between calls",
                      UserWarning, stacklevel=4)


# ---------------------------------------------------------------------------- keys
def _argument_key(args):
    """What a program is specialised to: grad mode, anomaly mode, and each argument's kind,
    shape and dtype (a number's value; any other object itself)."""
    # no_grad() and detect_anomaly() change what is recorded, and so the program
    key = [_grad_mode.enabled, _AnomalyMode.enabled]
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


def _trace(fn, args, argument_names, fn_name):
    recorder = Recorder()
    slots = Slots(recorder)
    modules, optimizers, tensors, held = reachable(fn, args)
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
    for label, t in tensors:   # a Tensor the function names (`w` in `w @ x`) or a Module holds
        add_param(t, label)
    for m, path, t in held:    # (one put in its place, `model.scale = Tensor(...)`: trace again)
        slots.guards.append(f"if modules[{m}].{path} is not params[{index_of[id(t)]}]: "
                            f"raise GuardFailed('tensor')")

    # ---- slots: arguments
    traced_args = list(args)
    arg_tensors = {}
    for i, a in enumerate(args):
        label = argument_names[i] if i < len(argument_names) else f"arg{i}"
        if isinstance(a, Tensor):
            # one Tensor passed twice is one slot; the program holds to which are the same
            for j in sorted(set(arg_tensors.values())):
                same = args[j] is a
                slots.guards.append(f"if args[{i}] is {'not ' if same else ''}args[{j}]: "
                                    f"raise GuardFailed('same argument')")
            if id(a) in arg_tensors:
                continue
            arg_tensors[id(a)] = i
            real = a._data
            a._data = slots.read(f"args[{i}]._data", real, label)
            slots.restore.append((a, "tensor", real))
            slots.write_back.append((f"args[{i}].data", a._data, lambda a=a: a._data, True))
        elif isinstance(a, np.ndarray):
            traced_args[i] = slots.read(f"args[{i}]", a, label)

    # ---- slots: parameters and their gradients
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"compile traces the Tensor engine; parameter {param_names[id(p)]} "
                            f"is a {type(p).__name__}")
        label = identifier(param_names[id(p)])
        real_data, real_grad = p._data, p.grad
        p._data = slots.read(f"params[{i}]._data", real_data, label,
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
            label = identifier(param_names[id(p)])
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
            slots.write_back.append((state_name, dict(state), lambda s=state: s, "state"))
            slots.restore.append((state, "entries", None))
        patches.append((opt, "_hyper_parameters",
                        traced_hyper_parameters(opt, k, slots, len(optimizers) > 1)))
        patches.append((opt, "state", StateWatcher(opt, k, params, index_of, param_names,
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
            adopt_leaf(leaf, leaves, slots, param_names, index_of)
        where = (f"args[{arg_tensors[id(leaf)]}]" if id(leaf) in arg_tensors else None)
        if where is not None and not any(w[0] == where + ".grad" for w in slots.write_back):
            grad_slot(leaf, where, slots, identifier(argument_names[arg_tensors[id(leaf)]]
                       if arg_tensors[id(leaf)] < len(argument_names) else "arg"))
        recorder.comment(f"{param_names.get(id(leaf), 'leaf')}.grad")
        return real_accumulate(handed_out, leaf, grad)

    def update_all(rule, updates, elementwise=True):   # the plain loop, so it is recorded
        for param, grad, state, hyper in updates:
            if type(param) is not Traced:
                raise unknown_parameter(param.shape)
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

    # Every Tensor made during the trace, so that one the function keeps (an activation
    # appended to a list) holds its real array afterwards, as it would have eagerly.
    made = []
    real_constant = tensor_module.Tensor.__dict__["_constant"]   # (the staticmethod itself)
    real_init = tensor_module.Tensor.__dict__["__init__"]

    def constant(array):
        out = real_constant.__func__(array)
        made.append(weakref.ref(out))
        return out

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        made.append(weakref.ref(self))

    hyper_before = [_numbers_of(opt) for _, opt in optimizers]
    tracer._active[0] = recorder
    tensor_module.Tensor._constant, tensor_module.Tensor.__init__ = staticmethod(constant), init
    try:
        with lend(patches):
            result = fn(*traced_args)
        for (label, opt), before in zip(optimizers, hyper_before):
            _warn_if_changed(label, before, _numbers_of(opt))
        outputs = []
        returned = template(result, outputs, recorder)
        for k, opt, before in counters:
            if opt._step_calls != before:
                recorder.body.append(f"optimizers[{k}]._step_calls += {opt._step_calls - before}")
        lines_out = write_back_lines(slots, recorder)
        for m, (_, module) in enumerate(modules):   # train() / eval() change what runs
            slots.guards.append(f"if modules[{m}].training is not {module.training}: "
                                f"raise GuardFailed('training')")
        text = source(fn_name, slots, recorder, lines_out, outputs, leaves)
    finally:
        tracer._active[0] = None
        tensor_module.Tensor._constant, tensor_module.Tensor.__init__ = real_constant, real_init
        restore(slots)
        for tensor in (ref() for ref in made):
            if tensor is not None:
                give_back_real_arrays(tensor)
    program = Program(text, recorder.constants, returned, params, leaves, optimizers,
                      [module for _, module in modules], fn_name, recorder)
    return program, returned.build([o.value if type(o) in (Traced, TracedScalar) else o
                                    for o in outputs], program)
