"""Small synthetic data sets (numpy only) for trying models out, and ``TensorDataset``.

Every generator returns ``X`` as a float64 array of shape ``(n_samples, n_features)``.
For classification sets ``y`` holds integer class labels (``int64``, shape ``(n_samples,)``),
ready for ``nn.functional.cross_entropy``; for regression ``y`` is float64.

Randomness: with ``seed=None`` the noise is drawn from the library's generator
(:func:`tinygrad_edu.random.generator`, so ``manual_seed`` reproduces it); with an integer seed
the set has its own ``np.random.default_rng(seed)`` and is the same whatever else ran before.

>>> X, y = make_moons(n_samples=6, noise=0.0, seed=0)
>>> X.shape, X.dtype, y.tolist()
((6, 2), dtype('float64'), [0, 0, 0, 1, 1, 1])
"""
import collections
import numbers

import numpy as np

from ..random import generator
from ..tensors import Tensor

__all__ = ["make_moons", "make_spirals", "make_blobs", "make_linear_regression",
           "LinearCoefficients", "TensorDataset"]


# --------------------------------------------------------------------------- helpers
def _rng(seed, name):
    """The generator a data set draws from: the library's for ``None``, else its own."""
    if seed is None:
        return generator()
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"{name}: seed must be None or a non-negative integer, got {seed!r}")
    return np.random.default_rng(int(seed))


def _check_count(value, arg, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name}: {arg} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_scale(value, arg, name):
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not np.isfinite(value) or value < 0):
        raise ValueError(f"{name}: {arg} must be a finite number >= 0, got {value!r}")
    return float(value)


def _split(n_samples, n_parts):
    """``n_samples`` shared out as evenly as possible; the first parts take the remainder."""
    sizes = np.full(n_parts, n_samples // n_parts, dtype=np.int64)
    sizes[: n_samples % n_parts] += 1
    return sizes


# --------------------------------------------------------------------------- generators
def make_moons(n_samples=100, noise=0.1, seed=None):
    """Two interleaving half circles (scikit-learn's ``make_moons`` shape), labels 0 and 1.

    With ``t`` evenly spaced in ``[0, π]``::

        class 0 (outer moon): (cos t,     sin t)              — n_samples // 2 points
        class 1 (inner moon): (1 − cos t, 1 − sin t − 0.5)    — the remaining points

    and then Gaussian noise of standard deviation ``noise`` added to every coordinate.
    The rows are ordered by class (all 0s, then all 1s), unlike scikit-learn, which shuffles;
    shuffle in the ``DataLoader`` (or index with a permutation) when order matters.

    Returns ``(X, y)``: ``X`` float64 ``(n_samples, 2)``, ``y`` int64 ``(n_samples,)``.

    >>> X, y = make_moons(4, noise=0.0)
    >>> X.round(3).tolist()
    [[1.0, 0.0], [-1.0, 0.0], [0.0, 0.5], [2.0, 0.5]]
    """
    n_samples = _check_count(n_samples, "n_samples", "make_moons", minimum=2)
    noise = _check_scale(noise, "noise", "make_moons")
    rng = _rng(seed, "make_moons")
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0.0, np.pi, n_out)
    t_in = np.linspace(0.0, np.pi, n_in)
    X = np.concatenate([
        np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
        np.stack([1.0 - np.cos(t_in), 1.0 - np.sin(t_in) - 0.5], axis=1),
    ])
    y = np.concatenate([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    if noise > 0:
        X = X + noise * rng.standard_normal(X.shape)
    return X, y


def make_spirals(n_samples=300, n_classes=3, noise=0.2, seed=None):
    """``n_classes`` interleaved spiral arms in 2-D (the CS231n spiral data set).

    Arm ``k`` has points at radius ``r`` rising evenly from 0 to 1 and angle
    ``θ = 4k + 4r + noise·ε`` (ε standard normal — the noise bends the angle, not the radius)::

        x = (r sin θ, r cos θ),    label k

    No straight line separates the arms: a linear classifier gets about 1/n_classes right,
    a small MLP nearly all. Samples are split evenly over the arms (the first arms take any
    remainder) and ordered by class.

    Returns ``(X, y)``: ``X`` float64 ``(n_samples, 2)``, ``y`` int64 ``(n_samples,)``.

    >>> X, y = make_spirals(n_samples=7, n_classes=3, seed=0)
    >>> X.shape, np.bincount(y).tolist()
    ((7, 2), [3, 2, 2])
    """
    n_samples = _check_count(n_samples, "n_samples", "make_spirals")
    n_classes = _check_count(n_classes, "n_classes", "make_spirals")
    if n_samples < n_classes:
        raise ValueError(f"make_spirals: n_samples ({n_samples}) must be at least n_classes "
                         f"({n_classes}) so that every arm has a point")
    noise = _check_scale(noise, "noise", "make_spirals")
    rng = _rng(seed, "make_spirals")
    X_parts, y_parts = [], []
    for k, size in enumerate(_split(n_samples, n_classes)):
        r = np.linspace(0.0, 1.0, size)
        theta = 4.0 * k + 4.0 * r + noise * rng.standard_normal(size)
        X_parts.append(np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1))
        y_parts.append(np.full(size, k, dtype=np.int64))
    return np.concatenate(X_parts), np.concatenate(y_parts)


def make_blobs(n_samples=300, centers=3, std=1.0, seed=None):
    """Gaussian clusters: class ``k`` is ``center_k + std·ε`` with ε standard normal.

    ``centers`` is either a number of clusters — their 2-D centres are then drawn uniformly
    from the box ``[-10, 10]²`` (as scikit-learn's default) — or an array of centres of shape
    ``(n_centers, n_features)``. Samples are split evenly over the clusters (the first take
    any remainder) and ordered by class.

    Returns ``(X, y)``: ``X`` float64 ``(n_samples, n_features)``, ``y`` int64 ``(n_samples,)``.

    >>> X, y = make_blobs(4, centers=[[0.0, 0.0], [5.0, 5.0]], std=0.0)
    >>> X.tolist(), y.tolist()
    ([[0.0, 0.0], [0.0, 0.0], [5.0, 5.0], [5.0, 5.0]], [0, 0, 1, 1])
    """
    n_samples = _check_count(n_samples, "n_samples", "make_blobs")
    std = _check_scale(std, "std", "make_blobs")
    rng = _rng(seed, "make_blobs")
    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        n_centers = _check_count(centers, "centers", "make_blobs")
        center_points = rng.uniform(-10.0, 10.0, size=(n_centers, 2))
    else:
        center_points = np.asarray(centers, dtype=np.float64)
        if center_points.ndim != 2 or center_points.shape[0] == 0 or center_points.shape[1] == 0:
            raise ValueError(f"make_blobs: centers must be a positive integer or an array of "
                             f"shape (n_centers, n_features), got shape {center_points.shape}")
    if n_samples < len(center_points):
        raise ValueError(f"make_blobs: n_samples ({n_samples}) must be at least the number of "
                         f"centers ({len(center_points)})")
    sizes = _split(n_samples, len(center_points))
    y = np.repeat(np.arange(len(center_points), dtype=np.int64), sizes)
    X = center_points[y] + std * rng.standard_normal((n_samples, center_points.shape[1]))
    return X, y


LinearCoefficients = collections.namedtuple("LinearCoefficients", ["weight", "bias"])
LinearCoefficients.__doc__ = """The true parameters of :func:`make_linear_regression`:
``weight`` a float64 array ``(n_features,)``, ``bias`` a float."""


def make_linear_regression(n_samples=100, n_features=1, noise=0.1, seed=None):
    """Data from a known linear model, to check that training recovers it::

        y = X @ weight + bias + noise·ε

    with the inputs ``X`` standard normal, the true ``weight`` (one per feature) uniform in
    ``[-2, 2]``, ``bias`` uniform in ``[-1, 1]`` and ε standard normal.

    Returns ``(X, y, coef)``: ``X`` float64 ``(n_samples, n_features)``, ``y`` float64
    ``(n_samples,)`` and ``coef`` a :class:`LinearCoefficients` ``(weight, bias)`` — a named
    tuple, so ``X, y, (w, b) = make_linear_regression(...)`` works.

    >>> X, y, (w, b) = make_linear_regression(5, n_features=3, noise=0.0, seed=0)
    >>> X.shape, y.shape, w.shape, bool(np.allclose(y, X @ w + b))
    ((5, 3), (5,), (3,), True)
    """
    n_samples = _check_count(n_samples, "n_samples", "make_linear_regression")
    n_features = _check_count(n_features, "n_features", "make_linear_regression")
    noise = _check_scale(noise, "noise", "make_linear_regression")
    rng = _rng(seed, "make_linear_regression")
    weight = rng.uniform(-2.0, 2.0, size=n_features)
    bias = float(rng.uniform(-1.0, 1.0))
    X = rng.standard_normal((n_samples, n_features))
    y = X @ weight + bias
    if noise > 0:
        y = y + noise * rng.standard_normal(n_samples)
    return X, y, LinearCoefficients(weight, bias)


# --------------------------------------------------------------------------- TensorDataset
def _as_array(a, position):
    """An ndarray from an ndarray, a Tensor (its ``.numpy()``) or anything array-like."""
    if not isinstance(a, np.ndarray):
        a = a.numpy() if hasattr(a, "numpy") else np.asarray(a)
    if a.ndim == 0:
        raise ValueError(f"TensorDataset: array {position} is a scalar; every array needs a "
                         f"first dimension that indexes the samples")
    return a


class TensorDataset:
    """Samples made of matching rows of several arrays: ``dataset[i] == (X[i], y[i])``.

    The arrays (NumPy arrays, Tensors or lists) must have the same first dimension, the
    number of samples. Their arrays are kept as they are (no copy), in ``dataset.arrays``.
    A field given as a Tensor comes out as a Tensor (without gradient), as in PyTorch; the
    others as NumPy arrays.

    >>> ds = TensorDataset(np.arange(6).reshape(3, 2), np.array([0, 1, 0]))
    >>> x, y = ds[1]
    >>> len(ds), x.tolist(), int(y)
    (3, [2, 3], 1)
    """

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("TensorDataset needs at least one array, e.g. TensorDataset(X, y)")
        self.arrays = tuple(_as_array(a, i) for i, a in enumerate(arrays))
        self.is_tensor = tuple(isinstance(a, Tensor) for a in arrays)  # fields to give back as Tensors
        lengths = {a.shape[0] for a in self.arrays}
        if len(lengths) != 1:
            shapes = ", ".join(str(a.shape) for a in self.arrays)
            raise ValueError(f"TensorDataset: all arrays need the same first dimension (the "
                             f"number of samples), got shapes {shapes}")

    def __len__(self):
        return self.arrays[0].shape[0]

    def __getitem__(self, index):
        return self.rows(index)

    def rows(self, index):
        """The fields at ``index`` (an int, a slice or an index array); Tensors where given."""
        return tuple(Tensor._constant(np.asarray(a[index])) if tensor else a[index]
                     for a, tensor in zip(self.arrays, self.is_tensor))

    def __repr__(self):
        shapes = ", ".join(str(a.shape) for a in self.arrays)
        return f"TensorDataset({len(self)} samples; shapes {shapes})"
