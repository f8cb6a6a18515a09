"""The learning-rate range test (Leslie Smith, "Cyclical Learning Rates for Training Neural
Networks", 2017; popularised by fastai's ``lr_find``).

Train for a few batches while the learning rate grows exponentially from tiny to huge, and
watch the loss. At first nothing happens (the rate is too small to move anything), then the
loss falls faster and faster, then it blows up. A good learning rate sits where the loss
falls fastest, a little before the blow-up. The test *does not train your model*: the
parameters, the optimizer's state and its learning rates are put back afterwards.

The rules, stated so you can check them against the plot
---------------------------------------------------------
* Rates: lr_i = start_lr · (end_lr / start_lr)^(i / (num_iter − 1)), i = 0 … num_iter − 1,
  the same for every param group (equal steps on a log scale; lr_0 = start_lr and the
  last is end_lr).
* Smoothing (fastai's, a bias-corrected exponential moving average with β = smooth_beta):
  a_i = β · a_{i−1} + (1 − β) · loss_i (a_{−1} = 0), smoothed_i = a_i / (1 − β^(i+1)).
  The division undoes the pull towards the starting 0, so smoothed_0 = loss_0.
* Divergence: stop after the first step whose smoothed loss exceeds ``diverge_threshold``
  times the best smoothed loss so far (that point is recorded), or, before its update, at
  the first loss that is NaN or infinite (that point is not recorded).
* Suggestion: the rate at the steepest descent of the smoothed loss against log10(lr):
  the argmin of ``numpy.gradient(losses, log10(lrs))``, leaving out the first 10 and the
  last 5 points (as fastai does; a tenth and a twentieth of them when fewer than 18 were
  recorded): the first smoothed values average only a few noisy batches, and the last ones
  are already blowing up. None when fewer than 3 points are left or the loss never goes
  down there. It is a starting point, not an answer: many take a rate somewhat below it.
"""
import copy
import math
from dataclasses import dataclass, field

import numpy as np

from ..random import get_rng_state, set_rng_state

__all__ = ["lr_range_test", "LRRangeTestResult"]


@dataclass
class LRRangeTestResult:
    """What :func:`lr_range_test` measured: ``lrs[i]`` was used for the step whose smoothed
    loss is ``losses[i]`` (``raw_losses[i]`` before smoothing)."""

    lrs: list
    losses: list
    suggestion: float = None
    raw_losses: list = field(default_factory=list)
    diverged: bool = False

    def plot(self, ax=None):
        """Smoothed loss against learning rate (log x axis), the suggestion marked; returns
        the matplotlib Axes."""
        try:
            import matplotlib.pyplot as plt
        except ImportError:
            raise ImportError('LRRangeTestResult.plot needs matplotlib: '
                              'pip install "tinygrad_edu[viz]"') from None
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        ax.plot(self.lrs, self.losses, label="smoothed loss")
        if self.suggestion is not None:
            at = self.lrs.index(self.suggestion)
            ax.plot([self.suggestion], [self.losses[at]], "o", color="tab:red",
                    label=f"steepest descent: lr = {self.suggestion:.2e}")
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("loss")
        ax.set_title("learning-rate range test" + (" (stopped: loss diverged)"
                                                   if self.diverged else ""))
        ax.legend()
        return ax


def lr_range_test(model, optimizer, loss_fn, loader, start_lr=1e-7, end_lr=10, num_iter=100,
                  *, smooth_beta=0.98, diverge_threshold=4.0):
    """Leslie Smith's learning-rate range test (see the module docstring for every rule).

    Each step takes the next batch ``(x, y)`` from ``loader`` (starting it again when it runs
    out), computes ``loss = loss_fn(model(x), y)``, calls ``loss.backward()`` and
    ``optimizer.step()`` with the learning rate of that step. Afterwards — also when
    something raises — the model's parameters (and gradients), the optimizer's state and its
    learning rates are exactly what they were, and so is every random generator the test
    advances: the library's (shuffles, dropout, ``randn``) and the loader's own position
    and generator (when it has ``state_dict``, as :class:`~tinygrad_edu.data.DataLoader`),
    so that training after the test draws what it would have drawn without it.
    ``model`` is a ``tinygrad_edu.nn.Module`` (restored with ``state_dict``) or anything with
    ``parameters()`` (arrays/floats copied).

    Returns an :class:`LRRangeTestResult` with ``lrs``, ``losses`` (smoothed), ``suggestion``
    and ``plot()``.

    >>> from tinygrad_edu import Value
    >>> from tinygrad_edu.optim import SGD
    >>> class Line:                          # y = w·x, fitted to y = 3x
    ...     def __init__(self): self.w = Value(0.0)
    ...     def parameters(self): return [self.w]
    ...     def __call__(self, xs): return [self.w * x for x in xs]
    >>> def mse(preds, ys): return sum((p - y) ** 2 for p, y in zip(preds, ys)) / len(ys)
    >>> model = Line()
    >>> loader = [([0.5, 1.0, 1.5, 2.0], [1.5, 3.0, 4.5, 6.0])]     # one batch, reused
    >>> result = lr_range_test(model, SGD(model.parameters(), lr=0.1), mse, loader,
    ...                        start_lr=1e-4, end_lr=10, num_iter=50)
    >>> result.lrs[0], result.diverged
    (0.0001, True)
    >>> 1e-2 < result.suggestion < 1.0
    True
    >>> model.w.data                         # untouched
    0.0
    """
    _check_arguments(start_lr, end_lr, num_iter, smooth_beta, diverge_threshold)
    params = list(model.parameters()) if hasattr(model, "parameters") else None
    if params is None and not hasattr(model, "state_dict"):
        raise TypeError(f"lr_range_test needs a model with parameters() (or state_dict()), "
                        f"got {type(model).__name__}")
    saved_model = _save_model(model, params)
    saved_optimizer = copy.deepcopy(optimizer.state_dict())
    saved_lrs = [group["lr"] for group in optimizer.param_groups]
    saved_rng = get_rng_state()
    saved_loader = _loader_state(loader)

    ratio = end_lr / start_lr
    lrs, losses, raw_losses = [], [], []
    average, best, diverged = 0.0, math.inf, False
    try:
        batches = _cycle(loader)
        for i in range(num_iter):
            lr = start_lr * ratio ** (i / (num_iter - 1))
            for group in optimizer.param_groups:
                group["lr"] = lr
            x, y = _pair(next(batches))
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            value = _as_float(loss)
            if not math.isfinite(value):
                diverged = True
                break
            loss.backward()
            optimizer.step()

            average = smooth_beta * average + (1 - smooth_beta) * value
            smoothed = average / (1 - smooth_beta ** (i + 1))
            lrs.append(lr)
            raw_losses.append(value)
            losses.append(smoothed)
            best = min(best, smoothed)
            if smoothed > diverge_threshold * best:
                diverged = True
                break
    finally:
        _restore_model(model, params, saved_model)
        optimizer.load_state_dict(saved_optimizer)
        for group, lr in zip(optimizer.param_groups, saved_lrs):
            group["lr"] = lr
        set_rng_state(saved_rng)
        if saved_loader is not None:
            loader.load_state_dict(saved_loader)
    return LRRangeTestResult(lrs=lrs, losses=losses, suggestion=_steepest_descent(lrs, losses),
                             raw_losses=raw_losses, diverged=diverged)


def _loader_state(loader):
    """A copy of the loader's position (its ``state_dict``), or None if it has none (a list)."""
    if hasattr(loader, "state_dict") and hasattr(loader, "load_state_dict"):
        return copy.deepcopy(loader.state_dict())
    return None


def _check_arguments(start_lr, end_lr, num_iter, smooth_beta, diverge_threshold):
    def number(x):
        return isinstance(x, (int, float, np.floating, np.integer)) and not isinstance(x, bool) \
            and math.isfinite(x)
    if not number(start_lr) or start_lr <= 0:
        raise ValueError(f"lr_range_test: start_lr must be a positive number, got {start_lr!r}")
    if not number(end_lr) or end_lr <= start_lr:
        raise ValueError(f"lr_range_test: end_lr must be a number > start_lr={start_lr!r}, "
                         f"got {end_lr!r}")
    if isinstance(num_iter, bool) or not isinstance(num_iter, (int, np.integer)) or num_iter < 2:
        raise ValueError(f"lr_range_test: num_iter must be an integer >= 2, got {num_iter!r}")
    if not number(smooth_beta) or not 0 <= smooth_beta < 1:
        raise ValueError(f"lr_range_test: smooth_beta must be in [0, 1), got {smooth_beta!r}")
    if not number(diverge_threshold) or diverge_threshold <= 1:
        raise ValueError(f"lr_range_test: diverge_threshold must be a number > 1, "
                         f"got {diverge_threshold!r}")


def _cycle(loader):
    """The loader's batches, over and over (a new pass, e.g. a new shuffle, each time)."""
    total = 0
    while True:
        count = 0
        for batch in loader:
            count += 1
            yield batch
        if count == 0:
            if total == 0:
                raise ValueError("lr_range_test: the loader yielded no batches")
            raise ValueError(f"lr_range_test: the loader ran out after {total} batches and "
                             f"yields nothing on a second pass (a generator?); pass a list "
                             f"or a DataLoader, or use num_iter <= {total}")
        total += count


def _pair(batch):
    try:
        x, y = batch
    except (TypeError, ValueError):
        raise ValueError(f"lr_range_test: each batch from the loader must be a pair (x, y), "
                         f"got {type(batch).__name__}: {batch!r:.80}") from None
    return x, y


def _as_float(loss):
    """The loss as a Python float: a Tensor (``item()``), a Value (``.data``) or a number."""
    if hasattr(loss, "item"):
        return float(loss.item())
    return float(getattr(loss, "data", loss))


def _save_model(model, params):
    grads = None if params is None else [_copy_value(p.grad) for p in params]
    if hasattr(model, "state_dict") and hasattr(model, "load_state_dict"):
        return ("state_dict", copy.deepcopy(model.state_dict()), grads)
    return ("arrays", [_copy_value(p.data) for p in params], grads)


def _restore_model(model, params, saved):
    kind, values, grads = saved
    if kind == "state_dict":
        model.load_state_dict(values)
    else:
        for p, value in zip(params, values):
            if isinstance(p.data, np.ndarray) and isinstance(value, np.ndarray) \
                    and p.data.shape == value.shape and p.data.dtype == value.dtype \
                    and p.data.flags.writeable:
                p.data[...] = value          # in place: other references stay valid
            else:
                p.data = _copy_value(value)
    if grads is not None:
        for p, grad in zip(params, grads):
            p.grad = _copy_value(grad)


def _copy_value(value):
    return value.copy() if isinstance(value, np.ndarray) else value


def _steepest_descent(lrs, losses, skip_start=10, skip_end=5):
    n = len(losses)
    if n - skip_start - skip_end < 3:          # a short run: skip proportionally less
        skip_start, skip_end = n // 10, n // 20
    if n - skip_start - skip_end < 3:
        return None
    kept_lrs, kept_losses = lrs[skip_start:n - skip_end], losses[skip_start:n - skip_end]
    slopes = np.gradient(np.asarray(kept_losses), np.log10(kept_lrs))
    steepest = int(np.argmin(slopes))
    return kept_lrs[steepest] if slopes[steepest] < 0 else None
