"""Regenerate ``conv_reference.npz``: PyTorch's convolution and pooling, values, gradients and
second derivatives, for the catalog in ``tests/conv_cases.py``.

    PYTHONPATH=. python tests/reference/make_conv_reference.py   (needs torch; tests do not)

For each case, with float64 inputs ``in0, in1, ...`` and a random ``upstream`` gradient:
``out`` = f(inputs) and ``grad<i>`` = ∂⟨upstream, out⟩/∂in_i (full vector-Jacobian products,
not gradients of a sum). For a case with a ``post`` function g: L = ⟨u, g(f(x))⟩ for a random
``cotangent`` u, and with random directions ``v0, v1, ...``, ``hvp<i>`` = ∂/∂x_i Σ_j
⟨∂L/∂x_j, v_j⟩ — the Hessian-vector product of L, every input at once.

It also stores a small PyTorch CNN (keys ``cnn/...``: Conv2d, ReLU, MaxPool2d, Conv2d,
AvgPool2d in a ``torch.nn.Sequential``): its ``state_dict`` as arrays, an input, the output,
an upstream gradient and the gradient of every parameter and of the input; and (keys
``tutorial/...``) the same for the CNN of PyTorch's tutorial "What is torch.nn really?" on a
batch of three flat 28×28 images with its cross-entropy loss.
"""
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir))  # the tests directory: the catalog

from conv_cases import CASES, make_inputs, post  # noqa: E402


def case_rows(case, rng, arrays):
    inputs = make_inputs(case, rng)
    tensors = [torch.tensor(a, requires_grad=True) for a in inputs]
    out = getattr(torch.nn.functional, case.fn)(*tensors, **case.kwargs)
    upstream = rng.standard_normal(tuple(out.shape))
    grads = torch.autograd.grad(out, tensors, grad_outputs=torch.tensor(upstream))
    arrays[f"{case.name}/out"] = out.detach().numpy()
    arrays[f"{case.name}/upstream"] = upstream
    for i, (a, g) in enumerate(zip(inputs, grads)):
        arrays[f"{case.name}/in{i}"] = a
        arrays[f"{case.name}/grad{i}"] = g.numpy()
    if case.post is None:
        return
    tensors = [torch.tensor(a, requires_grad=True) for a in inputs]
    out = post(case.post, getattr(torch.nn.functional, case.fn)(*tensors, **case.kwargs))
    cotangent = rng.standard_normal(tuple(out.shape))
    directions = [rng.standard_normal(a.shape) for a in inputs]
    grads = torch.autograd.grad(out, tensors, grad_outputs=torch.tensor(cotangent),
                                create_graph=True)
    total = sum((g * torch.tensor(v)).sum() for g, v in zip(grads, directions))
    hvps = torch.autograd.grad(total, tensors, allow_unused=True)
    arrays[f"{case.name}/cotangent"] = cotangent
    for i, (v, h) in enumerate(zip(directions, hvps)):
        arrays[f"{case.name}/v{i}"] = v
        arrays[f"{case.name}/hvp{i}"] = np.zeros_like(v) if h is None else h.numpy()


def cnn_rows(rng, arrays):
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(4, 6, (2, 3), stride=(1, 2)), nn.AvgPool2d(2, stride=1))
    model.double()
    x = torch.tensor(rng.standard_normal((3, 1, 10, 12)), requires_grad=True)
    out = model(x)
    upstream = rng.standard_normal(tuple(out.shape))
    out.backward(torch.tensor(upstream))
    for key, value in model.state_dict().items():
        arrays[f"cnn/state/{key}"] = value.numpy()
    for name, parameter in model.named_parameters():
        arrays[f"cnn/grad/{name}"] = parameter.grad.numpy()
    arrays["cnn/x"], arrays["cnn/grad_x"] = x.detach().numpy(), x.grad.numpy()
    arrays["cnn/out"], arrays["cnn/upstream"] = out.detach().numpy(), upstream


class TutorialCNN(torch.nn.Module):
    """The CNN of PyTorch's "What is torch.nn really?" (three stride-2 convolutions, then an
    average pool of 4), as that tutorial writes it."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1)
        self.conv2 = torch.nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1)
        self.conv3 = torch.nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1)

    def forward(self, xb):
        xb = xb.view(-1, 1, 28, 28)
        xb = torch.nn.functional.relu(self.conv1(xb))
        xb = torch.nn.functional.relu(self.conv2(xb))
        xb = torch.nn.functional.relu(self.conv3(xb))
        xb = torch.nn.functional.avg_pool2d(xb, 4)
        return xb.view(-1, xb.size(1))


def tutorial_rows(rng, arrays):
    torch.manual_seed(1)
    model = TutorialCNN().double()
    xb = torch.tensor(rng.uniform(0, 1, (3, 784)), requires_grad=True)
    yb = torch.tensor([3, 0, 7])
    loss = torch.nn.functional.cross_entropy(model(xb), yb)
    loss.backward()
    for key, value in model.state_dict().items():
        arrays[f"tutorial/state/{key}"] = value.numpy()
    for name, parameter in model.named_parameters():
        arrays[f"tutorial/grad/{name}"] = parameter.grad.numpy()
    arrays["tutorial/xb"], arrays["tutorial/yb"] = xb.detach().numpy(), yb.numpy()
    arrays["tutorial/loss"], arrays["tutorial/grad_xb"] = loss.detach().numpy(), xb.grad.numpy()


def main():
    torch.set_default_dtype(torch.float64)
    rng = np.random.default_rng(20261207)
    arrays = {}
    for case in CASES:
        case_rows(case, rng, arrays)
    cnn_rows(rng, arrays)
    tutorial_rows(rng, arrays)
    path = os.path.join(HERE, "conv_reference.npz")
    np.savez_compressed(path, **arrays)
    print(f"wrote {len(CASES)} cases and the CNN to {path} with torch {torch.__version__}")


if __name__ == "__main__":
    main()
