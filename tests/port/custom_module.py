"""A custom nn.Module with Dropout, switched between train() and eval().

PyTorch draws dropout masks from its own generator; the stored reference run draws them as
tinygrad_edu's Dropout does (see tests/port_harness.py), so that both runs drop the same units.
"""
import numpy as np
import torch


torch.set_default_dtype(torch.float64)


class Net(torch.nn.Module):
    def __init__(self, n_in, n_hidden, n_out, p=0.25):
        super().__init__()
        self.fc1 = torch.nn.Linear(n_in, n_hidden)
        self.dropout = torch.nn.Dropout(p=p)
        self.fc2 = torch.nn.Linear(n_hidden, n_out)
        torch.nn.init.zeros_(self.fc2.bias)
        torch.nn.init.constant_(self.fc1.bias, 0.1)

    def forward(self, x):
        x = torch.nn.functional.relu(self.fc1(x))
        x = self.dropout(x)
        return self.fc2(x).log_softmax(dim=1)


rng = np.random.default_rng(2)
X = torch.tensor(rng.normal(size=(64, 4)))
y = torch.tensor((rng.normal(size=64) > 0).astype(np.int64) + (X[:, 0] > 1).long().numpy())

net = Net(4, 32, 3)
state = net.state_dict()
for name in ("fc1.weight", "fc2.weight"):
    state[name] = torch.tensor(rng.uniform(-0.5, 0.5, size=tuple(state[name].shape)))
net.load_state_dict(state)
loss_fn = torch.nn.NLLLoss()
optimizer = torch.optim.Adam(net.parameters(), lr=0.01, weight_decay=1e-4)

torch.manual_seed(0)
train_losses = []
for epoch in range(25):
    net.train()
    optimizer.zero_grad()
    loss = loss_fn(net(X), y)
    loss.backward()
    optimizer.step()
    train_losses.append(loss.item())

net.eval()
with torch.no_grad():
    eval_out = net(X)
    eval_loss = loss_fn(eval_out, y).item()
    again = net(X)                       # no dropout in eval mode: the same numbers twice
    accuracy = (eval_out.argmax(1) == y).float().mean().item()

RESULTS = {
    "train_losses": train_losses,
    "eval_loss": eval_loss,
    "eval_repeatable": (again == eval_out).float().mean().item(),
    "accuracy": accuracy,
    "fc1_bias": net.fc1.bias.tolist(),
    "training_flags": [net.training, net.dropout.training],
}

if __name__ == "__main__":
    print(RESULTS)
