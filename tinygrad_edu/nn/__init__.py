"""Neural-network building blocks on Tensors: ``Module``, layers, and ``functional`` (losses).

>>> from tinygrad_edu import manual_seed
>>> from tinygrad_edu.nn import MLP, functional as F
>>> manual_seed(0); model = MLP([2, 8, 3])
>>> loss = F.cross_entropy(model([[0.5, -1.0]]), [2])
>>> loss.backward(); model[0].weight.grad.shape
(8, 2)
"""
from . import functional, init, utils
from .layers import (MLP, AvgPool2d, Conv2d, Dropout, Flatten, Linear, MaxPool2d, Parameter, ReLU,
                     Sequential, Sigmoid, Softmax, Tanh)
from .losses import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss,
                     SmoothL1Loss)
from .module import IncompatibleKeys, Module, StateDictError

__all__ = ["Module", "StateDictError", "IncompatibleKeys", "Linear", "ReLU", "Tanh", "Sigmoid",
           "Dropout", "Sequential", "MLP", "MSELoss", "CrossEntropyLoss", "NLLLoss", "BCELoss",
           "BCEWithLogitsLoss", "functional", "init", "Parameter", "Flatten", "Softmax",
           "SmoothL1Loss", "utils", "Conv2d", "MaxPool2d", "AvgPool2d"]
