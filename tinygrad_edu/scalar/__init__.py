"""The scalar engine: ``Value`` and micrograd-shaped modules built from it. Read it right
after :mod:`tinygrad_edu.graph` (the order of the walk), and before the Tensor engine."""
from .nn import MLP, Layer, Module, Neuron
from .value import Value

__all__ = ["Value", "Module", "Neuron", "Layer", "MLP"]
