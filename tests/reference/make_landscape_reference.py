"""Regenerate tests/reference/landscapes.npz: optimizer paths on the landscapes, made by PyTorch.

Run with torch installed (the test suite itself needs only numpy):

    /work/venv/bin/python tests/reference/make_landscape_reference.py

For each case the two coordinates are float64 scalar tensors, and each step is exactly what
``tinygrad_edu.landscapes.run_optimizer`` does: zero_grad, loss = f(x, y), backward, step.
A run stops, leaving NaN rows, once the gradient or the point is no longer finite (the
``sgd_diverges`` case checks that both libraries stop at the same step).

The file holds, per case, the path ``<name>`` of shape (steps + 1, 2), and ``config``: a JSON
string with each case's landscape, optimizer class, keyword arguments and step count, so the
test reads its table from here rather than repeating it.
"""
import json
import math
import os

import numpy as np
import torch

# (name, landscape, optimizer class name (same in torch.optim and tinygrad_edu.optim), kwargs, steps)
CASES = [
    ("adam", "rosenbrock", "Adam", {"lr": 0.05}, 300),
    ("adam_amsgrad", "rosenbrock", "Adam", {"lr": 0.05, "amsgrad": True}, 150),
    ("sgd_momentum", "rosenbrock", "SGD", {"lr": 5e-4, "momentum": 0.9}, 300),
    ("sgd_nesterov", "rosenbrock", "SGD", {"lr": 5e-4, "momentum": 0.9, "nesterov": True}, 150),
    ("rmsprop_saddle", "saddle", "RMSprop", {"lr": 0.01}, 150),
    ("sgd_diverges", "rosenbrock", "SGD", {"lr": 0.01}, 60),
]

STARTS = {"rosenbrock": (-1.5, 2.0), "saddle": (2.0, 0.001)}
FUNCTIONS = {
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2,
    "saddle": lambda x, y: x ** 2 - y ** 2,
}


def torch_path(landscape, optimizer_name, kwargs, steps):
    x = torch.tensor(STARTS[landscape][0], dtype=torch.float64, requires_grad=True)
    y = torch.tensor(STARTS[landscape][1], dtype=torch.float64, requires_grad=True)
    optimizer = getattr(torch.optim, optimizer_name)([x, y], **kwargs)
    f = FUNCTIONS[landscape]
    path = np.full((steps + 1, 2), np.nan)
    path[0] = STARTS[landscape]
    for k in range(1, steps + 1):
        optimizer.zero_grad()
        f(x, y).backward()
        if not (math.isfinite(x.grad.item()) and math.isfinite(y.grad.item())):
            break
        optimizer.step()
        if not (math.isfinite(x.item()) and math.isfinite(y.item())):
            break
        path[k] = (x.item(), y.item())
    return path


def main():
    arrays = {}
    config = {}
    for name, landscape, optimizer_name, kwargs, steps in CASES:
        arrays[name] = torch_path(landscape, optimizer_name, kwargs, steps)
        config[name] = {"landscape": landscape, "optimizer": optimizer_name,
                        "kwargs": kwargs, "steps": steps}
        finite = np.isfinite(arrays[name]).all(axis=1).sum()
        print(f"{name:15s} {finite:4d} finite rows, last {arrays[name][finite - 1]}")
    arrays["config"] = np.array(json.dumps(config))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "landscapes.npz")
    np.savez(out, **arrays)
    print(f"wrote {out} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
