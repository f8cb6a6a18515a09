"""Adagrad: a per-coordinate learning rate that shrinks with the sum of squared gradients."""
import numpy as np

from .optimizer import Optimizer, check_flag, check_number

__all__ = ["Adagrad", "adagrad_update"]


def adagrad_update(param, grad, state, *, lr, lr_decay, weight_decay, eps, maximize):
    """One Adagrad step for one parameter, in place. ``state``: ``step``, ``sum``."""
    state["step"] += 1
    g = -grad if maximize else grad                      # g ← ∇L(θ)  (−∇L(θ) if maximize)
    if weight_decay != 0:
        g = g + weight_decay * param                     # g ← g + λ·θ
    decayed_lr = lr / (1 + (state["step"] - 1) * lr_decay)   # γ̃ = γ / (1 + (t − 1)·δ)
    state["sum"] += g * g                                # h ← h + g⊙g
    work = np.sqrt(state["sum"], out=np.empty_like(param))
    work += eps                                          # √h + ε  (ε outside the root)
    np.divide(g, work, out=work)
    work *= decayed_lr
    param -= work                                        # θ ← θ − γ̃·g/(√h + ε)

class Adagrad(Optimizer):
    r"""Adagrad, as ``torch.optim.Adagrad``.

    Implemented rule (γ = lr, δ = lr_decay, λ = weight_decay, τ = initial_accumulator_value)::

        state: h ← τ (for every parameter, at construction), t ← 0
        t ← t + 1
        g ← ∇L(θ)                       (−∇L(θ) if maximize)
        if λ ≠ 0:  g ← g + λ·θ
        γ̃ ← γ / (1 + (t − 1)·δ)
        h ← h + g²
        θ ← θ − γ̃ · g / (√h + ε)

    Defaults: lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
    maximize=False. State: ``step``, ``sum`` (h).

    **Textbook form** (e.g. Goodfellow et al., ch. 8.5.1), where η is the learning rate
    (``lr``, γ above; ``lr_decay`` has no textbook counterpart)::

        h ← h + ∇L ⊙ ∇L          W ← W − η · ∇L / √h

    Coordinates that have seen large gradients take smaller steps. The implemented form
    is the same with ε added *outside* the square root (so the first step with h = g² is
    γ·g/(|g| + ε) ≈ γ·sign(g)) and an optional decaying learning rate γ̃. Weight decay is
    the L2 kind: added to the gradient, so it also gets divided by √h.

    As in PyTorch the state (step 0, sum τ) is created for every parameter when the
    optimizer is built, so even untouched parameters appear in ``state_dict()``. (One
    difference: a param group's own ``initial_accumulator_value`` is honoured; PyTorch
    always uses the constructor's.)

    Paper: Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning and
    Stochastic Optimization", JMLR 2011.

    >>> from tinygrad_edu import Value
    >>> w = Value(1.0)
    >>> opt = Adagrad([w], lr=0.1)
    >>> w.grad = 4.0; opt.step()          # h = 16: step 0.1·4/√16 = 0.1
    >>> round(w.data, 9)
    0.9
    """

    rule = staticmethod(adagrad_update)

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, *, maximize=False):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      eps=eps, maximize=maximize))
        for group in self.param_groups:        # eager state, as PyTorch
            for p in group["params"]:
                data = p.data if isinstance(p.data, np.ndarray) else np.array(float(p.data))
                self.state[p] = self._init_state(data, group)

    def _check_group(self, group, where):
        where = f"Adagrad ({where})"
        for name in ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            check_number(where, name, group[name])
        check_flag(where, "maximize", group["maximize"])

    def _init_state(self, param, group):
        return {"step": 0.0,
                "sum": np.full_like(param, group["initial_accumulator_value"])}

    def _hyper_parameters(self, group):
        return dict(lr=float(group["lr"]), lr_decay=float(group["lr_decay"]),
                    weight_decay=float(group["weight_decay"]), eps=float(group["eps"]),
                    maximize=group["maximize"])
