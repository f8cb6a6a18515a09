"""Helpers shared by the course notebooks: optimizer paths, the sliders, exercise checks.

The notebooks import this file (it sits beside them); the tests import it too
(``tests/test_course.py``), so what a slider draws is tested code. It uses only the public
API of ``tinygrad_edu``; the package never imports it.
"""
import numpy as np

from tinygrad_edu import Tensor, Value, optim
from tinygrad_edu.autograd.functional import hessian
from tinygrad_edu.gradcheck import numerical_gradient
from tinygrad_edu.landscapes import LANDSCAPES, run_optimizer

__all__ = ["OPTIMIZERS", "make_optimizer", "optimizer_path", "draw_paths", "small_multiples",
           "explore", "check", "EXERCISES"]

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
    picture that stands in for the sliders when widgets are not running)."""
    from matplotlib.figure import Figure
    figure = Figure(figsize=(4.2 * len(lrs), 3.6), dpi=80)
    for i, lr in enumerate(lrs):
        ax = figure.add_subplot(1, len(lrs), i + 1)
        paths = {n: optimizer_path(landscape, n, lr, momentum, steps) for n in names}
        draw_paths(landscape, paths, title=f"lr = {lr:g}, momentum = {momentum:g}", ax=ax)
        if i < len(lrs) - 1 and ax.get_legend() is not None:
            ax.get_legend().remove()                       # one legend, on the last panel
    return figure


def explore(landscape, names=("SGD", "Momentum", "Nesterov"), lr=0.05, momentum=0.9,
            steps=60, lr_range=(1e-3, 1.0)):
    """Sliders for lr and momentum and a choice of optimizer that redraw the path.

    Returns the ipywidgets ``interactive`` object (display it), or None with a message
    when ipywidgets is not installed (``pip install -e ".[notebooks]"``).
    """
    try:
        import ipywidgets as widgets
        from IPython.display import display
    except ImportError:
        print("ipywidgets is not installed: pip install -e '.[notebooks]' for the sliders; "
              "the picture above is the static version")
        return None
    lr_slider = widgets.FloatLogSlider(value=lr, base=10, min=np.log10(lr_range[0]),
                                       max=np.log10(lr_range[1]), step=0.05, description="lr")
    mu_slider = widgets.FloatSlider(value=momentum, min=0.0, max=0.99, step=0.01,
                                    description="momentum")
    chosen = widgets.SelectMultiple(options=list(OPTIMIZERS), value=tuple(names),
                                    description="optimizer", rows=4)

    def redraw(lr, momentum, optimizers):
        paths = {n: optimizer_path(landscape, n, lr, momentum, steps) for n in optimizers}
        display(draw_paths(landscape, paths, title=f"lr = {lr:.3g}, momentum = {momentum:.2f}"))
        return paths

    return widgets.interactive(redraw, lr=lr_slider, momentum=mu_slider, optimizers=chosen)


# ----------------------------------------------------------------------------- exercises
def check(name, learner_function):
    """Compare the learner's function with the library on the exercise's test cases.

    Prints "correct" with the largest difference, or "not done yet" while the function still
    raises NotImplementedError; raises AssertionError naming the first case that differs.
    Returns nothing (so a notebook cell shows only the message).
    """
    reference, cases, tolerance = EXERCISES[name]
    worst = 0.0
    for case in cases:
        try:
            got = learner_function(*case)
        except NotImplementedError:
            print(f"{name}: not done yet — write the function above and run this cell again")
            return
        want = reference(*case)
        got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
        assert got.shape == want.shape, (f"{name}: for input {case} you returned shape "
                                         f"{got.shape}, the library gives {want.shape}")
        diff = float(np.max(np.abs(got - want))) if got.size else 0.0
        assert diff <= tolerance, (f"{name}: for input {case} you returned {got.tolist()}, the "
                                   f"library gives {want.tolist()} (difference {diff:.3g})")
        worst = max(worst, diff)
    print(f"{name}: correct on {len(cases)} cases (largest difference {worst:.1e})")


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


_G = [[1.0, -2.0], [0.5, 3.0], [-1.0, 0.25], [2.0, 2.0]]
EXERCISES = {
    "ch1.chain_rule": (_value_grads, [(2.0, -3.0, 1.0), (0.5, 4.0, -2.0), (-1.5, 0.0, 3.0)],
                       1e-12),
    "ch2.central_difference": (_central, [("cube", 1.5, 1e-4), ("cube", -0.5, 1e-3),
                                          ("sin", 0.7, 1e-5)], 1e-9),
    "ch3.updates_per_epoch": (_updates_per_epoch, [(100, 1, False), (100, 10, False),
                                                   (100, 32, False), (100, 32, True),
                                                   (100, 100, False)], 0),
    "ch4.nesterov_pytorch": (_nesterov, [([1.0, -1.0], _G, 0.1, 0.9),
                                         ([0.0, 2.0], _G[:2], 0.5, 0.5)], 1e-12),
    "ch5.rmsprop": (_rmsprop, [([1.0, -1.0], _G, 0.01, 0.99, 1e-8),
                               ([0.0, 2.0], _G, 0.1, 0.9, 1e-3)], 1e-12),
    "ch6.adamw": (_adamw, [([1.0, -1.0], _G, 0.01, 0.1), ([3.0, 2.0], _G, 0.1, 0.5)], 1e-12),
    "ch7.cosine": (_cosine, [(0, 10, 0.1, 0.0), (3, 10, 0.1, 0.0), (10, 10, 0.1, 0.001),
                             (7, 20, 1.0, 0.1)], 1e-12),
    "ch8.adam_state": (_adam_state, [(_G,), (_G[:1],)], 1e-12),
    "ch9.hessian": (_saddle_hessian_condition, [(1.0, 1.0), (0.05, 1.0), (2.0, 0.5)], 1e-12),
    "ch10.compiled_step": (_compiled_linear_step,
                           [([1.0, -2.0], 0.5, [[1.0, 2.0], [0.5, -1.0], [3.0, 0.0]],
                             [1.0, 2.0, -1.0], 0.1),
                            ([0.0], 0.0, [[1.0], [2.0]], [2.0, 4.0], 0.05)], 1e-12),
}
