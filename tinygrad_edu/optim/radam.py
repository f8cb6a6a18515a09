"""RAdam: Adam whose adaptive step is switched on only once its variance is tractable."""
import math

import numpy as np

from .optimizer import Optimizer, check_betas, check_flag, check_number

__all__ = ["RAdam", "radam_update"]


def radam_update(param, grad, state, *, lr, beta1, beta2, eps, weight_decay,
                 decoupled_weight_decay, maximize):
    """One RAdam step for one parameter, in place. ``state``: ``step``, ``exp_avg``,
    ``exp_avg_sq``."""
    state["step"] += 1
    step = state["step"]
    if weight_decay != 0 and decoupled_weight_decay:
        param *= 1 - lr * weight_decay               # θ ← θ·(1 − γλ)
    g = -grad if maximize else grad                  # g ← ∇L(θ)  (−∇L(θ) if maximize)
    if weight_decay != 0 and not decoupled_weight_decay:
        g = g + weight_decay * param                 # g ← g + λ·θ
    exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
    exp_avg *= beta1
    exp_avg += (1 - beta1) * g                       # m ← β1·m + (1 − β1)·g
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * g * g                # v ← β2·v + (1 − β2)·g²
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    update = exp_avg / bias_correction1              # m̂
    update *= lr
    # ρ: the length of the approximated simple moving average behind v̂
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * beta2 ** step / bias_correction2
    if rho_t > 5:                                    # variance tractable: adaptive step
        rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                         / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        adaptive = np.sqrt(exp_avg_sq, out=np.empty_like(param))
        adaptive += eps
        np.divide(math.sqrt(bias_correction2), adaptive, out=adaptive)   # l ≈ 1/√v̂
        update *= adaptive
        update *= rect
    param -= update                                  # else: SGD with momentum, θ ← θ − γ·m̂


class RAdam(Optimizer):
    r"""RAdam (rectified Adam), as ``torch.optim.RAdam``.

    Implemented rule (γ = lr, λ = weight_decay, t = step count)::

        state: m ← 0, v ← 0
        g ← ∇L(θ)                       (−∇L(θ) if maximize)
        if λ ≠ 0:
            decoupled:  θ ← θ·(1 − γλ)
            else:       g ← g + λ·θ
        m ← β1·m + (1 − β1)·g;   m̂ ← m/(1 − β1^t)
        v ← β2·v + (1 − β2)·g²
        ρ∞ ← 2/(1 − β2) − 1;   ρ_t ← ρ∞ − 2t·β2^t/(1 − β2^t)
        if ρ_t > 5:
            l ← √(1 − β2^t) / (√v + ε)
            r ← √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t))
            θ ← θ − γ·m̂·l·r
        else:
            θ ← θ − γ·m̂

    Defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    decoupled_weight_decay=False, maximize=False. State: ``step``, ``exp_avg`` (m),
    ``exp_avg_sq`` (v).

    **Textbook form.** Adam's W ← W − η·m̂/(√v̂ + ε) divides by √v̂, which in the first
    steps is an average of very few squared gradients, so its variance is huge (this is
    why Adam is often given a learning-rate *warm-up*). RAdam estimates that variance
    through ρ_t: while ρ_t ≤ 5 (the first few steps: t ≤ 5 for β2 = 0.999) it takes plain
    momentum-SGD steps with m̂; afterwards it takes Adam's step multiplied by the
    rectification r < 1, which tends to 1 as t grows. It is a warm-up built into the
    optimizer. ``maximize`` is a keyword-only extra, as in PyTorch.

    Paper: Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond",
    ICLR 2020.

    >>> from tinygrad_edu import Value
    >>> w = Value(1.0)
    >>> opt = RAdam([w], lr=0.1)
    >>> w.grad = 5.0; opt.step()         # first step: ρ_1 = 1 ≤ 5, so θ ← θ − γ·m̂ = θ − γ·g
    >>> round(w.data, 6)
    0.5
    """

    rule = staticmethod(radam_update)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, maximize=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize))

    def _check_group(self, group, where):
        where = f"RAdam ({where})"
        check_number(where, "lr", group["lr"])
        check_betas(where, group["betas"])
        check_number(where, "eps", group["eps"])
        check_number(where, "weight_decay", group["weight_decay"])
        check_flag(where, "decoupled_weight_decay", group["decoupled_weight_decay"])
        check_flag(where, "maximize", group["maximize"])

    def _init_state(self, param, group):
        return {"step": 0.0, "exp_avg": np.zeros_like(param),
                "exp_avg_sq": np.zeros_like(param)}

    def _hyper_parameters(self, group):
        beta1, beta2 = group["betas"]
        return dict(lr=float(group["lr"]), beta1=float(beta1), beta2=float(beta2),
                    eps=float(group["eps"]), weight_decay=float(group["weight_decay"]),
                    decoupled_weight_decay=group["decoupled_weight_decay"],
                    maximize=group["maximize"])
