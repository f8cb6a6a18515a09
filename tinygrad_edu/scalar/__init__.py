"""The scalar engine: ``Value`` and micrograd-shaped modules built from it. Read this first."""
from .nn import MLP, Layer, Module, Neuron
from .value import Value

__all__ = ["Value", "Module", "Neuron", "Layer", "MLP"]
