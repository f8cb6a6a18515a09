"""AdaBelief: Adam that divides by how far the gradient strays from its running mean."""
import math

import numpy as np

from .optimizer import Optimizer, check_betas, check_flag, check_number

__all__ = ["AdaBelief", "adabelief_update"]


def adabelief_update(param, grad, state, *, lr, beta1, beta2, eps, weight_decay,
                     decoupled_weight_decay):
    """One AdaBelief step for one parameter, in place. ``state``: ``step``, ``exp_avg``,
    ``exp_avg_var``."""
    state["step"] += 1
    step = state["step"]
    g = grad
    if weight_decay != 0 and decoupled_weight_decay:
        param *= 1 - lr * weight_decay               # θ ← θ·(1 − γλ)
    elif weight_decay != 0:
        g = grad + weight_decay * param              # g ← g + λ·θ
    exp_avg, exp_avg_var = state["exp_avg"], state["exp_avg_var"]
    exp_avg *= beta1
    exp_avg += (1 - beta1) * g                       # m ← β1·m + (1 − β1)·g
    residual = np.subtract(g, exp_avg, out=np.empty_like(param))   # how "surprising" g is
    residual *= residual
    residual *= 1 - beta2
    exp_avg_var *= beta2
    exp_avg_var += residual                          # s ← β2·s + (1 − β2)·(g − m)²
    exp_avg_var += eps                               # ... + ε, kept in the state
    denom = np.sqrt(exp_avg_var, out=residual)
    denom *= 1 / math.sqrt(1 - beta2 ** step)
    denom += eps                                     # √ŝ + ε
    np.divide(exp_avg, denom, out=denom)
    denom *= lr / (1 - beta1 ** step)
    param -= denom                                   # θ ← θ − γ/(1 − β1^t) · m/(√ŝ + ε)


class AdaBelief(Optimizer):
    r"""AdaBelief, as the authors' ``adabelief-pytorch`` 0.2.1 with ``rectify=False``,
    ``amsgrad=False``, ``fixed_decay=False`` (its ``weight_decouple`` is our
    ``decoupled_weight_decay``).

    Implemented rule (γ = lr, λ = weight_decay, t = step count)::

        state: m ← 0, s ← 0
        g ← ∇L(θ)
        decoupled:  θ ← θ·(1 − γλ)      else, if λ ≠ 0:  g ← g + λ·θ
        m ← β1·m + (1 − β1)·g
        s ← β2·s + (1 − β2)·(g − m)² + ε          (ε stored in the state)
        θ ← θ − γ/(1 − β1^t) · m / (√s / √(1 − β2^t) + ε)

    Defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-16, weight_decay=0,
    decoupled_weight_decay=True. State: ``step``, ``exp_avg`` (m), ``exp_avg_var`` (s).

    **Textbook form.** Adam divides by √v, the RMS of the gradients. AdaBelief divides by
    √s, the RMS of (g − m): the deviation of the gradient from its prediction m, the
    "belief". When gradients are large but consistent (a steep, straight valley) s is
    small and AdaBelief takes *large* steps where Adam takes cautious ones; when the
    gradient keeps changing, s is large and the step small. Everything else is Adam:
    bias corrections, ε outside the root. The reference implementation also adds ε to s
    at every step (inside the root), which is why the default ε is tiny (1e-16).
    Weight decay is decoupled (AdamW style) by default.

    Paper: Zhuang et al., "AdaBelief Optimizer: Adapting Stepsizes by the Belief in
    Observed Gradients", NeurIPS 2020. Reference: github.com/juntang-zhuang/Adabelief-Optimizer.

    >>> from tinygrad_edu import Value
    >>> w = Value(1.0)
    >>> opt = AdaBelief([w], lr=0.1)
    >>> w.grad = 2.0; opt.step()   # step 1: m̂ = g, but ŝ = (g − m)² = (0.9·g)²: lr/0.9
    >>> round(w.data, 6)
    0.888889
    """

    rule = staticmethod(adabelief_update)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-16, weight_decay=0,
                 decoupled_weight_decay=True):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _check_group(self, group, where):
        where = f"AdaBelief ({where})"
        check_number(where, "lr", group["lr"])
        check_betas(where, group["betas"])
        check_number(where, "eps", group["eps"])
        check_number(where, "weight_decay", group["weight_decay"])
        check_flag(where, "decoupled_weight_decay", group["decoupled_weight_decay"])

    def _init_state(self, param, group):
        return {"step": 0.0, "exp_avg": np.zeros_like(param),
                "exp_avg_var": np.zeros_like(param)}

    def _hyper_parameters(self, group):
        beta1, beta2 = group["betas"]
        return dict(lr=float(group["lr"]), beta1=float(beta1), beta2=float(beta2),
                    eps=float(group["eps"]), weight_decay=float(group["weight_decay"]),
                    decoupled_weight_decay=group["decoupled_weight_decay"])
