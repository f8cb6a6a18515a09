"""Check a gradient you wrote yourself: a custom op, a bug, and the gradcheck table that finds it.

1. ``Softplus`` as a custom ``Function`` (y = log(1 + eˣ), dy/dx = σ(x)) with a classic slip in
   its backward: σ(−x) where σ(x) belongs. ``gradcheck`` compares the analytic Jacobian with
   central differences, element by element, and prints the worst mismatches.
2. The fix passes.
3. Why the check must be element by element: a softmax whose backward returns *zeros* passes a
   check of ``softmax(x).sum()`` (that sum is always 1, so its true gradient is 0), and fails
   the full-Jacobian check at once.

    python demos/02_gradcheck.py        # or: tinygrad-edu demo gradcheck
"""
import argparse

import numpy as np

import tinygrad_edu
from tinygrad_edu import Function, Tensor
from tinygrad_edu.gradcheck import GradcheckError, gradcheck


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # stable for any x


class BuggySoftplus(Function):
    """y = log(1 + eˣ); the backward wrongly uses σ(−x) = 1 − σ(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.logaddexp(0.0, x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * sigmoid(-x)  # the bug


class Softplus(Function):
    """y = log(1 + eˣ) (computed as logaddexp(0, x): no overflow); dy/dx = σ(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.logaddexp(0.0, x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * sigmoid(x)


class ZeroGradSoftmax(Function):
    """A softmax whose backward forgot its job and returns zeros."""

    @staticmethod
    def forward(ctx, x):
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad)


def check(title, fn, *inputs):
    print(f"\n== {title}")
    try:
        gradcheck(fn, *inputs)
        print("gradcheck passed")
        return True
    except GradcheckError as error:
        print(error)
        return False


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="demos/out", help="unused: this demo only prints")
    parser.add_argument("--quick", action="store_true", help="accepted for symmetry; it is quick")
    args = parser.parse_args(argv)
    tinygrad_edu.manual_seed(args.seed)
    x = Tensor.randn(2, 3, requires_grad=True)

    results = {
        "buggy_softplus": check("Softplus with a wrong backward", BuggySoftplus.apply, x),
        "softplus": check("Softplus, fixed", Softplus.apply, x),
        "zero_softmax_summed": check("zero-backward softmax, checked on the SUM of its outputs",
                                     lambda t: ZeroGradSoftmax.apply(t).sum(), x),
        "zero_softmax_full": check("zero-backward softmax, checked element by element",
                                   ZeroGradSoftmax.apply, x),
        "softmax": check("the library's softmax, element by element", lambda t: t.softmax(), x),
    }
    print("\nWhat to look at (the tables above): gradcheck names the input and the Jacobian "
          "entry where the\nanalytic and numerical gradients differ. The summed check passed "
          "a broken softmax (its\noutputs sum to 1, so the sum's gradient is 0 anyway); the "
          "element-by-element one did not.")
    return results


if __name__ == "__main__":
    main()
