"""Broadcasting in backward: the one helper that sums a gradient back to an operand's shape.

NumPy broadcasting lets ``a + b`` combine shapes ``(3, 4)`` and ``(4,)``: ``b`` is (virtually)
copied into each of the 3 rows. In the forward pass this is free; in the backward pass it
means ``b`` was *used 3 times*, so — exactly as for a Value used twice — its gradient is the
**sum** of the gradients of all its copies::

    out[i, j] = a[i, j] + b[j]      ⇒   ∂L/∂b[j] = Σ_i ∂L/∂out[i, j]

The gradient arriving from ``out`` has the output's shape; :func:`sum_to_shape` undoes the
two things broadcasting can do to an operand:

1. prepend axes (``(4,)`` acts as ``(1, 4)`` next to a 2-D array): sum those axes away;
2. stretch an axis of length 1 (``(3, 1)`` next to ``(3, 4)``): sum it, keeping the 1.

Every element-wise op with two inputs (``Add``, ``Mul``, ``Div``, ``Pow``, ``Where``) and
``MatMul``'s batch dimensions call it, so broadcasting is handled here and nowhere else. It
uses only ``.shape``, ``.sum`` and ``.reshape``, so the same lines run on the arrays of an
ordinary ``backward()`` and on the Tensors of ``create_graph=True`` (see :mod:`.xp`).
"""

import numpy as np

from ..function import Function

__all__ = ["sum_to_shape", "BroadcastTo"]


def sum_to_shape(grad, shape):
    """Sum ``grad`` (an array or a Tensor) over the axes that broadcasting added or
    stretched, giving ``shape``.

    >>> import numpy as np
    >>> g = np.ones((2, 3, 4))
    >>> sum_to_shape(g, (4,))           # two leading axes were added
    array([6., 6., 6., 6.])
    >>> sum_to_shape(g, (3, 1)).ravel()  # one added, one stretched from 1 to 4
    array([8., 8., 8.])
    """
    if grad.shape == shape:
        return grad
    added = grad.ndim - len(shape)
    stretched = tuple(added + i for i, n in enumerate(shape) if n == 1 and grad.shape[added + i] != 1)
    # One pass over the data: sum both kinds of axes (keeping them as 1s), then drop the
    # added ones with a free reshape.
    return grad.sum(axis=tuple(range(added)) + stretched, keepdims=True).reshape(shape)


class BroadcastTo(Function):
    """out = x broadcast to ``shape`` (NumPy's rules);   backward: :func:`sum_to_shape`.

    Not a Tensor method: the second-order rules need it, because the gradient of a sum is the
    output's gradient *broadcast* back, and that step must be an op to be differentiated.
    The two are each other's backward: broadcasting copies, summing adds the copies up.
    """
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return np.broadcast_to(x, shape)  # a read-only view: nothing copied

    @staticmethod
    def backward(ctx, grad):
        return sum_to_shape(grad, ctx.shape)
