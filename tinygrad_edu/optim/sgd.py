"""Stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay."""
import numpy as np

from .optimizer import Optimizer, check_flag, check_number

__all__ = ["SGD", "sgd_update"]


def sgd_update(param, grad, state, *, lr, momentum, dampening, weight_decay, nesterov,
               maximize):
    """One SGD step for one parameter, in place. ``state`` may gain ``momentum_buffer``."""
    g = -grad if maximize else grad       # g ← ∇L(θ)  (−∇L(θ) if maximize)
    if weight_decay != 0:
        g = g + weight_decay * param      # g ← g + λ·θ
    if momentum != 0:
        buf = state.get("momentum_buffer")
        if buf is None:                   # first step: the buffer starts as the gradient
            buf = state["momentum_buffer"] = np.array(g)     # (a copy)
        else:                             # b ← μ·b + (1 − τ)·g
            buf *= momentum
            buf += g if dampening == 0 else (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf
    param -= lr * g                       # θ ← θ − γ·g


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    Implemented rule (γ = lr, λ = weight_decay, μ = momentum, τ = dampening)::

        g ← ∇L(θ)                       (−∇L(θ) if maximize)
        if λ ≠ 0:  g ← g + λ·θ           (L2 penalty added to the gradient)
        if μ ≠ 0:
            b ← g                        at the first step
            b ← μ·b + (1 − τ)·g          afterwards
            g ← g + μ·b  if nesterov  else  g ← b
        θ ← θ − γ·g

    Defaults: lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
    maximize=False. State: ``momentum_buffer`` (only when momentum ≠ 0).

    **Textbook form.** Plain gradient descent is W ← W − η∇L. Momentum is usually taught
    as a *velocity* (Polyak 1964; Sutskever et al. 2013)::

        v ← α·v − η·∇L          W ← W + v

    PyTorch instead keeps b = −v/η (a running sum of gradients without the learning rate)
    and multiplies by η last: b ← μ·b + g; W ← W − η·b. With a constant η the two produce
    exactly the same W (unroll both: W moves by −η·Σ μ^k g_{t−k}). When η changes during
    training (a learning-rate schedule) they differ: the textbook velocity still carries
    the *old* η in v, while PyTorch's buffer applies the *new* η to the whole history.
    Other differences to know: PyTorch's first buffer is the gradient itself (b₁ = g₁, so
    dampening does not shrink the first step), and Nesterov here is the "look-ahead
    gradient" reformulation g + μ·b of Sutskever et al., which needs no second gradient
    evaluation.

    Paper: Sutskever, Martens, Dahl & Hinton, "On the importance of initialization and
    momentum in deep learning", ICML 2013 (momentum and Nesterov momentum).

    >>> from tinygrad_edu import Value
    >>> w = Value(1.0)
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     w.grad = 2.0 * w.data           # gradient of L = w²
    ...     opt.step()
    >>> round(w.data, 6)                     # 1 − 0.1·2 = 0.8;  0.8 − 0.1·(0.9·2 + 1.6)
    0.46
    """

    rule = staticmethod(sgd_update)
    _optional_state_keys = ("momentum_buffer",)    # made at the first step with momentum

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize))

    def _check_group(self, group, where):
        where = f"SGD ({where})"
        check_number(where, "lr", group["lr"])
        check_number(where, "momentum", group["momentum"])
        check_number(where, "dampening", group["dampening"], -float("inf"))
        check_number(where, "weight_decay", group["weight_decay"])
        check_flag(where, "nesterov", group["nesterov"])
        check_flag(where, "maximize", group["maximize"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(f"{where}: nesterov=True needs momentum > 0 and dampening = 0, "
                             f"got momentum={group['momentum']!r}, "
                             f"dampening={group['dampening']!r}")

    def _hyper_parameters(self, group):
        return dict(lr=float(group["lr"]), momentum=float(group["momentum"]),
                    dampening=float(group["dampening"]),
                    weight_decay=float(group["weight_decay"]), nesterov=group["nesterov"],
                    maximize=group["maximize"])
