"""Learning-rate schedulers against PyTorch's numbers, step by step.

The reference (tests/reference/lr_reference.json, made by make_lr_reference.py with torch)
stores, for each case, the optimizer's groups, the scheduler's arguments and every group's
learning rate (and momentum / beta1 for OneCycleLR) after construction and after each step.
"""
import json
import math
import os

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import Value
from tinygrad_edu.optim import SGD, Adam, lr_scheduler
from tinygrad_edu.optim.lr_scheduler import (CosineAnnealingLR, ExponentialLR, LambdaLR,
                                             LinearLR, MultiStepLR, OneCycleLR,
                                             ReduceLROnPlateau, SequentialLR, StepLR)

REFERENCE = os.path.join(os.path.dirname(__file__), "reference", "lr_reference.json")
with open(REFERENCE) as f:
    CASES = json.load(f)["cases"]

# The same named functions as in make_lr_reference.py (functions cannot be stored in JSON).
LAMBDAS = {
    "warmup10": lambda epoch: min(1.0, (epoch + 1) / 10),
    "exp97": lambda epoch: 0.97 ** epoch,
    "poly60": lambda epoch: (1 - epoch / 60) ** 0.9,
}

# Same operations in the same order as PyTorch: equal up to the last bit or two.
RTOL, ATOL = 1e-13, 1e-18


def _kwargs(kwargs):
    kwargs = dict(kwargs)
    if "lr_lambda" in kwargs:
        names = kwargs["lr_lambda"]
        kwargs["lr_lambda"] = ([LAMBDAS[n] for n in names] if isinstance(names, list)
                               else LAMBDAS[names])
    return kwargs


def make_optimizer(case):
    groups = [{"params": [Value(0.0)], "lr": lr} for lr in case["group_lrs"]]
    cls = {"SGD": SGD, "Adam": Adam}[case["optimizer"]]
    optimizer = cls(groups, **case["opt_kwargs"])
    if "current_lrs" in case:  # as the script does for last_epoch resumes
        for group, lr in zip(optimizer.param_groups, case["current_lrs"]):
            group["initial_lr"] = group["lr"]
            group["lr"] = lr
    return optimizer


def make_schedulers(case, optimizer):
    """The scheduler(s) the case describes; the one whose get_last_lr is recorded is last."""
    def one(name, kwargs):
        return getattr(lr_scheduler, name)(optimizer, **_kwargs(kwargs))
    if case["scheduler"] == "chain":
        return [one(c["scheduler"], c["kwargs"]) for c in case["children"]]
    if case["scheduler"] == "SequentialLR":
        children = [one(c["scheduler"], c["kwargs"]) for c in case["children"]]
        return [SequentialLR(optimizer, children, **case["kwargs"])]
    return [one(case["scheduler"], case["kwargs"])]


def step_all(case, optimizer, schedulers, i):
    optimizer.step()
    for s in schedulers:
        if case["scheduler"] == "ReduceLROnPlateau":
            s.step(case["metrics"][i])
        else:
            s.step()


def momentum(optimizer):
    if "betas" in optimizer.defaults:
        return [g["betas"][0] for g in optimizer.param_groups]
    return [g["momentum"] for g in optimizer.param_groups]


def record(optimizer, schedulers, lrs, last, moms):
    lrs.append([g["lr"] for g in optimizer.param_groups])
    last.append(schedulers[-1].get_last_lr())
    moms.append(momentum(optimizer))


def assert_close(actual, expected, what):
    np.testing.assert_allclose(np.array(actual, dtype=float), np.array(expected, dtype=float),
                               rtol=RTOL, atol=ATOL, err_msg=what)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_pytorch_step_by_step(case):
    optimizer = make_optimizer(case)
    schedulers = make_schedulers(case, optimizer)
    lrs, last, moms = [], [], []
    record(optimizer, schedulers, lrs, last, moms)
    for i in range(case["steps"]):
        step_all(case, optimizer, schedulers, i)
        record(optimizer, schedulers, lrs, last, moms)
    assert len(lrs) == len(case["lrs"])
    assert_close(lrs, case["lrs"], f"{case['name']}: group lrs")
    assert_close(last, case["last_lr"], f"{case['name']}: get_last_lr()")
    if "momentum" in case:
        assert_close(moms, case["momentum"], f"{case['name']}: momentum / beta1")
    if case.get("raises_on_next_step"):
        optimizer.step()
        with pytest.raises(ValueError, match=f"total_steps is {schedulers[0].total_steps}"):
            schedulers[0].step()


def test_reference_covers_every_scheduler():
    covered = {c["scheduler"] for c in CASES} | {ch["scheduler"] for c in CASES
                                                 for ch in c.get("children", [])}
    assert covered >= set(lr_scheduler.__all__) - {"LRScheduler"}
    # resuming with last_epoch, several groups and long runs are all in the catalogue
    assert sum("last_epoch" in c["kwargs"] for c in CASES) >= 5
    assert sum(len(c["group_lrs"]) > 1 for c in CASES) >= 8


def _is_plain(obj):
    """Plain data only: what tinygrad_edu.save accepts, and no functions or objects."""
    if isinstance(obj, dict):
        return all(isinstance(k, (str, int)) and _is_plain(v) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return all(_is_plain(v) for v in obj)
    return obj is None or isinstance(obj, (bool, int, float, str))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_state_dict_round_trip_mid_schedule(case, tmp_path):
    """Save optimizer + scheduler halfway (through a checkpoint file), rebuild both from
    scratch, load, and the rest of the schedule is PyTorch's, exactly."""
    half = case["steps"] // 2
    optimizer = make_optimizer(case)
    schedulers = make_schedulers(case, optimizer)
    for i in range(half):
        step_all(case, optimizer, schedulers, i)
    states = [s.state_dict() for s in schedulers]
    assert all(_is_plain(state) for state in states), states
    path = tmp_path / "ckpt.npz"
    tinygrad_edu.save({"optimizer": optimizer.state_dict(), "schedulers": states}, path)

    # training goes on in the old objects; the checkpoint must not change with them
    step_all(case, optimizer, schedulers, half)

    checkpoint = tinygrad_edu.load(path)
    fresh_optimizer = make_optimizer(case)
    fresh = make_schedulers(case, fresh_optimizer)  # schedulers first, as in PyTorch's advice
    fresh_optimizer.load_state_dict(checkpoint["optimizer"])
    for s, state in zip(fresh, checkpoint["schedulers"]):
        s.load_state_dict(state)
    assert fresh[-1].get_last_lr() == case["last_lr"][half]
    lrs, last, moms = [], [], []
    for i in range(half, case["steps"]):
        step_all(case, fresh_optimizer, fresh, i)
        record(fresh_optimizer, fresh, lrs, last, moms)
    assert_close(lrs, case["lrs"][half + 1:], f"{case['name']}: lrs after resume")
    if "momentum" in case:
        assert_close(moms, case["momentum"][half + 1:], f"{case['name']}: momentum after resume")


def test_state_dict_is_a_copy():
    optimizer = SGD([Value(0.0)], lr=0.1)
    sched = StepLR(optimizer, step_size=2)
    state = sched.state_dict()
    state["base_lrs"].append(99.0)
    state["last_epoch"] = 50
    assert sched.base_lrs == [0.1] and sched.last_epoch == 0
    sched.load_state_dict(state)
    state["base_lrs"].append(7.0)
    assert sched.base_lrs == [0.1, 99.0]


def test_sequential_state_dict_holds_the_inner_schedulers():
    optimizer = SGD([Value(0.0)], lr=0.1)
    warmup = LinearLR(optimizer, start_factor=0.1, total_iters=3)
    cosine = CosineAnnealingLR(optimizer, T_max=10)
    seq = SequentialLR(optimizer, [warmup, cosine], milestones=[3])
    for _ in range(5):
        optimizer.step()
        seq.step()
    state = seq.state_dict()
    assert [s["last_epoch"] for s in state["_schedulers"]] == [warmup.last_epoch,
                                                                cosine.last_epoch]
    assert state["_schedulers"][1]["T_max"] == 10
    # a broken inner state is refused before anything changes
    bad = json.loads(json.dumps(state))
    bad["last_epoch"] = 99
    del bad["_schedulers"][1]["T_max"]
    with pytest.raises(ValueError, match="missing keys \\['T_max'\\]"):
        seq.load_state_dict(bad)
    assert seq.last_epoch == 5
    # so is a broken outer state, even with intact inner ones
    bad = json.loads(json.dumps(state))
    bad["last_epoch"] = 99
    del bad["_milestones"]
    with pytest.raises(ValueError, match="missing keys \\['_milestones'\\]"):
        seq.load_state_dict(bad)
    assert seq.last_epoch == 5 and seq.state_dict() == state
    with pytest.raises(ValueError, match="expects the dict returned by state_dict"):
        seq.load_state_dict([state])


class Warmup:
    """A callable object: its attributes are saved in LambdaLR's state dict."""

    def __init__(self, steps):
        self.steps = steps

    def __call__(self, epoch):
        return min(1.0, (epoch + 1) / self.steps)


def test_lambda_state_keeps_functions_out_but_saves_callable_objects():
    optimizer = SGD([{"params": [Value(0.0)]}, {"params": [Value(0.0)]}], lr=0.1)
    sched = LambdaLR(optimizer, [lambda e: 0.5 ** e, Warmup(4)])
    state = sched.state_dict()
    assert state["lr_lambdas"] == [None, {"steps": 4}]
    assert _is_plain(state)

    other = SGD([{"params": [Value(0.0)]}, {"params": [Value(0.0)]}], lr=0.1)
    target = Warmup(100)
    restored = LambdaLR(other, [lambda e: 0.5 ** e, target])
    restored.load_state_dict(state)
    assert target.steps == 4
    for _ in range(3):
        optimizer.step(); sched.step(); other.step(); restored.step()
    assert restored.get_last_lr() == sched.get_last_lr() == [0.1 * 0.125, 0.1]


def test_load_state_dict_from_another_scheduler_is_refused_and_changes_nothing():
    optimizer = SGD([Value(0.0)], lr=0.1)
    step = StepLR(optimizer, step_size=3)
    cosine_state = CosineAnnealingLR(SGD([Value(0.0)], lr=0.1), T_max=5).state_dict()
    before = step.state_dict()
    with pytest.raises(ValueError, match="missing keys.*step_size.*unexpected keys.*T_max"):
        step.load_state_dict(cosine_state)
    assert step.state_dict() == before


def test_two_groups_share_one_schedule_but_keep_their_own_rates():
    optimizer = SGD([{"params": [Value(0.0)], "lr": 1.0}, {"params": [Value(0.0)]}], lr=0.01)
    sched = CosineAnnealingLR(optimizer, T_max=8, eta_min=0.0)
    for _ in range(4):
        optimizer.step(); sched.step()
    a, b = sched.get_last_lr()
    assert a == pytest.approx(0.5) and b == pytest.approx(0.005)
    assert [g["initial_lr"] for g in optimizer.param_groups] == [1.0, 0.01]


def test_resume_without_initial_lr_names_the_fix():
    optimizer = SGD([Value(0.0)], lr=0.1)
    with pytest.raises(KeyError, match="initial_lr"):
        StepLR(optimizer, step_size=2, last_epoch=5)


def test_plateau_counts_bad_epochs_and_cooldown():
    optimizer = SGD([Value(0.0)], lr=1.0)
    sched = ReduceLROnPlateau(optimizer, factor=0.5, patience=1, cooldown=2)
    seen, cooling = [], []
    for metric in [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]:
        optimizer.step()
        sched.step(metric)
        seen.append((sched.get_last_lr()[0], sched.num_bad_epochs, sched.cooldown_counter))
        cooling.append(sched.in_cooldown)
    # 2 bad epochs (> patience 1) -> halve, then 2 cooldown epochs that do not count
    assert seen == [(1.0, 0, 0), (1.0, 1, 0), (0.5, 0, 2), (0.5, 0, 1), (0.5, 0, 0),
                    (0.5, 1, 0), (0.25, 0, 2), (0.25, 0, 1)]
    assert cooling == [False, False, True, True, False, False, True, True]


def test_plateau_starts_outside_cooldown_so_a_first_bad_epoch_counts():
    """As PyTorch: cooldown_counter starts at 0. A first metric of inf (min mode) is not an
    improvement on best = inf, so with patience 0 the rate is cut at once."""
    optimizer = SGD([Value(0.0)], lr=1.0)
    sched = ReduceLROnPlateau(optimizer, patience=0, cooldown=3)
    assert not sched.in_cooldown and sched.state_dict()["cooldown_counter"] == 0
    optimizer.step()
    sched.step(math.inf)
    assert sched.get_last_lr() == [0.1] and sched.in_cooldown


def test_plateau_accepts_numpy_scalars_and_checks_added_groups():
    optimizer = SGD([Value(0.0)], lr=1.0)
    sched = ReduceLROnPlateau(optimizer, patience=0, min_lr=[0.0])
    sched.step(np.float64(1.0))
    sched.step(np.array([2.0])[0])
    assert sched.get_last_lr() == [0.1]
    optimizer.param_groups.append({**optimizer.param_groups[0], "params": [Value(0.0)]})
    with pytest.raises(RuntimeError, match="min_lr"):
        sched.step(3.0)


def _sgd(lr=0.1, groups=1, **kw):
    return SGD([{"params": [Value(0.0)]} for _ in range(groups)], lr=lr, **kw)


class NotAnOptimizer:
    param_groups = [{"params": [], "lr": 0.1}]


BAD_ARGUMENTS = [
    # (what, call, error type, words the message must contain)
    ("not an optimizer", lambda: StepLR(NotAnOptimizer(), step_size=1), TypeError,
     ["NotAnOptimizer", "Optimizer"]),
    ("plateau not an optimizer", lambda: ReduceLROnPlateau(NotAnOptimizer()), TypeError,
     ["NotAnOptimizer"]),
    ("onecycle not an optimizer", lambda: OneCycleLR(NotAnOptimizer(), 0.1, 10), TypeError,
     ["NotAnOptimizer"]),
    # no param_groups at all: the type is named before anything reads the groups
    ("lambda not an optimizer", lambda: LambdaLR("sgd", lambda epoch: 1.0), TypeError,
     ["LambdaLR", "got str", "Optimizer"]),
    ("step_size 0", lambda: StepLR(_sgd(), step_size=0), ValueError, ["step_size", "0", ">= 1"]),
    ("step_size float", lambda: StepLR(_sgd(), step_size=2.5), ValueError, ["step_size", "2.5"]),
    ("gamma 0", lambda: StepLR(_sgd(), 3, gamma=0.0), ValueError, ["gamma", "0.0", "(0"]),
    ("gamma negative", lambda: ExponentialLR(_sgd(), gamma=-0.5), ValueError, ["gamma", "-0.5"]),
    ("gamma nan", lambda: MultiStepLR(_sgd(), [2], gamma=math.nan), ValueError, ["gamma", "nan"]),
    ("milestones unsorted", lambda: MultiStepLR(_sgd(), [30, 10]), ValueError,
     ["milestones", "increasing", "[30, 10]", "[10, 30]"]),
    ("milestone negative", lambda: MultiStepLR(_sgd(), [-1, 3]), ValueError, ["milestone", "-1"]),
    ("T_max 0", lambda: CosineAnnealingLR(_sgd(), T_max=0), ValueError, ["T_max", "0"]),
    ("eta_min negative", lambda: CosineAnnealingLR(_sgd(), 10, eta_min=-1e-3), ValueError,
     ["eta_min", "-0.001"]),
    ("start_factor 0", lambda: LinearLR(_sgd(), start_factor=0.0), ValueError,
     ["start_factor", "(0, 1]"]),
    ("end_factor 2", lambda: LinearLR(_sgd(), end_factor=2.0), ValueError,
     ["end_factor", "[0, 1]", "2.0"]),
    ("total_iters 0", lambda: LinearLR(_sgd(), total_iters=0), ValueError, ["total_iters"]),
    ("last_epoch -2", lambda: ExponentialLR(_sgd(), 0.9, last_epoch=-2), ValueError,
     ["last_epoch", "-2"]),
    ("lambda count", lambda: LambdaLR(_sgd(groups=2), [lambda e: 1.0]), ValueError,
     ["lr_lambda", "1 values", "2 param groups"]),
    ("lambda not callable", lambda: LambdaLR(_sgd(), 0.5), TypeError, ["lr_lambda", "float"]),
    ("factor 1", lambda: ReduceLROnPlateau(_sgd(), factor=1.0), ValueError,
     ["factor", "[0, 1)", "1.0"]),
    ("factor 10", lambda: ReduceLROnPlateau(_sgd(), factor=10), ValueError, ["factor", "10"]),
    ("mode", lambda: ReduceLROnPlateau(_sgd(), mode="minimum"), ValueError,
     ["mode", "'min'", "'max'", "minimum"]),
    ("threshold_mode", lambda: ReduceLROnPlateau(_sgd(), threshold_mode="relative"), ValueError,
     ["threshold_mode", "relative"]),
    ("patience", lambda: ReduceLROnPlateau(_sgd(), patience=-1), ValueError, ["patience", "-1"]),
    ("min_lr count", lambda: ReduceLROnPlateau(_sgd(groups=2), min_lr=[0.1]), ValueError,
     ["min_lr", "1 values", "2 param groups"]),
    ("total_steps missing", lambda: OneCycleLR(_sgd(), max_lr=0.1), ValueError,
     ["total_steps", "epochs", "steps_per_epoch"]),
    ("epochs without steps", lambda: OneCycleLR(_sgd(), max_lr=0.1, epochs=3), ValueError,
     ["total_steps", "steps_per_epoch=None"]),
    ("total_steps 0", lambda: OneCycleLR(_sgd(), 0.1, total_steps=0), ValueError,
     ["total_steps", "0"]),
    ("pct_start", lambda: OneCycleLR(_sgd(), 0.1, 10, pct_start=1.5), ValueError,
     ["pct_start", "[0, 1]", "1.5"]),
    ("anneal_strategy", lambda: OneCycleLR(_sgd(), 0.1, 10, anneal_strategy="cosine"),
     ValueError, ["anneal_strategy", "'cos'", "'linear'", "cosine"]),
    ("max_lr count", lambda: OneCycleLR(_sgd(groups=2), [0.1, 0.2, 0.3], 10), ValueError,
     ["max_lr", "3 values", "2 param groups"]),
    ("div_factor", lambda: OneCycleLR(_sgd(), 0.1, 10, div_factor=0), ValueError,
     ["div_factor"]),
    ("sequential milestones", lambda: _sequential([5, 5]), ValueError,
     ["milestones", "strictly increasing", "[5, 5]"]),
    ("sequential count", lambda: _sequential([5]), ValueError, ["3 schedulers", "[5]"]),
    ("sequential other optimizer", lambda: SequentialLR(
        _sgd(), [StepLR(_sgd(), 2), StepLR(_sgd(), 2)], [3]), ValueError,
     ["different optimizer"]),
    ("sequential plateau", lambda: _sequential_plateau(), ValueError,
     ["ReduceLROnPlateau", "schedulers[1]"]),
    ("sequential empty", lambda: SequentialLR(_sgd(), [], []), ValueError, ["at least one"]),
]


def _sequential(milestones):
    opt = _sgd()
    return SequentialLR(opt, [StepLR(opt, 2), StepLR(opt, 3), ExponentialLR(opt, 0.9)],
                        milestones)


def _sequential_plateau():
    opt = _sgd()
    return SequentialLR(opt, [StepLR(opt, 2), ReduceLROnPlateau(opt)], [3])


@pytest.mark.parametrize("what, call, error, words", BAD_ARGUMENTS,
                         ids=[b[0] for b in BAD_ARGUMENTS])
def test_bad_arguments_raise_teaching_errors(what, call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_bad_arguments_leave_the_optimizer_alone():
    optimizer = _sgd(lr=0.3)
    with pytest.raises(ValueError):
        OneCycleLR(optimizer, max_lr=1.0, total_steps=10, pct_start=2.0)
    assert optimizer.param_groups[0]["lr"] == 0.3
    assert "initial_lr" not in optimizer.param_groups[0]
    assert "max_lr" not in optimizer.param_groups[0]


def test_onecycle_needs_momentum_to_cycle_it():
    optimizer = _sgd()
    optimizer.defaults = {k: v for k, v in optimizer.defaults.items() if k != "momentum"}
    with pytest.raises(ValueError, match="cycle_momentum=False"):
        OneCycleLR(optimizer, max_lr=0.1, total_steps=10)
    OneCycleLR(optimizer, max_lr=0.1, total_steps=10, cycle_momentum=False)


@pytest.mark.skipif(not os.environ.get("TINYGRAD_EDU_LIVE_TORCH"), reason="live torch check "
                    "is opt-in (set TINYGRAD_EDU_LIVE_TORCH=1); the stored reference counts")
def test_reference_is_current():
    torch = pytest.importorskip("torch")
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "make_lr_reference", os.path.join(os.path.dirname(REFERENCE), "make_lr_reference.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for case in module.CASES:
        stored = next(c for c in CASES if c["name"] == case["name"])
        assert module.run(case)["lrs"] == stored["lrs"], (case["name"], torch.__version__)
