"""How many times does one ``optimizer.step()`` switch between files of tinygrad_edu?

A reader following a step through the code jumps to a new file whenever the code calls a
function defined in another file. This script runs one step (the second, so the state
already exists) of SGD and Adam on a small Tensor model, ``nn.MLP([4, 8, 2])`` (4
parameters), under ``sys.setprofile`` and counts, over the frames whose code lives in
tinygrad_edu:

* ``calls``: changes of file along the sequence of *called* functions (the jumps a reader
  makes: from ``step`` in optimizer.py to ``adam_update`` in adam.py is one);
* ``calls+returns``: changes of the file whose code is running, returns included (each
  read of a Tensor's ``.data`` property goes to tensor.py and back: two).

    python tools/file_switches.py          # prints both counts for SGD and Adam

tests/test_optim_api.py holds the ``calls`` count to at most 6.
"""
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def file_switches(fn):
    """``(calls, calls_and_returns, files)`` for one call of ``fn()``: see the module doc."""
    import tinygrad_edu
    package = os.path.dirname(os.path.abspath(tinygrad_edu.__file__)) + os.sep
    called, running = [], []

    def note(sequence, filename):
        if filename.startswith(package) and (not sequence or sequence[-1] != filename):
            sequence.append(filename)

    def profile(frame, event, arg):
        if event == "call":
            note(called, frame.f_code.co_filename)
            note(running, frame.f_code.co_filename)
        elif event == "return" and frame.f_back is not None:
            note(running, frame.f_back.f_code.co_filename)

    sys.setprofile(profile)
    try:
        fn()
    finally:
        sys.setprofile(None)
    files = [os.path.relpath(f, package) for f in called]
    return max(len(called) - 1, 0), max(len(running) - 1, 0), files


def one_step_of(name, **kwargs):
    """An optimizer over ``nn.MLP([4, 8, 2])`` that has taken one step, with gradients."""
    from tinygrad_edu import Tensor, nn, optim
    model = nn.MLP([4, 8, 2])
    opt = getattr(optim, name)(model.parameters(), **kwargs)
    x = Tensor(np.ones((3, 4)))
    for _ in range(2):
        opt.zero_grad()
        model(x).sum().backward()
        if not opt.state:
            opt.step()
    return opt


def main():
    for name, kwargs in (("SGD", {"lr": 0.1}), ("SGD", {"lr": 0.1, "momentum": 0.9}),
                         ("Adam", {})):
        calls, with_returns, files = file_switches(one_step_of(name, **kwargs).step)
        print(f"{name} {kwargs}: {calls} file switches along the calls, {with_returns} "
              f"with returns\n    {' > '.join(files)}")


if __name__ == "__main__":
    main()
