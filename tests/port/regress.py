"""A regression, PyTorch-tutorial style: a small model fit with MSELoss and Adam."""
import numpy as np
import torch

torch.set_default_dtype(torch.float64)

rng = np.random.default_rng(1)
x = np.linspace(-2, 2, 64)
X = torch.tensor(x).view(-1, 1)
y = torch.tensor(np.sin(x) + 0.5 * x + rng.normal(scale=0.1, size=64)).unsqueeze(1)

model = torch.nn.Sequential(torch.nn.Linear(1, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
model.load_state_dict({name: torch.tensor(rng.normal(scale=0.5, size=tuple(p.shape)))
                       for name, p in model.named_parameters()})
criterion = torch.nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)

losses = []
for step in range(80):
    prediction = model(X)
    loss = criterion(prediction, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())

with torch.no_grad():
    test = torch.tensor([[-1.5], [0.0], [1.5]])
    fitted = model(test).squeeze().tolist()

RESULTS = {
    "losses": losses,
    "fitted": fitted,
}
RESULTS.update({name: p.tolist() for name, p in model.named_parameters()})

if __name__ == "__main__":
    print(RESULTS)
