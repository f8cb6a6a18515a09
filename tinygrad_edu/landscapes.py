"""Two-dimensional loss landscapes for watching optimizers move.

A real network has millions of parameters and a loss surface nobody can draw. These functions
have two, ``f(x, y)``, so an optimizer's path can be plotted on a contour map and its
behaviour seen: stalling at a saddle, zig-zagging across a narrow valley, crawling along a
curved one, or getting stuck in one of many local minima.

Each landscape is written once, with ``+ - * **`` and ``.cos()``, so the *same* formula runs on

* plain floats (the value, for printing),
* :class:`~tinygrad_edu.Value` and :class:`~tinygrad_edu.Tensor` (autograd supplies the
  gradient — nothing here is differentiated by hand),
* NumPy arrays (a whole grid at once, for contour plots).

>>> from tinygrad_edu import Value
>>> f = LANDSCAPES["rosenbrock"]
>>> f(1.0, 1.0)                      # the minimum
0.0
>>> x, y = Value(-1.5), Value(2.0)
>>> loss = f(x, y); loss.backward()
>>> loss.data, x.grad, y.grad      # ∂f/∂x = −2(1 − x) − 400x(y − x²), ∂f/∂y = 200(y − x²)
(12.5, -155.0, -50.0)

:func:`run_optimizer` runs any optimizer from :mod:`tinygrad_edu.optim` on a landscape and
returns its path, ready for :func:`tinygrad_edu.viz.plot_trajectories`.
"""
import math
import numbers

import numpy as np

from .scalar import Value

__all__ = ["Landscape", "LANDSCAPES", "run_optimizer"]


def _cos(z):
    """cos of a float, a NumPy array, a Value or a Tensor (the last two record the op)."""
    if isinstance(z, numbers.Real):
        return math.cos(z)
    if isinstance(z, np.ndarray):
        return np.cos(z)
    return z.cos()


class Landscape:
    """A function ``f(x, y)`` of two variables with what is needed to draw and race on it.

    Attributes:
        name: key in :data:`LANDSCAPES`.
        formula: the function in words, e.g. ``"x² − y²"``.
        start: the default starting point ``(x, y)`` of :func:`run_optimizer`.
        minima: the global minima, a list of ``(x, y)`` (empty for the saddle, which has none).
        bounds: ``((xmin, xmax), (ymin, ymax))``, the window a plot shows.
        log_levels: whether contour levels should be log-spaced (for functions that span many
            orders of magnitude, such as Rosenbrock's 0 to 2,500).
        description: what the landscape teaches (also the instance's ``__doc__``).
    """

    def __init__(self, name, function, formula, start, minima, bounds, description,
                 log_levels=False):
        self.name = name
        self._function = function
        self.formula = formula
        self.start = tuple(float(s) for s in start)
        self.minima = [tuple(float(c) for c in m) for m in minima]
        self.bounds = (tuple(float(b) for b in bounds[0]), tuple(float(b) for b in bounds[1]))
        self.description = description
        self.__doc__ = f"{name}: f(x, y) = {formula}\n\n{description}"
        self.log_levels = log_levels

    def __call__(self, x, y):
        """f(x, y) for floats, Values, Tensors or NumPy arrays (evaluated element-wise)."""
        return self._function(x, y)

    def gradient(self, x, y):
        """∇f at the point (x, y) as ``np.array([∂f/∂x, ∂f/∂y])``, by autograd on Values.

        >>> LANDSCAPES["saddle"].gradient(1.0, 2.0)     # (2x, −2y)
        array([ 2., -4.])
        """
        xv, yv = Value(float(x)), Value(float(y))
        self._function(xv, yv).backward()
        return np.array([xv.grad, yv.grad])

    def __repr__(self):
        return f"Landscape({self.name!r}: f(x, y) = {self.formula}, start={self.start})"


# The formulas. Each uses only operators and _cos, so it works on every kind of number.
def _saddle(x, y):
    return x ** 2 - y ** 2


def _ill_conditioned(x, y):
    return x ** 2 / 20 + y ** 2


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def _beale(x, y):
    return ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2
            + (2.625 - x + x * y ** 3) ** 2)


def _himmelblau(x, y):
    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2


def _rastrigin(x, y):
    return 20 + x ** 2 - 10 * _cos(2 * math.pi * x) + y ** 2 - 10 * _cos(2 * math.pi * y)


LANDSCAPES = {
    "saddle": Landscape(
        "saddle", _saddle, "x² − y²", start=(2.0, 0.001), minima=[],
        bounds=((-2.5, 2.5), (-2.5, 2.5)),
        description=(
            "A saddle point at (0, 0): a minimum along x, a maximum along y, and the gradient "
            "vanishes there. Starting almost exactly on the ridge (y = 0.001), plain gradient "
            "descent slides to the saddle and lingers, because the push along y is proportional "
            "to the tiny y. Momentum and adaptive methods escape faster. The function has no "
            "minimum (it falls without bound along y), so `minima` is empty.")),
    "ill_conditioned": Landscape(
        "ill_conditioned", _ill_conditioned, "x²/20 + y²", start=(-7.0, 2.0),
        minima=[(0.0, 0.0)], bounds=((-8.0, 8.0), (-3.0, 3.0)),
        description=(
            "An elongated bowl: curvature 2 along y but only 0.1 along x (condition number 20). "
            "A learning rate small enough not to bounce across the steep y direction makes "
            "very slow progress along the flat x direction, so SGD zig-zags; momentum "
            "averages the zig-zag out and adaptive methods rescale each coordinate.")),
    "rosenbrock": Landscape(
        "rosenbrock", _rosenbrock, "(1 − x)² + 100(y − x²)²", start=(-1.5, 2.0),
        minima=[(1.0, 1.0)], bounds=((-2.0, 2.0), (-1.0, 3.0)), log_levels=True,
        description=(
            "Rosenbrock's banana: a narrow, curved valley along y = x². Finding the valley is "
            "easy; following its gently sloping floor to the minimum at (1, 1) is hard. The "
            "classic test of an optimizer's patience.")),
    "beale": Landscape(
        "beale", _beale, "(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²",
        start=(1.0, 1.5), minima=[(3.0, 0.5)], bounds=((-4.5, 4.5), (-4.5, 4.5)),
        log_levels=True,
        description=(
            "Beale's function: flat plateaus and sharp ridges, values from 0 to ~10⁵ inside the "
            "window. The gradient's scale changes by orders of magnitude along a path, which "
            "favours methods that normalise the step (Adam, RMSprop). Minimum 0 at (3, 0.5).")),
    "himmelblau": Landscape(
        "himmelblau", _himmelblau, "(x² + y − 11)² + (x + y² − 7)²", start=(0.0, 0.0),
        minima=[(3.0, 2.0), (-2.805118086952745, 3.131312518250573),
                (-3.779310253377747, -3.2831859912861696),
                (3.5844283403304917, -1.8481265269644034)],
        bounds=((-5.0, 5.0), (-5.0, 5.0)), log_levels=True,
        description=(
            "Himmelblau's function: four global minima, all with value 0. Which one an "
            "optimizer reaches depends on where it starts and how it moves — the same "
            "problem with different answers.")),
    "rastrigin": Landscape(
        "rastrigin", _rastrigin, "20 + x² − 10cos(2πx) + y² − 10cos(2πy)",
        start=(3.2, 2.6), minima=[(0.0, 0.0)], bounds=((-5.12, 5.12), (-5.12, 5.12)),
        description=(
            "Rastrigin's function: a bowl covered in a regular grid of bumps, with a local "
            "minimum near every integer point and the global one at (0, 0). Gradient descent "
            "stops in the nearest dimple; momentum can roll over small bumps.")),
}


def run_optimizer(landscape, make_optimizer, steps=100, start=None):
    """Minimise ``landscape`` from ``start`` and return the path, shape ``(steps + 1, 2)``.

    The parameters are two scalar :class:`~tinygrad_edu.Value`\\ s, ``x`` and ``y`` (a point
    on a landscape is two numbers; Values are the natural parameters for that, and every
    optimizer accepts them). ``make_optimizer([x, y])`` must return an optimizer, e.g.::

        run_optimizer(LANDSCAPES["rosenbrock"], lambda p: optim.Adam(p, lr=0.05))

    Each step is the usual training step: ``zero_grad()``, ``loss = f(x, y)``,
    ``loss.backward()``, ``step()``. Row 0 is the start and row ``k`` the point after
    ``k`` steps.

    If the point or its gradient stops being finite (divergence: a too-large learning rate
    throws the point out to infinity; Python's float ``**`` raises ``OverflowError`` instead of
    returning inf, which counts the same), the run stops: the rows from there on are NaN, so
    a plot simply ends the path where it left the map. Every row that is not NaN is finite.

    >>> class GradientDescent:             # any object with zero_grad() and step() will do
    ...     def __init__(self, params, lr): self.params, self.lr = params, lr
    ...     def zero_grad(self):
    ...         for p in self.params: p.grad = 0.0
    ...     def step(self):
    ...         for p in self.params: p.data -= self.lr * p.grad
    >>> path = run_optimizer(LANDSCAPES["ill_conditioned"], lambda p: GradientDescent(p, 0.1),
    ...                      steps=3)
    >>> path.shape, path[0].tolist()
    ((4, 2), [-7.0, 2.0])
    >>> path[1].tolist()                   # x − 0.1·x/10, y − 0.1·2y
    [-6.93, 1.6]
    """
    if not isinstance(landscape, Landscape) and not callable(landscape):
        raise TypeError(f"run_optimizer needs a landscape (see LANDSCAPES), "
                        f"got {type(landscape).__name__}")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    if start is None:
        if not hasattr(landscape, "start"):
            raise ValueError("this landscape has no .start: pass start=(x, y)")
        start = landscape.start
    start = tuple(float(s) for s in start)
    if len(start) != 2 or not all(math.isfinite(s) for s in start):
        raise ValueError(f"start must be two finite numbers (x, y), got {start!r}")

    x, y = Value(start[0], label="x"), Value(start[1], label="y")
    optimizer = make_optimizer([x, y])
    path = np.full((steps + 1, 2), np.nan)
    path[0] = start
    for k in range(1, steps + 1):
        try:
            optimizer.zero_grad()
            loss = landscape(x, y)
            loss.backward()
            if not (math.isfinite(x.grad) and math.isfinite(y.grad)):
                break
            optimizer.step()
        except OverflowError:
            break
        if not (math.isfinite(x.data) and math.isfinite(y.data)):
            break
        path[k] = (x.data, y.data)
    return path
