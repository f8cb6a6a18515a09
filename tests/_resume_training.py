"""A small training run that can be stopped, checkpointed and resumed (for test_resume.py).

Everything that decides the next update is random or stateful somewhere, on purpose:
the initial weights and the input noise come from the library's global generator, each
epoch's order too (a shuffling DataLoader with ``seed=None``), Adam keeps moment estimates,
the cosine schedule changes the learning rate every step, and the run stops in the middle
of an epoch. A resume is exact only if the checkpoint carries all of it.

Run as a script to resume in a fresh process:
    python _resume_training.py CHECKPOINT RESULT [--without PART]
"""
import argparse

import tinygrad_edu
from tinygrad_edu import Tensor, nn
from tinygrad_edu.data import DataLoader, TensorDataset, make_moons
from tinygrad_edu.nn import functional as F
from tinygrad_edu.optim import Adam, lr_scheduler

N_SAMPLES, BATCH_SIZE, EPOCHS = 96, 16, 4          # 6 batches an epoch, 24 steps
TOTAL_STEPS = EPOCHS * (N_SAMPLES // BATCH_SIZE)
STOP_AT = 9                                         # in the middle of the second epoch
PARTS = ("model", "optimizer", "scheduler", "loader", "rng")


def build(seed):
    """A fresh model/optimizer/scheduler/loader; ``seed`` decides the initial weights."""
    X, y = make_moons(n_samples=N_SAMPLES, noise=0.1, seed=0)   # the data never changes
    tinygrad_edu.manual_seed(seed)
    model = nn.MLP([2, 16, 16, 2])
    optimizer = Adam(model.parameters(), lr=0.05)
    scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=TOTAL_STEPS, eta_min=1e-3)
    loader = DataLoader(TensorDataset(X, y), batch_size=BATCH_SIZE, shuffle=True)
    return {"step": 0, "model": model, "optimizer": optimizer, "scheduler": scheduler,
            "loader": loader}


def train(run, stop_at=None):
    """Train until TOTAL_STEPS, or return early right after step ``stop_at``, with the
    checkpoint of that moment in ``run["checkpoint"]``. It is taken inside the loop, where
    the loader is in the middle of its epoch: once the loop is left, the loader's state says
    "start a new epoch", as the loader itself would if iterated again."""
    model, optimizer, scheduler = run["model"], run["optimizer"], run["scheduler"]
    while run["step"] < TOTAL_STEPS:
        for x, y in run["loader"]:
            noisy = x + 0.05 * Tensor.randn(*x.shape).numpy()   # augmentation: more randomness
            loss = F.cross_entropy(model(noisy), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            run["step"] += 1
            if run["step"] == stop_at:
                run["checkpoint"] = checkpoint(run)
                return run
    return run


def checkpoint(run):
    return {"step": run["step"],
            "model": run["model"].state_dict(),
            "optimizer": run["optimizer"].state_dict(),
            "scheduler": run["scheduler"].state_dict(),
            "loader": run["loader"].state_dict(),
            "rng": tinygrad_edu.get_rng_state()}


def restore(run, saved, without=()):
    """Load a checkpoint into a freshly built run (leaving out the parts in ``without``)."""
    run["step"] = saved["step"]
    for part in ("model", "optimizer", "scheduler", "loader"):
        if part not in without:
            run[part].load_state_dict(saved[part])
    if "rng" not in without:
        tinygrad_edu.set_rng_state(saved["rng"])
    return run


def outcome(run):
    """What must match an uninterrupted run: weights, optimizer state, lr, RNG position."""
    return {"model": run["model"].state_dict(), "optimizer": run["optimizer"].state_dict(),
            "lr": run["scheduler"].get_last_lr(), "rng": tinygrad_edu.get_rng_state()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint")
    parser.add_argument("result")
    parser.add_argument("--without", action="append", default=[], choices=PARTS)
    args = parser.parse_args(argv)
    run = restore(build(seed=12345), tinygrad_edu.load(args.checkpoint), args.without)
    tinygrad_edu.save(outcome(train(run)), args.result)


if __name__ == "__main__":
    main()
