"""Lion: step by the *sign* of an interpolated momentum (evolved sign momentum)."""
import numpy as np

from .optimizer import Optimizer, check_betas, check_number

__all__ = ["Lion", "lion_update"]


def lion_update(param, grad, state, *, lr, beta1, beta2, weight_decay):
    """One Lion step for one parameter, in place. ``state``: ``exp_avg``."""
    exp_avg = state["exp_avg"]
    if weight_decay != 0:
        param *= 1 - lr * weight_decay               # decoupled decay, as AdamW
    direction = np.multiply(exp_avg, beta1, out=np.empty_like(param))
    work = np.multiply(grad, 1 - beta1, out=np.empty_like(param))
    direction += work                                # c ← β1·m + (1 − β1)·g
    np.sign(direction, out=work)
    work *= lr
    param -= work                                    # θ ← θ − γ·sign(c)
    exp_avg *= beta2
    np.multiply(grad, 1 - beta2, out=work)
    exp_avg += work                                  # m ← β2·m + (1 − β2)·g


class Lion(Optimizer):
    r"""Lion (EvoLved Sign Momentum), as Chen et al. 2023 and ``lion-pytorch``.

    Implemented rule (γ = lr, λ = weight_decay)::

        state: m ← 0
        g ← ∇L(θ)
        θ ← θ·(1 − γλ)
        c ← β1·m + (1 − β1)·g
        θ ← θ − γ·sign(c)
        m ← β2·m + (1 − β2)·g

    Defaults: lr=1e-4, betas=(0.9, 0.99), weight_decay=0. State: ``exp_avg`` (m). (No
    step counter: Lion needs no bias correction.)

    **Textbook form.** Lion was found by a program search over update rules. Compare it
    with momentum SGD: every coordinate moves by exactly ±γ (the sign), so the step size
    does not depend on the gradient's scale at all — like Adam's first step, at every
    step. Two betas: the update interpolates with β1 (0.9), the stored momentum with β2
    (0.99), so the direction reacts faster to the current gradient than the memory does.
    Because all steps are full-size, the paper suggests a learning rate 3–10× smaller
    than AdamW's and a weight decay 3–10× larger (their product sets the decay strength).
    sign(0) = 0: a coordinate with c = 0 does not move.

    Paper: Chen et al., "Symbolic Discovery of Optimization Algorithms", NeurIPS 2023.
    Reference: github.com/lucidrains/lion-pytorch.

    >>> from tinygrad_edu import Value
    >>> w = Value(1.0)
    >>> opt = Lion([w], lr=0.1)
    >>> w.grad = 0.001; opt.step()       # a tiny gradient still moves w by a full lr
    >>> round(w.data, 6)
    0.9
    """

    rule = staticmethod(lion_update)
    _scalar_state_keys = ()

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0):
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    def _check_group(self, group, where):
        where = f"Lion ({where})"
        check_number(where, "lr", group["lr"])
        check_betas(where, group["betas"])
        check_number(where, "weight_decay", group["weight_decay"])

    def _init_state(self, param, group):
        return {"exp_avg": np.zeros_like(param)}

    def _hyper_parameters(self, group):
        beta1, beta2 = group["betas"]
        return dict(lr=float(group["lr"]), beta1=float(beta1), beta2=float(beta2),
                    weight_decay=float(group["weight_decay"]))
