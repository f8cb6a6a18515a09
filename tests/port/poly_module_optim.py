"""The cubic fit as a custom nn.Module holding four nn.Parameters, trained by an optimizer
(RMSprop, then SGD with momentum on a fresh copy), with a string() method for the result."""
import math

import torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(2)


class Polynomial3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

    def string(self):
        return f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3"


x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

results = {}
for name in ("rmsprop", "sgd"):
    model = Polynomial3()
    criterion = torch.nn.MSELoss(reduction="sum")
    if name == "rmsprop":
        optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-6, momentum=0.9)
    losses = []
    for t in range(300):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        if t % 100 == 99:
            print(t, loss.item())
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"Result: {model.string()}")
    results[name + "_losses"] = losses[::30] + [losses[-1]]
    results[name + "_coefficients"] = [p.item() for p in model.parameters()]

results["parameter_names"] = [n == m for (n, _), m in zip(model.named_parameters(), "abcd")]
results["is_parameter"] = [isinstance(p, torch.nn.Parameter) for p in model.parameters()]
RESULTS = results

if __name__ == "__main__":
    print(RESULTS)
