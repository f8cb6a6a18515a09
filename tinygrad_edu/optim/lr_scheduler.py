"""Learning-rate schedules: change ``group["lr"]`` of an optimizer as training goes on.

Everything here follows PyTorch 2.x (``torch.optim.lr_scheduler``): same class names,
arguments, defaults and the same learning rates, step for step, for the usual loop ::

    for epoch in range(epochs):
        train_one_epoch()            # ... optimizer.step() inside
        scheduler.step()             # then move the schedule on by one

How a scheduler works
---------------------
* On construction it remembers each group's starting rate as ``group["initial_lr"]`` (kept
  in the optimizer, so it is saved with the optimizer's ``state_dict``), copies them to
  ``base_lrs`` and takes a first step to epoch 0 (``last_epoch`` goes from -1 to 0).
* ``step()`` adds one to ``last_epoch`` and writes new rates into the param groups;
  ``get_last_lr()`` returns them.

*Chainable* (recursive) form. PyTorch computes most new rates from the group's *current*
``lr`` ("multiply by γ now") rather than from a closed formula in ``last_epoch``. Both give
the same numbers when the scheduler is alone; the recursive form also lets two schedulers
act on the same optimizer (each one's change multiplies the other's). We implement the same
recursive forms as PyTorch, so the rounding of every rate matches too; each class's
docstring gives the closed form (what the schedule *is*) and the recursive form (how it is
computed).

Resuming. ``last_epoch=k`` (k ≥ 0) continues a schedule whose optimizer already has
``"initial_lr"`` in every group (from a loaded optimizer state). Simpler and exact: build
the scheduler as usual and call ``load_state_dict`` with a saved ``state_dict()``. A state
dict holds only plain data (numbers, strings, lists, dicts), never functions, so it can be
saved with ``tinygrad_edu.save``.
"""
import copy
import math
import numbers
import types
import warnings
from bisect import bisect_right

from .optimizer import Optimizer

__all__ = ["LRScheduler", "LambdaLR", "StepLR", "MultiStepLR", "ExponentialLR",
           "CosineAnnealingLR", "LinearLR", "OneCycleLR", "SequentialLR", "ReduceLROnPlateau"]


# ---------------------------------------------------------------------------- validation
def _check_optimizer(owner, optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{owner} expects a tinygrad_edu.optim optimizer (an Optimizer such as "
                        f"SGD or Adam), got {type(optimizer).__name__}: {optimizer!r}")


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_int(owner, name, value, minimum):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{owner}: {name} must be an integer >= {minimum}, got {value!r}")


def _check_range(owner, name, value, low, high, *, low_open=False, high_open=False):
    """Raise ValueError unless ``low (<|<=) value (<|<=) high`` (None = unbounded)."""
    ok = _is_number(value) and math.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        left = "-inf" if low is None else f"{low}"
        right = "inf" if high is None else f"{high}"
        interval = f"{'(' if low_open or low is None else '['}{left}, {right}" \
                   f"{')' if high_open or high is None else ']'}"
        raise ValueError(f"{owner}: {name} must be a number in {interval}, got {value!r}")


def _per_group(owner, name, value, optimizer):
    """One value per param group: a list/tuple of that length, or a single value repeated."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{owner}: {name} has {len(value)} values but the optimizer has "
                             f"{n} param groups; give one value per group or a single number")
        return list(value)
    return [value] * n


# ---------------------------------------------------------------------------- base class
class LRScheduler:
    """Base class: owns ``last_epoch``, ``base_lrs`` and the step / state-dict machinery.

    A subclass only writes ``get_lr()``: the learning rate of every group for the epoch
    ``self.last_epoch`` (which ``step()`` has already advanced), usually from the current
    ``group["lr"]`` (the chainable form). It may also write ``_closed_form_lr()``, the same
    rates as a function of ``last_epoch`` and ``base_lrs`` alone (``SequentialLR`` uses it to
    restart a schedule at epoch 0).
    """

    # Attributes that are not part of a scheduler's saved state.
    _not_state = ("optimizer", "_is_initial", "_optimizer_steps_at_start")

    def __init__(self, optimizer, last_epoch=-1):
        owner = type(self).__name__
        _check_optimizer(owner, optimizer)
        _check_int(owner, "last_epoch", last_epoch, -1)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{owner}(last_epoch={last_epoch}) resumes a schedule, but "
                        f"param_groups[{i}] has no 'initial_lr'. Load the optimizer's saved "
                        f"state_dict first, or start with last_epoch=-1 and restore the "
                        f"scheduler with load_state_dict()")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._optimizer_steps_at_start = optimizer._step_calls
        self._initial_step()

    def _initial_step(self):
        """Move from ``last_epoch`` to the next epoch (-1 → 0 for a new schedule).

        ``_is_initial`` tells the recursive schedules that this first step must keep the
        rates the optimizer already has (when resuming they are the saved, current rates).
        """
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self):
        """The learning rate of each param group at epoch ``self.last_epoch``."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_lr()")

    def _closed_form_lr(self):
        """The rates from ``last_epoch`` and ``base_lrs`` only; None if there is no formula."""
        return None

    def step(self):
        """Advance the schedule by one epoch (call it after ``optimizer.step()``)."""
        self._warn_if_before_optimizer_step(stacklevel=2)
        self._advance()

    def _advance(self):
        self._step_count += 1
        self.last_epoch += 1
        self._set_lrs(self.get_lr())

    def _warn_if_before_optimizer_step(self, stacklevel):
        """Warn, as PyTorch does, at the first ``step()`` after construction when the
        optimizer has not stepped since this scheduler was made: the loop calls them in the
        wrong order, and the schedule's first rate is never used."""
        if self._step_count == 1 and \
                self.optimizer._step_calls == self._optimizer_steps_at_start:
            warnings.warn(
                f"{type(self).__name__}.step() was called before optimizer.step(): the "
                f"schedule moved on before its first rate was used, so training skips that "
                f"rate. In the loop, call optimizer.step() first, then scheduler.step().",
                UserWarning, stacklevel=stacklevel + 1)

    def _jump_to(self, epoch):
        """Set ``last_epoch`` and use the closed form when there is one (a restart)."""
        self.last_epoch = epoch
        values = self._closed_form_lr()
        self._set_lrs(values if values is not None else self.get_lr())

    def _set_lrs(self, values):
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _current_lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self):
        """The learning rates set by the latest ``step()`` (a new list, one per group)."""
        return list(self._last_lr)

    def state_dict(self):
        """Everything needed to continue the schedule, as plain data (a deep copy).

        The optimizer is not included: save its own ``state_dict()`` beside this one.
        """
        return {key: copy.deepcopy(value) for key, value in vars(self).items()
                if key not in self._not_state}

    def load_state_dict(self, state_dict):
        """Continue from a ``state_dict()``. Raises ``ValueError`` (changing nothing) when
        it was not saved from this kind of scheduler."""
        self._check_state(state_dict)
        for key, value in state_dict.items():
            setattr(self, key, copy.deepcopy(value))

    def _check_state(self, state_dict):
        """Raise ValueError unless ``state_dict`` has exactly this scheduler's keys."""
        name = type(self).__name__
        if not isinstance(state_dict, dict):
            raise ValueError(f"{name}.load_state_dict expects the dict returned by "
                             f"state_dict(), got {type(state_dict).__name__}")
        expected, given = set(self.state_dict()), set(state_dict)
        if given != expected:
            raise ValueError(
                f"{name}.load_state_dict: this state dict does not fit (missing keys "
                f"{sorted(expected - given)}, unexpected keys {sorted(given - expected)}); "
                f"was it saved from another kind of scheduler?")

    def __repr__(self):
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, last_lr={self._last_lr})"


# ---------------------------------------------------------------------------- schedules
class LambdaLR(LRScheduler):
    """η_t = η_0 · λ(t): the starting rate times a factor you compute from the epoch t.

    ``lr_lambda`` is a function of the epoch, or a list with one per param group. This is
    the one schedule with no recursive form: each rate is computed from ``base_lrs``.
    Functions and lambdas are not put in ``state_dict()`` (as PyTorch: a saved state must be
    plain data); a callable *object*'s ``__dict__`` is saved and restored.

    >>> from tinygrad_edu import Value
    >>> from tinygrad_edu.optim import SGD
    >>> opt = SGD([Value(1.0)], lr=0.5)
    >>> warmup = LambdaLR(opt, lr_lambda=lambda epoch: min(1.0, (epoch + 1) / 4))
    >>> rates = [warmup.get_last_lr()[0]]
    >>> for epoch in range(5):
    ...     opt.step(); warmup.step(); rates.append(warmup.get_last_lr()[0])
    >>> rates
    [0.125, 0.25, 0.375, 0.5, 0.5, 0.5]
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        _check_optimizer("LambdaLR", optimizer)
        lambdas = _per_group("LambdaLR", "lr_lambda", lr_lambda, optimizer)
        for fn in lambdas:
            if not callable(fn):
                raise TypeError(f"LambdaLR: lr_lambda must be a function of the epoch, "
                                f"got {type(fn).__name__}: {fn!r}")
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base_lr * fn(self.last_epoch)
                for fn, base_lr in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self):
        state = {key: copy.deepcopy(value) for key, value in vars(self).items()
                 if key not in self._not_state and key != "lr_lambdas"}
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType)
                               else copy.deepcopy(vars(fn)) for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict):
        self._check_state(state_dict)
        for key, value in state_dict.items():
            if key != "lr_lambdas":  # the functions themselves are never saved
                setattr(self, key, copy.deepcopy(value))
        for fn, saved in zip(self.lr_lambdas, state_dict["lr_lambdas"]):
            if saved is not None:
                vars(fn).update(copy.deepcopy(saved))

    def _check_state(self, state_dict):
        super()._check_state(state_dict)
        saved = state_dict["lr_lambdas"]
        if not isinstance(saved, list) or len(saved) != len(self.lr_lambdas):
            raise ValueError(f"LambdaLR.load_state_dict: expected 'lr_lambdas' to be a list of "
                             f"{len(self.lr_lambdas)} entries, got {saved!r}")


class StepLR(LRScheduler):
    """Multiply the rate by γ every ``step_size`` epochs.

    Closed form:     η_t = η_0 · γ^⌊t / step_size⌋
    Implemented:     η_t = γ · η_{t-1} when t is a positive multiple of step_size, else η_{t-1}

    >>> from tinygrad_edu import Value
    >>> from tinygrad_edu.optim import SGD
    >>> opt = SGD([Value(1.0)], lr=0.1)
    >>> sched = StepLR(opt, step_size=2, gamma=0.5)
    >>> rates = [sched.get_last_lr()[0]]
    >>> for epoch in range(5):
    ...     opt.step(); sched.step(); rates.append(sched.get_last_lr()[0])
    >>> rates
    [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        _check_int("StepLR", "step_size", step_size, 1)
        _check_range("StepLR", "gamma", gamma, 0, None, low_open=True)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _closed_form_lr(self):
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size)
                for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the rate by γ at each milestone epoch.

    Closed form:     η_t = η_0 · γ^(number of milestones ≤ t)
    Implemented:     η_t = γ^k · η_{t-1} where k = how many times t appears in milestones

    ``milestones`` must be sorted; a milestone listed twice multiplies by γ² (as PyTorch).

    >>> from tinygrad_edu import Value
    >>> from tinygrad_edu.optim import SGD
    >>> opt = SGD([Value(1.0)], lr=1.0)
    >>> sched = MultiStepLR(opt, milestones=[2, 4], gamma=0.5)
    >>> rates = [sched.get_last_lr()[0]]
    >>> for epoch in range(5):
    ...     opt.step(); sched.step(); rates.append(sched.get_last_lr()[0])
    >>> rates
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        milestones = list(milestones)
        for m in milestones:
            _check_int("MultiStepLR", "each milestone", m, 0)
        if milestones != sorted(milestones):
            raise ValueError(f"MultiStepLR: milestones must be increasing (epoch numbers in "
                             f"order), got {milestones}; did you mean {sorted(milestones)}?")
        _check_range("MultiStepLR", "gamma", gamma, 0, None, low_open=True)
        # epoch -> how many times it is listed (plain dict, so the state stays plain data)
        self.milestones = {m: milestones.count(m) for m in milestones}
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        times = self.milestones.get(self.last_epoch, 0)
        if times == 0:
            return self._current_lrs()
        return [lr * self.gamma ** times for lr in self._current_lrs()]

    def _closed_form_lr(self):
        passed = sum(times for m, times in self.milestones.items() if m <= self.last_epoch)
        return [base_lr * self.gamma ** passed for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the rate by γ every epoch.

    Closed form:     η_t = η_0 · γ^t
    Implemented:     η_t = γ · η_{t-1}

    >>> from tinygrad_edu import Value
    >>> from tinygrad_edu.optim import SGD
    >>> opt = SGD([Value(1.0)], lr=1.0)
    >>> sched = ExponentialLR(opt, gamma=0.5)
    >>> for epoch in range(3):
    ...     opt.step(); sched.step()
    >>> sched.get_last_lr()
    [0.125]
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        _check_range("ExponentialLR", "gamma", gamma, 0, None, low_open=True)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:  # resuming: keep the rates the optimizer was saved with
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _closed_form_lr(self):
        return [base_lr * self.gamma ** self.last_epoch for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Half a cosine wave from η_max (the starting rate) down to ``eta_min`` over ``T_max`` epochs.

    Closed form (SGDR, Loshchilov & Hutter 2017, without restarts):

        η_t = η_min + ½ (η_max − η_min) (1 + cos(π t / T_max))

    Implemented (PyTorch's recursive form, exact for the closed form above when alone):

        η_t = η_min + (η_{t-1} − η_min)
              · (1 + cos(π t / T_max)) / (1 + cos(π (t−1) / T_max))

    except where the denominator would be 0 (t − 1 = T_max, 3·T_max, ...: the rate sits at
    η_min), where the rate climbs by the first step of the cosine:
    η_t = η_{t-1} + (η_max − η_min)(1 − cos(π / T_max)) / 2. Past ``T_max`` the rate
    therefore rises again along the cosine (period 2·T_max); it does not stay at η_min.

    >>> from tinygrad_edu import Value
    >>> from tinygrad_edu.optim import SGD
    >>> opt = SGD([Value(1.0)], lr=1.0)
    >>> sched = CosineAnnealingLR(opt, T_max=4)
    >>> rates = [sched.get_last_lr()[0]]
    >>> for epoch in range(4):
    ...     opt.step(); sched.step(); rates.append(round(sched.get_last_lr()[0], 6))
    >>> rates
    [1.0, 0.853553, 0.5, 0.146447, 0.0]
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        _check_int("CosineAnnealingLR", "T_max", T_max, 1)
        _check_range("CosineAnnealingLR", "eta_min", eta_min, 0, None)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if (t - 1 - T) % (2 * T) == 0:  # leaving the bottom of the wave: ratio would be x/0
            return [lr + (base_lr - eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for base_lr, lr in zip(self.base_lrs, self._current_lrs())]
        return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                * (lr - eta_min) + eta_min
                for lr in self._current_lrs()]

    def _closed_form_lr(self):
        return [self.eta_min + (base_lr - self.eta_min)
                * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale the rate by a factor that moves in a straight line from ``start_factor`` to
    ``end_factor`` over ``total_iters`` epochs, then stays (a linear warm-up or decay).

    Closed form:     η_t = η_base · (s + (e − s) · min(t, total_iters) / total_iters)
    Implemented:     η_0 = s·η_base, then for 1 ≤ t ≤ total_iters
                     η_t = η_{t-1} · (1 + (e − s) / (total_iters·s + (t − 1)(e − s)))
                     (the ratio of consecutive factors), and η_t = η_{t-1} afterwards.

    >>> from tinygrad_edu import Value
    >>> from tinygrad_edu.optim import SGD
    >>> opt = SGD([Value(1.0)], lr=1.0)
    >>> sched = LinearLR(opt, start_factor=0.25, total_iters=3)
    >>> rates = [sched.get_last_lr()[0]]
    >>> for epoch in range(4):
    ...     opt.step(); sched.step(); rates.append(round(sched.get_last_lr()[0], 6))
    >>> rates
    [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1):
        _check_range("LinearLR", "start_factor", start_factor, 0, 1, low_open=True)
        _check_range("LinearLR", "end_factor", end_factor, 0, 1)
        _check_int("LinearLR", "total_iters", total_iters, 1)
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        s, e, n, t = self.start_factor, self.end_factor, self.total_iters, self.last_epoch
        if t == 0:
            return [lr * s for lr in self._current_lrs()]
        if self._is_initial or t > n:
            return self._current_lrs()
        return [lr * (1.0 + (e - s) / (n * s + (t - 1) * (e - s))) for lr in self._current_lrs()]

    def _closed_form_lr(self):
        s, e, n = self.start_factor, self.end_factor, self.total_iters
        return [base_lr * (s + (e - s) * min(n, self.last_epoch) / n)
                for base_lr in self.base_lrs]


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin 2018, "Super-Convergence"): warm the rate up to
    ``max_lr``, then anneal it far below where it started. Step it after every *batch*.

    With N = ``total_steps`` (or ``epochs · steps_per_epoch``), p = ``pct_start``:

        initial_lr = max_lr / div_factor,   min_lr = initial_lr / final_div_factor
        phase 1, steps 0 … pN−1:      initial_lr → max_lr
        phase 2, steps pN−1 … N−1:    max_lr → min_lr
      three_phase=True (the paper's shape):
        phase 1, 0 … pN−1: initial_lr → max_lr;  phase 2, … 2pN−2: max_lr → initial_lr;
        phase 3, … N−1: initial_lr → min_lr

    Inside a phase going from a to b, with x the fraction of the phase done,
    ``anneal_strategy="cos"``: η = b + (a − b)·(1 + cos(π x))/2;
    ``anneal_strategy="linear"``: η = a + (b − a)·x.

    ``cycle_momentum=True`` moves the momentum the opposite way, between ``max_momentum``
    (when the rate is low) and ``base_momentum`` (at ``max_lr``): ``group["momentum"]`` for
    SGD-like optimizers, β1 of ``group["betas"]`` for Adam-like ones.

    As PyTorch, ``last_epoch`` may reach N (one point past the end, extrapolated); stepping
    beyond that raises ``ValueError``. The phase boundaries and ``max_lr``, ``min_lr``,
    ``max_momentum``, ``base_momentum`` live in the param groups, like ``initial_lr``.

    >>> from tinygrad_edu import Value
    >>> from tinygrad_edu.optim import SGD
    >>> opt = SGD([Value(1.0)], lr=0.1, momentum=0.9)
    >>> sched = OneCycleLR(opt, max_lr=1.0, total_steps=10, anneal_strategy="linear")
    >>> rates = [sched.get_last_lr()[0]]
    >>> for batch in range(9):
    ...     opt.step(); sched.step(); rates.append(round(sched.get_last_lr()[0], 4))
    >>> rates
    [0.04, 0.52, 1.0, 0.8571, 0.7143, 0.5714, 0.4286, 0.2857, 0.1429, 0.0]
    >>> round(opt.param_groups[0]["momentum"], 4)     # back at max_momentum
    0.95
    """

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
                 pct_start=0.3, anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85,
                 max_momentum=0.95, div_factor=25.0, final_div_factor=1e4, three_phase=False,
                 last_epoch=-1):
        owner = "OneCycleLR"
        _check_optimizer(owner, optimizer)
        if total_steps is not None:
            _check_int(owner, "total_steps", total_steps, 1)
        elif epochs is not None and steps_per_epoch is not None:
            _check_int(owner, "epochs", epochs, 1)
            _check_int(owner, "steps_per_epoch", steps_per_epoch, 1)
            total_steps = epochs * steps_per_epoch
        else:
            raise ValueError(f"{owner}: give total_steps, or both epochs and steps_per_epoch "
                             f"(got total_steps={total_steps!r}, epochs={epochs!r}, "
                             f"steps_per_epoch={steps_per_epoch!r})")
        _check_range(owner, "pct_start", pct_start, 0, 1)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"{owner}: anneal_strategy must be 'cos' or 'linear', "
                             f"got {anneal_strategy!r}")
        _check_range(owner, "div_factor", div_factor, 0, None, low_open=True)
        _check_range(owner, "final_div_factor", final_div_factor, 0, None, low_open=True)
        max_lrs = _per_group(owner, "max_lr", max_lr, optimizer)
        for lr in max_lrs:
            _check_range(owner, "max_lr", lr, 0, None, low_open=True)
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(f"{owner}: cycle_momentum=True needs an optimizer with "
                                 f"'momentum' or 'betas' (SGD, RMSprop, Adam, ...); "
                                 f"{type(optimizer).__name__} has neither. Pass "
                                 f"cycle_momentum=False")
            max_momentums = _per_group(owner, "max_momentum", max_momentum, optimizer)
            base_momentums = _per_group(owner, "base_momentum", base_momentum, optimizer)
            for m in max_momentums + base_momentums:
                _check_range(owner, "momentum bounds (base_momentum, max_momentum)", m, 0, 1)

        self.total_steps = total_steps
        # Each phase: the step it ends at, and the group keys it anneals lr and momentum
        # between (lr from -> to, momentum from -> to).
        n = float(total_steps)
        if three_phase:
            phases = [(pct_start * n - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                      (2 * pct_start * n - 2, "max_lr", "initial_lr", "base_momentum",
                       "max_momentum"),
                      (total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
        else:
            phases = [(pct_start * n - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                      (total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum")]
        keys = ("end_step", "start_lr", "end_lr", "start_momentum", "end_momentum")
        self._schedule_phases = [dict(zip(keys, (float(end), *names))) for end, *names in phases]
        self._anneal_func_type = anneal_strategy
        if last_epoch == -1:  # when resuming, these come with the optimizer's saved groups
            for group, top in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = "betas" in optimizer.defaults
            if last_epoch == -1:
                for group, m_max, m_base in zip(optimizer.param_groups, max_momentums,
                                                base_momentums):
                    self._set_momentum(group, m_max)
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group, value):
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def _anneal(self, start, end, pct):
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {step} times but total_steps is "
                             f"{self.total_steps}; build the scheduler with more steps (e.g. "
                             f"epochs * steps_per_epoch = len(loader) * epochs)")
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step <= end_step or i == len(self._schedule_phases) - 1:
                    pct = (step - start_step) / (end_step - start_step)
                    lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        self._set_momentum(group, self._anneal(group[phase["start_momentum"]],
                                                               group[phase["end_momentum"]], pct))
                    break
                start_step = end_step
        return lrs


class SequentialLR(LRScheduler):
    """Run ``schedulers[0]`` until ``milestones[0]``, then ``schedulers[1]`` (restarted at its
    epoch 0) until ``milestones[1]``, and so on: e.g. a linear warm-up then a cosine decay.

    All schedulers must drive the same optimizer. Build them first (their constructors each
    take a step; SequentialLR undoes those and resets the rates to ``initial_lr``).
    ``state_dict()`` includes the states of the inner schedulers.

    >>> from tinygrad_edu import Value
    >>> from tinygrad_edu.optim import SGD
    >>> opt = SGD([Value(1.0)], lr=1.0)
    >>> warmup = LinearLR(opt, start_factor=0.5, total_iters=2)
    >>> decay = ExponentialLR(opt, gamma=0.5)
    >>> sched = SequentialLR(opt, schedulers=[warmup, decay], milestones=[2])
    >>> rates = [sched.get_last_lr()[0]]
    >>> for epoch in range(4):
    ...     opt.step(); sched.step(); rates.append(sched.get_last_lr()[0])
    >>> rates
    [0.5, 0.75, 1.0, 0.5, 0.25]
    """

    _not_state = LRScheduler._not_state + ("_schedulers",)

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        owner = "SequentialLR"
        _check_optimizer(owner, optimizer)
        schedulers = list(schedulers)
        milestones = list(milestones)
        if not schedulers:
            raise ValueError(f"{owner} needs at least one scheduler, got an empty list")
        for i, scheduler in enumerate(schedulers):
            if isinstance(scheduler, ReduceLROnPlateau):
                raise ValueError(f"{owner}: schedulers[{i}] is a ReduceLROnPlateau, which needs a "
                                 f"metric in step(metric); it cannot be sequenced")
            if isinstance(scheduler, SequentialLR):
                # PyTorch 2.13 accepts this but gets it wrong: an inner milestone fires one
                # epoch early, and an inner SequentialLR after the first raises
                # NotImplementedError at its milestone. The flat form always exists.
                raise ValueError(
                    f"{owner}: schedulers[{i}] is a SequentialLR; nesting them is not "
                    f"supported (PyTorch gives wrong rates for it). Use one SequentialLR with "
                    f"the inner schedulers in the list and their milestones shifted by where "
                    f"the inner one would start, e.g. SequentialLR(opt, [warmup, decay, "
                    f"final], milestones=[m1, m2])")
            if not isinstance(scheduler, LRScheduler):
                raise TypeError(f"{owner}: schedulers[{i}] must be a scheduler, "
                                f"got {type(scheduler).__name__}")
            if scheduler.optimizer is not optimizer:
                raise ValueError(f"{owner}: schedulers[{i}] ({type(scheduler).__name__}) drives "
                                 f"a different optimizer; all must use the one given to {owner}")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"{owner}: needs one milestone fewer than schedulers, got "
                             f"{len(schedulers)} schedulers and milestones={milestones}")
        for m in milestones:
            _check_int(owner, "each milestone", m, 1)
        if any(a >= b for a, b in zip(milestones, milestones[1:])):
            raise ValueError(f"{owner}: milestones must be strictly increasing, got {milestones}")
        _check_int(owner, "last_epoch", last_epoch, -1)

        self.optimizer = optimizer
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        for group in optimizer.param_groups:  # back to the start: undo the children's steps
            group["lr"] = group["initial_lr"]
        for scheduler in schedulers:
            scheduler.last_epoch -= 1  # take back the epoch its constructor stepped
        first = schedulers[bisect_right(milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def step(self):
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._jump_to(0)  # this scheduler's turn begins: restart it at its epoch 0
        else:
            scheduler._warn_if_before_optimizer_step(stacklevel=2)  # at the caller's line
            scheduler._advance()
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self):
        state = super().state_dict()
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        self._check_state(state_dict)  # the whole tree, before changing anything
        for key, value in state_dict.items():
            if key != "_schedulers":
                setattr(self, key, copy.deepcopy(value))
        for scheduler, child_state in zip(self._schedulers, state_dict["_schedulers"]):
            scheduler.load_state_dict(child_state)

    def _check_state(self, state_dict):
        super()._check_state(state_dict)
        children = state_dict["_schedulers"]
        if not isinstance(children, list) or len(children) != len(self._schedulers):
            raise ValueError(f"SequentialLR.load_state_dict: expected '_schedulers' to hold the "
                             f"states of {len(self._schedulers)} schedulers, got {children!r}")
        for scheduler, child_state in zip(self._schedulers, children):
            scheduler._check_state(child_state)


class ReduceLROnPlateau(LRScheduler):
    """Cut the rate by ``factor`` when a metric has stopped improving for ``patience`` epochs.

    Call ``step(metric)`` once per epoch with, say, the validation loss. "Improving" means
    beating the best value so far by the threshold:

        mode="min", threshold_mode="rel":  metric < best · (1 − threshold)
        mode="min", threshold_mode="abs":  metric < best − threshold
        mode="max", threshold_mode="rel":  metric > best · (1 + threshold)
        mode="max", threshold_mode="abs":  metric > best + threshold

    Each epoch without improvement adds one to ``num_bad_epochs``; when it exceeds
    ``patience``, every group's rate becomes max(lr · factor, min_lr) (skipped when that
    changes it by no more than ``eps``), the count restarts and the next ``cooldown`` epochs
    are not counted.

    >>> from tinygrad_edu import Value
    >>> from tinygrad_edu.optim import SGD
    >>> opt = SGD([Value(1.0)], lr=1.0)
    >>> sched = ReduceLROnPlateau(opt, factor=0.5, patience=1)
    >>> for val_loss in [1.0, 0.8, 0.8, 0.8, 0.8, 0.8, 0.7]:
    ...     opt.step(); sched.step(val_loss)
    ...     print(sched.get_last_lr()[0], sched.num_bad_epochs)
    1.0 0
    1.0 0
    1.0 1
    0.5 0
    0.5 1
    0.25 0
    0.25 0
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8):
        owner = "ReduceLROnPlateau"
        _check_optimizer(owner, optimizer)
        if mode not in ("min", "max"):
            raise ValueError(f"{owner}: mode must be 'min' (a loss) or 'max' (an accuracy), "
                             f"got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"{owner}: threshold_mode must be 'rel' or 'abs', "
                             f"got {threshold_mode!r}")
        _check_range(owner, "factor", factor, 0, 1, high_open=True)
        _check_int(owner, "patience", patience, 0)
        _check_range(owner, "threshold", threshold, 0, None)
        _check_int(owner, "cooldown", cooldown, 0)
        _check_range(owner, "eps", eps, 0, None)
        min_lrs = _per_group(owner, "min_lr", min_lr, optimizer)
        for m in min_lrs:
            _check_range(owner, "min_lr", m, 0, None)
        self.optimizer = optimizer
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.cooldown = cooldown
        # a single min_lr also applies to groups added later; a list is per group
        self.default_min_lr = None if isinstance(min_lr, (list, tuple)) else min_lr
        self.min_lrs = min_lrs
        self.eps = eps
        self.last_epoch = 0
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _is_better(self, value, best):
        if self.mode == "min" and self.threshold_mode == "rel":
            return value < best * (1.0 - self.threshold)
        if self.mode == "min":
            return value < best - self.threshold
        if self.threshold_mode == "rel":
            return value > best * (self.threshold + 1.0)
        return value > best + self.threshold

    def step(self, metrics):
        """Record this epoch's metric and cut the rates if it has stalled too long."""
        current = float(metrics)  # also accepts a Value's .data, a numpy scalar, a 1-element array
        self.last_epoch += 1
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self):
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):  # a param group was added since construction
            if self.default_min_lr is None:
                raise RuntimeError(f"ReduceLROnPlateau: the optimizer now has {len(groups)} param "
                                   f"groups but min_lr was given for {len(self.min_lrs)}; set "
                                   f"scheduler.min_lrs to a list with one value per group")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    @property
    def in_cooldown(self):
        return self.cooldown_counter > 0
