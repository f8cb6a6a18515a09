"""The one switch of the speed door: off, every trick in :mod:`tinygrad_edu.fast` steps aside
and the plain rules run as written. It is one switch for the whole process (like
``detect_anomaly``), made for tests and for reading, not for threads that disagree."""
import contextlib

__all__ = ["switch", "plain"]


class _Switch:
    on = True     # the tricks are on unless a `plain()` block is running


switch = _Switch()


@contextlib.contextmanager
def plain():
    """Run the block with every speed trick off: the plain rules, exactly as written.

    >>> import numpy as np
    >>> from tinygrad_edu.fast import matmul
    >>> a, w = np.ones((2, 3)), np.ones((4, 3))
    >>> with plain():
    ...     assert (matmul(a, w.T) == a @ w.T).all()
    """
    previous, switch.on = switch.on, False
    try:
        yield
    finally:
        switch.on = previous
