"""Adam and AdamW: momentum plus RMSprop-style scaling, with bias correction."""
import math

import numpy as np

from .optimizer import Optimizer, check_betas, check_flag, check_number

__all__ = ["Adam", "AdamW", "adam_update"]


def adam_update(param, grad, state, *, lr, beta1, beta2, eps, weight_decay, amsgrad,
                maximize, decoupled_weight_decay):
    """One Adam/AdamW step for one parameter, in place. ``state``: ``step``, ``exp_avg``,
    ``exp_avg_sq`` (+ ``max_exp_avg_sq`` with amsgrad).

    Adam is the optimizer people time, so the intermediate results go into one work array
    (``out=`` and in-place operators) and the step makes no other parameter-sized arrays.
    """
    state["step"] += 1
    t = state["step"]
    if weight_decay != 0 and decoupled_weight_decay:
        param *= 1 - lr * weight_decay                    # AdamW: θ ← θ·(1 − γλ)
    g = -grad if maximize else grad                       # g ← ∇L(θ)  (−∇L(θ) if maximize)
    if weight_decay != 0 and not decoupled_weight_decay:
        g = g + weight_decay * param                      # Adam: g ← g + λ·θ (L2)
    exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
    work = np.empty_like(param)
    exp_avg *= beta1                                      # m ← β1·m + (1 − β1)·g
    exp_avg += np.multiply(g, 1 - beta1, out=work)
    exp_avg_sq *= beta2                                   # v ← β2·v + (1 − β2)·g²
    np.square(g, out=work)
    work *= 1 - beta2
    exp_avg_sq += work
    if amsgrad:                                           # v_max ← max(v_max, v)
        np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
    v = state["max_exp_avg_sq"] if amsgrad else exp_avg_sq
    if lr == 0:   # the moments are updated, θ is not (and step_size = 0 would divide below)
        return
    # θ ← θ − step_size · m / denom,  step_size = γ/(1 − β1^t),  denom = √v/√(1 − β2^t) + ε.
    # Dividing denom by step_size first (as PyTorch's "capturable" Adam does) saves a pass
    # over the data: θ ← θ − m / (denom / step_size).
    step_size = lr / (1 - beta1 ** t)
    np.sqrt(v, out=work)
    work *= 1 / (math.sqrt(1 - beta2 ** t) * step_size)
    work += eps / step_size
    param -= np.divide(exp_avg, work, out=work)


class Adam(Optimizer):
    r"""Adam (and, with ``decoupled_weight_decay=True``, AdamW), as ``torch.optim.Adam``.

    Implemented rule (γ = lr, λ = weight_decay, t = step count starting at 1)::

        state: m ← 0, v ← 0, v_max ← 0
        g ← ∇L(θ)                       (−∇L(θ) if maximize)
        if λ ≠ 0:
            decoupled:  θ ← θ·(1 − γλ)   (AdamW)
            else:       g ← g + λ·θ      (L2 penalty, Adam)
        m ← β1·m + (1 − β1)·g
        v ← β2·v + (1 − β2)·g²
        if amsgrad:  v_max ← max(v_max, v);  use v_max for v below
        θ ← θ − γ/(1 − β1^t) · m / (√v / √(1 − β2^t) + ε)

    Defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
    maximize=False, decoupled_weight_decay=False. State: ``step``, ``exp_avg`` (m),
    ``exp_avg_sq`` (v), ``max_exp_avg_sq`` (v_max, with amsgrad).

    **Textbook form** (Kingma & Ba, Algorithm 1)::

        m ← β1·m + (1 − β1)·∇L            (momentum: a running mean of gradients)
        v ← β2·v + (1 − β2)·∇L ⊙ ∇L       (RMSprop: a running mean of squares)
        m̂ ← m / (1 − β1^t)                (bias correction: m and v start at 0, so early
        v̂ ← v / (1 − β2^t)                 averages are too small by exactly that factor)
        W ← W − η · m̂ / (√v̂ + ε)

    The implemented form is the same algebra arranged as PyTorch does it (the two
    corrections are applied to the step size and to √v rather than to m and v), so ε is
    added to √v̂ — as in the paper — and results agree to rounding. Two things differ
    from what a course may show: the weight decay, and AMSGrad.

    *L2 vs decoupled weight decay.* Adam's ``weight_decay`` adds λθ to the gradient (L2
    regularization); that term is then divided by √v̂, so weights with large gradients are
    barely decayed. AdamW (Loshchilov & Hutter) instead shrinks θ by (1 − γλ) directly,
    outside the adaptive scaling: the decay is the same for every weight. Note it is
    multiplied by the learning rate γ, so a schedule scales it too.

    *AMSGrad* (Reddi et al.) divides by the largest v seen so far, so a coordinate's step
    can only shrink; it fixes a convergence counter-example for Adam.

    Papers: Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015;
    Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond", ICLR 2018 (AMSGrad);
    Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019 (AdamW).

    >>> from tinygrad_edu import Value
    >>> w = Value(1.0)
    >>> opt = Adam([w], lr=0.1)
    >>> w.grad = 5.0; opt.step()     # first step: m̂ = g, v̂ = g², so the step is ≈ lr·sign(g)
    >>> round(w.data, 6)
    0.9
    """

    rule = staticmethod(adam_update)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, maximize=False, decoupled_weight_decay=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _check_group(self, group, where):
        where = f"{type(self).__name__} ({where})"
        check_number(where, "lr", group["lr"])
        check_betas(where, group["betas"])
        check_number(where, "eps", group["eps"])
        check_number(where, "weight_decay", group["weight_decay"])
        for flag in ("amsgrad", "maximize", "decoupled_weight_decay"):
            check_flag(where, flag, group[flag])

    def _init_state(self, param, group):
        state = {"step": 0.0, "exp_avg": np.zeros_like(param),
                 "exp_avg_sq": np.zeros_like(param)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros_like(param)
        return state

    def _hyper_parameters(self, group):
        beta1, beta2 = group["betas"]
        return dict(lr=float(group["lr"]), beta1=float(beta1), beta2=float(beta2),
                    eps=float(group["eps"]), weight_decay=float(group["weight_decay"]),
                    amsgrad=group["amsgrad"], maximize=group["maximize"],
                    decoupled_weight_decay=group["decoupled_weight_decay"])

class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay (default 1e-2), as ``torch.optim.AdamW``.

    Exactly ``Adam(..., decoupled_weight_decay=True)``: each step first shrinks the weights,
    θ ← θ·(1 − γλ), then takes the plain Adam step with the *unmodified* gradient. See
    :class:`Adam` for the rule and for why this differs from Adam's L2 ``weight_decay``.

    Defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
    maximize=False.

    Paper: Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019.

    >>> from tinygrad_edu import Value
    >>> w = Value(1.0)
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> w.grad = 0.0; opt.step()     # zero gradient: only the decay acts, 1·(1 − 0.1·0.5)
    >>> round(w.data, 6)
    0.95
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)

    def _check_group(self, group, where):
        super()._check_group(group, where)
        if not group["decoupled_weight_decay"]:
            raise ValueError(f"AdamW ({where}): decoupled_weight_decay must stay True "
                             f"(use Adam for L2 weight decay)")
