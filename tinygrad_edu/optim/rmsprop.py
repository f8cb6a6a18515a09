"""RMSprop: divide the step by a running root-mean-square of recent gradients."""
import numpy as np

from .optimizer import Optimizer, check_flag, check_number

__all__ = ["RMSprop", "rmsprop_update"]


def rmsprop_update(param, grad, state, *, lr, alpha, eps, weight_decay, momentum, centered,
                   maximize):
    """One RMSprop step for one parameter, in place. ``state``: ``step``, ``square_avg``
    (+ ``grad_avg`` when centered, + ``momentum_buffer`` when momentum > 0)."""
    state["step"] += 1
    g = -grad if maximize else grad                    # g ← ∇L(θ)  (−∇L(θ) if maximize)
    if weight_decay != 0:
        g = g + weight_decay * param                   # g ← g + λ·θ
    square_avg = state["square_avg"]
    square_avg *= alpha
    square_avg += (1 - alpha) * g * g                  # v ← α·v + (1 − α)·g²
    avg = np.empty_like(param)
    if centered:
        grad_avg = _buffer(state, "grad_avg", param)
        grad_avg += (1 - alpha) * (g - grad_avg)       # ḡ ← α·ḡ + (1 − α)·g
        np.subtract(square_avg, grad_avg * grad_avg, out=avg)   # the variance v − ḡ²
        np.sqrt(avg, out=avg)
    else:
        np.sqrt(square_avg, out=avg)
    avg += eps                                         # s = √v + ε  (or √(v − ḡ²) + ε)
    if momentum > 0:
        buf = _buffer(state, "momentum_buffer", param)
        buf *= momentum
        buf += g / avg                                 # b ← μ·b + g/s
        param -= lr * buf                              # θ ← θ − γ·b
    else:
        np.divide(g, avg, out=avg)
        avg *= lr
        param -= avg                                   # θ ← θ − γ·g/s

def _buffer(state, key, param):
    """``state[key]``, created as zeros if the option was switched on after the first step."""
    if key not in state:
        state[key] = np.zeros_like(param)
    return state[key]


class RMSprop(Optimizer):
    r"""RMSprop, as ``torch.optim.RMSprop``.

    Implemented rule (γ = lr, α = alpha, λ = weight_decay, μ = momentum)::

        state: v ← 0, ḡ ← 0, b ← 0
        g ← ∇L(θ)                       (−∇L(θ) if maximize)
        if λ ≠ 0:  g ← g + λ·θ
        v ← α·v + (1 − α)·g²
        if centered:  ḡ ← α·ḡ + (1 − α)·g;   s ← √(v − ḡ²) + ε
        else:         s ← √v + ε
        if μ > 0:  b ← μ·b + g/s;   θ ← θ − γ·b
        else:      θ ← θ − γ·g/s

    Defaults: lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
    maximize=False. State: ``step``, ``square_avg`` (v), ``grad_avg`` (ḡ, when centered),
    ``momentum_buffer`` (b, when momentum > 0).

    **Textbook form** (Goodfellow et al., ch. 8.5.2)::

        h ← ρ·h + (1 − ρ)·∇L ⊙ ∇L          W ← W − η · ∇L / √(h + δ)

    It is Adagrad with a *leaky* sum, so old gradients are forgotten and the step size
    does not decay to zero. PyTorch's α is the textbook ρ, and its ε is added *outside*
    the root. "Centered" divides by an estimate of the gradient's standard deviation
    (Graves 2013) instead of its root-mean-square. There is no bias correction: v starts
    at 0, so the first steps are large (γ/√(1−α) ≈ 10γ for α = 0.99) — one of the things
    Adam fixes.

    Paper: Hinton, Srivastava & Swersky, Coursera "Neural Networks for Machine Learning",
    lecture 6e (2012); centered version: Graves, "Generating Sequences With Recurrent
    Neural Networks", arXiv:1308.0850.

    >>> from tinygrad_edu import Value
    >>> w = Value(1.0)
    >>> opt = RMSprop([w], lr=0.01, alpha=0.75)
    >>> w.grad = 3.0; opt.step()          # v = 0.25·9: step 0.01·3/1.5 = 0.02
    >>> round(w.data, 9)
    0.98
    """

    rule = staticmethod(rmsprop_update)

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, *, maximize=False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered,
                                      maximize=maximize))

    def _check_group(self, group, where):
        where = f"RMSprop ({where})"
        for name in ("lr", "eps", "momentum", "weight_decay"):
            check_number(where, name, group[name])
        # PyTorch only requires alpha ≥ 0; alpha > 1 makes (1 − α)·g² negative
        check_number(where, "alpha", group["alpha"], 0.0, 1.0)
        check_flag(where, "centered", group["centered"])
        check_flag(where, "maximize", group["maximize"])

    def _init_state(self, param, group):
        state = {"step": 0.0, "square_avg": np.zeros_like(param)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = np.zeros_like(param)
        if group["centered"]:
            state["grad_avg"] = np.zeros_like(param)
        return state

    def _hyper_parameters(self, group):
        return dict(lr=float(group["lr"]), alpha=float(group["alpha"]), eps=float(group["eps"]),
                    weight_decay=float(group["weight_decay"]),
                    momentum=float(group["momentum"]), centered=group["centered"],
                    maximize=group["maximize"])
