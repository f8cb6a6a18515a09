"""Training pictures with matplotlib: optimizer paths on a landscape (still and animated),
loss/accuracy curves, and a classifier's decision regions.

Every function returns a ``matplotlib.figure.Figure``. Without ``ax`` a new Figure is made
directly (``matplotlib.figure.Figure``, not ``pyplot``): no window is opened, nothing is kept in
pyplot's global list of figures, and it works on a server without a display. With ``ax`` the
picture is drawn into your axes and their figure is returned. Save with
``fig.savefig("name.png")``; in Jupyter a returned Figure is displayed.
"""
import numbers
import os

import numpy as np

__all__ = ["plot_trajectories", "animate_trajectories", "plot_history",
           "plot_decision_boundary", "save_figure"]

_VIZ_EXTRA = 'pip install "tinygrad_edu[viz]"'


def _matplotlib():
    try:
        import matplotlib
        import matplotlib.figure  # noqa: F401  (makes matplotlib.figure available)
    except ImportError as error:
        raise ImportError(f"plotting needs matplotlib: {_VIZ_EXTRA}") from error
    return matplotlib


def save_figure(draw, path, dpi=100, what="picture"):
    """Draw a figure off-screen with pyplot and save it to ``path`` (folders made as needed).

    ``draw(plt)`` gets ``matplotlib.pyplot`` and returns the Figure; it is closed once saved.
    Returns ``path``, or None after saying how to install matplotlib when it is missing, so
    a demo still prints its story without the optional package.
    """
    try:
        import matplotlib
        matplotlib.use("Agg")   # no window, no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"matplotlib is not installed: no picture ({_VIZ_EXTRA})")
        return None
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    figure = draw(plt)
    figure.savefig(path, dpi=dpi)
    plt.close(figure)
    print(f"\n{what} written to {path}")
    return path


def _figure_and_axes(ax, figsize=(6.0, 4.5)):
    """The axes to draw into and their figure: a fresh off-screen Figure when ``ax`` is None."""
    matplotlib = _matplotlib()
    if ax is not None:
        return ax.figure, ax
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = matplotlib.figure.Figure(figsize=figsize, dpi=100)
    FigureCanvasAgg(figure)  # draw with Agg (off-screen), whatever pyplot's backend is
    return figure, figure.add_subplot()


# ------------------------------------------------------------------------ trajectories
def _named_paths(trajectories):
    """``{name: (n, 2) float array}`` from a dict, a list of paths, or one path."""
    if isinstance(trajectories, dict):
        items = list(trajectories.items())
    else:
        if isinstance(trajectories, np.ndarray) and trajectories.ndim == 2:
            trajectories = [trajectories]
        items = [(f"path {i}", t) for i, t in enumerate(trajectories)]
    paths = {}
    for name, path in items:
        path = np.asarray(path, dtype=np.float64)
        if path.ndim != 2 or path.shape[1] != 2:
            raise ValueError(f"trajectory {name!r} must have shape (steps + 1, 2) — one (x, y) "
                             f"row per step, as run_optimizer returns — got {path.shape}")
        paths[str(name)] = path
    if not paths:
        raise ValueError("no trajectories to plot: pass a dict name -> path or a list of paths")
    return paths


# A light, single-hue background (white = low, grey = high) so that paths drawn in the
# qualitative colours below stay distinct on it: on viridis, a blue, green or yellow path
# disappears into the part of the map that has its colour.
_LANDSCAPE_CMAP = "Greys"
# Qualitative colours for paths (tab10 without its grey, which is the background's colour).
PATH_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
               "#bcbd22", "#17becf"]


def _draw_landscape(ax, landscape, resolution=200, colorbar=True):
    """Filled contours of ``landscape`` over its bounds (log-spaced levels where it helps), with
    a colour bar saying what the shades mean; returns the filled ContourSet."""
    matplotlib = _matplotlib()
    (xmin, xmax), (ymin, ymax) = landscape.bounds
    xs, ys = np.meshgrid(np.linspace(xmin, xmax, resolution), np.linspace(ymin, ymax, resolution))
    zs = np.asarray(landscape(xs, ys), dtype=np.float64)  # the formula runs on whole arrays
    if getattr(landscape, "log_levels", False):
        # Values from ~0 to thousands: equal steps would put every contour on the walls and
        # none in the valley, so space the levels evenly in log(f).
        low = max(float(zs.min()), float(zs.max()) * 1e-6)  # the minimum itself is 0: log(0)
        levels = np.logspace(np.log10(low), np.log10(float(zs.max())), 30)
        norm = matplotlib.colors.LogNorm(vmin=levels[0], vmax=levels[-1])
        zs = np.maximum(zs, levels[0])
    else:
        levels, norm = 30, None
    filled = ax.contourf(xs, ys, zs, levels=levels, norm=norm, cmap=_LANDSCAPE_CMAP, alpha=0.5)
    ax.contour(xs, ys, zs, levels=levels, norm=norm, colors="white", linewidths=0.4, alpha=0.8)
    if colorbar:
        landscape_colorbar(filled, ax)
    for i, (mx, my) in enumerate(landscape.minima):
        ax.plot(mx, my, marker="*", markersize=14, color="gold", markeredgecolor="black",
                linestyle="none", label="minimum" if i == 0 else None, zorder=5)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(f"{landscape.name}: {getattr(landscape, 'formula', '')}", fontsize=10)
    return filled


_PATHS_FIGSIZE = (6.0, 5.6)  # room for the colour bar on the right and the legend below


def _path_color(i, name, colors):
    """The colour of the i-th path: ``colors[name]`` if given, else the i-th qualitative one."""
    if colors and name in colors:
        return colors[name]
    return PATH_COLORS[i % len(PATH_COLORS)]


def landscape_colorbar(filled, ax):
    """A colour bar for the filled contours ``filled`` beside ``ax`` (an Axes or a list of Axes
    sharing it), labelled f(x, y); a log scale gets whole decades as ticks."""
    ticks = None
    if isinstance(filled.norm, _matplotlib().colors.LogNorm):
        levels = filled.levels
        decades = np.arange(np.ceil(np.log10(levels[0])), np.floor(np.log10(levels[-1])) + 1)
        ticks = 10.0 ** decades
    figure = ax[0].figure if isinstance(ax, (list, tuple, np.ndarray)) else ax.figure
    bar = figure.colorbar(filled, ax=ax, fraction=0.046, pad=0.02, ticks=ticks)
    bar.set_label("f(x, y)" + (" (log scale)" if ticks is not None else ""), fontsize=8)
    bar.ax.tick_params(labelsize=7)
    return bar


def _path_label(name, path):
    diverged = np.isnan(path).any()
    return f"{name} (diverged)" if diverged else name


def plot_trajectories(landscape, trajectories, ax=None, *, colors=None, colorbar=True,
                      legend=True):
    """Optimizer paths drawn on the contour map of a landscape.

    ``trajectories``: a dict ``name -> path`` (a legend entry each), a list of paths, or one
    path; a path is an ``(steps + 1, 2)`` array as returned by
    :func:`tinygrad_edu.landscapes.run_optimizer`. NaN rows (a diverged run) end the line, and
    its legend entry says "(diverged)". Starts are marked with a black circle, minima with a
    gold star; a colour bar gives f's scale. Paths get distinct qualitative colours in order,
    or ``colors[name]`` when given (to keep one optimizer's colour across several panels).
    The legend goes below the axes, where it hides nothing (``legend=False``: none; small
    multiples can share one). Returns the Figure.
    """
    paths = _named_paths(trajectories)
    figure, ax = _figure_and_axes(ax, figsize=_PATHS_FIGSIZE)
    _draw_landscape(ax, landscape, colorbar=colorbar)
    starts = []
    for i, (name, path) in enumerate(paths.items()):
        ax.plot(path[:, 0], path[:, 1], marker="o", markersize=2, linewidth=1.6, alpha=0.9,
                color=_path_color(i, name, colors), label=_path_label(name, path), zorder=4)
        if not any(np.array_equal(path[0], s) for s in starts):
            starts.append(path[0])
    for i, (sx, sy) in enumerate(starts):
        ax.plot(sx, sy, marker="o", markersize=8, color="black", linestyle="none",
                label="start" if i == 0 else None, zorder=6)
    if legend:
        _legend_below(ax)
    return figure


def _legend_below(ax):
    """The legend under the axes, in columns: inside, it would hide the paths or the minimum."""
    entries = len(ax.get_legend_handles_labels()[1])
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), fontsize=8, framealpha=0.8,
              ncol=min(4, max(1, entries)), borderaxespad=0.0)
    ax.figure.tight_layout()


def animate_trajectories(landscape, trajectories, path, fps=20, *, max_frames=100):
    """Write a GIF of the paths being traced step by step over the landscape; returns ``path``.

    Uses ``matplotlib.animation`` with the Pillow writer (``pip install pillow``). Long runs
    are shown with every k-th step so the GIF has at most ``max_frames`` frames (plus the
    final one).
    """
    _matplotlib()
    from matplotlib import animation

    try:
        import PIL  # noqa: F401  (the Pillow writer needs it)
    except ImportError as error:
        raise ImportError(f"writing a GIF needs pillow: {_VIZ_EXTRA}") from error
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps!r}")
    paths = _named_paths(trajectories)
    figure, ax = _figure_and_axes(None, figsize=_PATHS_FIGSIZE)
    _draw_landscape(ax, landscape)
    lines = {}
    heads = {}
    for i, (name, xy) in enumerate(paths.items()):
        (lines[name],) = ax.plot([], [], linewidth=1.6, label=_path_label(name, xy), zorder=4,
                                 color=_path_color(i, name, None))
        (heads[name],) = ax.plot([], [], marker="o", markersize=6, linestyle="none",
                                 color=lines[name].get_color(), zorder=5)
    for sx, sy in {tuple(xy[0]) for xy in paths.values()}:
        ax.plot(sx, sy, marker="o", markersize=8, color="black", linestyle="none", zorder=6)
    _legend_below(ax)
    counter = ax.text(0.02, 0.02, "", transform=ax.transAxes, color="black", fontsize=9)

    longest = max(len(xy) for xy in paths.values())
    stride = max(1, int(np.ceil((longest - 1) / max_frames)))
    frames = list(range(0, longest, stride))
    if frames[-1] != longest - 1:
        frames.append(longest - 1)

    def draw_frame(step):
        for name, xy in paths.items():
            shown = xy[: step + 1]
            lines[name].set_data(shown[:, 0], shown[:, 1])
            finite = shown[np.isfinite(shown).all(axis=1)]
            heads[name].set_data(finite[-1:, 0], finite[-1:, 1])
        counter.set_text(f"step {step}")
        return list(lines.values()) + list(heads.values()) + [counter]

    movie = animation.FuncAnimation(figure, draw_frame, frames=frames, blit=False)
    movie.save(path, writer=animation.PillowWriter(fps=fps))
    return path


# ------------------------------------------------------------------------ history
def _as_floats(values):
    """Floats from numbers, Values or 1-element Tensors (their ``.data``)."""
    return np.array([float(v) if isinstance(v, numbers.Real) else np.asarray(v.data).item()
                     for v in values], dtype=np.float64)


def plot_history(history, ax=None):
    """Loss (and accuracy) curves from a training history.

    ``history``: a list of losses, or a dict of lists such as
    ``{"loss": [...], "accuracy": [...]}`` (one entry per epoch or per step; several series
    like ``"train_loss"``/``"val_loss"`` are fine). Series whose name contains ``"acc"`` are
    drawn against a second y-axis on the right (0 to 1); all others share the left one, on a
    log scale when they are positive and span more than a factor of 20.
    """
    if isinstance(history, dict):
        series = {str(k): _as_floats(v) for k, v in history.items()}
    else:
        series = {"loss": _as_floats(history)}
    if not series or all(len(v) == 0 for v in series.values()):
        raise ValueError("plot_history got an empty history: pass a list of losses or a dict "
                         "like {'loss': [...], 'accuracy': [...]}")
    figure, ax = _figure_and_axes(ax)
    losses = {k: v for k, v in series.items() if "acc" not in k.lower()}
    accuracies = {k: v for k, v in series.items() if "acc" in k.lower()}
    handles = []
    for name, values in losses.items():
        handles += ax.plot(np.arange(1, len(values) + 1), values, label=name)
    values = np.concatenate(list(losses.values())) if losses else np.array([])
    finite = values[np.isfinite(values)]
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > 20:
        ax.set_yscale("log")
    ax.set_xlabel("epoch / step")
    ax.set_ylabel("loss")
    if accuracies:
        right = ax.twinx()
        for name, values in accuracies.items():
            handles += right.plot(np.arange(1, len(values) + 1), values, linestyle="--",
                                  label=name, color=f"C{len(handles)}")
        if max(np.nanmax(v, initial=0.0) for v in accuracies.values()) <= 1.0:
            right.set_ylim(0.0, 1.05)  # fractions; percentages keep matplotlib's own limits
        right.set_ylabel("accuracy")
    ax.legend(handles=handles, labels=[h.get_label() for h in handles], loc="center right")
    ax.grid(True, alpha=0.3)
    return figure


# ------------------------------------------------------------------------ decision boundary
def _scores(model, points):
    """The model's outputs at ``points`` (an (n, 2) array) as a float array (n,) or (n, C)."""
    from ..graph import no_grad
    from ..scalar import Module as ScalarModule

    with no_grad():  # only evaluating: record no graph
        if isinstance(model, ScalarModule):  # micrograd-style: one point (a list) at a time
            outputs = []
            for point in points:
                out = model([float(c) for c in point])
                outputs.append([float(v.data) for v in out] if isinstance(out, list)
                               else float(out.data))
            scores = np.array(outputs, dtype=np.float64)
        else:  # a Tensor model (or any function of an (n, 2) array)
            out = model(points)
            scores = np.asarray(getattr(out, "data", out), dtype=np.float64)
    if scores.ndim == 2 and scores.shape[1] == 1:
        scores = scores[:, 0]
    if scores.shape[:1] != (len(points),) or scores.ndim > 2:
        raise ValueError(f"the model should map {len(points)} points to {len(points)} scores "
                         f"(shape (n,), (n, 1) or (n, C)); it returned shape {scores.shape}")
    return scores


def _predicted_class(scores):
    """Class index: sign of a single score (score > 0 → class 1), argmax of several."""
    return (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)


def plot_decision_boundary(model, X, y, ax=None, *, resolution=None):
    """The regions a 2-D classifier assigns to each class, with the data points on top.

    ``model`` maps points to scores:

    * a :mod:`tinygrad_edu.nn` module (or any function) taking an ``(n, 2)`` array and
      returning a Tensor or array of shape ``(n, C)`` — the class is the argmax — or ``(n, 1)``
      / ``(n,)`` — one logit or margin, class 1 where it is > 0;
    * a scalar :class:`tinygrad_edu.scalar.MLP` (micrograd-style), which takes one point as a
      list of floats and returns a Value (a margin: class 1 where > 0) or a list of Values.

    ``y``: the labels. With one score, the two classes are ``sorted(set(y))`` — so {0, 1} and
    {−1, +1} both work, the larger label where the score is > 0; with ``C`` scores, the labels
    are 0..C−1. The grid has ``resolution``² points (default 150, or 40 for a scalar model,
    whose evaluation is point by point). The title reports the accuracy on ``(X, y)``.
    """
    from ..scalar import Module as ScalarModule

    _matplotlib()  # say what to install before spending time on the model
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary draws 2-D inputs: X must have shape (n, 2), "
                         f"got {X.shape}")
    if y.shape != (len(X),):
        raise ValueError(f"y must have one label per row of X: shape ({len(X)},), got {y.shape}")
    if resolution is None:
        resolution = 40 if isinstance(model, ScalarModule) else 150

    margin_x = 0.1 * (np.ptp(X[:, 0]) or 1.0)
    margin_y = 0.1 * (np.ptp(X[:, 1]) or 1.0)
    xs, ys = np.meshgrid(
        np.linspace(X[:, 0].min() - margin_x, X[:, 0].max() + margin_x, resolution),
        np.linspace(X[:, 1].min() - margin_y, X[:, 1].max() + margin_y, resolution))
    grid = np.column_stack([xs.ravel(), ys.ravel()])
    grid_scores = _scores(model, grid)
    predicted = _predicted_class(grid_scores).reshape(xs.shape)

    if grid_scores.ndim == 1:
        labels = np.unique(y)
        if len(labels) > 2:
            raise ValueError(f"the model gives one score per point (a binary classifier) but y "
                             f"has {len(labels)} classes {labels.tolist()}; use a model with "
                             f"one output per class")
        point_class = np.searchsorted(labels, y)  # smaller label ↔ score ≤ 0
        n_classes = 2
    else:
        n_classes = grid_scores.shape[1]
        point_class = y.astype(int)
        if not np.array_equal(point_class, y) or point_class.min() < 0 \
                or point_class.max() >= n_classes:
            raise ValueError(f"the model gives {n_classes} scores per point, so y must hold "
                             f"class indices 0..{n_classes - 1}; got labels "
                             f"{np.unique(y).tolist()}")
    accuracy = float(np.mean(_predicted_class(_scores(model, X)) == point_class))

    figure, ax = _figure_and_axes(ax, figsize=(5.5, 5.0))
    cmap = _matplotlib().colormaps["tab10"]
    colors = [cmap(k % 10) for k in range(n_classes)]
    ax.contourf(xs, ys, predicted, levels=np.arange(n_classes + 1) - 0.5,
                colors=colors, alpha=0.25)
    if grid_scores.ndim == 1:  # the boundary itself: where the score crosses 0
        ax.contour(xs, ys, grid_scores.reshape(xs.shape), levels=[0.0], colors="black",
                   linewidths=1.0)
    for k in range(n_classes):
        chosen = point_class == k
        if chosen.any():
            name = labels[k] if grid_scores.ndim == 1 else k
            ax.scatter(X[chosen, 0], X[chosen, 1], s=14, color=colors[k], edgecolors="black",
                       linewidths=0.4, label=f"class {name}")
    ax.set_title(f"decision regions — accuracy {100 * accuracy:.1f}%", fontsize=10)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.legend(loc="best", fontsize=8)
    return figure
