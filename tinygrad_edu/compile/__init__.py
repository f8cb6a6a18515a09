"""``tinygrad_edu.compile``: record a training step once, then run it as plain NumPy.

An eager step spends much of its time in the engine's own Python: building the graph,
checking, dispatching each op. The remedy every framework uses (``torch.compile``,
``jax.jit``, tinygrad's ``TinyJit``) is to *trace* the step once and replay the recording.
Here the recording is a Python function you can read — ``.code`` — with one NumPy operation a
line, forward, backward and the optimizer's update written out as you would write them by
hand; that text is what runs.

>>> import numpy as np
>>> from tinygrad_edu import Tensor, compile, nn, optim, manual_seed
>>> from tinygrad_edu.nn import functional as F
>>> manual_seed(0)
>>> model = nn.Linear(3, 2)
>>> opt = optim.SGD(model.parameters(), lr=0.1)
>>> def step(x, y):
...     opt.zero_grad()
...     loss = F.cross_entropy(model(x), y)
...     loss.backward()
...     opt.step()
...     return loss
>>> compiled = compile(step)
>>> x, y = np.ones((4, 3)), np.array([0, 1, 1, 0])
>>> first = compiled(x, y)     # traced: runs eagerly and writes the program
>>> second = compiled(x, y)    # runs the program
>>> print(compiled.code.splitlines()[0])
def step(args, params, optimizers, modules, leaves):
>>> for line in compiled.code.splitlines():
...     if "sgd_update" in line or line.lstrip().startswith("weight -="):
...         print(line)
    # sgd_update: weight
    weight -= multiply_2
    # sgd_update: bias
>>> 'Tensor' in compiled.code     # arrays only: no graph is built when it runs
False

See :mod:`.compiled` for how a trace runs and :mod:`.tracer` for what is recorded.
"""
from .compiled import Compiled

__all__ = ["compile", "Compiled"]


def compile(fn):
    """``fn`` compiled: its first call with given argument shapes and dtypes runs eagerly
    while tracing every array operation (forward, backward, optimizer update) into a program;
    later calls run the program. ``compile(model)`` compiles a Module's forward.

    Arguments are read by position: Tensors and NumPy arrays are the program's inputs (their
    shapes and dtypes select the program), numbers and other objects are fixed for it.
    """
    if not callable(fn):
        raise TypeError(f"compile expects a function or a Module, got {type(fn).__name__}")
    return Compiled(fn)
