"""Gradient descent by hand: requires_grad_(), backward(), and updates under torch.no_grad().

(``w.grad = None`` forgets the gradient; PyTorch's ``w.grad.zero_()`` has no counterpart
here because ``.grad`` is a NumPy array.)"""
import numpy as np
import torch

torch.set_default_dtype(torch.float64)

x = torch.tensor(np.linspace(-1, 1, 25))
y = 1.0 - 2.0 * x + 3.0 * x ** 3 + torch.tensor(np.random.default_rng(3).normal(scale=0.05, size=25))
features = x.unsqueeze(1).pow(torch.arange(4))         # columns 1, x, x², x³

w = torch.zeros(4).requires_grad_()
scale = torch.tensor(1.0, requires_grad=True)
lr = 0.2
losses = []
for step in range(150):
    prediction = (features @ w) * scale
    loss = (prediction - y).pow(2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        scale -= 0.1 * lr * scale.grad
    w.grad = None
    scale.grad = None
    losses.append(loss.item())

RESULTS = {
    "losses": losses[::10] + [losses[-1]],
    "w": w.tolist(),
    "scale": scale.item(),
    "still_leaf": [w.is_leaf, w.requires_grad],
}

if __name__ == "__main__":
    print(RESULTS)
