"""Helpers shared by the course notebooks: optimizer paths, the sliders, exercise checks.

The notebooks import this file (it sits beside them); the tests import it too
(``tests/test_course.py``), so what a slider draws is tested code. It uses only the public
API of ``tinygrad_edu``; the package never imports it.
"""
import math

import numpy as np

from tinygrad_edu import Tensor, Value, optim
from tinygrad_edu.autograd.functional import hessian
from tinygrad_edu.gradcheck import numerical_gradient
from tinygrad_edu.landscapes import LANDSCAPES, run_optimizer

__all__ = ["OPTIMIZERS", "make_optimizer", "optimizer_path", "draw_paths", "small_multiples",
           "explore", "check", "verdict", "Exercise", "EXERCISES"]

# name -> (optimizer class, how the "momentum" slider maps onto its arguments)
OPTIMIZERS = {
    "SGD": lambda p, lr, mu: optim.SGD(p, lr=lr),
    "Momentum": lambda p, lr, mu: optim.SGD(p, lr=lr, momentum=mu),
    # Nesterov needs μ > 0; at μ = 0 it is plain SGD, so the slider may reach 0.
    "Nesterov": lambda p, lr, mu: (optim.SGD(p, lr=lr, momentum=mu, nesterov=True) if mu > 0
                                   else optim.SGD(p, lr=lr)),
    "AdaGrad": lambda p, lr, mu: optim.Adagrad(p, lr=lr),
    "RMSprop": lambda p, lr, mu: optim.RMSprop(p, lr=lr, alpha=0.9),
    "Adam": lambda p, lr, mu: optim.Adam(p, lr=lr, betas=(mu, 0.999)),
    "AdaBelief": lambda p, lr, mu: optim.AdaBelief(p, lr=lr, betas=(mu, 0.999)),
    "Lion": lambda p, lr, mu: optim.Lion(p, lr=lr, betas=(mu, 0.99)),
}


def make_optimizer(name, lr, momentum=0.9):
    """``params -> optimizer`` for :func:`run_optimizer`; ``momentum`` is μ, or β1 for the
    Adam family and Lion (their "momentum"); AdaGrad and RMSprop ignore it."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {sorted(OPTIMIZERS)}")
    return lambda params: OPTIMIZERS[name](params, float(lr), float(momentum))


def optimizer_path(landscape, name, lr, momentum=0.9, steps=60, start=None):
    """The path ``(steps + 1, 2)`` of optimizer ``name`` on ``landscape`` (a name or object)."""
    if isinstance(landscape, str):
        landscape = LANDSCAPES[landscape]
    return run_optimizer(landscape, make_optimizer(name, lr, momentum), steps=steps, start=start)


def draw_paths(landscape, paths, title=None, ax=None):
    """Paths (dict name -> path) on the landscape's contour map; returns the Figure."""
    from tinygrad_edu.viz import plot_trajectories
    if isinstance(landscape, str):
        landscape = LANDSCAPES[landscape]
    figure = plot_trajectories(landscape, paths, ax=ax)
    if title:
        (ax or figure.axes[0]).set_title(title, fontsize=10)
    return figure


def small_multiples(landscape, names, lrs, momentum=0.9, steps=60):
    """A grid: one panel per learning rate, every optimizer in ``names`` on each (the static
    picture that stands in for the sliders when widgets are not running). One legend for
    all panels sits below them, clear of the x labels."""
    from matplotlib.figure import Figure
    figure = Figure(figsize=(4.2 * len(lrs), 4.2), dpi=80)
    for i, lr in enumerate(lrs):
        ax = figure.add_subplot(1, len(lrs), i + 1)
        paths = {n: optimizer_path(landscape, n, lr, momentum, steps) for n in names}
        draw_paths(landscape, paths, title=f"lr = {lr:g}, momentum = {momentum:g}", ax=ax)
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    handles, labels = figure.axes[0].get_legend_handles_labels()
    figure.tight_layout(rect=(0, 0.12, 1, 1))          # room at the bottom for the legend
    figure.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8,
                  frameon=False)
    return figure


def explore(landscape, names=("SGD", "Momentum", "Nesterov"), lr=0.05, momentum=0.9,
            steps=60, lr_range=(1e-3, 1.0)):
    """Sliders for lr, momentum and the number of steps, and a choice of optimizers, that
    redraw the paths (a small lr needs many steps to go anywhere: hence the steps slider).

    Deselecting every optimizer redraws the bare landscape with its start. Returns the
    ipywidgets ``interactive`` object (display it), or None with a message when ipywidgets
    is not installed (``pip install -e ".[notebooks]"``).
    """
    try:
        import ipywidgets as widgets
        from IPython.display import display
    except ImportError:
        print("ipywidgets is not installed: pip install -e '.[notebooks]' for the sliders; "
              "the picture above is the static version")
        return None
    if isinstance(landscape, str):
        landscape = LANDSCAPES[landscape]
    lr_slider = widgets.FloatLogSlider(value=lr, base=10, min=np.log10(lr_range[0]),
                                       max=np.log10(lr_range[1]), step=0.05, description="lr")
    mu_slider = widgets.FloatSlider(value=momentum, min=0.0, max=0.99, step=0.01,
                                    description="momentum")
    chosen = widgets.SelectMultiple(options=list(OPTIMIZERS), value=tuple(names),
                                    description="optimizer", rows=4)
    steps_slider = widgets.IntSlider(value=steps, min=10, max=1000, step=10,
                                     description="steps")

    def redraw(lr, momentum, optimizers, steps):
        paths = {n: optimizer_path(landscape, n, lr, momentum, steps) for n in optimizers}
        title = f"lr = {lr:.3g}, momentum = {momentum:.2f}, {steps} steps"
        if not paths:                                  # nothing chosen: the bare map, redrawn
            figure = draw_paths(landscape, {"start": np.array([landscape.start])},
                                title="no optimizer chosen: pick one or more")
        else:
            figure = draw_paths(landscape, paths, title=title)
        display(figure)
        return paths

    return widgets.interactive(redraw, lr=lr_slider, momentum=mu_slider, optimizers=chosen,
                               steps=steps_slider)


# ----------------------------------------------------------------------------- exercises
class Exercise:
    """One exercise: the library's answer, the inputs it is checked on, how close is right.

    ``reference(*case)`` is what the library gives for ``case``; an answer within
    ``tolerance`` of it (largest absolute difference) on every case is correct. ``mistakes`` are
    ``(hint, wrong(*case))`` pairs: the typical wrong answers of this exercise, so a learner
    whose answer matches one is told what they probably did (``wrong`` is the mistake written
    out, and the hint is shown only when the answer equals it). ``compare="set"`` is for
    answers that are collections of labels (a graph's edges), compared as sets.
    """

    def __init__(self, reference, cases, tolerance, mistakes=(), compare="numbers", then=None):
        self.reference, self.cases, self.tolerance = reference, list(cases), tolerance
        self.mistakes, self.compare, self.then = list(mistakes), compare, then


def _as_exercise(entry):
    return entry if isinstance(entry, Exercise) else Exercise(*entry)


def _short(x, digits=6):
    """A compact rendering of an input or an answer for a one-line message."""
    if isinstance(x, np.ndarray):
        x = x.tolist()
    if isinstance(x, float):
        return f"{x:.{digits}g}"
    if isinstance(x, (list, tuple)):
        inner = ", ".join(_short(v, digits) for v in x)
        if len(inner) > 70:
            inner = inner[:67] + "..."
        return f"[{inner}]" if isinstance(x, list) else f"({inner})"
    return repr(x)


def _numbers(x):
    """``x`` as a float64 array, or None when it is not numbers (a string, a dict, ...)."""
    try:
        array = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return array


def _difference(exercise, got, want):
    """(largest difference, None) when comparable, else (None, what is wrong in words)."""
    if exercise.compare == "set":
        try:
            got_set = {tuple(e) if isinstance(e, (list, tuple)) else e for e in got}
        except TypeError:
            return None, f"you returned {_short(got)}, not a list of pairs"
        want_set = set(want)
        missing, extra = sorted(want_set - got_set), sorted(got_set - want_set, key=str)
        if not missing and not extra:
            return 0.0, None
        parts = ([f"missing {_short(missing)}"] if missing else []) + \
                ([f"not in the graph {_short(extra)}"] if extra else [])
        return None, "; ".join(parts)
    g, w = _numbers(got), _numbers(want)
    if g is None:
        return None, f"you returned {_short(got)} ({type(got).__name__}), not numbers"
    if g.shape != w.shape:
        return None, (f"you returned shape {g.shape} ({_short(got)}), the library gives shape "
                      f"{w.shape} ({_short(want)})")
    if g.size and not np.isfinite(g).all():
        return None, f"you returned {_short(got)}, which is not finite"
    return (float(np.max(np.abs(g - w))) if g.size else 0.0), None


def verdict(name, learner_function):
    """``(ok, message)``: the one-line verdict :func:`check` prints (``ok`` is True, False, or
    None while the exercise is not done yet)."""
    if name not in EXERCISES:
        raise KeyError(f"no exercise named {name!r}; the exercises are {sorted(EXERCISES)}")
    exercise = _as_exercise(EXERCISES[name])
    tol = exercise.tolerance
    worst = 0.0
    for case in exercise.cases:
        try:
            got = learner_function(*case)
        except NotImplementedError:
            return None, (f"{name}: not done yet — write the function above and run this "
                          f"cell again")
        except Exception as error:          # the learner's bug: say it in one line
            return False, (f"{name}: your function raised {type(error).__name__}: {error} "
                           f"(for input {_short(case)})")
        if got is None:
            return False, (f"{name}: your function returned nothing (None) for input "
                           f"{_short(case)} — is its `return` missing?")
        want = exercise.reference(*case)
        diff, problem = _difference(exercise, got, want)
        if problem is None and diff <= tol:
            worst = max(worst, diff)
            continue
        if problem is None:
            problem = (f"you returned {_short(got)}, the library gives {_short(want)}: "
                       f"off by {diff:.3g}, more than the tolerance {tol:g}")
        hint = _hint(exercise, case, got)
        where = f"for input {_short(case)} " if case else ""
        return False, (f"{name}: not right yet — {where}{problem}"
                       + (f". Hint: {hint}" if hint else ""))
    n = len(exercise.cases)
    message = (f"{name}: correct on {n} case{'s' if n > 1 else ''} (largest difference "
               f"{worst:.1e}, tolerance {tol:g})")
    if exercise.then is not None:
        message += exercise.then(learner_function)
    return True, message


def _hint(exercise, case, got):
    """The hint of the first typical mistake that gives the learner's answer for ``case``."""
    for hint, wrong in exercise.mistakes:
        try:
            diff, problem = _difference(exercise, got, wrong(*case))
        except Exception:                   # a mistake that does not apply to this input
            continue
        if problem is None and diff <= max(exercise.tolerance, 1e-12) * 10:
            return hint
    return None


def check(name, learner_function):
    """Compare the learner's function with the library on the exercise's test cases and
    print one line: "correct" with the largest difference and the tolerance; "not done yet"
    while the function raises NotImplementedError; or what differs for the first input that
    is wrong, with a hint when the answer is a typical mistake. No traceback: the message is
    the whole story. Returns nothing (so a notebook cell shows only the message).
    """
    print(verdict(name, learner_function)[1])


def _value_grads(a, b, c):                      # ch1: L = (a·b + c)², by backward()
    a, b, c = Value(a), Value(b), Value(c)
    ((a * b + c) ** 2).backward()
    return [a.grad, b.grad, c.grad]


def _central(f_name, x, h):                     # ch2: the library's central difference
    f = {"cube": lambda v: 2 * v[0] ** 3, "sin": lambda v: np.sin(v[0])}[f_name]
    return numerical_gradient(f, np.array([x]), eps=h)[0]


def _updates_per_epoch(n_samples, batch_size, drop_last):     # ch3
    from tinygrad_edu.data import DataLoader, TensorDataset
    loader = DataLoader(TensorDataset(np.zeros((n_samples, 1))), batch_size=batch_size,
                        drop_last=bool(drop_last))
    return len(loader)


def _run(opt_factory, theta, grads):
    """Apply ``opt_factory([p])`` to one Tensor parameter with the given gradients."""
    p = Tensor(np.array(theta, dtype=np.float64), requires_grad=True)
    opt = opt_factory([p])
    for g in grads:
        p.grad = np.array(g, dtype=np.float64)
        opt.step()
    return p.data.copy()


def _nesterov(theta, grads, lr, mu):            # ch4
    return _run(lambda p: optim.SGD(p, lr=lr, momentum=mu, nesterov=True), theta, grads)


def _rmsprop(theta, grads, lr, gamma, eps):     # ch5
    return _run(lambda p: optim.RMSprop(p, lr=lr, alpha=gamma, eps=eps), theta, grads)


def _adamw(theta, grads, lr, wd):               # ch6
    return _run(lambda p: optim.AdamW(p, lr=lr, weight_decay=wd), theta, grads)


def _cosine(t, T, lr0, lr_min):                 # ch7: the rate at epoch t
    from tinygrad_edu.optim.lr_scheduler import CosineAnnealingLR
    opt = optim.SGD([Value(0.0)], lr=lr0)
    sched = CosineAnnealingLR(opt, T_max=T, eta_min=lr_min)
    for _ in range(int(t)):
        opt.step()
        sched.step()
    return sched.get_last_lr()[0]


def _adam_state(grads):                         # ch8: exp_avg, exp_avg_sq after the grads
    p = Tensor(np.zeros(len(grads[0])), requires_grad=True)
    opt = optim.Adam([p], lr=1e-3)
    for g in grads:
        p.grad = np.array(g, dtype=np.float64)
        opt.step()
    state = opt.state_dict()["state"][0]
    return [state["exp_avg"], state["exp_avg_sq"]]


def _saddle_hessian_condition(a, b):            # ch9: f = a·x² − b·y² at any point
    H = hessian(lambda v: a * v[0] ** 2 - b * v[1] ** 2, Tensor(np.array([0.3, -0.2]))).data
    eig = np.linalg.eigvalsh(H)
    return [eig[0], eig[1], abs(eig).max() / abs(eig).min()]


def _graph_edges():                            # ch1: the arrows of L = (a·b + c)²
    a, b, c = (Value(x, label=n) for n, x in zip("abc", (2.0, -3.0, 1.0)))
    e = a * b; e.label = "e"
    s = e + c; s.label = "s"
    L = s ** 2; L.label = "L"
    seen, edges, stack = set(), set(), [L]
    while stack:
        node = stack.pop()
        for parent in node.parents:
            edges.add((parent.label, node.label))
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return sorted(edges)


def _silu_derivative(x):                        # ch1: ∂(x·σ(x))/∂x by backward()
    v = Value(x)
    (v * v.sigmoid()).backward()
    return v.grad


def _sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def silu_op(d_silu):
    """silu(x) = x·σ(x) as ONE Value node whose local derivative is ``d_silu(x)`` — written
    the way every method of ``scalar/value.py`` ends: the forward number, then the local
    derivative, handed to ``Value._from_op``."""
    def silu(v):
        return Value._from_op(v.data * _sigmoid(v.data), "silu", (v,), (d_silu(v.data),))
    return silu


def _gradcheck_silu(d_silu):
    from tinygrad_edu.gradcheck import gradcheck
    points = (-2.0, 0.7, 3.0)
    ok = all(gradcheck(silu_op(d_silu), Value(x), raise_exception=False) for x in points)
    return (f"; gradcheck of your silu node at x = {', '.join(f'{x:g}' for x in points)}: "
            f"{'passes' if ok else 'FAILS'}")


def _adam_l2(theta, grads, lr, wd):
    return _run(lambda p: optim.Adam(p, lr=lr, weight_decay=wd), theta, grads)


def _by_hand(theta, grads, rule):
    """Run ``rule(theta, g, state, t) -> theta`` over the gradients (for the typical mistakes)."""
    theta, state = np.array(theta, dtype=float), {}
    for t, g in enumerate(grads, start=1):
        theta = rule(theta, np.array(g, dtype=float), state, t)
    return theta


def _rmsprop_like(old_weight, new_weight, eps_inside=False):
    """RMSprop with h ← old_weight(γ)·h + new_weight(γ)·g² and ε inside or outside the root."""
    def run(theta, grads, lr, gamma, eps):
        def rule(th, g, s, t):
            s["h"] = h = old_weight(gamma) * s.get("h", 0.0) + new_weight(gamma) * g * g
            return th - lr * g / (np.sqrt(h + eps) if eps_inside else np.sqrt(h) + eps)
        return _by_hand(theta, grads, rule)
    return run


def _plain_momentum(theta, grads, lr, mu):
    def rule(th, g, s, t):
        s["b"] = b = g if "b" not in s else mu * s["b"] + g
        return th - lr * b
    return _by_hand(theta, grads, rule)


def _adamw_like(decay, correct=True):
    def run(theta, grads, lr, wd, b1=0.9, b2=0.999, eps=1e-8):
        def rule(th, g, s, t):
            th = th * decay(lr, wd)
            s["m"] = m = b1 * s.get("m", 0.0) + (1 - b1) * g
            s["v"] = v = b2 * s.get("v", 0.0) + (1 - b2) * g * g
            if correct:
                m, v = m / (1 - b1 ** t), v / (1 - b2 ** t)
            return th - lr * m / (np.sqrt(v) + eps)
        return _by_hand(theta, grads, rule)
    return run


def _adam_state_like(corrected, square=True):
    def run(grads, b1=0.9, b2=0.999):
        m = v = 0.0
        for t, g in enumerate(grads, start=1):
            g = np.array(g, dtype=float)
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * (g * g if square else g)
        if corrected:
            m, v = m / (1 - b1 ** t), v / (1 - b2 ** t)
        return [m, v]
    return run


_CUBE_OR_SIN = {"cube": lambda x: 2 * x ** 3, "sin": np.sin}
_G = [[1.0, -2.0], [0.5, 3.0], [-1.0, 0.25], [2.0, 2.0]]
def _compiled_linear_step(w, b, x, y, lr):       # ch10: one SGD step, through compile
    from tinygrad_edu import compile
    from tinygrad_edu.nn import functional as F
    weight = Tensor(np.array(w, dtype=np.float64), requires_grad=True)
    bias = Tensor(np.array(b, dtype=np.float64), requires_grad=True)
    opt = optim.SGD([weight, bias], lr=lr)

    def step(x, y):
        opt.zero_grad()
        F.mse_loss(x @ weight + bias, y).backward()
        opt.step()
    compile(step)(np.array(x, dtype=np.float64), np.array(y, dtype=np.float64))
    return list(weight.data) + [float(bias.data)]


def _linear_step_like(factor):                  # ch10's mistakes: ∂L/∂ŷ = factor·(ŷ − y)
    def step(w, b, x, y, lr):
        w, x, y = np.array(w, dtype=np.float64), np.array(x, dtype=np.float64), np.array(y)
        grad_out = factor(len(y)) * (x @ w + b - y)
        return list(w - lr * (x.T @ grad_out)) + [b - lr * grad_out.sum()]
    return step


EXERCISES = {
    "ch1.chain_rule": Exercise(
        _value_grads, [(2.0, -3.0, 1.0), (0.5, 4.0, -2.0), (-1.5, 0.0, 3.0)], 1e-12, [
            ("the outer derivative is missing: ∂L/∂s = 2s multiplies every path below s",
             lambda a, b, c: [b, a, 1.0]),
            ("the square's factor 2 is missing: ∂(s²)/∂s = 2s",
             lambda a, b, c: [(a * b + c) * b, (a * b + c) * a, a * b + c]),
            ("a and b swapped: ∂(a·b)/∂a is the *other* input, b",
             lambda a, b, c: [2 * (a * b + c) * a, 2 * (a * b + c) * b, 2 * (a * b + c)]),
        ]),
    "ch1.graph_edges": Exercise(
        _graph_edges, [()], 0, [
            ("the arrows point the wrong way: they go from an input to what is computed from "
             "it (a → e), the direction of the forward pass; backward() walks them back",
             lambda: [(y, x) for x, y in _graph_edges()]),
        ], compare="set"),
    "ch1.silu_derivative": Exercise(
        _silu_derivative, [(0.7,), (-2.0,), (3.0,), (0.0,)], 1e-12, [
            ("that is σ(x) alone; silu = x·σ(x) is a product, so (uv)′ = u′v + uv′ has a "
             "second term x·σ′(x)", lambda x: _sigmoid(x)),
            ("that is x·σ′(x) alone; the product rule adds σ(x) (the derivative of x, 1, "
             "times σ(x))", lambda x: x * _sigmoid(x) * (1 - _sigmoid(x))),
            ("σ′(x) = σ(x)(1 − σ(x)); 1 − σ(x)² would be tanh's rule",
             lambda x: _sigmoid(x) + x * (1 - _sigmoid(x) ** 2)),
        ], then=_gradcheck_silu),
    "ch2.central_difference": Exercise(
        _central, [("cube", 1.5, 1e-4), ("cube", -0.5, 1e-3), ("sin", 0.7, 1e-5)], 1e-9, [
            ("that is the forward difference (f(x + h) − f(x))/h; the central one looks both "
             "ways: (f(x + h) − f(x − h))/2h",
             lambda n, x, h: (_CUBE_OR_SIN[n](x + h) - _CUBE_OR_SIN[n](x)) / h),
            ("divide by 2h: the two points x − h and x + h are 2h apart",
             lambda n, x, h: (_CUBE_OR_SIN[n](x + h) - _CUBE_OR_SIN[n](x - h)) / h),
            ("that is the exact derivative (6x² or cos x); the exercise asks for the "
             "difference quotient, whose error ∝ h² the chapter measured",
             lambda n, x, h: 6 * x ** 2 if n == "cube" else np.cos(x)),
        ]),
    "ch3.updates_per_epoch": Exercise(
        _updates_per_epoch, [(100, 1, False), (100, 10, False), (100, 32, False),
                             (100, 32, True), (100, 100, False)], 0, [
            ("n/B is not a whole number of updates: round up, ⌈n/B⌉ (down with drop_last)",
             lambda n, b, drop: n / b),
            ("with drop_last=True the last, smaller batch is dropped: ⌊n/B⌋",
             lambda n, b, drop: -(-n // b)),
            ("without drop_last the last, smaller batch is still a step: ⌈n/B⌉",
             lambda n, b, drop: n // b),
        ]),
    "ch4.nesterov_pytorch": Exercise(
        _nesterov, [([1.0, -1.0], _G, 0.1, 0.9), ([0.0, 2.0], _G[:2], 0.5, 0.5)], 1e-12, [
            ("that is plain momentum (θ ← θ − lr·b), which is also what post 3's NAG gives "
             "when its gradient is not taken at the look-ahead point; PyTorch's Nesterov steps "
             "with g + μb: b ← μb + g, θ ← θ − lr·(g + μb)", _plain_momentum),
            ("that is plain SGD (θ ← θ − lr·g): the momentum buffer b is missing",
             lambda theta, grads, lr, mu: _by_hand(theta, grads, lambda th, g, s, t: th - lr * g)),
        ]),
    "ch5.rmsprop": Exercise(
        _rmsprop, [([1.0, -1.0], _G, 0.01, 0.99, 1e-8), ([0.0, 2.0], _G, 0.1, 0.9, 1e-3)],
        1e-12, [
            ("a difference about the size of ε: is ε inside the root? PyTorch divides by "
             "√h + ε (post 2 writes √(h + ε))",
             _rmsprop_like(lambda gm: gm, lambda gm: 1 - gm, eps_inside=True)),
            ("γ and 1 − γ swapped: RMSprop's alpha (the posts' γ) weighs the OLD average, "
             "h ← γh + (1 − γ)g²", _rmsprop_like(lambda gm: 1 - gm, lambda gm: gm)),
            ("(1 − γ) is missing in front of g²: h ← γh + (1 − γ)g²",
             _rmsprop_like(lambda gm: gm, lambda gm: 1.0)),
        ]),
    "ch6.adamw": Exercise(
        _adamw, [([1.0, -1.0], _G, 0.01, 0.1), ([3.0, 2.0], _G, 0.1, 0.5)], 1e-12, [
            ("that is Adam with L2 (wd·θ added to the gradient); AdamW decays θ itself: "
             "θ ← θ(1 − lr·wd), then Adam's step", _adam_l2),
            ("the decay per step is lr·wd, not wd: θ ← θ(1 − lr·wd)",
             _adamw_like(lambda lr, wd: 1 - wd)),
            ("bias correction is missing: m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)",
             _adamw_like(lambda lr, wd: 1 - lr * wd, correct=False)),
        ]),
    "ch7.cosine": Exercise(
        _cosine, [(0, 10, 0.1, 0.0), (3, 10, 0.1, 0.0), (10, 10, 0.1, 0.001),
                  (7, 20, 1.0, 0.1)], 1e-12, [
            ("lr_min is missing: η_t = η_min + (η₀ − η_min)·(1 + cos(πt/T))/2",
             lambda t, T, lr0, lr_min: lr0 * (1 + math.cos(math.pi * t / T)) / 2),
            ("cos takes π·t/T (so t = T is the bottom of the curve)",
             lambda t, T, lr0, lr_min: lr_min + (lr0 - lr_min) * (1 + math.cos(t / T)) / 2),
        ]),
    "ch8.adam_state": Exercise(
        _adam_state, [(_G,), (_G[:1],)], 1e-12, [
            ("those are the bias-corrected m̂, v̂; the state keeps the raw averages "
             "exp_avg and exp_avg_sq", _adam_state_like(corrected=True)),
            ("exp_avg_sq averages g², not g", _adam_state_like(corrected=False, square=False)),
        ]),
    "ch9.hessian": Exercise(
        _saddle_hessian_condition, [(1.0, 1.0), (0.05, 1.0), (2.0, 0.5)], 1e-12, [
            ("differentiate twice: ∂²(a·x²)/∂x² = 2a, so the eigenvalues are −2b and 2a",
             lambda a, b: [-b, a, max(a, b) / min(a, b)]),
            ("the condition number compares sizes, max|λ|/min|λ|, so it is positive",
             lambda a, b: [-2 * b, 2 * a, 2 * a / (-2 * b)]),
            ("smallest eigenvalue first: [−2b, 2a, κ]",
             lambda a, b: [2 * a, -2 * b, max(a, b) / min(a, b)]),
        ]),
    "ch10.compiled_step": Exercise(
        _compiled_linear_step, [([1.0, -2.0], 0.5, [[1.0, 2.0], [0.5, -1.0], [3.0, 0.0]],
                                 [1.0, 2.0, -1.0], 0.1),
                                ([0.0], 0.0, [[1.0], [2.0]], [2.0, 4.0], 0.05)], 1e-12, [
            ("the square's factor 2 is missing: ∂(ŷ − y)²/∂ŷ = 2(ŷ − y)",
             _linear_step_like(lambda n: 1 / n)),
            ("mse_loss is a mean: ∂L/∂ŷ = 2(ŷ − y)/N, divided by the number of samples",
             _linear_step_like(lambda n: 2.0)),
        ]),
}
