"""The course's experiments: one real task (the handwritten digits) for chapters 4–8, the
noise experiment of chapter 3, momentum's convergence rates for chapter 4, and the
"predict then run" questions of chapters 4–6.

The chapters call these functions and print what they return; ``tests/test_course_tasks.py``
runs them too and pins the printed numbers, so a chapter's claim is tested code. Only the
public API of ``tinygrad_edu`` is used (and scikit-learn's bundled digits, as demo 05).
"""
import math

import numpy as np

from tinygrad_edu import Tensor, load, manual_seed, nn, no_grad, optim, save
from tinygrad_edu.data import DataLoader, TensorDataset
from tinygrad_edu.nn import functional as F
from tinygrad_edu.optim import lr_scheduler

__all__ = ["digits", "DIGITS_OPTIMIZERS", "train_digits", "compare_on_digits", "summary_table",
           "plot_digits_curves", "resume_on_digits", "transfer_on_digits",
           "rastrigin", "rastrigin_gradient", "noise_experiment",
           "quadratic", "gd_rate", "momentum_rate", "optimal_settings", "measured_rate",
           "direction_rates", "rates_figure", "kappa_explorer", "PREDICTIONS", "predict"]

SEEDS = (0, 1, 2)
EPOCHS = 10
BATCH_SIZE = 32
HIDDEN = 32


# ----------------------------------------------------------------------------- the digits
_DIGITS = {}


def digits():
    """``(X_train, y_train, X_val, y_val)``: scikit-learn's 1,797 8×8 digits scaled to [0, 1],
    a quarter held out for validation (one fixed split, the same in every chapter)."""
    if not _DIGITS:
        try:
            from sklearn.datasets import load_digits
        except ImportError:
            raise ImportError("the digits task uses scikit-learn's bundled digits: "
                              "pip install scikit-learn") from None
        data = load_digits()
        X, y = data.data.astype(np.float64) / 16.0, data.target.astype(np.int64)
        order = np.random.default_rng(0).permutation(len(X))
        val, train = order[:len(X) // 4], order[len(X) // 4:]
        _DIGITS["split"] = (X[train], y[train], X[val], y[val])
    return _DIGITS["split"]


# name -> params -> optimizer. Each gets the learning rate usual for its kind (SGD's η is
# a step per unit gradient; momentum multiplies the step by about 1/(1 − μ) = 10; Adam's η is
# the step itself), all with the same initialisation and the same mini-batches.
DIGITS_OPTIMIZERS = {
    "SGD": lambda p: optim.SGD(p, lr=0.1),
    "Momentum": lambda p: optim.SGD(p, lr=0.05, momentum=0.9),
    "Nesterov": lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    "Adam": lambda p: optim.Adam(p, lr=3e-3),
    "AdamW": lambda p: optim.AdamW(p, lr=3e-3, weight_decay=0.05),
    "RAdam": lambda p: optim.RAdam(p, lr=3e-3),
    "AdaBelief": lambda p: optim.AdaBelief(p, lr=3e-3),
    "Lion": lambda p: optim.Lion(p, lr=1e-3),
}


def new_digits_model(seed):
    """The MLP 64 → 32 → 10 with seed ``seed``'s initialisation (the same for every optimizer)."""
    manual_seed(seed)
    return nn.MLP([64, HIDDEN, 10])


def evaluate(model, X, y):
    """``(loss, accuracy)`` of ``model`` on ``(X, y)``, without recording a graph."""
    with no_grad():
        logits = model(X)
        return F.cross_entropy(logits, y).item(), float((logits.data.argmax(axis=1) == y).mean())


def train_digits(make_optimizer, seed=0, epochs=EPOCHS, schedule=None, data=None):
    """Train the digits MLP with ``make_optimizer(params)``; returns a dict of per-epoch
    ``val_loss``, ``val_accuracy`` and the ``learning_rates`` used, and the ``model``.

    ``seed`` fixes the initialisation and the mini-batch order (the loader's own generator),
    so two optimizers with the same seed start from the same weights and see the same batches.
    ``schedule(optimizer, epochs)`` makes an lr scheduler stepped once per epoch.
    ``data`` replaces the split of :func:`digits` (a tuple of four arrays).
    """
    X, y, X_val, y_val = digits() if data is None else data
    model = new_digits_model(seed)
    optimizer = make_optimizer(model.parameters())
    scheduler = schedule(optimizer, epochs) if schedule is not None else None
    loader = DataLoader(TensorDataset(X, y), batch_size=BATCH_SIZE, shuffle=True, seed=seed)
    history = {"val_loss": [], "val_accuracy": [], "learning_rates": []}
    for _ in range(epochs):
        history["learning_rates"].append(optimizer.param_groups[0]["lr"])
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if scheduler is not None:
            scheduler.step()
        loss, accuracy = evaluate(model, X_val, y_val)
        history["val_loss"].append(loss)
        history["val_accuracy"].append(accuracy)
    history["model"] = model
    return history


def compare_on_digits(names, seeds=SEEDS, epochs=EPOCHS, optimizers=None, schedules=None):
    """Train every optimizer in ``names`` once per seed; returns ``name -> result`` where
    result holds the ``(seeds, epochs)`` arrays ``val_loss`` and ``val_accuracy``.

    ``optimizers`` maps a name to its factory (default :data:`DIGITS_OPTIMIZERS`);
    ``schedules`` maps a name to a schedule for :func:`train_digits` (default: none), so a
    name such as ``"Momentum + cosine"`` can pair a factory with a schedule.
    """
    optimizers = {**DIGITS_OPTIMIZERS, **(optimizers or {})}
    schedules = schedules or {}
    results = {}
    for name in names:
        runs = [train_digits(optimizers[name], seed, epochs, schedules.get(name)) for seed in seeds]
        results[name] = {key: np.array([r[key] for r in runs])
                         for key in ("val_loss", "val_accuracy", "learning_rates")}
    return results


def summary_table(results):
    """Lines "name  accuracy mean ± std  loss mean ± std" at the last epoch (std over seeds)."""
    lines = [f"{'':20s} {'val accuracy':>18s} {'val loss':>18s}   (last epoch, mean ± std "
             f"over {len(next(iter(results.values()))['val_loss'])} seeds)"]
    for name, r in results.items():
        acc, loss = r["val_accuracy"][:, -1], r["val_loss"][:, -1]
        lines.append(f"{name:20s} {100 * acc.mean():9.1f}% ± {100 * acc.std():4.1f}  "
                     f"{loss.mean():11.3f} ± {loss.std():.3f}")
    return "\n".join(lines)


def plot_digits_curves(results, title=None):
    """Validation loss and accuracy per epoch: the mean over seeds, with the min–max band."""
    from matplotlib.figure import Figure
    figure = Figure(figsize=(9, 3.4), dpi=80)
    axes = figure.subplots(1, 2)
    for name, r in results.items():
        for ax, key in zip(axes, ("val_loss", "val_accuracy")):
            values = r[key]
            epochs = np.arange(1, values.shape[1] + 1)
            line, = ax.plot(epochs, values.mean(axis=0), label=name)
            ax.fill_between(epochs, values.min(axis=0), values.max(axis=0),
                            color=line.get_color(), alpha=0.2)
    axes[0].set_yscale("log")
    axes[0].set_ylabel("validation loss")
    axes[1].set_ylabel("validation accuracy")
    for ax in axes:
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
    if title:
        figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    return figure


def _weights(model):
    return np.concatenate([p.data.ravel() for p in model.parameters()])


def resume_on_digits(seed=0, epochs=6, stop_after=3, lr=3e-3, path=None):
    """Interrupt an Adam run on the digits after ``stop_after`` epochs and resume it three ways.

    The checkpoint (model, optimizer and loader ``state_dict``) is written to ``path`` with
    ``tinygrad_edu.save`` and read back with ``tinygrad_edu.load`` when a path is given (kept
    in memory otherwise).

    Returns a dict with, for each of ``"model + optimizer + loader"``, ``"model + loader"``
    (weights only, a fresh Adam) and ``"model only"`` (fresh Adam, fresh batch order), the
    per-step largest weight difference from the uninterrupted run (``"distance"``) and the
    final validation loss (``"val_loss"``); and the uninterrupted run's ``"val_loss"``.
    """
    X, y, X_val, y_val = digits()

    def start():
        model = new_digits_model(seed)
        return (model, optim.Adam(model.parameters(), lr=lr),
                DataLoader(TensorDataset(X, y), batch_size=BATCH_SIZE, shuffle=True, seed=seed))

    def run(model, optimizer, loader, n_epochs):
        snapshots = []
        for _ in range(n_epochs):
            for xb, yb in loader:
                loss = F.cross_entropy(model(xb), yb)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                snapshots.append(_weights(model))
        return snapshots

    model, optimizer, loader = start()
    reference = run(model, optimizer, loader, epochs)
    result = {"uninterrupted": {"val_loss": evaluate(model, X_val, y_val)[0]}}

    model, optimizer, loader = start()
    run(model, optimizer, loader, stop_after)
    checkpoint = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                  "loader": loader.state_dict()}
    if path is not None:
        save(checkpoint, path)
        checkpoint = load(path)
    steps_done = stop_after * len(loader)
    for how in ("model + optimizer + loader", "model + loader", "model only"):
        model, optimizer, loader = start()
        model.load_state_dict(checkpoint["model"])
        if "optimizer" in how:
            optimizer.load_state_dict(checkpoint["optimizer"])
        if "loader" in how:
            loader.load_state_dict(checkpoint["loader"])
        after = run(model, optimizer, loader, epochs - stop_after)
        distance = np.array([np.max(np.abs(a - b)) for a, b in zip(after, reference[steps_done:])])
        result[how] = {"distance": distance, "val_loss": evaluate(model, X_val, y_val)[0]}
    result["steps_before"] = steps_done
    return result


def transfer_on_digits(seed=0, pretrain_epochs=10, per_class=10, finetune_steps=30, lr=1e-2):
    """Pre-train on the digits 0–4, then fine-tune on 5–9 from only ``per_class`` images of
    each (full batch, ``finetune_steps`` Adam steps); compare with training from scratch.

    The pre-trained network keeps its hidden layer (the features) and gets a new output layer
    (the head: the same fresh initialisation the scratch network has). Returns ``how ->
    validation accuracy on the digits 5–9`` for ``"from scratch"``, ``"pre-trained, new Adam"``
    and ``"pre-trained, old Adam state"`` (the pre-training optimizer's state loaded, as the
    seed post on optimizer state asks about).
    """
    X, y, X_val, y_val = digits()
    old = y < 5
    model = new_digits_model(seed)
    optimizer = optim.Adam(model.parameters(), lr=3e-3)
    loader = DataLoader(TensorDataset(X[old], y[old]), batch_size=BATCH_SIZE, shuffle=True,
                        seed=seed)
    for _ in range(pretrain_epochs):
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    pretrained, old_state = model.state_dict(), optimizer.state_dict()

    rng = np.random.default_rng(seed)
    few = np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False)
                          for c in range(5, 10)])
    val_new = y_val >= 5
    result = {}
    for how in ("from scratch", "pre-trained, new Adam", "pre-trained, old Adam state"):
        model = new_digits_model(seed + 100)          # a fresh init: the scratch net, the head
        if how != "from scratch":
            weights = dict(pretrained)
            weights["2.weight"], weights["2.bias"] = model.state_dict()["2.weight"], \
                model.state_dict()["2.bias"]
            model.load_state_dict(weights)
        optimizer = optim.Adam(model.parameters(), lr=lr)
        if how.endswith("old Adam state"):
            optimizer.load_state_dict(old_state)
            for group in optimizer.param_groups:      # the state, at this run's rate
                group["lr"] = lr
        for _ in range(finetune_steps):
            loss = F.cross_entropy(model(X[few]), y[few])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        result[how] = evaluate(model, X_val[val_new], y_val[val_new])[1]
    return result


# ----------------------------------------------------------------------------- chapter 3
RASTRIGIN_A = 10.0


def rastrigin(x):
    """f(x) = x² + A·(1 − cos 2πx), A = 10: a bowl with a local minimum near every integer;
    the global one is x = 0 (f = 0), the one near ±k lies about k² higher."""
    return x ** 2 + RASTRIGIN_A * (1 - np.cos(2 * np.pi * x))


def rastrigin_gradient(x):
    """f'(x) = 2x + 2πA·sin 2πx."""
    return 2 * x + 2 * np.pi * RASTRIGIN_A * np.sin(2 * np.pi * x)


def noise_experiment(batch_sizes=(None, 64, 16, 4, 1), runs=400, steps=3000, lr=2e-3,
                     spread=120.0, n_samples=1000, seed=0, anneal=False):
    """Stochastic vs full-batch gradient descent on the 1-D Rastrigin function.

    The training set is ``n_samples`` numbers bᵢ (drawn with standard deviation ``spread``,
    then centred so their mean is exactly 0); sample i's loss is f(x) + bᵢ·x, so the
    full-batch loss is exactly f and a mini-batch's gradient is f'(x) + mean of its bᵢ:
    the true gradient plus noise of size ≈ spread/√batch. ``runs`` runs start at x₀ drawn
    uniformly in [−4.5, 4.5] (the same starts for every batch size) and take ``steps``
    steps of ``optim.SGD(lr)``; all runs move at once as the coordinates of one Tensor.
    ``anneal=True`` lowers the rate to 0 along a cosine (``CosineAnnealingLR``) over the run,
    so the noise's kicks, lr × noise, die out and every run settles in some basin.

    Returns ``batch size -> {"noise": the gradient noise's std, "global": fraction of runs
    ending in the global basin |x| < 0.5, "started": fraction that started there, "stayed":
    fraction of those that are there at the end,
    "final_loss": mean f at the end}``; ``None`` is full batch (no noise).
    """
    rng = np.random.default_rng(seed)
    b = rng.normal(0.0, spread, n_samples)
    b -= b.mean()
    starts = rng.uniform(-4.5, 4.5, runs)
    result = {}
    for batch in batch_sizes:
        draw = np.random.default_rng(seed + 1)           # the same batches' randomness
        x = Tensor(starts.copy(), requires_grad=True)
        opt = optim.SGD([x], lr=lr)
        schedule = lr_scheduler.CosineAnnealingLR(opt, T_max=steps) if anneal else None
        for _ in range(steps):
            noise = 0.0 if batch is None else b[draw.integers(0, n_samples, (runs, batch))].mean(1)
            x.grad = rastrigin_gradient(x.data) + noise
            opt.step()
            if schedule is not None:
                schedule.step()
        noise_std = 0.0 if batch is None else spread / math.sqrt(batch)
        result[batch] = {"noise": noise_std, "global": float(np.mean(np.abs(x.data) < 0.5)),
                         "started": float(np.mean(np.abs(starts) < 0.5)),
                         "stayed": float(np.mean(np.abs(x.data[np.abs(starts) < 0.5]) < 0.5)),
                         "final_loss": float(np.mean(rastrigin(x.data)))}
    return result


# ----------------------------------------------------------------------------- chapter 4
def quadratic(eigenvalues, angle=math.pi / 6):
    """The Hessian H = Q·diag(λ)·Qᵀ of f(w) = ½wᵀHw in 2-D, its axes turned by ``angle``."""
    c, s = math.cos(angle), math.sin(angle)
    Q = np.array([[c, -s], [s, c]])
    return Q @ np.diag(eigenvalues) @ Q.T


def gd_rate(kappa):
    """Gradient descent's best rate (κ − 1)/(κ + 1), at η = 2/(λ_min + λ_max)."""
    return (kappa - 1) / (kappa + 1)


def momentum_rate(kappa):
    """Heavy-ball momentum's best rate (√κ − 1)/(√κ + 1), at η = 4/(√λ_max + √λ_min)² and
    μ = ((√κ − 1)/(√κ + 1))²."""
    return (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)


def optimal_settings(lam_min, lam_max):
    """``{"gd_lr", "momentum_lr", "momentum"}``: the settings that reach the two rates above."""
    root_min, root_max = math.sqrt(lam_min), math.sqrt(lam_max)
    return {"gd_lr": 2 / (lam_min + lam_max), "momentum_lr": 4 / (root_max + root_min) ** 2,
            "momentum": ((root_max - root_min) / (root_max + root_min)) ** 2}


def direction_rates(lam, lr, momentum=0.0):
    """How much one eigen-direction (curvature λ) shrinks per step, for ``optim.SGD``.

    Without momentum the direction's coordinate is multiplied by (1 − ηλ); with momentum μ
    the pair (coordinate, previous coordinate) is multiplied by [[1 + μ − ηλ, −μ], [1, 0]],
    whose larger eigenvalue in size is the rate (√μ when they are complex).
    """
    if momentum == 0:
        return abs(1 - lr * lam)
    step = np.array([[1 + momentum - lr * lam, -momentum], [1.0, 0.0]])
    return float(max(abs(np.linalg.eigvals(step))))


def measured_rate(H, make_optimizer, steps=300, window=100, start=(1.0, 1.0)):
    """The measured rate: (‖w_steps‖/‖w_(steps − window)‖)^(1/window) for the optimizer run on
    f(w) = ½wᵀHw (gradient Hw) from ``start``; also returns the distances per step."""
    w = Tensor(np.array(start, dtype=np.float64), requires_grad=True)
    opt = make_optimizer([w])
    distances = [float(np.linalg.norm(w.data))]
    for _ in range(steps):
        w.grad = H @ w.data
        opt.step()
        distances.append(float(np.linalg.norm(w.data)))
    distances = np.array(distances)
    window = min(window, steps)
    return (distances[-1] / distances[-1 - window]) ** (1 / window), distances


def rates_figure(kappas=(2, 5, 10, 20, 50, 100, 200), lam_min=0.1, measured=None):
    """The two theoretical rates against κ (log axis) with the measured ones as dots."""
    from matplotlib.figure import Figure
    figure = Figure(figsize=(6, 3.4), dpi=80)
    ax = figure.subplots()
    grid = np.geomspace(min(kappas), max(kappas), 100)
    ax.semilogx(grid, [gd_rate(k) for k in grid], label="GD (κ − 1)/(κ + 1)")
    ax.semilogx(grid, [momentum_rate(k) for k in grid], label="momentum (√κ − 1)/(√κ + 1)")
    if measured:
        ks = sorted(measured)
        ax.plot(ks, [measured[k][0] for k in ks], "o", color="C0", label="GD, measured")
        ax.plot(ks, [measured[k][1] for k in ks], "s", color="C1", label="momentum, measured")
    ax.set_xlabel("condition number κ = λ_max / λ_min")
    ax.set_ylabel("rate per step")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
    figure.tight_layout()
    return figure


def convergence_figure(kappa, lam_min=0.1, steps=150):
    """‖w‖ per step on the quadratic with condition number κ: GD and momentum at their best
    settings, with the theoretical rates as dashed lines."""
    from matplotlib.figure import Figure
    H = quadratic([lam_min, kappa * lam_min])
    best = optimal_settings(lam_min, kappa * lam_min)
    _, gd = measured_rate(H, lambda p: optim.SGD(p, lr=best["gd_lr"]), steps=steps)
    _, mom = measured_rate(H, lambda p: optim.SGD(p, lr=best["momentum_lr"],
                                                  momentum=best["momentum"]), steps=steps)
    figure = Figure(figsize=(6, 3.4), dpi=80)
    ax = figure.subplots()
    t = np.arange(steps + 1)
    ax.semilogy(t, gd, label=f"GD, η = {best['gd_lr']:.3g}")
    ax.semilogy(t, mom, label=f"momentum, η = {best['momentum_lr']:.3g}, μ = {best['momentum']:.3f}")
    ax.semilogy(t, gd[0] * gd_rate(kappa) ** t, "--", color="C0", lw=0.8,
                label="(κ − 1)/(κ + 1) per step")
    ax.semilogy(t, mom[0] * momentum_rate(kappa) ** t, "--", color="C1", lw=0.8,
                label="(√κ − 1)/(√κ + 1) per step")
    ax.set_title(f"κ = {kappa:g}", fontsize=10)
    ax.set_xlabel("step")
    ax.set_ylabel("distance to the minimum")
    ax.set_ylim(1e-16, 10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.02, 0.5))
    figure.tight_layout()
    return figure


def kappa_explorer(kappa=20.0):
    """A κ slider redrawing :func:`convergence_figure`; None (with a message) without ipywidgets."""
    try:
        import ipywidgets as widgets
        from IPython.display import display
    except ImportError:
        print("ipywidgets is not installed: pip install -e '.[notebooks]' for the slider")
        return None
    slider = widgets.FloatLogSlider(value=kappa, base=10, min=0, max=3, step=0.05,
                                    description="κ")

    def redraw(kappa):
        display(convergence_figure(kappa))
        return kappa

    return widgets.interactive(redraw, kappa=slider)


# ----------------------------------------------------------------------------- predictions
def _saddle_sgd_y(steps=3, lr=0.1):              # ch4: x² − y² from (2, 0.001)
    from tinygrad_edu.landscapes import LANDSCAPES
    from _course import optimizer_path
    return float(optimizer_path(LANDSCAPES["saddle"], "SGD", lr, steps=steps)[-1, 1])


def _saddle_momentum_y(steps=3, lr=0.1, momentum=0.9):
    from _course import optimizer_path
    return float(optimizer_path("saddle", "Momentum", lr, momentum, steps=steps)[-1, 1])


def _adam_first_step(g=1e-3, lr=0.1):            # ch5: Adam's first step for a tiny gradient
    p = Tensor(np.array([0.0]), requires_grad=True)
    opt = optim.Adam([p], lr=lr)
    p.grad = np.array([g])
    opt.step()
    return float(-p.data[0])


def _adamw_idle_weight(steps=100, lr=0.01, wd=0.1):   # ch6: a weight whose gradient is 0
    p = Tensor(np.array([1.0]), requires_grad=True)
    opt = optim.AdamW([p], lr=lr, weight_decay=wd)
    for _ in range(steps):
        p.grad = np.array([0.0])
        opt.step()
    return float(p.data[0])


# name -> (what the library run gives, how close counts as right, a hint for a miss)
PREDICTIONS = {
    "ch4.saddle_sgd_y3": (_saddle_sgd_y, 1e-9,
                          "each SGD step multiplies y by (1 + 2η): y₃ = 0.001·1.2³"),
    "ch4.saddle_momentum_y3": (_saddle_momentum_y, 1e-9,
                               "with momentum the pushes add up: b₁ = g₁, b₂ = μb₁ + g₂, ..."),
    "ch5.adam_first_step": (_adam_first_step, 1e-6,
                            "m̂₁ = g and v̂₁ = g², so the first step is η·g/(|g| + ε) ≈ η "
                            "whatever the size of g"),
    "ch6.adamw_idle_weight": (_adamw_idle_weight, 1e-6,
                              "with g = 0 Adam's part is 0; only θ ← θ(1 − ηλ) acts, 100 times"),
}


def predict(name, guess):
    """Compare a learner's prediction with the run; prints one line and returns the run's value.

    ``guess`` None (not written yet) prints what to do and returns None.
    """
    run, tolerance, hint = PREDICTIONS[name]
    if guess is None:
        print(f"{name}: write your prediction in `guess` first, then run this cell")
        return None
    value = run()
    off = abs(float(guess) - value)
    if off <= tolerance + 1e-3 * abs(value):
        print(f"{name}: right — the run gives {value:.6g} (you said {float(guess):.6g})")
    else:
        print(f"{name}: the run gives {value:.6g}, you said {float(guess):.6g} "
              f"(off by {off:.3g}). Hint: {hint}")
    return value
