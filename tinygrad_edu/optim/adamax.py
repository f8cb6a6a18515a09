"""Adamax: Adam with the infinity norm in place of the root-mean-square."""
import numpy as np

from .optimizer import Optimizer, check_betas, check_flag, check_number

__all__ = ["Adamax", "adamax_update"]


def adamax_update(param, grad, state, *, lr, beta1, beta2, eps, weight_decay, maximize):
    """One Adamax step for one parameter, in place. ``state``: ``step``, ``exp_avg``,
    ``exp_inf``."""
    state["step"] += 1
    g = -grad if maximize else grad                  # g ← ∇L(θ)  (−∇L(θ) if maximize)
    if weight_decay != 0:
        g = g + weight_decay * param                 # g ← g + λ·θ
    exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
    exp_avg *= beta1
    exp_avg += (1 - beta1) * g                       # m ← β1·m + (1 − β1)·g
    exp_inf *= beta2
    np.maximum(exp_inf, np.abs(g) + eps, out=exp_inf)   # u ← max(β2·u, |g| + ε)
    clr = lr / (1 - beta1 ** state["step"])          # bias correction of m only
    update = exp_avg / exp_inf
    update *= clr
    param -= update                                  # θ ← θ − γ/(1 − β1^t) · m/u


class Adamax(Optimizer):
    r"""Adamax, as ``torch.optim.Adamax``.

    Implemented rule (γ = lr, λ = weight_decay, t = step count)::

        state: m ← 0, u ← 0
        g ← ∇L(θ)                       (−∇L(θ) if maximize)
        if λ ≠ 0:  g ← g + λ·θ
        m ← β1·m + (1 − β1)·g
        u ← max(β2·u, |g| + ε)
        θ ← θ − γ/(1 − β1^t) · m / u

    Defaults: lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, maximize=False.
    State: ``step``, ``exp_avg`` (m), ``exp_inf`` (u).

    **Textbook form** (Kingma & Ba, section 7.1): Adam's v is a running average of |g|²;
    generalise the 2 to p and let p → ∞, and the average becomes a running *maximum*:
    u ← max(β2·u, |g|);  θ ← θ − η/(1 − β1^t) · m/u. That maximum needs no bias
    correction (it is not pulled towards the zero it started from the way an average
    is). PyTorch adds ε inside the max, which keeps u > 0 where gradients are 0.

    Paper: Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015, §7.1.

    >>> from tinygrad_edu import Value
    >>> w = Value(1.0)
    >>> opt = Adamax([w], lr=0.1)
    >>> w.grad = -3.0; opt.step()        # first step: m/(1 − β1) = g and u = |g|: lr·sign(g)
    >>> round(w.data, 6)
    1.1
    """

    rule = staticmethod(adamax_update)

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, *,
                 maximize=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize))

    def _check_group(self, group, where):
        where = f"Adamax ({where})"
        check_number(where, "lr", group["lr"])
        check_betas(where, group["betas"])
        check_number(where, "eps", group["eps"])
        check_number(where, "weight_decay", group["weight_decay"])
        check_flag(where, "maximize", group["maximize"])

    def _init_state(self, param, group):
        return {"step": 0.0, "exp_avg": np.zeros_like(param), "exp_inf": np.zeros_like(param)}

    def _hyper_parameters(self, group):
        beta1, beta2 = group["betas"]
        return dict(lr=float(group["lr"]), beta1=float(beta1), beta2=float(beta2),
                    eps=float(group["eps"]), weight_decay=float(group["weight_decay"]),
                    maximize=group["maximize"])
