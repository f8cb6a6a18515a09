"""PyTorch's other switches of grad mode, beside ``no_grad``/``enable_grad``
(:mod:`tinygrad_edu.graph`, where the mode lives): ``set_grad_enabled(mode)`` and
``inference_mode()``.

``set_grad_enabled`` is a function, a context manager and a decorator at once, as PyTorch's:
calling it switches the mode *at once* (``torch.set_grad_enabled(False)`` on its own line
turns recording off until switched back); a ``with`` block around it restores the mode it
found; as a decorator it switches only while the function runs.

>>> from tinygrad_edu import Tensor
>>> x = Tensor([1.0], requires_grad=True)
>>> with set_grad_enabled(False):
...     (x * 2).requires_grad
False
>>> is_grad_enabled()
True
>>> @inference_mode()
... def predict(x):
...     return x * 2
>>> predict(x).requires_grad
False
"""
import contextlib

from ..graph import _grad_mode, _SetGradMode, is_grad_enabled

__all__ = ["set_grad_enabled", "inference_mode", "is_grad_enabled"]


class set_grad_enabled(contextlib.ContextDecorator):
    """Switch recording on (``True``) or off (``False``) now; as a ``with`` block, switch
    back on leaving it; as a decorator (``@set_grad_enabled(False)``), only inside calls."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self.previous = _grad_mode.enabled
        _grad_mode.enabled = self.mode

    def __call__(self, func):
        _grad_mode.enabled = self.previous   # a decorator: the switch belongs to each call
        return super().__call__(func)

    def _recreate_cm(self):
        return _SetGradMode(self.mode)

    def __enter__(self):
        """Nothing to do (and nothing to bind with ``as``, as PyTorch's): the mode was set
        when the object was made."""

    def __exit__(self, *exc):
        _grad_mode.enabled = self.previous   # (returns None: an exception inside propagates)


def inference_mode(mode=True):
    """PyTorch's faster ``no_grad`` for evaluation; here it *is* ``no_grad`` (nothing is
    recorded). ``inference_mode(False)`` turns recording *on*, as PyTorch's does (it is
    ``enable_grad``). Usable bare as a decorator too: ``@inference_mode``."""
    if callable(mode):           # @inference_mode without parentheses
        return _SetGradMode(False)(mode)
    return _SetGradMode(not mode)
