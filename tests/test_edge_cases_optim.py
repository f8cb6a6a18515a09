"""Edge cases of the optimizers, schedulers and the range test that no other test reached,
found by mutation testing (``python tools/mutate.py``, see tools/README.md): each test here
fails under a small change to the code that the rest of the suite let through."""
import inspect
import math

import numpy as np
import pytest

from tinygrad_edu import Tensor, Value, optim
from tinygrad_edu.optim import SGD, Adam, AdamW, Lion, lr_range_test
from tinygrad_edu.optim.lr_finder import _steepest_descent
from tinygrad_edu.optim.lr_scheduler import (CosineAnnealingLR, ExponentialLR, LinearLR,
                                             MultiStepLR, OneCycleLR, ReduceLROnPlateau,
                                             StepLR)

ALL = [optim.SGD, optim.Adagrad, optim.RMSprop, optim.Adadelta, optim.Adam, optim.AdamW,
       optim.Adamax, optim.NAdam, optim.RAdam, optim.AdaBelief, optim.Lion]


def param(*values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


def _hyperparameters(cls):
    """(name, default) of every constructor argument after ``params``."""
    return [(name, p.default) for name, p in inspect.signature(cls.__init__).parameters.items()
            if name not in ("self", "params")]


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_every_flag_must_be_a_bool_and_every_number_a_number(cls):
    checked = 0
    for name, default in _hyperparameters(cls):
        if isinstance(default, bool):
            bad, words = "yes", f"{name} must be True or False"
        elif isinstance(default, (int, float)):
            bad, words = "0.5", f"{name} must be a real number"
        else:
            continue   # betas: checked in test_optim_api
        with pytest.raises(TypeError) as info:
            cls([param(1.0)], **{name: bad})
        assert words in str(info.value) and cls.__name__ in str(info.value)
        checked += 1
    assert checked >= 2   # lr and weight_decay at least


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_every_number_but_sgd_dampening_refuses_a_negative_value(cls):
    for name, default in _hyperparameters(cls):
        if isinstance(default, bool) or not isinstance(default, (int, float)):
            continue
        if (cls, name) == (optim.SGD, "dampening"):
            cls([param(1.0)], dampening=-0.5)   # PyTorch does not bound it either
            continue
        with pytest.raises(ValueError, match=f"invalid {name}=-1.0; valid range is \\[0"):
            cls([param(1.0)], **{name: -1.0})


def test_sgd_nesterov_needs_positive_momentum_and_zero_dampening():
    for kwargs in ({"momentum": 0.0}, {"momentum": 0.9, "dampening": 0.5},
                   {"momentum": 0.9, "dampening": -0.5}):
        with pytest.raises(ValueError, match="nesterov=True needs momentum > 0"):
            SGD([param(1.0)], nesterov=True, **kwargs)
    SGD([param(1.0)], nesterov=True, momentum=0.9)


# --------------------------------------------------------------------------- special cases
def test_adam_with_lr_zero_updates_the_moments_but_not_the_parameter():
    w = param(1.0, -2.0)
    opt = Adam([w], lr=0.0, betas=(0.9, 0.99))
    w.grad = np.array([0.5, 2.0])
    opt.step()
    np.testing.assert_array_equal(w.data, [1.0, -2.0])
    state = opt.state[0] if isinstance(opt.state, list) else next(iter(opt.state.values()))
    assert state["step"] == 1
    np.testing.assert_allclose(state["exp_avg"], [0.05, 0.2])
    np.testing.assert_allclose(state["exp_avg_sq"], [0.0025, 0.04])


def test_adam_with_lr_one_takes_a_unit_first_step():
    w = param(1.0, -2.0)
    opt = Adam([w], lr=1.0)
    w.grad = np.array([0.5, -2.0])
    opt.step()   # first step: m̂ = g, v̂ = g², so θ moves by lr·g/(|g| + ε)
    np.testing.assert_allclose(w.data, [0.0, -1.0], atol=1e-7)


@pytest.mark.parametrize("make", [
    lambda w: Lion([w], lr=0.1, weight_decay=1.0),
    lambda w: AdamW([w], lr=0.1, weight_decay=1.0),
], ids=["Lion", "AdamW"])
def test_decoupled_weight_decay_of_one_shrinks_by_one_minus_lr(make):
    w = param(1.0, -2.0)
    opt = make(w)
    w.grad = np.array([0.5, 0.5])
    opt.step()
    # θ·(1 − γλ) = 0.9·θ, then a first step of γ·sign(g) (Lion exactly, Adam up to ε)
    np.testing.assert_allclose(w.data, [0.9 - 0.1, -1.8 - 0.1], atol=1e-7)


# --------------------------------------------------------------------------- schedulers
def _sgd(lr=0.1, groups=1):
    return SGD([{"params": [Value(0.0)], "lr": lr * (i + 1)} for i in range(groups)], lr=lr)


CLOSED_FORMS = [
    ("StepLR", lambda opt: StepLR(opt, step_size=3, gamma=0.5)),
    ("MultiStepLR", lambda opt: MultiStepLR(opt, [2, 5, 6], gamma=0.3)),
    ("ExponentialLR", lambda opt: ExponentialLR(opt, gamma=0.8)),
    ("CosineAnnealingLR", lambda opt: CosineAnnealingLR(opt, T_max=6, eta_min=0.01)),
    ("LinearLR", lambda opt: LinearLR(opt, start_factor=0.2, end_factor=0.9, total_iters=5)),
]


@pytest.mark.parametrize("name, make", CLOSED_FORMS, ids=[c[0] for c in CLOSED_FORMS])
def test_closed_form_gives_the_recursive_rates_at_every_epoch(name, make):
    # SequentialLR restarts a later child with its closed form (the rates from last_epoch
    # and base_lrs alone); that form must agree with the recursive one epoch by epoch,
    # also past the end of the schedule (cosine rises again, linear stays).
    opt = _sgd(groups=2)
    scheduler = make(opt)
    for epoch in range(16):
        assert scheduler.last_epoch == epoch
        np.testing.assert_allclose(scheduler._closed_form_lr(), scheduler.get_last_lr(),
                                   rtol=1e-12, atol=1e-15, err_msg=f"{name} epoch {epoch}")
        opt.step()
        scheduler.step()


def test_onecycle_with_zero_steps_per_epoch_is_a_clear_error():
    for kwargs in ({"epochs": 3, "steps_per_epoch": 0}, {"epochs": 0, "steps_per_epoch": 4}):
        with pytest.raises(ValueError, match="must be an integer >= 1, got 0"):
            OneCycleLR(_sgd(), max_lr=0.1, **kwargs)


def test_plateau_refuses_a_negative_eps():
    with pytest.raises(ValueError, match="eps"):
        ReduceLROnPlateau(_sgd(), eps=-1e-8)
    ReduceLROnPlateau(_sgd(), eps=0.0)


# --------------------------------------------------------------------------- lr_range_test
class Line:
    """y = w·x (only ``parameters()``, no state_dict), its weight a 1-element array."""

    def __init__(self):
        self.w = Tensor(np.zeros(1), requires_grad=True)

    def parameters(self):
        return [self.w]

    def __call__(self, x):
        return self.w * x


def _mse(pred, y):
    return ((pred - y) * (pred - y)).mean()


def test_range_test_restores_array_parameters_in_place():
    model = Line()
    weight = model.w.data
    weight[...] = 0.25
    lr_range_test(model, SGD(model.parameters()), _mse, [(Tensor([1.0, 2.0]), Tensor([3.0, 6.0]))],
                  start_lr=1e-3, end_lr=1.0, num_iter=10)
    assert np.shares_memory(model.w.data, weight)           # the same array: other references stay valid
    np.testing.assert_array_equal(weight, [0.25])


def test_range_test_stops_only_above_the_threshold():
    # smooth_beta = 0: the smoothed loss is the raw loss. 4.0 is exactly 4 × the best: not
    # more, so the test goes on; 4.5 is.
    raw = iter([1.0, 4.0, 4.5, 1.0, 1.0])

    def loss_fn(pred, y):
        return (pred * 0.0).sum() + next(raw)

    model = Line()
    result = lr_range_test(model, SGD(model.parameters()), loss_fn, [(Tensor([1.0]), None)],
                           num_iter=5, smooth_beta=0.0)
    assert result.raw_losses == [1.0, 4.0, 4.5] and result.diverged


def test_range_test_threshold_must_exceed_one():
    model = Line()
    with pytest.raises(ValueError, match="diverge_threshold must be a number > 1"):
        lr_range_test(model, SGD(model.parameters()), _mse, [(1.0, 1.0)], diverge_threshold=1)
    with pytest.raises(ValueError, match="diverge_threshold"):
        lr_range_test(model, SGD(model.parameters()), _mse, [(1.0, 1.0)],
                      diverge_threshold=float("inf"))


@pytest.mark.parametrize("n", [3, 5, 10, 12, 17, 18, 40])
def test_suggestion_skips_a_tenth_and_a_twentieth_of_a_short_run(n):
    # Fewer than 18 points: n//10 are left out at the start and n//20 at the end (else 10
    # and 5). On a curve that falls faster and faster the steepest point kept is the last
    # one; on one that falls slower and slower, the first one.
    skip_start, skip_end = (n // 10, n // 20) if n < 18 else (10, 5)
    lrs = list(10.0 ** np.linspace(-4, 0, n))
    faster = [100.0 - i * i for i in range(n)]
    slower = [(n - i) ** 2 for i in range(n)]
    assert _steepest_descent(lrs, faster) == lrs[n - 1 - skip_end]
    assert _steepest_descent(lrs, slower) == lrs[skip_start]


def test_no_suggestion_from_fewer_than_three_points():
    assert _steepest_descent([1e-3, 1e-2], [2.0, 1.0]) is None


def test_range_test_needs_a_range_and_two_points():
    model = Line()
    with pytest.raises(ValueError, match="end_lr must be a number > start_lr=0.1"):
        lr_range_test(model, SGD(model.parameters()), _mse, [(1.0, 1.0)], start_lr=0.1,
                      end_lr=0.1)
    result = lr_range_test(model, SGD(model.parameters()), _mse, [(1.0, 1.0)], start_lr=0.1,
                           end_lr=1.0, num_iter=2)         # the smallest run: both ends
    assert result.lrs == [0.1, pytest.approx(1.0)]


def test_range_test_takes_a_one_element_loss_of_any_shape():
    model = Line()

    def loss_fn(pred, y):      # shape (1,): the weight is a 1-element array
        return (pred - y) * (pred - y)

    result = lr_range_test(model, SGD(model.parameters()), loss_fn, [(Tensor([2.0]), 6.0)],
                           start_lr=1e-3, end_lr=1e-2, num_iter=3)
    assert result.raw_losses[0] == 36.0


class _StateDictOnly(Line):
    """A model that can report its state but not load it: restored through parameters()."""

    def state_dict(self):
        return {"w": self.w.data.copy()}


def test_range_test_restores_a_model_without_load_state_dict_through_its_parameters():
    model = _StateDictOnly()
    lr_range_test(model, SGD(model.parameters()), _mse, [(Tensor([1.0]), Tensor([3.0]))],
                  start_lr=1e-2, end_lr=1.0, num_iter=5)
    np.testing.assert_array_equal(model.w.data, [0.0])


# --------------------------------------------------------------------------- more schedulers
def test_a_custom_scheduler_starts_at_epoch_zero_and_counts_its_steps_as_pytorch():
    from tinygrad_edu.optim.lr_scheduler import LRScheduler

    class Halving(LRScheduler):          # the base class is public: users subclass it
        def get_lr(self):
            return [base * 0.5 ** self.last_epoch for base in self.base_lrs]

    opt = _sgd(lr=0.8)
    scheduler = Halving(opt)             # last_epoch defaults to -1: a new schedule
    assert scheduler.last_epoch == 0 and scheduler.get_last_lr() == [0.8]
    # PyTorch's counters: the constructor's step counts, so 1 + n after n steps
    assert scheduler.state_dict()["_step_count"] == 1
    for _ in range(3):
        opt.step()
        scheduler.step()
    assert scheduler.get_last_lr() == [0.1]
    assert scheduler.state_dict()["_step_count"] == 4 and scheduler.last_epoch == 3


def test_plateau_counts_epochs_from_zero_and_refuses_a_negative_cooldown():
    scheduler = ReduceLROnPlateau(_sgd())
    assert scheduler.last_epoch == 0          # as PyTorch: no step taken at construction
    scheduler.step(1.0)
    scheduler.step(1.0)
    assert scheduler.last_epoch == 2
    with pytest.raises(ValueError, match="cooldown must be an integer >= 0, got -1"):
        ReduceLROnPlateau(_sgd(), cooldown=-1)


# --------------------------------------------------------------------------- param groups
def test_params_mixing_parameters_and_groups_is_refused():
    with pytest.raises(TypeError, match="mixes parameters and param-group dicts"):
        SGD([param(1.0), {"params": [param(2.0)]}])


def test_a_group_of_a_set_is_refused_naming_the_order_problem():
    with pytest.raises(TypeError, match="must be a list, not a set"):
        SGD([{"params": {param(1.0)}}])


def test_loading_a_group_without_a_params_list_is_refused():
    opt = SGD([param(1.0)], lr=0.1)
    state = opt.state_dict()
    for bad in ({"lr": 0.1}, ["not", "a", "dict"]):
        broken = {**state, "param_groups": [bad]}
        with pytest.raises(ValueError, match="saved param group 0 must be a dict with a 'params'"):
            opt.load_state_dict(broken)
    assert opt.param_groups[0]["lr"] == 0.1
