"""The built-in Tensor operations, one :class:`~tinygrad_edu.function.Function` each.

Read :mod:`.broadcast` first (the one place broadcasting is undone in backward), then
:mod:`.arithmetic`, :mod:`.unary`, :mod:`.reduce`, :mod:`.shape` and :mod:`.softmax`.
"""
from .arithmetic import Add, Div, MatMul, Mul, Neg, Pow
from .broadcast import BroadcastTo, sum_to_shape, sum_to_shape_tensor
from .reduce import Max, Sum
from .shape import Cat, GetItem, Reshape, ScatterAdd, Transpose, Where
from .softmax import LogSoftmax, Softmax
from .unary import Abs, Cast, Clone, Cos, Exp, Log, Relu, Sigmoid, Sin, Sqrt, Tanh

__all__ = ["Add", "Neg", "Mul", "Div", "Pow", "MatMul", "Exp", "Log", "Tanh", "Relu",
           "Sigmoid", "Sqrt", "Abs", "Sin", "Cos", "Clone", "Cast", "Sum", "Max", "Reshape",
           "Transpose", "GetItem", "ScatterAdd", "Cat", "Where", "BroadcastTo", "Softmax",
           "LogSoftmax", "sum_to_shape", "sum_to_shape_tensor"]
