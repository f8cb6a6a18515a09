"""Run the tutorial-style scripts in ``tests/port/`` with PyTorch or with tinygrad_edu.

Each script is written for PyTorch (``import torch``) and leaves its numbers in a dict
``RESULTS``. The tinygrad_edu run changes only the import lines in ``PORTED_LINES`` — the
promise "code from a PyTorch tutorial ports by changing its imports", tested.

One thing cannot be the same by construction: random draws. The scripts take most of their
data and starting weights from NumPy; where a tutorial draws with ``torch.randn``,
``torch.rand`` or ``torch.normal``, or through dropout masks, the PyTorch run
(:func:`run_torch`) draws them as tinygrad_edu does — from the library's PCG64 generator,
which ``torch.manual_seed`` then also seeds, in float64, then rounded to the dtype — so both
runs start from the same numbers and drop the same units. Everything after the draw is each
library's own.
"""
import pathlib

import numpy as np

PORT_DIR = pathlib.Path(__file__).resolve().parent / "port"
SCRIPTS = sorted(path.stem for path in PORT_DIR.glob("*.py"))
PORTED_LINES = {
    "import torch": "import tinygrad_edu as torch",
    "from torch import nn": "from tinygrad_edu import nn",
    "from torch.utils.data import DataLoader": "from tinygrad_edu.data import DataLoader",
    "from torch.utils.data import DataLoader, TensorDataset":
        "from tinygrad_edu.data import DataLoader, TensorDataset",
}


def source(name, ported, directory=PORT_DIR):
    """The script's text; with ``ported=True``, its import lines changed for tinygrad_edu."""
    lines = (directory / f"{name}.py").read_text(encoding="utf-8").splitlines()
    if ported:
        lines = [PORTED_LINES.get(line, line) for line in lines]
    return "\n".join(lines) + "\n"


def _execute(name, ported, directory=PORT_DIR):
    namespace = {"__name__": f"port_{name}"}
    exec(compile(source(name, ported, directory), str(directory / f"{name}.py"), "exec"),
         namespace)
    return namespace["RESULTS"]


def run_tinygrad(name, directory=PORT_DIR):
    import tinygrad_edu
    before = tinygrad_edu.get_default_dtype()
    try:
        return _execute(name, ported=True, directory=directory)
    finally:
        tinygrad_edu.set_default_dtype(before)


def run_torch(name, directory=PORT_DIR):
    import torch
    import tinygrad_edu
    from tinygrad_edu.random import generator

    def dropout(input, p=0.5, training=True, inplace=False):
        if not training or p == 0:
            return input
        keep = generator().random(tuple(input.shape)) >= p
        return input * torch.tensor(keep * (1.0 / (1.0 - p)), dtype=input.dtype)

    def manual_seed(seed):
        tinygrad_edu.manual_seed(seed)
        return real["manual_seed"](seed)

    def drawn(samples, dtype, requires_grad):
        return torch.tensor(samples, dtype=dtype or torch.get_default_dtype(),
                            requires_grad=requires_grad)

    def randn(*size, dtype=None, requires_grad=False, device=None):
        shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        return drawn(generator().standard_normal(shape), dtype, requires_grad)

    def rand(*size, dtype=None, requires_grad=False, device=None):
        shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        return drawn(generator().random(shape), dtype, requires_grad)

    def normal(mean=0.0, std=1.0, size=None, *, dtype=None, requires_grad=False, device=None):
        if isinstance(mean, torch.Tensor) or isinstance(std, torch.Tensor):
            arrays = [x.numpy() if isinstance(x, torch.Tensor) else x for x in (mean, std)]
            z = generator().standard_normal(np.broadcast_shapes(*(np.shape(a) for a in arrays)))
            like = mean if isinstance(mean, torch.Tensor) else std
            return drawn(arrays[0] + arrays[1] * z, dtype or like.dtype, requires_grad)
        z = generator().standard_normal(tuple(size))
        return drawn(mean + std * z, dtype, requires_grad)

    replaced = {"manual_seed": manual_seed, "randn": randn, "rand": rand, "normal": normal}
    real = {attribute: getattr(torch, attribute) for attribute in replaced}
    real_dropout = torch.nn.functional.dropout
    before = torch.get_default_dtype()
    torch.nn.functional.dropout = dropout
    for attribute, function in replaced.items():
        setattr(torch, attribute, function)
    try:
        return _execute(name, ported=False, directory=directory)
    finally:
        torch.nn.functional.dropout = real_dropout
        for attribute, function in real.items():
            setattr(torch, attribute, function)
        torch.set_default_dtype(before)


def flat(results):
    """``{key: float64 array}`` from a RESULTS dict (numbers, bools and nested lists)."""
    return {key: np.asarray(value, dtype=np.float64) for key, value in results.items()}


