"""Run the tutorial-style scripts in ``tests/port/`` with PyTorch or with tinygrad_edu.

Each script is written for PyTorch (``import torch``) and leaves its numbers in a dict
``RESULTS``. The tinygrad_edu run changes only the import lines in ``PORTED_LINES`` — the
promise "code from a PyTorch tutorial ports by changing its imports", tested.

One thing cannot be the same by construction: random draws. The scripts take their data and
starting weights from NumPy; for dropout masks, the PyTorch run (:func:`run_torch`) draws
them as tinygrad_edu's ``Dropout`` does (``u >= p`` for u uniform from the library's PCG64
generator, which ``torch.manual_seed`` then also seeds), so both runs drop the same units.
"""
import pathlib

import numpy as np

PORT_DIR = pathlib.Path(__file__).resolve().parent / "port"
SCRIPTS = sorted(path.stem for path in PORT_DIR.glob("*.py"))
PORTED_LINES = {
    "import torch": "import tinygrad_edu as torch",
    "from torch.utils.data import DataLoader, TensorDataset":
        "from tinygrad_edu.data import DataLoader, TensorDataset",
}


def source(name, ported):
    """The script's text; with ``ported=True``, its import lines changed for tinygrad_edu."""
    lines = (PORT_DIR / f"{name}.py").read_text(encoding="utf-8").splitlines()
    if ported:
        lines = [PORTED_LINES.get(line, line) for line in lines]
    return "\n".join(lines) + "\n"


def _execute(name, ported):
    namespace = {"__name__": f"port_{name}"}
    exec(compile(source(name, ported), str(PORT_DIR / f"{name}.py"), "exec"), namespace)
    return namespace["RESULTS"]


def run_tinygrad(name):
    import tinygrad_edu
    before = tinygrad_edu.get_default_dtype()
    try:
        return _execute(name, ported=True)
    finally:
        tinygrad_edu.set_default_dtype(before)


def run_torch(name):
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
        return real_seed(seed)

    real_dropout, real_seed = torch.nn.functional.dropout, torch.manual_seed
    before = torch.get_default_dtype()
    torch.nn.functional.dropout, torch.manual_seed = dropout, manual_seed
    try:
        return _execute(name, ported=False)
    finally:
        torch.nn.functional.dropout, torch.manual_seed = real_dropout, real_seed
        torch.set_default_dtype(before)


def flat(results):
    """``{key: float64 array}`` from a RESULTS dict (numbers, bools and nested lists)."""
    return {key: np.asarray(value, dtype=np.float64) for key, value in results.items()}


