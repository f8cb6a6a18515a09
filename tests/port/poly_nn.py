"""The cubic fit as a network: the powers x, x², x³ as features, nn.Sequential of a Linear
and nn.Flatten(0, 1), MSELoss(reduction="sum"), and a hand-written update over
model.parameters() under no_grad, then model.zero_grad()."""
import math

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1)
)
start = np.random.default_rng(5).uniform(-0.5, 0.5, size=4)
model.load_state_dict({"0.weight": torch.tensor(start[:3].reshape(1, 3)),
                       "0.bias": torch.tensor(start[3:])})

loss_fn = torch.nn.MSELoss(reduction="sum")

learning_rate = 1e-6
losses = []
for t in range(300):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())
    losses.append(loss.item())

    model.zero_grad()
    loss.backward()

    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad

linear_layer = model[0]
print(f"Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + "
      f"{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3")

RESULTS = {
    "losses": losses[::30] + [losses[-1]],
    "bias": linear_layer.bias.item(),
    "weight": linear_layer.weight.tolist(),
    "xx_shape": list(xx.shape), "y_pred_shape": list(y_pred.shape),
}

if __name__ == "__main__":
    print(RESULTS)
