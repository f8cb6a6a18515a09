"""Numerical gradients: the ground truth every analytic gradient is held to.

The derivative is a limit, ``f'(x) = lim (f(x + h) - f(x)) / h``. With a small but finite
``h`` we get an estimate. The *central* difference

    f'(x) ≈ (f(x + ε) - f(x - ε)) / 2ε

is much better than the forward difference ``(f(x + ε) - f(x)) / ε``: Taylor's expansion
shows the forward error shrinks like ε while the central error shrinks like ε², until
floating-point round-off (which grows like 1/ε) takes over. With float64, ε ≈ 1e-6 is
a good compromise for first derivatives and ε ≈ 1e-4 for second derivatives.

The price: one gradient by finite differences costs two evaluations of ``f`` *per input
element*, while back-propagation costs about one extra forward pass whatever the number of
inputs. That is why we train with backprop and only *check* with finite differences.

:func:`gradcheck` compares the two for every element of the Jacobian. Comparing only a
summed output is blind: a softmax whose backward returns zeros passes a check of
``softmax(x).sum()`` (whose true gradient is zero), but not the element-by-element check.
"""
import numpy as np

from .autograd import grad
from .graph import enable_grad, no_grad
from .scalar import Value

__all__ = ["numerical_gradient", "numerical_jacobian", "numerical_hessian",
           "gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(AssertionError):
    """Analytic and numerical gradients disagree; the message is a table of the worst elements."""


def _as_float64(x):
    return np.array(x, dtype=np.float64)  # always a copy: the caller's x is never touched


def _scalar(value):
    """A float from what a user's function returns (a number, a Value, a 1-element Tensor)."""
    data = getattr(value, "data", value)
    array = np.asarray(data, dtype=np.float64)
    if array.size != 1:
        raise ValueError(f"expected the function to return a scalar, got shape {array.shape}; "
                         f"use numerical_jacobian for functions with several outputs")
    return float(array.reshape(()))


def _array(value):
    """A float64 array from what a user's function returns (an array, a Tensor, a Value)."""
    return np.array(getattr(value, "data", value), dtype=np.float64)


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of a scalar function ``f(ndarray) -> float`` at ``x``.

    ``∂f/∂x_i ≈ (f(x + ε e_i) - f(x - ε e_i)) / 2ε``; ``x`` is left unchanged.

    >>> numerical_gradient(lambda x: (x ** 2).sum(), np.array([1.0, -3.0])).round(6)
    array([ 2., -6.])
    """
    # The gradient is the Jacobian of a function with one output: shape () + x.shape.
    return numerical_jacobian(lambda v: _scalar(f(v)), x, eps)


def numerical_jacobian(f, x, eps=1e-6):
    """Central-difference Jacobian of ``f(ndarray) -> ndarray``; shape ``f(x).shape + x.shape``.

    ``J[j, i] = ∂f_j/∂x_i``.

    >>> numerical_jacobian(lambda x: x * np.array([2.0, 3.0]), np.zeros(2)).round(6)
    array([[2., 0.],
           [0., 3.]])
    """
    x = _as_float64(x)
    out_shape = _array(f(x)).shape
    jacobian = np.zeros(out_shape + x.shape)
    columns = jacobian.reshape(int(np.prod(out_shape, dtype=int)), x.size)
    flat_x = x.reshape(-1)
    for i in range(flat_x.size):
        original = flat_x[i]
        flat_x[i] = original + eps
        f_plus = _array(f(x))
        flat_x[i] = original - eps
        f_minus = _array(f(x))
        flat_x[i] = original
        columns[:, i] = ((f_plus - f_minus) / (2.0 * eps)).reshape(-1)
    return jacobian


def numerical_hessian(f, x, eps=1e-4):
    """Central-difference Hessian ``H[i, j] = ∂²f/∂x_i∂x_j`` of a scalar function (symmetric).

    Each entry uses four evaluations::

        H[i, j] ≈ (f(x+εe_i+εe_j) - f(x+εe_i-εe_j) - f(x-εe_i+εe_j) + f(x-εe_i-εe_j)) / 4ε²

    >>> numerical_hessian(lambda v: v[0] ** 2 - v[1] ** 2 + v[0] * v[1], np.zeros(2)).round(6)
    array([[ 2.,  1.],
           [ 1., -2.]])
    """
    x = _as_float64(x)
    n = x.size
    flat_x = x.reshape(-1)

    def f_at(shifts):
        saved = flat_x.copy()
        for index, delta in shifts:
            flat_x[index] += delta
        value = _scalar(f(x))
        flat_x[:] = saved
        return value

    hessian = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            value = (f_at([(i, eps), (j, eps)]) - f_at([(i, eps), (j, -eps)])
                     - f_at([(i, -eps), (j, eps)]) + f_at([(i, -eps), (j, -eps)]))
            hessian[i, j] = hessian[j, i] = value / (4.0 * eps * eps)
    return hessian


# ------------------------------------------------------------------------- gradcheck
def _is_value(x):
    return isinstance(x, Value)


def _checked_inputs(inputs):
    """The inputs gradcheck differentiates: every Value, and every Tensor with requires_grad."""
    checked = []
    for position, x in enumerate(inputs):
        if _is_value(x) or getattr(x, "requires_grad", False):
            checked.append((position, x))
    if not checked:
        raise ValueError("gradcheck: no input requires a gradient; pass Values, or Tensors "
                         "created with requires_grad=True")
    return checked


def _output_array(out):
    if _is_value(out):
        return np.array(out.data, dtype=np.float64)
    data = getattr(out, "data", None)
    if not isinstance(data, np.ndarray) or not hasattr(out, "backward"):
        raise TypeError(f"gradcheck: fn must return a Value or a Tensor, got {type(out).__name__}")
    return data.astype(np.float64)


def _analytic_jacobian(fn, inputs, checked, out_size):
    """Rows by back-propagating a one-hot gradient from each output element in turn."""
    jacobians = [np.zeros((out_size, np.size(x.data))) for _, x in checked]
    for row in range(out_size):
        for _, x in checked:
            x.grad = 0.0 if _is_value(x) else None
        out = fn(*inputs)
        if _is_value(out):
            out.backward()
        else:
            seed = np.zeros(out.data.shape, dtype=out.data.dtype)
            seed.reshape(-1)[row] = 1.0
            out.backward(seed)
        for jacobian, (_, x) in zip(jacobians, checked):
            grad = x.grad
            if grad is None:  # the output does not depend on this input
                continue
            jacobian[row] = np.asarray(grad, dtype=np.float64).reshape(-1)
    return jacobians


def _numerical_jacobians(fn, inputs, checked, out_size, eps):
    """One ``numerical_jacobian`` per checked input, the others held fixed."""
    jacobians = []
    with no_grad():
        for _, x in checked:
            at = np.array(x.data, dtype=np.float64)

            def f(value, x=x):  # fn as a function of this one input
                x.data = float(value) if _is_value(x) else value
                return _output_array(fn(*inputs))

            jacobians.append(numerical_jacobian(f, at, eps).reshape(out_size, at.size))
            x.data = float(at) if _is_value(x) else at
    return jacobians


def _format_index(flat_index, shape):
    if not shape:
        return ""
    return "[" + ", ".join(str(int(i)) for i in np.unravel_index(flat_index, shape)) + "]"


def _mismatch_table(rows, limit=10):
    header = ("input", "index", "analytic", "numerical", "abs err", "rel err")
    body = [(str(pos), str(idx), f"{a:.6g}", f"{n:.6g}", f"{err:.3e}", f"{rel:.3e}")
            for pos, idx, a, n, err, rel in rows[:limit]]
    widths = [max(len(r[i]) for r in [header] + body) for i in range(len(header))]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in body]
    return "\n".join(lines)


def gradcheck(fn, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Check the autograd Jacobian of ``fn(*inputs)`` against central differences.

    ``inputs`` are Values (all checked) or Tensors (those with ``requires_grad`` are checked);
    ``fn`` returns a Value or a Tensor of any shape. Every element of every Jacobian must
    satisfy ``|analytic - numerical| <= atol + rtol * |numerical|``. Tensors are checked in
    float64 (a float32 finite difference is too coarse to tell a bug from round-off).

    Returns True, or raises :class:`GradcheckError` (``raise_exception=False``: returns
    False) with a table of the worst mismatches. Inputs' data and ``.grad`` are restored.
    Inside ``no_grad()`` it works the same: it turns recording on for its own backward passes.

    >>> from tinygrad_edu import Value
    >>> gradcheck(lambda a, b: (a * b).tanh(), Value(0.5), Value(-1.5))
    True
    """
    checked = _checked_inputs(inputs)
    saved = [(x, x.data, x.grad) for _, x in checked]
    try:
        for _, x in checked:
            if not _is_value(x):  # a private float64 copy; restored below
                x.data = np.array(x.data, dtype=np.float64)
        out_shape = _output_array(fn(*inputs)).shape
        out_size = int(np.prod(out_shape, dtype=int))
        with enable_grad():  # the same answer inside the caller's no_grad()
            analytic = _analytic_jacobian(fn, inputs, checked, out_size)
        numerical = _numerical_jacobians(fn, inputs, checked, out_size, eps)
    finally:
        for x, data, old_grad in saved:
            x.data, x.grad = data, old_grad

    failures = []
    for (position, x), a, n in zip(checked, analytic, numerical):
        shape = np.shape(x.data)
        for row, col, error, rel in _mismatches(a, n, atol, rtol):
            label = (f"d out{_format_index(row, out_shape)}"
                     f" / d x{_format_index(col, shape)}")
            failures.append((position, label, a[row, col], n[row, col], error, rel))
    total = sum(a.size for a in analytic)
    return _verdict("gradcheck", failures, total, eps, atol, rtol, raise_exception,
                    "'input' is the argument's position, 'index' the Jacobian entry; look at "
                    "the backward formula of the operations that input flows through.")


def _mismatches(analytic, numerical, atol, rtol):
    """(row, column, abs error, rel error) of every entry outside atol + rtol·|numerical|."""
    error = np.abs(analytic - numerical)
    bad = ~(error <= atol + rtol * np.abs(numerical))  # `~(<=)` also flags NaN
    return [(row, col, error[row, col], error[row, col] / max(abs(numerical[row, col]), 1e-300))
            for row, col in zip(*np.nonzero(bad))]


def _verdict(name, failures, total, eps, atol, rtol, raise_exception, advice):
    if not failures:
        return True
    if not raise_exception:
        return False
    failures.sort(key=lambda row: -row[4] if np.isfinite(row[4]) else -np.inf)
    kind = "Jacobian" if name == "gradcheck" else "second-derivative"
    raise GradcheckError(
        f"{name} failed: {len(failures)} of {total} {kind} entries differ by more than "
        f"atol + rtol*|numerical| (atol={atol}, rtol={rtol}, eps={eps}). Worst first:\n"
        f"{_mismatch_table(failures)}\n{advice}")


# ---------------------------------------------------------------------- gradgradcheck
def _brief(g):
    return "None" if g is None else np.array2string(np.asarray(g.data), precision=6, threshold=6)


def gradgradcheck(fn, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Check second derivatives of ``fn(*inputs)``: the Jacobian of the first-derivative map.

    The first-derivative map is x ↦ ∂⟨u, fn(x)⟩/∂x for every checked input (u: a fixed
    random weighting of the outputs, 1 for a scalar), computed by
    ``autograd.grad(..., create_graph=True)``. Its analytic Jacobian (double backprop) is
    compared with central differences of the *analytic first derivatives*, entry by entry,
    with gradcheck's tolerance and table; ``d g1[0] / d x0[2]`` reads "∂/∂x0[2] of the
    gradient of input 1 at index 0". Inputs' data and ``.grad`` are restored.

    >>> from tinygrad_edu import Value
    >>> gradgradcheck(lambda a, b: (a * b).tanh(), Value(0.5), Value(-1.5))
    True
    """
    checked = _checked_inputs(inputs)
    xs = [x for _, x in checked]
    saved = [(x, x.data, x.grad) for x in xs]
    try:
        for x in xs:
            if not _is_value(x):  # a private float64 copy; restored below
                x.data = np.array(x.data, dtype=np.float64)
        with enable_grad():
            out_shape = _output_array(fn(*inputs)).shape
        weights = np.random.default_rng(0).standard_normal(out_shape)

        def first_derivatives(create_graph):
            with enable_grad():
                out = fn(*inputs)
                seed = 1.0 if _is_value(out) else weights
                return grad(out, xs, grad_outputs=[seed], create_graph=create_graph,
                            allow_unused=True)

        sizes = [int(np.size(x.data)) for x in xs]
        analytic = [np.zeros((sum(sizes), size)) for size in sizes]
        row = 0
        with enable_grad():
            recorded = first_derivatives(True)
            # The two forms of every rule must agree on the first derivatives themselves.
            plain = first_derivatives(False)
            disagree = [k for k, (g, h) in enumerate(zip(recorded, plain))
                        if (g is None) != (h is None) or (g is not None and not np.allclose(
                            np.asarray(g.data, np.float64), np.asarray(h.data, np.float64),
                            rtol=1e-9, atol=1e-12))]
            if disagree:
                if not raise_exception:
                    return False  # (the finally clause still restores the inputs)
                k = disagree[0]
                raise GradcheckError(
                    f"gradgradcheck: the gradient of input {checked[k][0]} differs between "
                    f"create_graph=True ({_brief(recorded[k])}) and create_graph=False "
                    f"({_brief(plain[k])}): an op's backward rule does not compute "
                    f"the same formula as its backward")
            for g, x, size in zip(recorded, xs, sizes):
                differentiable = g is not None and (_is_value(g) or g.requires_grad)
                for i in range(size if differentiable else 0):
                    seed = 1.0 if _is_value(g) else np.zeros(g.shape)
                    if not _is_value(g):
                        seed.reshape(-1)[i] = 1.0
                    second = grad(g, xs, grad_outputs=[seed], allow_unused=True)
                    for block, s in zip(analytic, second):
                        if s is not None:
                            block[row + i] = np.asarray(s.data, dtype=np.float64).reshape(-1)
                row += size

        def stacked_first_derivatives():
            return np.concatenate([np.zeros(size) if g is None else
                                   np.asarray(g.data, dtype=np.float64).reshape(-1)
                                   for g, size in zip(first_derivatives(False), sizes)])

        numerical = []
        for x in xs:
            at = np.array(x.data, dtype=np.float64)

            def f(value, x=x):
                x.data = float(value) if _is_value(x) else value
                return stacked_first_derivatives()

            numerical.append(numerical_jacobian(f, at, eps).reshape(sum(sizes), at.size))
            x.data = float(at) if _is_value(x) else at
    finally:
        for x, data, old_grad in saved:
            x.data, x.grad = data, old_grad

    # Row r of a block belongs to the gradient of input k, element r - offset[k].
    owners = [(k, i) for k, size in enumerate(sizes) for i in range(size)]
    failures = []
    for (position, x), a, n in zip(checked, analytic, numerical):
        for row, col, error, rel in _mismatches(a, n, atol, rtol):
            k, i = owners[row]
            label = (f"d g{checked[k][0]}{_format_index(i, np.shape(xs[k].data))}"
                     f" / d x{_format_index(col, np.shape(x.data))}")
            failures.append((position, label, a[row, col], n[row, col], error, rel))
    return _verdict("gradgradcheck", failures, sum(a.size for a in analytic), eps, atol, rtol,
                    raise_exception,
                    "'input' is the argument differentiated the second time; g<k> is the "
                    "gradient of input k. Look at the backward rules (Tensor: run on Tensors "
                    "under create_graph) or the local derivatives (Value) of the operations on "
                    "that path.")
