"""The recording namespaces, lent to the library's modules while a trace runs.

The op rules and the optimizers' update rules are written against ``np`` (and ``math``, and
the library's random ``generator()``). During a trace each of those module-level names is
swapped for a namespace that does the same thing *and* records it — the idea of
:mod:`tinygrad_edu.tensors.ops.xp` taken one step further, and what lets every op written
against NumPy be traced without a special case:

* ``np``: NumPy itself for every name, except the three conversions that would turn a traced
  array into a plain one (``asarray``, ``array``, ``ascontiguousarray``), which keep it traced,
  and the factories (``zeros``, ``ones``, ``arange``, ...), recorded so that every replay makes
  its own new array as the eager call did; NumPy's functions and operators reach the tracer
  through NumPy's own dispatch protocols;
* ``math``: ``math.sqrt(1 - beta2 ** step)`` on a traced step count is recorded;
* ``generator()``: a draw (Dropout's mask) is recorded as a draw, ``rng.random((32, 256))``,
  so every replay draws fresh numbers from the library's generator, as eager calls do.

The swap lasts for the trace only (``lend``): eager calls never see these namespaces.
"""
import contextlib
import math
import sys

import numpy as np

from ..random import generator as _real_generator
from . import tracer
from .tracer import Traced, TracedScalar, _call

__all__ = ["lend"]


class _RecordingNumpy:
    """``np`` during a trace."""

    def __getattr__(self, name):
        function = getattr(np, name)
        if name in _FACTORIES:   # a new array on every call, as eager execution makes it
            return lambda *args, **kwargs: _call(f"np.{name}", function, args, kwargs, name)
        return function

    @staticmethod
    def asarray(a, dtype=None, order=None, **kwargs):
        if type(a) is Traced and isinstance(a.value, np.ndarray):
            if (dtype is None or np.dtype(dtype) == a.dtype) and order is None and not kwargs:
                if type(a.value) is np.ndarray:
                    return a   # already an array: NumPy would hand back the same one
                # a subclass (Tensor.data's InPlaceArray): the same memory as a plain array
                return Traced(np.asarray(a.value), a.name)
            keywords = dict(kwargs)
            if dtype is not None:
                keywords["dtype"] = dtype
            if order is not None:
                keywords["order"] = order
            return _call("np.asarray", np.asarray, (a,), keywords, "asarray")
        if type(a) in (Traced, TracedScalar):   # a NumPy number: made a 0-d array
            return _call("np.asarray", np.asarray, (a,), {} if dtype is None else dict(dtype=dtype),
                         "asarray")
        return np.asarray(a, dtype=dtype, order=order, **kwargs)

    @staticmethod
    def asanyarray(a, dtype=None, **kwargs):
        return _RecordingNumpy.asarray(a, dtype, **kwargs)

    @staticmethod
    def array(a, dtype=None, copy=True, **kwargs):
        if type(a) in (Traced, TracedScalar):
            if copy is False or copy is None:
                return _RecordingNumpy.asarray(a, dtype)
            keywords = {} if dtype is None else dict(dtype=dtype)
            return _call("np.array", np.array, (a,), keywords, "array")
        if type(a) is np.ndarray and copy is True and not kwargs:
            # a copy of an array the program reads by reference (a global, tensor(w)):
            # made on every call, so that it copies what the array holds then
            keywords = {} if dtype is None else dict(dtype=dtype)
            return _call("np.array", np.array, (a,), keywords, "array")
        return np.array(a, dtype=dtype, copy=copy, **kwargs)

    @staticmethod
    def ascontiguousarray(a, dtype=None, **kwargs):
        if type(a) is Traced:
            if a.flags.c_contiguous and (dtype is None or np.dtype(dtype) == a.dtype):
                return a
            return _call("np.ascontiguousarray", np.ascontiguousarray, (a,),
                         {} if dtype is None else dict(dtype=dtype), "contiguous")
        return np.ascontiguousarray(a, dtype=dtype, **kwargs)


class _RecordingMath:
    """``math`` during a trace: functions of traced numbers are recorded."""

    def __getattr__(self, name):
        function = getattr(math, name)
        if not callable(function):
            return function

        def recorded(*args):
            if any(type(a) is TracedScalar for a in args):
                return _call(f"math.{name}", function, args, {}, name)
            return function(*args)
        return recorded


class _RecordingGenerator:
    """The library's generator during a trace: each draw is made (so the generator moves on
    exactly as in eager execution) and recorded as a draw."""

    def __init__(self, real):
        self._real = real

    def __getattr__(self, name):
        method = getattr(self._real, name)
        if not callable(method):
            return method

        def draw(*args, **kwargs):
            recorder = tracer.active()
            recorder.random_draws += 1
            return _call(f"rng.{name}", method, args, kwargs, "draw")
        return draw


def _recording_generator():
    return _RecordingGenerator(_real_generator())


_FACTORIES = {"zeros", "ones", "empty", "full", "arange", "eye", "zeros_like", "ones_like",
              "empty_like", "full_like", "identity", "linspace"}

_SWAPS = {"np": (np, _RecordingNumpy()), "math": (math, _RecordingMath()),
          "generator": (_real_generator, _recording_generator)}


@contextlib.contextmanager
def lend(patches=()):
    """For the block: the library's modules see the recording namespaces, and each
    ``(object, attribute, replacement)`` in ``patches`` is set (then everything restored)."""
    saved = []
    try:
        for name, module in list(sys.modules.items()):
            if not name.startswith("tinygrad_edu.") or name.startswith(__package__):
                continue
            namespace = getattr(module, "__dict__", {})
            for global_name, (real, recording) in _SWAPS.items():
                if namespace.get(global_name) is real:
                    saved.append((module, global_name, real))
                    setattr(module, global_name, recording)
        for obj, attribute, replacement in patches:
            saved.append((obj, attribute, getattr(obj, attribute)))
            setattr(obj, attribute, replacement)
        yield
    finally:
        for obj, attribute, real in reversed(saved):
            setattr(obj, attribute, real)
