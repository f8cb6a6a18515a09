"""Transfer learning: a trained body reused with a fresh or loaded optimizer, frozen, or not.

Four ways to fine-tune for a related task — fresh optimizer, loaded optimizer state, frozen
body — against training from scratch.

Task A: four spiral arms, 800 points; the MLP's *body* (Linear 2→32, ReLU, Linear 32→32,
ReLU) and a *head* (Linear 32→4) learn to say which arm a point is on (Adam, full batch).
Task B, the related task: the same kind of points, but only **40** of them, labelled by the
arm's *parity* (arms 0 and 2 against arms 1 and 3). The head is replaced by a fresh
Linear 32→2, and four runs fine-tune on B with Adam (lr 0.01, full batch), from the same new
head's weights:

* (a) **fresh optimizer**: the pre-trained body, a new ``Adam`` for body and head;
* (b) **body's optimizer state loaded**: the same, but the body's Adam moments and step count
  come from pre-training (``optimizer.state_dict()`` with the old head's entries removed —
  its shapes no longer fit — and ``load_state_dict``; the optimizers have the same two
  param groups, body and head);
* (c) **frozen body**: ``requires_grad = False`` on the body's parameters, Adam on the head
  only (66 numbers are trained);
* (d) **from scratch**: a new random body, trained on the 40 points alone.

What it shows: with the body from task A, held-out accuracy on B climbs much faster than
from scratch (compare after 20 steps) and the final held-out loss is lower — A taught the
body what the spirals look like, and 40 points are few to learn that. Fine-tuning the body
*forgets* task A (its accuracy on A with the old head falls); the frozen body keeps A
exactly. A fresh fine-tuning Adam moves every body weight by exactly lr on its first step
(bias-corrected m̂/√v̂ = ±1); with the loaded state its steps are scaled by A's gradient
history instead (the table prints the median first step of each).

What it does not show: here the loaded optimizer state makes no consistent difference to
B's accuracy (seeds differ in which of (a), (b) is ahead); with a small learning rate or
long pre-training the gap, and the usual advice (a fresh optimizer, or a lower rate for the
body), depend on the problem.

    python demos/22_transfer_learning.py   # or: tinygrad-edu demo transfer_learning

Writes ``<out>/22_transfer_learning.png``: held-out accuracy and training loss on B per step,
and what each run knows of A and B at the end.
"""
import argparse
import os

import numpy as np

import tinygrad_edu
from tinygrad_edu.data import make_spirals
from tinygrad_edu.nn import Linear, ReLU, Sequential
from tinygrad_edu.nn import functional as F
from tinygrad_edu.optim import Adam
from tinygrad_edu.viz import save_figure

HIDDEN = 32
LR = 0.01
PRETRAIN_STEPS, FINETUNE_STEPS = 300, 150
QUICK_PRETRAIN, QUICK_FINETUNE = 40, 20
EVALUATE_EVERY = 5
B_POINTS, TEST_POINTS = 40, 400
RUNS = ["(a) fresh optimizer", "(b) body's optimizer state loaded", "(c) frozen body",
        "(d) from scratch"]
COLORS = dict(zip(RUNS, ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]))


def make_body():
    return Sequential(Linear(2, HIDDEN), ReLU(), Linear(HIDDEN, HIDDEN), ReLU())


def task_b(n_samples, seed):
    """Spiral points labelled by the parity of their arm: arms 0, 2 -> 0 and 1, 3 -> 1."""
    X, arm = make_spirals(n_samples=n_samples, n_classes=4, noise=0.15, seed=seed)
    return X, arm % 2


def evaluate(model, X, y):
    with tinygrad_edu.no_grad():
        logits = model(X)
        return F.cross_entropy(logits, y).item(), float((logits.data.argmax(axis=1) == y).mean())


def pretrain(XA, yA, steps):
    """Body + 4-way head on task A; returns them and the optimizer (two groups: body, head)."""
    body, head = make_body(), Linear(HIDDEN, 4)
    model = Sequential(body, head)
    optimizer = Adam([{"params": body.parameters()}, {"params": head.parameters()}], lr=LR)
    for _ in range(steps):
        optimizer.zero_grad()
        F.cross_entropy(model(XA), yA).backward()
        optimizer.step()
    return body, head, optimizer


def finetune(kind, pretrained, data, steps, seed):
    """One of the four runs; B's held-out accuracy/loss every few steps, training loss every
    step, the size of the body's first update, and what is left of task A."""
    (XB, yB), (XT, yT), (XA, yA) = data
    body_state, head_a, optimizer_state = pretrained
    body = make_body()                              # random; overwritten unless from scratch
    if kind != "(d) from scratch":
        body.load_state_dict(body_state)
    tinygrad_edu.manual_seed(seed + 1)
    head = Linear(HIDDEN, 2)                        # the same new head in every run
    model = Sequential(body, head)
    if kind == "(c) frozen body":
        for p in body.parameters():
            p.requires_grad = False                 # no gradient, so no update
        optimizer = Adam(head.parameters(), lr=LR)
    else:
        optimizer = Adam([{"params": body.parameters()}, {"params": head.parameters()}], lr=LR)
        if kind == "(b) body's optimizer state loaded":
            n_body = len(body.parameters())         # the state is keyed by parameter number
            state = {"param_groups": optimizer_state["param_groups"],
                     "state": {k: v for k, v in optimizer_state["state"].items() if k < n_body}}
            optimizer.load_state_dict(state)        # the old head's moments: dropped
    start = [p.data.copy() for p in body.parameters()]
    checkpoints, held_out, train_loss = [0], [evaluate(model, XT, yT)], []
    first_step = None
    for step in range(1, steps + 1):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(XB), yB)
        loss.backward()
        optimizer.step()
        train_loss.append(loss.item())
        if step == 1:
            first_step = np.concatenate([np.abs(p.data - s).ravel()
                                         for p, s in zip(body.parameters(), start)])
        if step % EVALUATE_EVERY == 0 or step == steps:
            checkpoints.append(step)
            held_out.append(evaluate(model, XT, yT))
    _, keeps_a = evaluate(Sequential(body, head_a), XA, yA)   # task A with its old head
    return {"steps": checkpoints, "test_loss": [h[0] for h in held_out],
            "test_accuracy": [h[1] for h in held_out], "train_loss": train_loss,
            "first_step": first_step, "task_a_accuracy": keeps_a,
            "body_moved": max(float(np.abs(p.data - s).max())
                              for p, s in zip(body.parameters(), start))}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("demos", "out"))
    parser.add_argument("--dpi", type=int, default=100, help="resolution of the PNG")
    parser.add_argument("--quick", action="store_true", help="a few steps, for a smoke test")
    args = parser.parse_args(argv)
    pre_steps = QUICK_PRETRAIN if args.quick else PRETRAIN_STEPS
    steps = QUICK_FINETUNE if args.quick else FINETUNE_STEPS

    tinygrad_edu.manual_seed(args.seed)
    XA, yA = make_spirals(n_samples=800, n_classes=4, noise=0.15, seed=args.seed)
    body, head_a, optimizer = pretrain(XA, yA, pre_steps)
    a_loss, a_accuracy = evaluate(Sequential(body, head_a), XA, yA)
    print(f"task A (4 spiral arms, {len(XA)} points): {pre_steps} Adam steps, loss "
          f"{a_loss:.3f}, accuracy {a_accuracy:.1%}")
    data = (task_b(B_POINTS, args.seed + 100), task_b(TEST_POINTS, args.seed + 200), (XA, yA))
    print(f"task B (arm parity): {B_POINTS} training points, {TEST_POINTS} held out; "
          f"{steps} fine-tuning steps\n")
    pretrained = (body.state_dict(), head_a, optimizer.state_dict())
    runs = {kind: finetune(kind, pretrained, data, steps, args.seed) for kind in RUNS}

    early = min(4, len(runs[RUNS[0]]["steps"]) - 1)   # the checkpoint at step 20
    at = runs[RUNS[0]]["steps"][early]
    print(f"{'run':36s} {'B held-out acc':>14s} {'at step ' + str(at):>12s} {'B loss':>7s} "
          f"{'A acc (old head)':>17s} {'first body step':>16s}")
    for kind, run in runs.items():
        first = "—" if run["first_step"].max() == 0 else f"{np.median(run['first_step']):.2g}"
        print(f"{kind:36s} {run['test_accuracy'][-1]:14.1%} {run['test_accuracy'][early]:12.1%} "
              f"{run['test_loss'][-1]:7.3f} {run['task_a_accuracy']:17.1%} {first:>16s}")
    scratch, fresh, frozen = (runs[k] for k in ("(d) from scratch", "(a) fresh optimizer",
                                                "(c) frozen body"))
    print("\nWhat to look at (22_transfer_learning.png):\n"
          f"  left: with A's body, B's held-out accuracy climbs faster: at step {at} "
          f"{fresh['test_accuracy'][early]:.0%} (fresh), {frozen['test_accuracy'][early]:.0%} "
          f"(frozen)\n    against {scratch['test_accuracy'][early]:.0%} from scratch; the held-out"
          f" loss ends at {fresh['test_loss'][-1]:.3f} vs {scratch['test_loss'][-1]:.3f}.\n"
          f"  right: fine-tuning the body forgets task A ({fresh['task_a_accuracy']:.0%} of A "
          f"right, was {a_accuracy:.0%});\n    the frozen body keeps it "
          f"({frozen['task_a_accuracy']:.0%}). A fresh Adam's first step moves each body "
          f"weight by lr = {LR}.")
    result = {"runs": runs, "task_a_accuracy": a_accuracy, "lr": LR, "early_index": early}

    path = os.path.join(args.out, "22_transfer_learning.png")
    path = save_figure(lambda plt: plot(runs, a_accuracy, plt), path, dpi=args.dpi, what="curves")
    if path:
        result["image"] = path
    return result


def plot(runs, a_accuracy, plt):
    figure, (left, middle, right) = plt.subplots(1, 3, figsize=(12, 4.4), layout="constrained",
                                                 gridspec_kw={"width_ratios": [1.2, 1.2, 1]})
    for kind, run in runs.items():
        left.plot(run["steps"], run["test_accuracy"], color=COLORS[kind], linewidth=2,
                  marker="o", markersize=3, label=kind)
        middle.semilogy(np.arange(1, len(run["train_loss"]) + 1), run["train_loss"],
                        color=COLORS[kind], linewidth=2, label=kind)
    left.set_xlabel("fine-tuning step")
    left.set_ylabel("accuracy on 400 held-out points")
    left.set_title("Task B, held out", fontsize=10)
    middle.set_xlabel("fine-tuning step")
    middle.set_ylabel("cross-entropy on the 40 points (log)")
    middle.set_title("Task B, training loss", fontsize=10)
    for ax in (left, middle):
        ax.grid(True, alpha=0.3)
    handles, labels = left.get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=9,
                  frameon=False)
    names = [kind.split(")")[0] + ")" for kind in runs]
    y = np.arange(len(runs))
    right.barh(y + 0.2, [run["test_accuracy"][-1] for run in runs.values()], height=0.4,
               color=[COLORS[k] for k in runs], label="B, held out")
    right.barh(y - 0.2, [run["task_a_accuracy"] for run in runs.values()], height=0.4,
               color=[COLORS[k] for k in runs], alpha=0.4, hatch="//", label="A (old head)")
    right.axvline(a_accuracy, color="black", linestyle=":", linewidth=1)
    right.set_yticks(y, names)
    right.invert_yaxis()
    right.set_xlim(0, 1)
    right.set_xlabel("accuracy at the end")
    right.set_title("What each run knows at the end\nsolid: B, hatched: A "
                    "(dotted: A when pre-trained)", fontsize=9)
    right.grid(True, axis="x", alpha=0.3)
    return figure


if __name__ == "__main__":
    main()
