"""A train/val loop in the shape of the transfer-learning tutorial: one loop over phases,
torch.set_grad_enabled(phase == "train"), gradients clipped by norm before each step, a
StepLR schedule, accuracy counted with torch.sum; then a robust regression with
SmoothL1Loss and clip_grad_value_, and predictions under @torch.inference_mode()."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_default_dtype(torch.float64)

rng = np.random.default_rng(11)
centers = np.array([[2.0, 0.0], [-1.0, 1.5], [-1.0, -1.5]])


def split(n):
    labels = rng.integers(0, 3, size=n)
    points = centers[labels] + rng.normal(scale=0.9, size=(n, 2))
    return TensorDataset(torch.tensor(points), torch.tensor(labels))


image_datasets = {"train": split(120), "val": split(60)}
dataloaders = {phase: DataLoader(image_datasets[phase], batch_size=20)
               for phase in ["train", "val"]}
dataset_sizes = {phase: len(image_datasets[phase]) for phase in ["train", "val"]}

model = nn.Sequential(nn.Linear(2, 12), nn.Tanh(), nn.Linear(12, 3))
model.load_state_dict({name: torch.tensor(rng.uniform(-0.6, 0.6, size=tuple(p.shape)))
                       for name, p in model.named_parameters()})
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.3, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)

history, norms, modes = [], [], []
for epoch in range(5):
    for phase in ["train", "val"]:
        if phase == "train":
            model.train()
        else:
            model.eval()
        running_loss = 0.0
        running_corrects = 0
        for inputs, labels in dataloaders[phase]:
            optimizer.zero_grad()
            with torch.set_grad_enabled(phase == "train"):
                outputs = model(inputs)
                _, preds = torch.max(outputs, 1)
                loss = criterion(outputs, labels)
                modes.append(torch.is_grad_enabled())
                if phase == "train":
                    loss.backward()
                    norms.append(nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5).item())
                    optimizer.step()
            running_loss += loss.item() * inputs.size(0)
            running_corrects += torch.sum(preds == labels.data)
        if phase == "train":
            scheduler.step()
        epoch_loss = running_loss / dataset_sizes[phase]
        epoch_acc = running_corrects.double() / dataset_sizes[phase]
        print(f"{phase} Loss: {epoch_loss:.4f} Acc: {epoch_acc:.4f}")
        history.append([epoch_loss, epoch_acc.item()])

softmax = nn.Softmax(dim=1)


@torch.inference_mode()
def predict(points):
    return softmax(model(points))


probabilities = predict(torch.tensor(centers))

# A line with outliers: the smooth L1 loss keeps them from dominating.
x = torch.linspace(-2, 2, 40).unsqueeze(1)
y = 1.5 * x - 0.5 + torch.tensor(rng.normal(scale=0.1, size=(40, 1)))
outliers = torch.tensor(np.where(np.arange(40) % 8 == 0, 6.0, 0.0).reshape(40, 1))
y = y + outliers
line = nn.Linear(1, 1)
line.load_state_dict({"weight": torch.tensor([[0.1]]), "bias": torch.tensor([0.0])})
robust = nn.SmoothL1Loss(beta=0.5)
line_optimizer = torch.optim.SGD(line.parameters(), lr=0.1)
robust_losses = []
for step in range(60):
    line_optimizer.zero_grad()
    loss = robust(line(x), y)
    loss.backward()
    nn.utils.clip_grad_value_(line.parameters(), clip_value=0.4)
    line_optimizer.step()
    robust_losses.append(loss.item())

RESULTS = {
    "history": history, "norms": norms, "modes": modes,
    "probabilities": probabilities.tolist(), "inference_no_grad": probabilities.requires_grad,
    "robust_losses": robust_losses[::6] + [robust_losses[-1]],
    "line": [line.weight.item(), line.bias.item()],
}

if __name__ == "__main__":
    print(RESULTS)
