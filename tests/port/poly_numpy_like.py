"""Fitting sin(x) with a cubic by hand, tensors used like NumPy arrays: the forward pass,
the gradients written out with the chain rule, and the update — no autograd. float32, on
whatever device is there."""
import math

import torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)

dtype = torch.float
device = torch.device("cpu")

x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)

a = torch.randn((), device=device, dtype=dtype)
b = torch.randn((), device=device, dtype=dtype)
c = torch.randn((), device=device, dtype=dtype)
d = torch.randn((), device=device, dtype=dtype)

learning_rate = 1e-6
losses = []
for t in range(500):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3

    loss = (y_pred - y).pow(2).sum().item()
    if t % 100 == 99:
        print(t, loss)
    losses.append(loss)

    grad_y_pred = 2.0 * (y_pred - y)
    grad_a = grad_y_pred.sum()
    grad_b = (grad_y_pred * x).sum()
    grad_c = (grad_y_pred * x ** 2).sum()
    grad_d = (grad_y_pred * x ** 3).sum()

    a -= learning_rate * grad_a
    b -= learning_rate * grad_b
    c -= learning_rate * grad_c
    d -= learning_rate * grad_d

print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")

RESULTS = {
    "losses": losses[::50] + [losses[-1]],
    "coefficients": [a.item(), b.item(), c.item(), d.item()],
    "x_ends": [x[0].item(), x[-1].item(), x[1000].item()],
    "float32": [t.dtype == torch.float32 for t in (x, y, a, d)],
}

if __name__ == "__main__":
    print(RESULTS)
