"""A two-layer network with tensors only: h = x·W1, ReLU by clamp, y = h·W2, and the
backward pass written by hand with mm, t() and clone — zeroing the gradient where h < 0
by masked assignment."""
import torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(6)

dtype = torch.float
device = torch.device("cpu")

N, D_in, H, D_out = 16, 10, 12, 3
x = torch.randn(N, D_in, device=device, dtype=dtype)
y = torch.randn(N, D_out, device=device, dtype=dtype)
w1 = torch.randn(D_in, H, device=device, dtype=dtype)
w2 = torch.randn(H, D_out, device=device, dtype=dtype)

learning_rate = 1e-3
losses = []
for t in range(100):
    h = x.mm(w1)
    h_relu = h.clamp(min=0)
    y_pred = h_relu.mm(w2)

    loss = (y_pred - y).pow(2).sum().item()
    losses.append(loss)

    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.t().mm(grad_y_pred)
    grad_h_relu = grad_y_pred.mm(w2.t())
    grad_h = grad_h_relu.clone()
    grad_h[h < 0] = 0
    grad_w1 = x.t().mm(grad_h)

    w1 -= learning_rate * grad_w1
    w2 -= learning_rate * grad_w2

RESULTS = {"losses": losses[::10] + [losses[-1]], "w2": w2[:2].tolist()}

if __name__ == "__main__":
    print(RESULTS)
