"""Adadelta: step sizes in the units of the parameter, from two running averages."""
import numpy as np

from .optimizer import Optimizer, check_flag, check_number

__all__ = ["Adadelta", "adadelta_update"]


def adadelta_update(param, grad, state, *, lr, rho, eps, weight_decay, maximize):
    """One Adadelta step for one parameter, in place. ``state``: ``step``, ``square_avg``,
    ``acc_delta``."""
    state["step"] += 1
    g = -grad if maximize else grad                # g ← ∇L(θ)  (−∇L(θ) if maximize)
    if weight_decay != 0:
        g = g + weight_decay * param               # g ← g + λ·θ
    square_avg, acc_delta = state["square_avg"], state["acc_delta"]
    square_avg *= rho
    square_avg += (1 - rho) * g * g                # E[g²] ← ρ·E[g²] + (1 − ρ)·g²
    std = np.sqrt(square_avg + eps)                # RMS[g]
    delta = np.sqrt(acc_delta + eps)               # RMS[Δθ] of the *previous* steps
    delta /= std
    delta *= g                                     # Δθ = RMS[Δθ]/RMS[g] · g
    acc_delta *= rho
    acc_delta += (1 - rho) * delta * delta         # E[Δθ²] ← ρ·E[Δθ²] + (1 − ρ)·Δθ²
    delta *= lr
    param -= delta                                 # θ ← θ − γ·Δθ


class Adadelta(Optimizer):
    r"""Adadelta, as ``torch.optim.Adadelta``.

    Implemented rule (γ = lr, ρ = rho, λ = weight_decay)::

        state: u ← 0 (square_avg),  a ← 0 (acc_delta)
        g ← ∇L(θ)                       (−∇L(θ) if maximize)
        if λ ≠ 0:  g ← g + λ·θ
        u ← ρ·u + (1 − ρ)·g²
        Δ ← √(a + ε) / √(u + ε) · g
        a ← ρ·a + (1 − ρ)·Δ²
        θ ← θ − γ·Δ

    Defaults: lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False.
    State: ``step``, ``square_avg`` (u), ``acc_delta`` (a).

    **Textbook form** (Zeiler 2012, Algorithm 1)::

        E[g²] ← ρ·E[g²] + (1 − ρ)·g²
        Δx ← −RMS[Δx]_{t−1} / RMS[g]_t · g          (RMS[y] = √(E[y²] + ε))
        E[Δx²] ← ρ·E[Δx²] + (1 − ρ)·Δx²
        x ← x + Δx

    Like RMSprop it divides by the RMS of recent gradients, but it multiplies by the RMS
    of recent *updates* instead of a learning rate, so the step has the units of x and
    the paper needs no learning rate at all. PyTorch keeps one anyway (``lr``, default 1.0
    = the paper's method); with ε inside both roots, exactly as the paper. The first steps
    are tiny (≈ √ε), which is why Adadelta starts slowly.

    Paper: Zeiler, "ADADELTA: An Adaptive Learning Rate Method", arXiv:1212.5701, 2012.

    >>> from tinygrad_edu import Value
    >>> w = Value(1.0)
    >>> opt = Adadelta([w], eps=0.01, rho=0.5)
    >>> w.grad = 0.99; opt.step()            # u = 0.49005; Δ = √0.01/√0.50005·0.99
    >>> round(w.data, 6)
    0.86
    """

    rule = staticmethod(adadelta_update)

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *, maximize=False):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize))

    def _check_group(self, group, where):
        where = f"Adadelta ({where})"
        check_number(where, "lr", group["lr"])
        check_number(where, "rho", group["rho"], 0.0, 1.0)
        check_number(where, "eps", group["eps"])
        check_number(where, "weight_decay", group["weight_decay"])
        check_flag(where, "maximize", group["maximize"])

    def _init_state(self, param, group):
        return {"step": 0.0, "square_avg": np.zeros_like(param),
                "acc_delta": np.zeros_like(param)}

    def _hyper_parameters(self, group):
        return dict(lr=float(group["lr"]), rho=float(group["rho"]), eps=float(group["eps"]),
                    weight_decay=float(group["weight_decay"]), maximize=group["maximize"])
