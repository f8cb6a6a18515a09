"""Mini-batches from a DataLoader over a TensorDataset, with BCEWithLogitsLoss."""
import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

torch.set_default_dtype(torch.float64)

rng = np.random.default_rng(4)
features = rng.normal(size=(100, 3))
targets = (features @ np.array([1.0, -2.0, 0.5]) + 0.3 * rng.normal(size=100) > 0).astype(np.float64)
dataset = TensorDataset(torch.tensor(features), torch.tensor(targets))
loader = DataLoader(dataset, batch_size=16, shuffle=False)

model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
model.load_state_dict({name: torch.tensor(rng.uniform(-0.5, 0.5, size=tuple(p.shape)))
                       for name, p in model.named_parameters()})
loss_fn = torch.nn.BCEWithLogitsLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)

epoch_losses = []
for epoch in range(6):
    running, seen = 0.0, 0
    for xb, yb in loader:
        optimizer.zero_grad()
        logits = model(xb).squeeze(1)
        loss = loss_fn(logits, yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * xb.size(0)
        seen += len(xb)
    epoch_losses.append(running / seen)

with torch.no_grad():
    X, Y = torch.tensor(features), torch.tensor(targets)
    probs = model(X).squeeze(1).sigmoid()
    accuracy = ((probs > 0.5).float() == Y).float().mean().item()

RESULTS = {
    "batches": len(loader),
    "epoch_losses": epoch_losses,
    "accuracy": accuracy,
    "probs": probs[:8].tolist(),
}

if __name__ == "__main__":
    print(RESULTS)
