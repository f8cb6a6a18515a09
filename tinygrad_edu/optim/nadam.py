"""NAdam: Adam with Nesterov momentum (and a warming-up momentum schedule)."""
import numpy as np

from .optimizer import Optimizer, check_betas, check_flag, check_number

__all__ = ["NAdam", "nadam_update"]


def nadam_update(param, grad, state, *, lr, beta1, beta2, eps, weight_decay, momentum_decay,
                 decoupled_weight_decay, maximize):
    """One NAdam step for one parameter, in place. ``state``: ``step``, ``mu_product``
    (a number), ``exp_avg``, ``exp_avg_sq``."""
    state["step"] += 1
    step = state["step"]
    if weight_decay != 0 and decoupled_weight_decay:
        param *= 1 - lr * weight_decay               # θ ← θ·(1 − γλ)
    g = -grad if maximize else grad                  # g ← ∇L(θ)  (−∇L(θ) if maximize)
    if weight_decay != 0 and not decoupled_weight_decay:
        g = g + weight_decay * param                 # g ← g + λ·θ
    # the momentum schedule μ_t rises from ≈ β1/2 towards β1 ("momentum warm-up")
    mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentum_decay))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
    state["mu_product"] *= mu                        # Π_{i≤t} μ_i, for the bias correction
    mu_product = state["mu_product"]
    exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
    exp_avg *= beta1
    exp_avg += (1 - beta1) * g                       # m ← β1·m + (1 − β1)·g
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * g * g                # v ← β2·v + (1 − β2)·g²
    denom = np.divide(exp_avg_sq, 1 - beta2 ** step, out=np.empty_like(param))
    np.sqrt(denom, out=denom)
    denom += eps                                     # √v̂ + ε
    # Nesterov: mix the current gradient (weight 1 − μ_t) with the *next* momentum μ_{t+1}
    param -= (lr * (1 - mu) / (1 - mu_product)) * (g / denom)
    param -= (lr * mu_next / (1 - mu_product * mu_next)) * (exp_avg / denom)


class NAdam(Optimizer):
    r"""NAdam, as ``torch.optim.NAdam``.

    Implemented rule (γ = lr, λ = weight_decay, ψ = momentum_decay, t = step count)::

        state: m ← 0, v ← 0, Π ← 1 (mu_product)
        g ← ∇L(θ)                       (−∇L(θ) if maximize)
        if λ ≠ 0:
            decoupled:  θ ← θ·(1 − γλ)
            else:       g ← g + λ·θ
        μ_t ← β1·(1 − ½·0.96^(tψ));   μ_{t+1} ← β1·(1 − ½·0.96^((t+1)ψ))
        Π ← Π·μ_t
        m ← β1·m + (1 − β1)·g
        v ← β2·v + (1 − β2)·g²;   v̂ ← v/(1 − β2^t)
        θ ← θ − γ(1 − μ_t)/(1 − Π) · g/(√v̂ + ε) − γ·μ_{t+1}/(1 − Π·μ_{t+1}) · m/(√v̂ + ε)

    Defaults: lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
    decoupled_weight_decay=False, maximize=False. State: ``step``, ``mu_product`` (Π, a
    number), ``exp_avg`` (m), ``exp_avg_sq`` (v).

    **Textbook form.** Nesterov momentum evaluates the gradient at the look-ahead point
    W + αv. Dozat's trick applies the look-ahead to the *momentum* instead: the update
    uses μ_{t+1}·m̂_t + (1 − μ_t)·ĝ_t — the momentum as it will be next step, plus the fresh
    gradient — in place of Adam's m̂_t. The bias corrections use the product of the μ's
    because μ changes every step. With ψ = 0 (constant μ = β1/2) the rule is "Adam with
    Nesterov momentum". ``maximize`` is a keyword-only extra, as in PyTorch.

    (PyTorch keeps Π as a tensor of its default dtype; here it is a Python float, i.e.
    float64 — identical to PyTorch in float64, slightly more precise than in float32.)

    Paper: Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016 workshop.

    >>> from tinygrad_edu import Value
    >>> w = Value(1.0)
    >>> opt = NAdam([w], lr=0.1)
    >>> w.grad = 1.0; opt.step()
    >>> w.data < 1.0 and opt.state[w]["step"]
    1.0
    """

    rule = staticmethod(nadam_update)
    _scalar_state_keys = ("step", "mu_product")

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, maximize=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize))

    def _check_group(self, group, where):
        where = f"NAdam ({where})"
        check_number(where, "lr", group["lr"])
        check_betas(where, group["betas"])
        for name in ("eps", "weight_decay", "momentum_decay"):
            check_number(where, name, group[name])
        check_flag(where, "decoupled_weight_decay", group["decoupled_weight_decay"])
        check_flag(where, "maximize", group["maximize"])

    def _init_state(self, param, group):
        return {"step": 0.0, "mu_product": 1.0, "exp_avg": np.zeros_like(param),
                "exp_avg_sq": np.zeros_like(param)}

    def _hyper_parameters(self, group):
        beta1, beta2 = group["betas"]
        return dict(lr=float(group["lr"]), beta1=float(beta1), beta2=float(beta2),
                    eps=float(group["eps"]), weight_decay=float(group["weight_decay"]),
                    momentum_decay=float(group["momentum_decay"]),
                    decoupled_weight_decay=group["decoupled_weight_decay"],
                    maximize=group["maximize"])
