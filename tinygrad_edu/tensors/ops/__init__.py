"""The built-in Tensor operations, one :class:`~tinygrad_edu.tensors.function.Function` each:
a forward on arrays and one backward rule, written against the namespace :mod:`.xp` so that
it runs on arrays (``backward()``) and on Tensors (``create_graph=True``) alike.

Read :mod:`.broadcast` first (the one place broadcasting is undone in backward) and
:mod:`.xp`, then :mod:`.arithmetic`, :mod:`.unary`, :mod:`.reduce`, :mod:`.shape` and
:mod:`.softmax`; :mod:`.conv` (convolution and pooling) builds on them.
"""
from .arithmetic import Add, Div, FloorDivide, MatMul, Mul, Neg, Pow, Remainder
from .broadcast import BroadcastTo, sum_to_shape
from .conv import Col2Im, Im2Col, MaxPool2d
from .reduce import Max, Sum
from .shape import Cat, GetItem, Reshape, ScatterAdd, SetItem, Transpose, Where
from .softmax import LogSoftmax, Softmax
from .unary import Abs, Cast, Clone, Cos, Exp, Log, Relu, Sigmoid, Sin, Sqrt, Tanh

__all__ = ["Add", "Neg", "Mul", "Div", "Pow", "MatMul", "FloorDivide", "Remainder", "Exp", "Log",
           "Tanh", "Relu", "Sigmoid", "Sqrt", "Abs", "Sin", "Cos", "Clone", "Cast", "Sum", "Max",
           "Reshape", "Transpose", "GetItem", "SetItem", "ScatterAdd", "Cat", "Where", "BroadcastTo",
           "Softmax", "LogSoftmax", "Im2Col", "Col2Im", "MaxPool2d", "sum_to_shape"]
