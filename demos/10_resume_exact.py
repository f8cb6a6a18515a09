"""Stop training half-way, resume in a new process, and end on exactly the same weights.

A run is "resumable" only if the checkpoint holds *everything* the next update depends on:

* the model's weights                      ``model.state_dict()``
* the optimizer's memory (Adam's moments)   ``optimizer.state_dict()``
* where the learning-rate schedule is       ``scheduler.state_dict()``
* where the data loader is in its epoch     ``loader.state_dict()``
* the random number generator              ``tinygrad_edu.get_rng_state()``
  (it shuffles the next epochs and draws the input noise)

This demo trains an MLP on two moons (Adam, a cosine schedule, a shuffling loader with
``seed=None`` and noise added to the inputs), stops in the middle of an epoch, saves all five
with ``tinygrad_edu.save``, and then runs *this script again in a fresh Python process* to
resume from the file. The weights it ends on are compared with a run that never stopped:
the largest difference is 0.0. Then it resumes again leaving one part out each time, to show
that every part matters.

    python demos/10_resume_exact.py [--steps 120] [--stop-at 50] [--out demos/out]
"""
import argparse
import os
import subprocess
import sys

import numpy as np

import tinygrad_edu
from tinygrad_edu import Tensor, nn
from tinygrad_edu.data import DataLoader, TensorDataset, make_moons
from tinygrad_edu.nn import functional as F
from tinygrad_edu.optim import Adam
from tinygrad_edu.optim.lr_scheduler import CosineAnnealingLR

PARTS = ("model", "optimizer", "scheduler", "loader", "rng")


def build(seed, total_steps):
    """Model, optimizer, scheduler and loader, freshly made; ``seed`` sets the first weights."""
    X, y = make_moons(n_samples=200, noise=0.1, seed=0)     # the same data in every run
    tinygrad_edu.manual_seed(seed)
    model = nn.MLP([2, 16, 16, 2])
    optimizer = Adam(model.parameters(), lr=0.02)
    scheduler = CosineAnnealingLR(optimizer, T_max=total_steps, eta_min=1e-4)
    loader = DataLoader(TensorDataset(X, y), batch_size=20, shuffle=True)  # seed=None: global RNG
    return {"step": 0, "losses": [], "model": model, "optimizer": optimizer,
            "scheduler": scheduler, "loader": loader}


def train(run, total_steps, stop_at=None):
    """Train to ``total_steps`` (or stop right after step ``stop_at``), one batch a step.

    The checkpoint is taken at ``stop_at`` *inside* the loop, into ``run["checkpoint"]``:
    there the loader is in the middle of its epoch. Taken after the loop was left, the
    loader's state would say "start a new epoch", which is what the loader itself does when
    a loop over it is left early and started again."""
    while run["step"] < total_steps:
        for x, y in run["loader"]:
            x = x + 0.05 * Tensor.randn(*x.shape).numpy()     # augmentation draws from the RNG
            loss = F.cross_entropy(run["model"](x), y)
            run["optimizer"].zero_grad()
            loss.backward()
            run["optimizer"].step()
            run["scheduler"].step()
            run["losses"].append(loss.item())
            run["step"] += 1
            if run["step"] == stop_at:
                run["checkpoint"] = checkpoint(run)
                return run
            if run["step"] == total_steps:
                return run
    return run


def checkpoint(run):
    return {"step": run["step"], "losses": run["losses"],
            "model": run["model"].state_dict(), "optimizer": run["optimizer"].state_dict(),
            "scheduler": run["scheduler"].state_dict(), "loader": run["loader"].state_dict(),
            "rng": tinygrad_edu.get_rng_state()}


def resume(path, total_steps, without=()):
    """Rebuild everything from scratch (other initial weights!), then load the checkpoint."""
    saved = tinygrad_edu.load(path)
    run = build(seed=98765, total_steps=total_steps)
    run["step"], run["losses"] = saved["step"], list(saved["losses"])
    for part in ("model", "optimizer", "scheduler", "loader"):
        if part not in without:
            run[part].load_state_dict(saved[part])
    if "rng" not in without:
        tinygrad_edu.set_rng_state(saved["rng"])
    return train(run, total_steps)


def resume_in_new_process(checkpoint_path, result_path, total_steps, without=()):
    """Run this very script again with --resume-from: nothing is shared but the file."""
    command = [sys.executable, os.path.abspath(__file__), "--resume-from", checkpoint_path,
               "--result", result_path, "--steps", str(total_steps)]
    for part in without:
        command += ["--without", part]
    subprocess.run(command, check=True)
    return tinygrad_edu.load(result_path)


def max_difference(weights, reference):
    return max(float(np.abs(weights[k] - reference[k]).max()) for k in reference)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=120, help="total training steps")
    parser.add_argument("--stop-at", type=int, default=None,
                        help="step after which to stop and checkpoint (default: steps * 0.45)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("demos", "out"))
    parser.add_argument("--quick", action="store_true", help="a few steps, for a smoke test")
    # Used when the script calls itself to resume in a fresh process:
    parser.add_argument("--resume-from", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--without", action="append", default=[], choices=PARTS,
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    steps = 25 if args.quick else args.steps

    if args.resume_from:          # the child process: resume, save the outcome, done
        run = resume(args.resume_from, steps, without=args.without)
        tinygrad_edu.save({"model": run["model"].state_dict(), "losses": run["losses"]},
                          args.result)
        return None

    stop_at = args.stop_at if args.stop_at is not None else int(steps * 0.45)
    if not 0 < stop_at < steps:
        raise SystemExit(f"--stop-at must be between 1 and --steps - 1 = {steps - 1}, "
                         f"got {stop_at}")
    os.makedirs(args.out, exist_ok=True)
    checkpoint_path = os.path.join(args.out, "10_resume_checkpoint.npz")
    result_path = os.path.join(args.out, "10_resume_result.npz")

    reference = train(build(args.seed, steps), steps)
    print(f"uninterrupted: {steps} steps, final loss {reference['losses'][-1]:.5f}")

    stopped = train(build(args.seed, steps), steps, stop_at=stop_at)
    tinygrad_edu.save(stopped["checkpoint"], checkpoint_path)
    print(f"stopped after step {stop_at} (epoch {stopped['loader'].epoch}, batch "
          f"{stopped['checkpoint']['loader']['batches_done']} of {len(stopped['loader'])}); "
          f"checkpoint written to {checkpoint_path} ({os.path.getsize(checkpoint_path)} bytes)")

    reference_weights = reference["model"].state_dict()
    resumed = resume_in_new_process(checkpoint_path, result_path, steps)
    exact = max_difference(resumed["model"], reference_weights)
    print(f"resumed in a new process: max |difference| from the uninterrupted weights = {exact}")

    print("resuming again, each time without one part of the checkpoint:")
    partial = {}
    for part in PARTS:
        partial[part] = max_difference(resume(checkpoint_path, steps, without=[part])["model"]
                                       .state_dict(), reference_weights)
        print(f"  without {part:<9}  max |difference| = {partial[part]:.3g}")
    # The classic mistake: saving only the weights.
    weights_only = resume(checkpoint_path, steps, without=PARTS[1:])
    print(f"  weights only       max |difference| = "
          f"{max_difference(weights_only['model'].state_dict(), reference_weights):.3g}")

    worst = max(partial, key=partial.get)
    print(f"\nWhat to look at (10_resume_exact.png): after the grey line the dashed resumed "
          f"run lies exactly on the\n  uninterrupted one (largest weight difference {exact}); "
          f"the red weights-only run leaves it. Each part\n  of the checkpoint matters: "
          f"leaving out the {worst} costs most ({partial[worst]:.3g}), the rng least "
          f"({partial['rng']:.3g});\n  {sum(v > 0 for v in partial.values())} of {len(partial)} "
          "partial resumes end on different weights.")
    result = {"max_difference": exact, "without": partial, "checkpoint": checkpoint_path,
              "losses": reference["losses"], "resumed_losses": list(resumed["losses"]),
              "weights_only_losses": weights_only["losses"]}
    result["image"] = plot(result, stop_at, os.path.join(args.out, "10_resume_exact.png"))
    return result


def plot(result, stop_at, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print('matplotlib is not installed: no picture (pip install "tinygrad_edu[demos]")')
        return None
    figure, ax = plt.subplots(figsize=(7, 4))
    steps = np.arange(1, len(result["losses"]) + 1)
    ax.plot(steps, result["losses"], lw=3, alpha=0.4, label="uninterrupted")
    ax.plot(steps[stop_at:], result["resumed_losses"][stop_at:], "k--", lw=1,
            label="resumed from the checkpoint (new process)")
    ax.plot(steps[stop_at:], result["weights_only_losses"][stop_at:], color="tab:red", lw=1,
            label="resumed from the weights only")
    ax.axvline(stop_at, color="grey", lw=0.8)
    ax.set(xlabel="step", ylabel="training loss (one batch)", yscale="log",
           title=f"Exact resume: max weight difference {result['max_difference']}")
    ax.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    print(f"loss curves written to {path}")
    return path


if __name__ == "__main__":
    main()
