"""Layers: ``Parameter``, ``Linear``, the activations ``ReLU``/``Tanh``/``Sigmoid``/``Softmax``,
``Flatten``, ``Dropout``, ``Sequential`` and ``MLP``; ``Conv2d``, ``MaxPool2d`` and ``AvgPool2d``
(at the end)."""
import math
import numbers

from ..random import generator
from ..tensors import Tensor, get_default_dtype
from ..tensors.ops.conv import pair
from . import functional as F
from .module import Module

__all__ = ["Parameter", "Linear", "ReLU", "Tanh", "Sigmoid", "Softmax", "Flatten", "Dropout",
           "Sequential", "MLP", "Conv2d", "MaxPool2d", "AvgPool2d"]


class _ParameterType(type):
    """Makes ``isinstance(t, Parameter)`` mean what a Module registers: a leaf Tensor that
    requires grad."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.requires_grad and obj.is_leaf


class Parameter(metaclass=_ParameterType):
    """PyTorch's ``nn.Parameter(tensor)``: the tensor's data as a leaf that requires grad
    (sharing memory with it), to assign to a Module attribute in ``__init__``.

    Here a parameter is not a class of its own: any leaf Tensor with ``requires_grad=True``
    assigned to a Module is one (see :mod:`~tinygrad_edu.nn.module`), so ``Parameter(t)``
    returns a plain Tensor, and ``isinstance(p, Parameter)`` asks exactly that.

    >>> from tinygrad_edu import tensor
    >>> p = Parameter(tensor([1.0, 2.0]))
    >>> p.requires_grad, isinstance(p, Parameter), isinstance(tensor([1.0]), Parameter)
    (True, True, False)
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = Tensor.zeros(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(data) takes a Tensor, got {type(data).__name__}; "
                            f"write Parameter(torch.tensor(...))")
        return data.detach().requires_grad_(requires_grad)


class Linear(Module):
    """An affine map ``y = x Wᵀ + b``: ``weight`` W of shape ``(out_features, in_features)``,
    ``bias`` b of shape ``(out_features,)``.

    Why ``x Wᵀ`` and not ``W x``? Inputs come as a batch of rows ``(N, in)``; with W stored as
    ``(out, in)`` — PyTorch's layout, so its weights load unchanged — one matrix product
    ``x @ W.T`` of shape ``(N, out)`` handles the whole batch.

    Initialisation (PyTorch's): W and b uniform in ``[−1/√in, 1/√in]``, drawn from the library's
    generator (weight first, then bias), so ``manual_seed`` makes them reproducible. The bound
    shrinks with the fan-in to keep ``x Wᵀ`` of roughly the same scale as ``x``.

    >>> from tinygrad_edu import manual_seed
    >>> manual_seed(0); layer = Linear(3, 2)
    >>> layer.weight.shape, layer.bias.shape, layer([[1.0, 2.0, 3.0]]).shape
    ((2, 3), (2,), (1, 2))
    """

    def __init__(self, in_features, out_features, bias=True, dtype=None):
        super().__init__()
        for arg, value in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"Linear: {arg} must be a positive integer, got {value!r}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        dtype = get_default_dtype() if dtype is None else dtype
        bound = 1.0 / math.sqrt(in_features)
        draw = generator().uniform
        self.weight = Tensor(draw(-bound, bound, (out_features, in_features)).astype(dtype),
                             requires_grad=True)
        self.bias = (Tensor(draw(-bound, bound, out_features).astype(dtype), requires_grad=True)
                     if bias else None)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class ReLU(Module):
    """``max(x, 0)`` element-wise, as a module (no parameters)."""

    def forward(self, x):
        return F.relu(x)


class Tanh(Module):
    """``tanh(x)`` element-wise, as a module (no parameters)."""

    def forward(self, x):
        return F.tanh(x)


class Sigmoid(Module):
    """``1 / (1 + e^−x)`` element-wise, as a module (no parameters)."""

    def forward(self, x):
        return F.sigmoid(x)


class Softmax(Module):
    """``softmax`` along ``dim``, as a module: :func:`~.functional.softmax` (without ``dim``,
    PyTorch's implicit choice and its warning)."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmax(x, dim=self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Flatten(Module):
    """Flatten dimensions ``start_dim`` .. ``end_dim`` into one: by default every dimension
    but the first (the batch), so images ``(N, C, H, W)`` become rows ``(N, C·H·W)`` for a
    ``Linear``. ``Flatten(0, 1)`` joins the first two.

    >>> import numpy as np
    >>> Flatten()(np.zeros((2, 3, 4))).shape, Flatten(0, 1)(np.zeros((2, 3, 4))).shape
    ((2, 12), (6, 4))
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        x = x if isinstance(x, Tensor) else Tensor(x)
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """In training mode, zero each element with probability ``p`` and scale the others by
    ``1/(1 − p)``; in evaluation mode (``model.eval()``), pass the input through unchanged.

    Scaling during training (not at evaluation) keeps each element's expected value the same
    in both modes, so the next layer sees inputs of the same size. The masks come from the
    library's generator: ``manual_seed`` reproduces them. See :func:`~.functional.dropout`.

    >>> import numpy as np
    >>> drop = Dropout(p=0.5).eval()
    >>> drop(np.ones(3)).data
    array([1., 1., 1.])
    """

    def __init__(self, p=0.5):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p!r}")
        self.p = float(p)

    def forward(self, x):
        return F.dropout(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}"


class Sequential(Module):
    """Modules applied one after another: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    The children are named ``"0"``, ``"1"``, ... (so parameters are ``"0.weight"``, ...,
    as in PyTorch). Supports ``len``, iteration and indexing (a slice gives a Sequential).

    >>> from tinygrad_edu import manual_seed
    >>> manual_seed(0); model = Sequential(Linear(2, 4), ReLU(), Linear(4, 1))
    >>> list(model.state_dict())
    ['0.weight', '0.bias', '2.weight', '2.bias']
    >>> len(model), type(model[-1]).__name__
    (3, 'Linear')
    """

    def __init__(self, *modules):
        super().__init__()
        for index, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential: argument {index} is a {type(module).__name__}, "
                                f"not a Module (write ReLU(), not ReLU or F.relu)")
            setattr(self, str(index), module)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*modules[index])
        return modules[index]


_ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}


class MLP(Sequential):
    """A multi-layer perceptron: ``MLP([2, 16, 16, 3])`` is
    ``Sequential(Linear(2, 16), ReLU(), Linear(16, 16), ReLU(), Linear(16, 3))``.

    ``sizes`` lists the width of every layer, input first; an activation (``"relu"``,
    ``"tanh"`` or ``"sigmoid"``) follows every Linear but the last, whose output (the logits
    or the regression value) stays linear. The ``state_dict`` keys (``"0.weight"``,
    ``"0.bias"``, ``"2.weight"``, ...) are those of the same ``torch.nn.Sequential``.

    >>> from tinygrad_edu import manual_seed
    >>> manual_seed(0); model = MLP([2, 16, 16, 3], activation="tanh")
    >>> sum(p.data.size for p in model.parameters())
    371
    """

    def __init__(self, sizes, activation="relu"):
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"MLP needs at least an input and an output size, got sizes={sizes}")
        if activation not in _ACTIVATIONS:
            raise ValueError(f"MLP: activation must be one of {sorted(_ACTIVATIONS)}, "
                             f"got {activation!r}")
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Linear(n_in, n_out))
            if i < len(sizes) - 2:
                layers.append(_ACTIVATIONS[activation]())
        super().__init__(*layers)
        self.sizes, self.activation = sizes, activation


# ----------------------------------------------------------------------- convolution and pooling
class Conv2d(Module):
    """A 2-D convolution layer: ``out = F.conv2d(x, weight, bias, stride, padding)`` on NCHW
    inputs, with ``weight`` of shape ``(out_channels, in_channels, kH, kW)`` (one kH×kW kernel
    per input channel for each output channel) and ``bias`` ``(out_channels,)``.
    ``kernel_size``, ``stride`` and ``padding`` are an int or a pair (height, width).

    Initialisation (PyTorch's ``kaiming_uniform_(weight, a=√5)``, which works out to): weight
    and bias uniform in ``[−1/√fan_in, 1/√fan_in]`` with ``fan_in = in_channels·kH·kW``, the
    number of inputs each output sums over — the same rule as :class:`Linear`, whose fan-in
    is ``in_features``. Drawn from the library's generator (weight first, then bias).

    The parameters are named ``weight`` and ``bias``, as PyTorch's, so a ``state_dict`` of a
    ``torch.nn.Conv2d`` (as arrays) loads unchanged.

    >>> from tinygrad_edu import manual_seed
    >>> manual_seed(0); conv = Conv2d(1, 8, 3, padding=1)
    >>> conv
    Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    >>> conv.weight.shape, conv(Tensor.zeros(2, 1, 8, 8)).shape
    ((8, 1, 3, 3), (2, 8, 8, 8))
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True,
                 dtype=None):
        super().__init__()
        for arg, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"Conv2d: {arg} must be a positive integer, got {value!r}")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = pair(kernel_size, "kernel_size", "Conv2d")
        self.stride = pair(stride, "stride", "Conv2d")
        self.padding = pair(padding, "padding", "Conv2d")
        if min(self.kernel_size) < 1 or min(self.stride) < 1 or min(self.padding) < 0:
            raise ValueError(f"Conv2d: kernel_size and stride must be positive and padding 0 "
                             f"or more, got kernel_size={self.kernel_size}, "
                             f"stride={self.stride}, padding={self.padding}")
        dtype = get_default_dtype() if dtype is None else dtype
        fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
        bound = 1.0 / math.sqrt(fan_in)
        draw = generator().uniform
        shape = (self.out_channels, self.in_channels) + self.kernel_size
        self.weight = Tensor(draw(-bound, bound, shape).astype(dtype), requires_grad=True)
        self.bias = (Tensor(draw(-bound, bound, self.out_channels).astype(dtype),
                            requires_grad=True) if bias else None)

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self):
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        return text if self.bias is not None else text + ", bias=False"


class _Pool2d(Module):
    """What the two pooling layers share: the window, its stride (default: the window's size,
    so windows sit side by side) and the padding, kept as given (an int or a pair)."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """The maximum of each ``kernel_size`` window, as a module: :func:`~.functional.max_pool2d`
    (``MaxPool2d(2)`` halves the height and the width).

    >>> MaxPool2d(2)
    MaxPool2d(kernel_size=2, stride=2, padding=0)
    """

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """The mean of each ``kernel_size`` window, as a module: :func:`~.functional.avg_pool2d`.

    >>> AvgPool2d(2, stride=1)
    AvgPool2d(kernel_size=2, stride=1, padding=0)
    """

    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding)
