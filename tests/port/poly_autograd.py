"""The same cubic fit with autograd: weights that require grad, loss.backward(), and the
update by hand inside torch.no_grad(), forgetting each gradient with `w.grad = None`."""
import math

import torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(1)

dtype = torch.double
device = "cuda" if torch.cuda.is_available() else "cpu"

x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype, device=device)
y = torch.sin(x)

a = torch.randn((), dtype=dtype, device=device, requires_grad=True)
b = torch.randn((), dtype=dtype, device=device, requires_grad=True)
c = torch.randn((), dtype=dtype, device=device, requires_grad=True)
d = torch.randn((), dtype=dtype, device=device, requires_grad=True)

learning_rate = 1e-6
losses = []
for t in range(400):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())
    losses.append(loss.item())

    loss.backward()

    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad

        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")

RESULTS = {
    "losses": losses[::40] + [losses[-1]],
    "coefficients": [a.item(), b.item(), c.item(), d.item()],
    "leaves": [a.is_leaf, a.requires_grad, a.grad is None],
}

if __name__ == "__main__":
    print(RESULTS)
