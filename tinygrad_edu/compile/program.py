"""The program: its text, its buffers, and running it.

From what the trace recorded (:class:`~.tracer.Recorder`) and the slots it read and wrote
(:class:`~.state.Slots`), :func:`source` writes one Python function::

    def step(args, params, optimizers, modules, leaves):
        # read ...  # guards ...  # numbers ...  # arrays ...  # write back ...

with names a learner would give (``layer0_weight_grad``), without the lines whose results
nothing reads, and with the arrays that never leave the step written into buffers made once
(``out=``). :class:`Program` compiles that text — what runs is what ``.code`` shows — and
rebuilds the function's return value from the program's outputs.
"""
import keyword
import linecache
import math
import re

import numpy as np

from ..graph import enable_grad
from ..random import generator
from ..tensors.function import Function
from ..tensors.tensor import Tensor
from .state import identifier, mark_used
from .tracer import DataGuardFailed, GuardFailed, Traced, TracedScalar

__all__ = ["Program", "CompiledOutput", "template", "source"]


# ---------------------------------------------------------------------------- results
class _Template:
    """How to rebuild ``fn``'s return value from the program's outputs."""

    def __init__(self, build):
        self._build = build

    def build(self, values, program):
        return self._build(values, program)


def template(result, outputs, recorder):
    if isinstance(result, Tensor):
        data = result._data
        index = len(outputs)
        outputs.append(data)
        mark_used(recorder, data)
        requires_grad = result.requires_grad
        # (its array stays traced until the trace ends: a parameter or an argument returned
        # is still a slot the write-back reads)
        return _Template(lambda v, program: _output_tensor(v[index], requires_grad, program))
    if type(result) in (Traced, TracedScalar):
        index = len(outputs)
        outputs.append(result)
        mark_used(recorder, result)
        return _Template(lambda v, program: v[index])
    if isinstance(result, (tuple, list)):
        parts = [template(r, outputs, recorder) for r in result]
        kind = type(result)
        if kind in (tuple, list):
            return _Template(lambda v, program: kind(p.build(v, program) for p in parts))
        return _Template(lambda v, program: kind(*(p.build(v, program) for p in parts)))
    if isinstance(result, dict):
        parts = {k: template(r, outputs, recorder) for k, r in result.items()}
        return _Template(lambda v, program: {k: p.build(v, program) for k, p in parts.items()})
    return _Template(lambda v, program: result)   # a constant (a number read by .item())


class CompiledOutput(Function):
    """The op of a Tensor a compiled function returned: its graph was not kept (the program
    has none), so backward through it explains what to do instead — with arrays or, under
    ``create_graph=True``, with Tensors alike (hence its one rule is declared for both)."""

    twice_differentiable = True

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
        out.parents = program.output_ctx.inputs[1:]   # (it saved nothing: no version check)
    return out


# ---------------------------------------------------------------------------- the program
def _renames(slots, recorder, write_back, outputs):
    """Names a learner would give: a gradient written to ``params[0].grad`` is
    ``layer0_weight_grad``, a new state array ``layer0_weight_exp_avg``; and the copy
    ``Tensor(x)`` makes of an array nobody changes is not made (the same numbers)."""
    inputs = {name for _, _, name in slots.inputs}
    taken = set(recorder.used) | inputs
    for line in recorder.prologue + recorder.body + write_back:
        taken.update(_names_in(line))
    data_names = {target[:-len(".data")]: initial.name
                  for target, initial, _, kind in slots.write_back
                  if kind is True and initial is not None}
    kept = {o.name for o in outputs if type(o) in (Traced, TracedScalar)}
    renames = {}
    for line in write_back:
        target, _, value = line.partition(" = ")
        if (not value.isidentifier() or keyword.iskeyword(value) or value in kept
                or value in inputs):
            continue   # (a name the program made, not None, not an input read by name)
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
    if not renames:
        return line
    return re.sub(r"(?<![.\w])[^\W\d]\w*", lambda m: renames.get(m.group(0), m.group(0)),
                  line)   # names, not attributes (x.copy() keeps its .copy)


def source(fn_name, slots, recorder, write_back, outputs, leaves):
    renames = _renames(slots, recorder, write_back, outputs)
    copies = {n for n, s in renames.items() if n != s and f"{n} = np.array({s})" in recorder.body}
    recorder.prologue = [_rename(line, renames) for line in recorder.prologue]
    recorder.body = [_rename(line, renames) for line in recorder.body
                     if line.partition(" = ")[0] not in copies
                     or not line.startswith(f"{line.partition(' = ')[0]} = np.array(")]
    write_back = [_rename(line, renames) for line in write_back]
    for o in outputs:
        if type(o) in (Traced, TracedScalar):
            o.name = renames.get(o.name, o.name)
    names_out = {o.name for o in outputs if type(o) in (Traced, TracedScalar)}
    recorder.body = _without_dead_lines(recorder, write_back, names_out)
    folded = _fold_constants(recorder, write_back, names_out, renames)
    _buffers(recorder, write_back, names_out, renames)
    used = set(recorder.used)
    for line in recorder.prologue + recorder.body + write_back:
        used.update(_names_in(line))
    lines = [f"def {identifier(fn_name)}(args, params, optimizers, modules, leaves):"]
    add = lines.append
    inputs = [(line, comment, name) for line, comment, name in slots.inputs if name in used]
    # An optimizer state's size is checked as soon as it is read, before its entries are
    # (after opt.state.clear(), state['step'] is not there to read).
    sizes = {g.split("(", 1)[1].split(")", 1)[0]: g for g in slots.guards
             if isinstance(g, str) and g.startswith("if len(")}
    if inputs:
        add("    # read: arguments, parameters, gradients, optimizer state, hyper-parameters")
        if any("._data" in line for line, _, _ in inputs):
            add("    # (._data: a tensor's own array; .data would wrap it in a new view every call)")
        width = max(len(line) for line, _, _ in inputs)
        for line, comment, name in inputs:
            add(f"    {line.ljust(width)}  {comment}".rstrip())
            if name in sizes:
                add("    " + sizes[name])
    guards = [g if isinstance(g, str) else g[1] for g in slots.guards
              if (isinstance(g, str) and g not in sizes.values()) or
              (not isinstance(g, str) and g[0] in used)]
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
    if folded:
        add("    # made once, when traced: nothing these lines read changes between calls")
        lines += ["    #   " + line for line in folded]
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


def _leaving(recorder, write_back, names_out, renames):
    """The arrays the program hands out: returned, or written back (gradients, state)."""
    inverse = {new: old for old, new in renames.items()}
    return [recorder.values[inverse.get(n, n)] for n in names_out | {
        line.partition(" = ")[2] for line in write_back}
        if inverse.get(n, n) in recorder.values]


def _fold_constants(recorder, write_back, names_out, renames):
    """Lines that read nothing but constants — ``np.arange(32)``, the loss's seed gradient
    ``np.ones(())`` and what is computed from them alone — give the same array on every
    call: their values from the trace become constants of the program and the lines leave
    the body (returned as text, which the program shows as a comment). Never folded: an
    array the program changes in place or hands out (or one sharing memory with them), and
    random draws."""
    inverse = {new: old for old, new in renames.items()}
    unsafe = _leaving(recorder, write_back, names_out, renames) + [
        recorder.values[inverse.get(n, n)] for n in recorder.written
        if inverse.get(n, n) in recorder.values]
    known = set()   # names made by lines folded here: never an array the program was handed
    # (a global array or a Tensor's array read by reference may change between calls)
    kept, folded = [], []
    for line in recorder.body:
        target, is_assignment, expression = line.partition(" = ")
        value = recorder.values.get(inverse.get(target, target))
        reads = _variables_in(expression) - _NOT_VARIABLES   # (inputs, numbers, arrays...)
        if (is_assignment and target.isidentifier() and isinstance(value, (np.ndarray, np.generic))
                and "rng." not in expression and target not in recorder.written
                and reads <= known and not any(np.may_share_memory(value, other)
                                               for other in unsafe)):
            recorder.constants[target] = value
            known.add(target)
            folded.append(line)
        else:
            kept.append(line)
    recorder.body = kept
    recorder.made_once_bytes = sum(recorder.constants[line.partition(" = ")[0]].nbytes
                                   for line in folded)
    return folded


_NOT_VARIABLES = {"np", "math", "True", "False", "None"}


def _variables_in(expression):
    """The names an expression reads (not attributes, keywords or the text of strings)."""
    expression = re.sub(r"'[^']*'|\"[^\"]*\"", "''", expression)
    return set(re.findall(r"(?<![.\w])[^\W\d]\w*(?!\w)(?!\s*=[^=])", expression))


def _buffers(recorder, write_back, names_out, renames):
    """Preallocate the arrays the program makes on every call and never hands out: each
    element-wise operation or matrix product writes into its own buffer (``out=``), made
    once here. What leaves the program — gradients, new state, returned values, and any
    array sharing memory with one of them — is made fresh on every call, as eagerly."""
    inverse = {new: old for old, new in renames.items()}
    leaving = _leaving(recorder, write_back, names_out, renames)
    body, buffers = [], {}
    for line in recorder.body:
        target, _, expression = line.partition(" = ")
        original = inverse.get(target, target)
        call = recorder.ufunc_lines.get(original)
        value = recorder.values.get(original)
        contiguous = value is not None and (value.flags.c_contiguous or (
            call is not None and call[0] != "matmul" and value.flags.f_contiguous))
        if (call is None or not isinstance(value, np.ndarray) or value.ndim == 0
                or not contiguous
                or any(np.may_share_memory(value, other) for other in leaving)):
            body.append(line)
            continue
        buffer = recorder.fresh(f"{target}_buffer")
        buffers[buffer] = np.empty_like(value)   # same layout (an element-wise result of
        # column-major operands is column-major: the buffer is too)
        arguments = ", ".join(_rename(a, renames) for a in call[1])
        body.append(f"{target} = np.{call[0]}({arguments}, out={buffer})")
    recorder.body = body
    recorder.constants.update(buffers)
    recorder.buffer_bytes = sum(b.nbytes for b in buffers.values())
    return buffers


def _names_in(line):
    return set(re.findall(r"[^\W\d]\w*", line))   # (names in any script: β_weight)


class Program:
    """One traced program: its source, the function compiled from that source, and what it
    reads (parameters, optimizers, leaves) besides the arguments."""

    _count = 0

    def __init__(self, source, constants, template, params, leaves, optimizers, modules, name,
                 recorder):
        Program._count += 1
        filename = f"<tinygrad_edu.compile {name} #{Program._count}>"
        self.source = source
        # Tracebacks and debuggers show the program's lines, as for a file.
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        namespace = dict(constants, np=np, math=math, generator=generator,
                         GuardFailed=GuardFailed, DataGuardFailed=DataGuardFailed)
        exec(compile(source, filename, "exec"), namespace)
        self._function = namespace[identifier(name)]
        self.params = tuple(params)
        self._leaves = tuple(leaves)
        self._modules = tuple(modules)
        self._optimizers = tuple(opt for _, opt in optimizers)
        self._template = template
        self.buffer_bytes = getattr(recorder, "buffer_bytes", 0)   # preallocated by _buffers
        self.made_once_bytes = getattr(recorder, "made_once_bytes", 0)   # by _fold_constants
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
