"""A neural network out of scalar ``Value``\\ s: ``Neuron`` → ``Layer`` → ``MLP`` (micrograd's shapes).

A neuron computes ``act(w · x + b)``; a layer is a list of neurons that see the same input;
an MLP is a list of layers, each feeding the next. Every weight is a ``Value``, so one
``loss.backward()`` gives the gradient of the loss with respect to all of them.
"""
from ..random import generator
from .value import Value

__all__ = ["Module", "Neuron", "Layer", "MLP"]


class Module:
    """Something with parameters: ``zero_grad()`` resets all their gradients to 0."""

    def parameters(self):
        return []

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """``relu(w · x + b)`` (or just ``w · x + b`` when ``nonlin=False``).

    Weights start uniform in [-1, 1) from the library's generator (``manual_seed`` makes
    them reproducible); the bias starts at 0.
    """

    def __init__(self, nin, nonlin=True):
        if isinstance(nin, bool) or not isinstance(nin, int) or nin < 1:
            raise ValueError(f"Neuron needs a positive number of inputs, got nin={nin!r}")
        self.w = [Value(w) for w in generator().uniform(-1.0, 1.0, nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x):
        if len(x) != len(self.w):
            raise ValueError(f"Neuron expects {len(self.w)} inputs, got {len(x)}")
        act = Value.dot(self.w, x) + self.b  # Σ w_i·x_i as one node (see Value.dot)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]

    def __repr__(self):
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs; keyword arguments go to each Neuron."""

    def __init__(self, nin, nout, **kwargs):
        if isinstance(nout, bool) or not isinstance(nout, int) or nout < 1:
            raise ValueError(f"Layer needs a positive number of outputs, got nout={nout!r}")
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self):
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])`` maps 2 inputs through two hidden
    ReLU layers of 16 to one linear output (337 parameters).

    >>> from tinygrad_edu import manual_seed
    >>> manual_seed(0); model = MLP(2, [16, 16, 1])
    >>> len(model.parameters())
    337
    >>> isinstance(model([1.0, -2.0]), Value)
    True
    """

    def __init__(self, nin, nouts):
        sizes = [nin] + list(nouts)
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1)
                       for i in range(len(nouts))]

    def __call__(self, x):
        x = [xi if isinstance(xi, Value) else Value(xi) for xi in x]  # once, not per neuron
        for layer in self.layers:
            x = layer(x)
            if isinstance(x, Value):
                x = [x]
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
