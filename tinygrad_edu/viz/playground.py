"""The optimizer playground: one self-contained HTML page with sliders.

The learner picks a landscape, an optimizer and its settings, and sees the path on a contour
map and the loss curve change at once, in the spirit of distill.pub's "Why Momentum Really
Works". The page runs no optimizer itself: every path in it was computed here, in Python, by
:func:`tinygrad_edu.landscapes.run_optimizer` with the classes of :mod:`tinygrad_edu.optim`,
for every combination of slider positions (the grids below), and embedded in the page. Its
JavaScript only looks a path up by the slider positions and draws it, so what the learner
sees is exactly what this library does — there is no second copy of the update rules.

Encoding (compact, fixed width, so the page stays small; see :func:`encode_path`):

* a point ``(x, y)`` is two int16s, its position in a window five times the map's size
  (the map plus two map-widths on each side), so the rounding error is below 1/13,000 of the
  map; a point outside that window, or after a run diverged, is ``-32768`` (drawn as a gap);
* the loss at each point is a float32 (``NaN`` after a divergence);
* each optimizer's runs are concatenated in row-major order of its setting grids and stored
  base64-encoded, little-endian.

The map's background is a PNG drawn here with numpy (colour bands with darker edges where
the contour levels are crossed), written by a short PNG encoder (:func:`png_bytes`).

Only numpy and the standard library are used. ``python -m tinygrad_edu playground --out
page.html`` writes the page; it takes a few seconds (every run is a real training loop).
"""
import base64
import itertools
import json
import math
import os
import struct
import tempfile
import zlib

import numpy as np

from .. import optim
from ..landscapes import LANDSCAPES, run_optimizer

__all__ = ["OPTIMIZERS", "SETTINGS", "LANDSCAPE_GRIDS", "PRESETS", "make_optimizer",
           "settings_grid", "playground_data", "playground_html", "write_playground",
           "is_playground_page", "preset_fits", "encode_path", "decode_path"]

# name -> (the optimizer's setting names other than lr, what it does in one line)
OPTIMIZERS = {
    "SGD": ((), "θ ← θ − η·g: a step against the gradient, nothing remembered."),
    "Momentum": (("momentum",), "v ← μ·v + g, θ ← θ − η·v: a velocity that accumulates "
                                "(optim.SGD with momentum)."),
    "Nesterov": (("momentum",), "like Momentum, but the step uses g + μ·v, a look ahead "
                                "along the velocity (optim.SGD with nesterov=True)."),
    "AdaGrad": ((), "θ ← θ − η·g/√(Σg²): each coordinate's step shrinks with the sum of all "
                    "its past squared gradients (optim.Adagrad)."),
    "RMSprop": (("alpha",), "s ← α·s + (1−α)·g², θ ← θ − η·g/√s: a moving average of g² "
                            "instead of AdaGrad's sum (optim.RMSprop)."),
    "Adam": (("beta1", "beta2"), "momentum of g (β₁) and RMSprop's average of g² (β₂), both "
                                 "bias-corrected: θ ← θ − η·m̂/(√v̂ + ε) (optim.Adam)."),
}

# The slider stops of the settings other than lr (every landscape uses the same ones).
SETTINGS = {
    "momentum": {"Momentum": [0.0, 0.5, 0.8, 0.9, 0.95, 0.99],
                 "Nesterov": [0.5, 0.8, 0.9, 0.95, 0.99]},  # Nesterov needs μ > 0
    "alpha": {"RMSprop": [0.9, 0.99, 0.999]},
    "beta1": {"Adam": [0.0, 0.5, 0.9, 0.99]},
    "beta2": {"Adam": [0.9, 0.99, 0.999]},
}


def _series(lo, hi):
    """The 1-2-5 series from lo to hi: 0.01, 0.02, 0.05, 0.1, ... (the lr slider's stops)."""
    values = [m * 10.0 ** e for e in range(-6, 2) for m in (1, 2, 5)]
    return [float(f"{v:.6g}") for v in values if lo * 0.999 <= v <= hi * 1.001]


# landscape -> (steps, {optimizer: learning-rate stops}). Each range goes from "too timid"
# to "too wild" (a path that leaves the map or diverges), around the rates demo 15 uses.
# The grid's size is the generation time: about 800 runs, 150,000 optimizer steps.
LANDSCAPE_GRIDS = {
    "saddle": (100, {"SGD": _series(0.002, 0.1), "Momentum": _series(0.001, 0.05),
                     "Nesterov": _series(0.001, 0.05), "AdaGrad": _series(0.01, 0.5),
                     "RMSprop": _series(0.001, 0.05), "Adam": _series(0.001, 0.1)}),
    "ill_conditioned": (100, {"SGD": _series(0.01, 0.5) + [0.8, 0.95, 1.0, 1.02],
                              "Momentum": _series(0.01, 1.0) + [1.5],
                              "Nesterov": _series(0.01, 1.0) + [1.5],
                              "AdaGrad": _series(0.05, 5.0), "RMSprop": _series(0.005, 0.5),
                              "Adam": _series(0.01, 1.0)}),
    "rosenbrock": (300, {"SGD": _series(1e-4, 5e-3), "Momentum": _series(5e-5, 5e-3),
                         "Nesterov": _series(5e-5, 5e-3), "AdaGrad": _series(0.05, 5.0),
                         "RMSprop": _series(0.001, 0.1), "Adam": _series(0.005, 0.5)}),
    "himmelblau": (100, {"SGD": _series(0.001, 0.05), "Momentum": _series(2e-4, 0.02),
                         "Nesterov": _series(2e-4, 0.02), "AdaGrad": _series(0.05, 5.0),
                         "RMSprop": _series(0.005, 0.5), "Adam": _series(0.01, 1.0)}),
}

# "What to try": each sets the sliders and pins a second run to compare with.
PRESETS = [
    {"title": "Momentum in the narrow valley",
     "text": "SGD (grey) at its fastest stable rate, η = 0.95, still bounces across the "
             "steep direction and creeps along the flat one. Momentum with η = 1, μ = 0.5 "
             "ends 10²⁰ times lower in the same 100 steps. Now raise μ to 0.9: too much "
             "momentum overshoots and swings around the minimum.",
     "landscape": "ill_conditioned", "optimizer": "Momentum",
     "settings": {"lr": 1.0, "momentum": 0.5},
     "pin": {"optimizer": "SGD", "settings": {"lr": 0.95}}},
    {"title": "Adam vs SGD on the saddle",
     "text": "Starting a hair off the ridge, SGD (grey) slides to the saddle and lingers, "
             "since the push off it is proportional to the tiny y; Adam divides by the "
             "gradient's size and walks off at once.",
     "landscape": "saddle", "optimizer": "Adam",
     "settings": {"lr": 0.05, "beta1": 0.9, "beta2": 0.999},
     "pin": {"optimizer": "SGD", "settings": {"lr": 0.05}}},
    {"title": "One step too far",
     "text": "On the narrow valley, SGD is stable only for η < 1 (2 / the curvature 2): at "
             "η = 1.02 it bounces ever higher and diverges. Drag η back below 1.",
     "landscape": "ill_conditioned", "optimizer": "SGD", "settings": {"lr": 1.02},
     "pin": {"optimizer": "SGD", "settings": {"lr": 0.95}}},
    {"title": "AdaGrad stalls in the banana",
     "text": "AdaGrad divides by the sum of all past squared gradients, so its steps keep "
             "shrinking and it stops far from (1, 1); Adam (pinned) averages over recent "
             "gradients only and keeps walking along the valley floor.",
     "landscape": "rosenbrock", "optimizer": "AdaGrad", "settings": {"lr": 0.5},
     "pin": {"optimizer": "Adam", "settings": {"lr": 0.1, "beta1": 0.9, "beta2": 0.999}}},
    {"title": "Nesterov looks ahead",
     "text": "Same η and μ: Nesterov's look-ahead damps the overshoot that plain momentum "
             "(pinned) makes at the bottom of the valley.",
     "landscape": "ill_conditioned", "optimizer": "Nesterov",
     "settings": {"lr": 0.2, "momentum": 0.9},
     "pin": {"optimizer": "Momentum", "settings": {"lr": 0.2, "momentum": 0.9}}},
    {"title": "Which minimum?",
     "text": "Himmelblau's function has four minima. From (0, 0) SGD (pinned) stops at the "
             "nearest, (3, 2); momentum's inertia carries the point past it into another.",
     "landscape": "himmelblau", "optimizer": "Momentum",
     "settings": {"lr": 0.005, "momentum": 0.9},
     "pin": {"optimizer": "SGD", "settings": {"lr": 0.005}}},
]


def make_optimizer(name, params, lr, momentum=None, alpha=None, beta1=None, beta2=None):
    """The :mod:`tinygrad_edu.optim` optimizer the playground calls ``name``, on ``params``."""
    if name == "SGD":
        return optim.SGD(params, lr=lr)
    if name == "Momentum":
        return optim.SGD(params, lr=lr, momentum=momentum)
    if name == "Nesterov":
        return optim.SGD(params, lr=lr, momentum=momentum, nesterov=True)
    if name == "AdaGrad":
        return optim.Adagrad(params, lr=lr)
    if name == "RMSprop":
        return optim.RMSprop(params, lr=lr, alpha=alpha)
    if name == "Adam":
        return optim.Adam(params, lr=lr, betas=(beta1, beta2))
    raise ValueError(f"the playground has no optimizer {name!r}; choose one of "
                     f"{', '.join(OPTIMIZERS)}")


def settings_grid(landscape, optimizer, grids=None):
    """``[(setting name, [values])]`` for the sliders of ``optimizer`` on ``landscape``:
    lr first, then the others in :data:`OPTIMIZERS` order. The runs are stored in row-major
    order of this grid (the last setting varies fastest)."""
    grids = LANDSCAPE_GRIDS if grids is None else grids
    axes = [("lr", list(grids[landscape][1][optimizer]))]
    return axes + [(name, list(SETTINGS[name][optimizer])) for name in OPTIMIZERS[optimizer][0]]


def _window(landscape):
    """The int16 coordinates' window: the map plus two map-widths on every side."""
    (x0, x1), (y0, y1) = landscape.bounds
    w, h = x1 - x0, y1 - y0
    return (x0 - 2 * w, x1 + 2 * w, y0 - 2 * h, y1 + 2 * h)


_MISSING = -32768  # a point outside the window, or after the run diverged


def encode_path(path, window):
    """``(steps + 1, 2)`` float path -> int16 array of the same shape (see module docstring)."""
    x0, x1, y0, y1 = window
    lo, hi = np.array([x0, y0]), np.array([x1, y1])
    with np.errstate(invalid="ignore"):
        inside = np.all((path >= lo) & (path <= hi), axis=1)  # False for NaN rows
        q = np.rint((path - lo) / (hi - lo) * 65534.0 - 32767.0)
    q[~inside] = _MISSING
    return q.astype("<i2")


def decode_path(codes, window):
    """The inverse of :func:`encode_path` (up to its rounding); missing points are NaN."""
    x0, x1, y0, y1 = window
    lo, hi = np.array([x0, y0]), np.array([x1, y1])
    codes = np.asarray(codes, dtype=np.float64).reshape(-1, 2)
    path = (codes + 32767.0) / 65534.0 * (hi - lo) + lo
    path[np.any(codes == _MISSING, axis=1)] = np.nan
    return path


def _b64(array):
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


# A light version of the viridis colour map (5 anchors, blended 40% toward white), so that
# the red path and its grey companion stand out on any background.
_ANCHORS = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]],
                    dtype=float) * 0.6 + 255 * 0.4


def _colour(t):
    """Colours for values ``t`` in [0, 1] (an array), shape ``t.shape + (3,)``."""
    t = np.clip(t, 0, 1) * (len(_ANCHORS) - 1)
    i = np.minimum(t.astype(int), len(_ANCHORS) - 2)
    f = (t - i)[..., None]
    return _ANCHORS[i] * (1 - f) + _ANCHORS[i + 1] * f


def png_bytes(rgb):
    """An ``(h, w, 3)`` uint8 array as the bytes of a PNG file (8-bit RGB, no filtering)."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[row].tobytes() for row in range(h))  # filter 0 per row

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8 bits, RGB, deflate, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def _level_values(landscape, values):
    """What the colour bands are even in: log10 f for landscapes spanning many orders of
    magnitude (``landscape.log_levels``), f itself otherwise."""
    if landscape.log_levels:
        return np.log10(np.maximum(values, 0) + 1e-3)
    return values


def _contour_image(landscape, width, height, bands=16):
    """The map's background as a PNG data URI, and its colour bar ``[(colour, f), ...]``."""
    (x0, x1), (y0, y1) = landscape.bounds
    xs = np.linspace(x0, x1, width)
    ys = np.linspace(y1, y0, height)  # image rows go down, y goes up
    gx, gy = np.meshgrid(xs, ys)
    level = _level_values(landscape, landscape(gx, gy))
    lo, hi = float(level.min()), float(level.max())
    band = np.clip(np.floor((level - lo) / (hi - lo) * bands), 0, bands - 1)
    rgb = _colour((band + 0.5) / bands)
    edge = np.zeros(band.shape, bool)  # a pixel whose right or lower neighbour is in another band
    edge[:, :-1] |= band[:, 1:] != band[:, :-1]
    edge[:-1, :] |= band[1:, :] != band[:-1, :]
    rgb[edge] *= 0.72
    uri = "data:image/png;base64," + base64.b64encode(png_bytes(rgb.astype(np.uint8))).decode()
    edges = lo + (hi - lo) * np.arange(bands + 1) / bands
    if landscape.log_levels:
        f_edges = 10 ** edges - 1e-3
    else:  # round to a thousandth of the range: the grid's lowest 3e-4 is the minimum 0
        step = 10.0 ** math.floor(math.log10((hi - lo) / 1000))
        f_edges = np.round(edges / step) * step
    colours = ["#%02x%02x%02x" % tuple(int(c) for c in _colour((k + 0.5) / bands))
               for k in range(bands)]
    tiny = 1e-6 * float(np.max(np.abs(f_edges)))  # the minimum's 1e-17 is 0 on a colour bar
    return uri, {"colours": colours,
                 "edges": [0.0 if abs(v) < tiny else float(f"{v:.3g}") for v in f_edges]}


def _map_size(landscape, width=480):
    """Map pixels: ``width`` wide and as tall as the landscape's aspect ratio says, so that a
    narrow valley looks narrow."""
    (x0, x1), (y0, y1) = landscape.bounds
    return width, int(round(width * (y1 - y0) / (x1 - x0)))


def playground_data(landscapes=None, grids=None):
    """Everything the page shows, as a JSON-ready dict: per landscape its description,
    map, and for every optimizer the setting grids and all runs (encoded).

    ``grids`` (default :data:`LANDSCAPE_GRIDS`) maps a landscape name to ``(steps,
    {optimizer: [lr values]})``; a smaller one makes a quick page for tests.
    """
    grids = LANDSCAPE_GRIDS if grids is None else grids
    names = list(grids) if landscapes is None else list(landscapes)
    out = {"optimizers": [{"name": name, "settings": ["lr", *OPTIMIZERS[name][0]],
                           "rule": OPTIMIZERS[name][1]} for name in OPTIMIZERS],
           "landscapes": []}
    for name in names:
        landscape = LANDSCAPES[name]
        steps = grids[name][0]
        window = _window(landscape)
        width, height = _map_size(landscape)
        image, colourbar = _contour_image(landscape, width, height)
        entry = {"name": name, "formula": landscape.formula,
                 "description": landscape.description, "bounds": landscape.bounds,
                 "start": landscape.start, "minima": landscape.minima, "steps": steps,
                 "window": window, "size": [width, height], "image": image,
                 "colourbar": colourbar, "logLevels": landscape.log_levels,
                 "logLoss": name != "saddle", "runs": {}}
        losses = []
        for opt in OPTIMIZERS:
            if opt not in grids[name][1]:
                continue
            axes = settings_grid(name, opt, grids)
            xy, loss = [], []
            for values in itertools.product(*(v for _, v in axes)):
                settings = dict(zip((a for a, _ in axes), values))
                path = run_optimizer(landscape, lambda p: make_optimizer(opt, p, **settings),
                                     steps=steps)
                with np.errstate(over="ignore", invalid="ignore"):  # far off: inf is right
                    f = landscape(path[:, 0], path[:, 1]).astype("<f4")
                xy.append(encode_path(path, window))
                loss.append(f)
            losses.append(np.concatenate(loss))
            entry["runs"][opt] = {"axes": axes, "xy": _b64(np.concatenate(xy)),
                                  "loss": _b64(np.concatenate(loss))}
        entry["lossRange"] = _loss_range(landscape, np.concatenate(losses), entry["logLoss"])
        out["landscapes"].append(entry)
    out["presets"] = [p for p in PRESETS if p["landscape"] in names and preset_fits(p, grids)]
    return out


def preset_fits(preset, grids=None):
    """Whether every setting a "What to try" preset names is a stop on the sliders' grids
    (the page can only show runs it holds)."""
    grids = LANDSCAPE_GRIDS if grids is None else grids
    if preset["landscape"] not in grids:
        return False
    for opt, settings in ((preset["optimizer"], preset["settings"]),
                          (preset["pin"]["optimizer"], preset["pin"]["settings"])):
        if opt not in grids[preset["landscape"]][1]:
            return False
        axes = dict(settings_grid(preset["landscape"], opt, grids))
        if any(value not in axes[name] for name, value in settings.items()):
            return False
    return True


def _loss_range(landscape, losses, log):
    """The loss plot's fixed y range for a landscape, so curves compare across settings: on a
    log scale from the start's loss (×20) down to what good runs reach; on the saddle's linear
    scale, down to twice the lowest value on the map (a run off the map keeps falling)."""
    start = float(landscape(*landscape.start))
    if log:
        top = 10 ** math.ceil(math.log10(max(start, 1e-12) * 20))
        positive = losses[np.isfinite(losses) & (losses > 0)]
        low = float(np.percentile(positive, 2)) if positive.size else 1e-8
        return [max(10 ** math.floor(math.log10(low)), 1e-20), top]
    (x0, x1), (y0, y1) = landscape.bounds
    grid = np.meshgrid(np.linspace(x0, x1, 101), np.linspace(y0, y1, 101))
    lowest = float(landscape(*grid).min())
    return [2 * min(lowest, 0.0) - 1, math.ceil(max(start, 0.0) * 1.25) + 1]


_TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playground.html")
_DATA_MARK = "/*PLAYGROUND_DATA*/null"
_SIGNATURE = "The tinygrad_edu optimizer playground."  # in the page's first lines


def playground_html(data=None):
    """The page as a string: the template with ``data`` (default: :func:`playground_data`)."""
    data = playground_data() if data is None else data
    with open(_TEMPLATE, encoding="utf-8") as file:
        template = file.read()
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = text.replace("</", "<\\/")  # nothing in the data may close the <script> early
    return template.replace(_DATA_MARK, text)


def is_playground_page(path):
    """Whether the file at ``path`` is a page this module wrote (so it may be replaced)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            return _SIGNATURE in file.read(1000)
    except OSError:
        return False


def write_playground(path, data=None):
    """Write the page to ``path``; returns its size in bytes.

    The page is written to a new temporary file beside ``path`` (a name no other file has:
    nothing of yours is overwritten or removed) and then renamed over ``path``, so a failed
    write leaves no half page and the old file as it was. A symlink at ``path`` is written
    through. Errors name ``path``, never the temporary file.
    """
    html = playground_html(data)
    target = os.path.realpath(path) if os.path.islink(path) else path
    folder = os.path.dirname(os.path.abspath(target))
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(
            dir=folder, prefix="." + os.path.basename(target)[:40] + ".", suffix=".tmp")
        with open(handle, "w", encoding="utf-8") as file:
            file.write(html)
        os.chmod(temporary, _mode(target))   # mkstemp makes files private (0o600)
        os.replace(temporary, target)
        temporary = None
    except OSError as error:
        if error.errno is None:
            raise
        raise OSError(error.errno, error.strerror, path) from None
    finally:
        if temporary is not None:   # only the file mkstemp made for us
            os.remove(temporary)
    return len(html.encode("utf-8"))


def _mode(path):
    """An existing page's permissions; for a new one, the usual 0o666 minus the umask."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
