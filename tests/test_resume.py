"""Exact resume (contract §9): a checkpoint of model + optimizer + scheduler + loader + RNG
state, loaded in a fresh process, continues training bit for bit as if never interrupted.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

from tinygrad_edu import Tensor, load, save
from tinygrad_edu import optim
from tinygrad_edu.optim import lr_scheduler

import _resume_training as training
from _same_structure import assert_same

SCRIPT = os.path.join(os.path.dirname(__file__), "_resume_training.py")


@pytest.fixture(scope="module")
def stopped(tmp_path_factory):
    """A run stopped mid-epoch and checkpointed, and the result of the same run uninterrupted."""
    folder = tmp_path_factory.mktemp("resume")
    path = folder / "checkpoint.npz"
    save(training.train(training.build(seed=0), stop_at=training.STOP_AT)["checkpoint"], path)
    uninterrupted = training.outcome(training.train(training.build(seed=0)))
    return path, uninterrupted


def test_the_checkpoint_is_taken_mid_epoch(stopped):
    saved = load(stopped[0])
    assert saved["step"] == training.STOP_AT
    assert saved["loader"]["batches_done"] == training.STOP_AT % 6 and \
        saved["loader"]["order"] is not None


def test_resuming_in_a_fresh_process_is_bit_identical_to_never_stopping(stopped, tmp_path):
    path, uninterrupted = stopped
    result = tmp_path / "result.npz"
    subprocess.run([sys.executable, SCRIPT, str(path), str(result)], check=True,
                   cwd=tmp_path, timeout=60)
    resumed = load(result)
    assert_same(uninterrupted, resumed)   # weights, Adam's moments, lr and RNG, bit for bit
    differences = [np.abs(resumed["model"][k] - uninterrupted["model"][k]).max()
                   for k in uninterrupted["model"]]
    assert max(differences) == 0.0


@pytest.mark.parametrize("missing", training.PARTS)
def test_every_part_of_the_checkpoint_is_needed(stopped, missing):
    """Negative control: leave one part out and the resumed run ends somewhere else, so the
    test above would notice if any part were not saved or not restored."""
    path, uninterrupted = stopped
    run = training.restore(training.build(seed=12345), load(path), without={missing})
    final = training.outcome(training.train(run))["model"]
    assert any(not np.array_equal(final[k], uninterrupted["model"][k]) for k in final)


# ------------------------------------------ every scheduler and optimizer, through a file
def make_scheduler(name, opt):
    L = lr_scheduler
    return {
        "LambdaLR": lambda: L.LambdaLR(opt, lambda epoch: 0.9 ** epoch),
        "StepLR": lambda: L.StepLR(opt, step_size=3, gamma=0.5),
        "MultiStepLR": lambda: L.MultiStepLR(opt, milestones=[2, 5, 5], gamma=0.5),
        "ExponentialLR": lambda: L.ExponentialLR(opt, gamma=0.9),
        "CosineAnnealingLR": lambda: L.CosineAnnealingLR(opt, T_max=6, eta_min=0.01),
        "LinearLR": lambda: L.LinearLR(opt, start_factor=0.2, total_iters=5),
        "OneCycleLR": lambda: L.OneCycleLR(opt, max_lr=1.0, total_steps=12),
        "SequentialLR": lambda: L.SequentialLR(
            opt, [L.LinearLR(opt, start_factor=0.5, total_iters=3),
                  L.ExponentialLR(opt, gamma=0.8)], milestones=[4]),
        "ReduceLROnPlateau": lambda: L.ReduceLROnPlateau(opt, patience=1),
    }[name]()


SCHEDULERS = ["LambdaLR", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
              "LinearLR", "OneCycleLR", "SequentialLR", "ReduceLROnPlateau"]
PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.97, 0.99, 0.8, 0.85, 0.86, 0.9, 0.91, 0.92, 0.93]


def scheduled_lrs(name, stop_at=None, path=None):
    """The lr of every step of a 12-step run; with ``stop_at``, the state is saved there and
    the rest of the run happens in a fresh optimizer + scheduler loaded from the file."""
    def fresh():
        param = Tensor(np.ones(2), requires_grad=True)
        opt = optim.SGD([param], lr=0.1, momentum=0.9)
        opt.add_param_group({"params": [Tensor(np.ones(1), requires_grad=True)], "lr": 0.3})
        return opt, make_scheduler(name, opt)

    opt, scheduler = fresh()
    lrs = []
    for step in range(12):
        if step == stop_at:
            save({"optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()}, path)
            opt, scheduler = fresh()
            saved = load(path)
            opt.load_state_dict(saved["optimizer"])
            scheduler.load_state_dict(saved["scheduler"])
        opt.step()
        if name == "ReduceLROnPlateau":
            scheduler.step(PLATEAU_METRICS[step])
        else:
            scheduler.step()
        lrs.append([group["lr"] for group in opt.param_groups])
    return lrs


@pytest.mark.parametrize("name", SCHEDULERS)
def test_every_scheduler_state_survives_a_checkpoint_exactly(name, tmp_path):
    straight = scheduled_lrs(name)
    assert len({tuple(lr) for lr in straight}) > 1, "the schedule should change the lr"
    for stop_at in (1, 5):
        assert scheduled_lrs(name, stop_at, tmp_path / "sched.npz") == straight


OPTIMIZERS = {
    "SGD": dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    "Adagrad": dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1),
    "RMSprop": dict(lr=0.01, momentum=0.5, centered=True),
    "Adadelta": dict(lr=1.0, weight_decay=0.01),
    "Adam": dict(lr=0.01, amsgrad=True),
    "AdamW": dict(lr=0.01),
    "Adamax": dict(lr=0.01),
    "NAdam": dict(lr=0.01),
    "RAdam": dict(lr=0.01),
    "AdaBelief": dict(lr=0.01),
    "Lion": dict(lr=0.01, weight_decay=0.1),
}


def optimized_params(name, stop_at=None, path=None):
    """Ten steps on fixed pseudo-random gradients (two groups, float32 and float64
    parameters); with ``stop_at``, the rest runs in a fresh optimizer loaded from a file."""
    rng = np.random.default_rng(0)
    grads = [[rng.standard_normal(3).astype(np.float32), rng.standard_normal((2, 2))]
             for _ in range(10)]

    def fresh(params):
        return getattr(optim, name)([{"params": [params[0]]},
                                     {"params": [params[1]], "lr": 0.02}], **OPTIMIZERS[name])

    params = [Tensor(np.arange(3, dtype=np.float32), requires_grad=True),
              Tensor(np.ones((2, 2)), requires_grad=True)]
    opt = fresh(params)
    for step, step_grads in enumerate(grads):
        if step == stop_at:
            save(opt.state_dict(), path)
            opt = fresh(params)
            opt.load_state_dict(load(path))
        for p, g in zip(params, step_grads):
            p.grad = g.copy()
        opt.step()
    return [p.data for p in params]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_state_survives_a_checkpoint_bit_for_bit(name, tmp_path):
    straight = optimized_params(name)
    assert_same(straight, optimized_params(name, stop_at=4, path=tmp_path / "opt.npz"))


# ------------------------------------------------------------------------------- demo
def test_resume_demo_ends_on_identical_weights_and_shows_each_part_matters(tmp_path, capsys):
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "demo_10_resume_exact",
        os.path.join(os.path.dirname(__file__), os.pardir, "demos", "10_resume_exact.py"))
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    result = demo.main(["--quick", "--out", str(tmp_path)])
    assert result["max_difference"] == 0.0
    assert all(difference > 0 for difference in result["without"].values())
    assert result["resumed_losses"] == result["losses"]
    assert os.path.exists(result["checkpoint"])
    out = capsys.readouterr().out
    assert "max |difference| from the uninterrupted weights = 0.0" in out
    if result["image"] is not None:
        assert os.path.getsize(result["image"]) > 10_000
