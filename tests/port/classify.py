"""A classifier, PyTorch-tutorial style: nn.Sequential, CrossEntropyLoss, SGD with momentum,
StepLR, evaluation under no_grad, and the accuracy idiom."""
import numpy as np
import torch

torch.set_default_dtype(torch.float64)

rng = np.random.default_rng(0)
centers = np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])
labels = rng.integers(0, 3, size=150)
X = torch.tensor(centers[labels] + rng.normal(scale=1.0, size=(150, 2)))
y = torch.tensor(labels)

model = torch.nn.Sequential(
    torch.nn.Linear(2, 16),
    torch.nn.ReLU(),
    torch.nn.Linear(16, 16),
    torch.nn.Tanh(),
    torch.nn.Linear(16, 3),
)
# the same starting weights in both libraries (their random generators differ)
model.load_state_dict({name: torch.tensor(rng.uniform(-0.4, 0.4, size=tuple(p.shape)))
                       for name, p in model.named_parameters()})

loss_fn = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)

losses, lrs = [], []
for epoch in range(30):
    model.train()
    optimizer.zero_grad()
    logits = model(X)
    loss = loss_fn(logits, y)
    loss.backward()
    optimizer.step()
    scheduler.step()
    losses.append(loss.item())
    lrs.append(scheduler.get_last_lr()[0])

model.eval()
with torch.no_grad():
    logits = model(X)
    accuracy = (logits.argmax(dim=1) == y).float().mean().item()
    _, predicted = logits.max(1)
    correct = (predicted == y).sum().item()
    probs = logits.softmax(dim=1)

RESULTS = {
    "losses": losses,
    "lrs": lrs,
    "accuracy": accuracy,
    "correct": correct,
    "first_probs": probs[:5].tolist(),
    "last_layer_weight": model[4].weight.tolist(),
    "last_layer_bias_grad": model[4].bias.grad.tolist(),
}

if __name__ == "__main__":
    print(RESULTS)
