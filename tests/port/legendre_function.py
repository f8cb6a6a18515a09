"""A custom autograd Function: y = a + b·P3(c + d·x) with P3 the Legendre polynomial
½(5t³ − 3t), its forward and backward written by hand with ctx.save_for_backward; and a
ReLU as a Function whose backward zeroes the gradient where the input was negative."""
import math

import torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(3)


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


class ClampedReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


dtype = torch.float64
device = torch.device("cpu")

x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)

a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)

learning_rate = 5e-6
losses = []
for t in range(400):
    P3 = LegendrePolynomial3.apply
    y_pred = a + b * P3(c + d * x)

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

print(f"Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)")

w1 = torch.randn(3, 5, requires_grad=True)
w2 = torch.randn(5, 2, requires_grad=True)
inputs = torch.randn(4, 3)
relu = ClampedReLU.apply
hidden = relu(inputs.mm(w1))
out = hidden.mm(w2)
out.pow(2).sum().backward()

RESULTS = {
    "losses": losses[::40] + [losses[-1]],
    "coefficients": [a.item(), b.item(), c.item(), d.item()],
    "relu_out": out.tolist(), "relu_w1_grad": w1.grad.tolist(), "relu_w2_grad": w2.grad.tolist(),
    "zeroed": (hidden == 0).sum().item(),
}

if __name__ == "__main__":
    print(RESULTS)
