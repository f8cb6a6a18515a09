"""``Module``: the base class of every layer and model — it keeps track of parameters.

A module is an object with a ``forward`` method and some *parameters* (Tensors with
``requires_grad=True``) and *children* (other modules). You never list them by hand:
assigning one to an attribute registers it::

    class TwoLayer(Module):
        def __init__(self):
            super().__init__()
            self.hidden = Linear(2, 16)     # a child module
            self.out = Linear(16, 1)
        def forward(self, x):
            return self.out(self.hidden(x).relu())

``TwoLayer().parameters()`` then returns ``hidden.weight, hidden.bias, out.weight, out.bias``
— always in that order, the order of assignment. The order matters: an optimizer's
``state_dict`` refers to parameters by their position, so a set (whose order can change from
run to run) would make checkpoints load into the wrong parameters.

``state_dict()`` names every parameter by its attribute path (``"hidden.weight"``), the same
names PyTorch uses, so weights can move between the two libraries as plain arrays.
"""
import collections

import numpy as np

from ..tensors import Tensor
from ..tensors.device import cpu_only
from ..tensors.pytorch_names import is_device, parse_dtype

__all__ = ["Module", "StateDictError", "IncompatibleKeys"]

IncompatibleKeys = collections.namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])
IncompatibleKeys.__doc__ = """What ``load_state_dict(..., strict=False)`` skipped: the model's
keys absent from the state dict, and the state dict's keys the model does not have."""


class StateDictError(KeyError, ValueError):
    """A state dict does not fit a module (a missing or unexpected key, a wrong shape).

    Both a ``KeyError`` and a ``ValueError``, so either ``except`` catches it.
    """

    def __str__(self):  # KeyError would show the message as a quoted repr
        return str(self.args[0]) if self.args else ""


class Module:
    """Base class for layers and models: subclass it, call ``super().__init__()`` first,
    assign parameters and child modules as attributes, and define ``forward``.

    >>> from tinygrad_edu import Tensor, manual_seed
    >>> from tinygrad_edu.nn import Linear
    >>> class Affine(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.scale = Tensor([2.0], requires_grad=True)   # a parameter
    ...         self.shift = Linear(1, 1)                        # a child module
    ...     def forward(self, x):
    ...         return self.shift(x * self.scale)
    >>> manual_seed(0); model = Affine()
    >>> [name for name, _ in model.named_parameters()]
    ['scale', 'shift.weight', 'shift.bias']
    >>> model(np.ones((3, 1))).shape
    (3, 1)
    """

    def __init__(self):
        # object.__setattr__: our own __setattr__ needs these dicts to exist already.
        object.__setattr__(self, "_parameters", {})   # name -> Tensor, in assignment order
        object.__setattr__(self, "_modules", {})      # name -> Module, in assignment order
        object.__setattr__(self, "training", True)

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {name!r} before Module.__init__() ran: call "
                                 f"super().__init__() first in {type(self).__name__}.__init__")
        is_parameter, is_module = _is_parameter(value), isinstance(value, Module)
        # A name holds one thing: forget what it was registered as before.
        if not is_parameter:
            self._parameters.pop(name, None)
        if not is_module:
            self._modules.pop(name, None)
        if is_parameter:
            self._parameters[name] = value    # re-assigning keeps the original position
            if not value.label:               # so a drawn graph says which box is a weight
                value.label = name
        elif is_module:
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    # ------------------------------------------------------------------ calling
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward(self, ...)")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------ parameters
    def children(self):
        """The direct child modules, in assignment order."""
        return list(self._modules.values())

    def named_modules(self, prefix=""):
        """``(name, module)`` for this module (name ``prefix``) and every descendant."""
        yield prefix, self
        for name, child in self._modules.items():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def _all_named_parameters(self):
        # Every (name, parameter) pair, a shared parameter once per name: what state_dict holds.
        for module_name, module in self.named_modules():
            for name, param in module._parameters.items():
                yield (f"{module_name}.{name}" if module_name else name), param

    def named_parameters(self):
        """``(name, parameter)`` pairs: a module's own parameters, then its children's, in
        assignment order. A parameter shared by two layers appears once (its first name)."""
        seen = set()   # ids, only to skip repeats; the order comes from the walk
        for name, param in self._all_named_parameters():
            if id(param) not in seen:
                seen.add(id(param))
                yield name, param

    def parameters(self):
        """A list of the parameters, each once, in :meth:`named_parameters` order."""
        return [param for _, param in self.named_parameters()]

    def zero_grad(self, set_to_none=True):
        """Forget the gradients: ``grad = None`` (default, as PyTorch) or, with
        ``set_to_none=False``, each existing ``.grad`` set to zeros in place (a parameter
        without one keeps None, as PyTorch)."""
        for param in self.parameters():
            if set_to_none:
                param.grad = None
            elif param.grad is not None:
                param.grad[...] = 0

    # ------------------------------------------------------------------ modes
    def train(self, mode=True):
        """Set training mode (``.training``) here and in every descendant; returns self.

        Layers such as dropout or batch norm behave differently in training and evaluation;
        the layers here do not, but models built from them keep the flag for those that do.
        """
        for _, module in self.named_modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self):
        """Evaluation mode: the same as ``train(False)``."""
        return self.train(False)

    # ------------------------------------------------------------------ dtypes and devices
    def to(self, *args, dtype=None, device=None, non_blocking=False):
        """PyTorch's ``model.to(device)`` / ``model.to(dtype)`` / ``model.to(device, dtype)``:
        the floating parameters (and their grads) converted to ``dtype`` in place — the same
        Tensor objects, so an optimizer made before still holds them; returns the module.
        The device can only be the CPU (any other raises)."""
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif is_device(arg):
                device = arg
            else:
                dtype = arg
        cpu_only(f"{type(self).__name__}.to", device)
        if dtype is not None:
            dtype = parse_dtype(dtype, f"{type(self).__name__}.to")
            if dtype.kind != "f":
                raise TypeError(f"{type(self).__name__}.to only accepts floating point dtypes, "
                                f"got {dtype}: parameters must stay floating to have gradients")
            for param in self.parameters():
                if param.dtype.kind == "f" and param.dtype != dtype:
                    param.data = param.data.astype(dtype)
                    if param.grad is not None:
                        param.grad = param.grad.astype(dtype)
        return self

    def float(self):
        """Every floating parameter as float32 (``to(float32)``)."""
        return self.to(np.float32)

    def double(self):
        """Every floating parameter as float64 (``to(float64)``)."""
        return self.to(np.float64)

    def cpu(self):
        """The module itself: it is on the CPU already."""
        return self

    def cuda(self, device=None):
        """Refused: there is no GPU here (one line saying so)."""
        cpu_only(f"{type(self).__name__}.cuda", "cuda" if device is None else device)

    # ------------------------------------------------------------------ state dicts
    def state_dict(self):
        """An ordered dict ``name -> copy of the parameter's array`` (copies: training the
        model afterwards does not change a saved state dict)."""
        return collections.OrderedDict(
            (name, param.data.copy()) for name, param in self._all_named_parameters())

    def load_state_dict(self, state_dict, strict=True):
        """Copy arrays (or Tensors) from ``state_dict`` into the parameters of the same names.

        All or nothing: every key and shape is checked first, and a problem raises
        :class:`StateDictError` (a ``KeyError`` and ``ValueError``) naming the keys and shapes,
        with the model unchanged. ``strict=False`` skips missing and unexpected keys (and
        returns them as ``IncompatibleKeys(missing_keys, unexpected_keys)``), but a wrong
        shape is always an error. Values are converted to each parameter's dtype.
        """
        params = collections.OrderedDict(self._all_named_parameters())
        missing = [name for name in params if name not in state_dict]
        unexpected = [name for name in state_dict if name not in params]
        problems = []
        if strict and missing:
            problems.append(f"missing keys {missing}")
        if strict and unexpected:
            problems.append(f"unexpected keys {unexpected}")
        converted = {}
        for name, param in params.items():
            if name not in state_dict:
                continue
            value = state_dict[name]
            try:
                array = np.asarray(value.data if isinstance(value, Tensor) else value,
                                   dtype=param.data.dtype)
            except (TypeError, ValueError) as error:
                problems.append(f"{name!r} is not numeric ({error})")
                continue
            if array.shape != param.data.shape:
                problems.append(f"shape mismatch for {name!r}: the model has "
                                f"{param.data.shape}, the state dict {array.shape}")
            converted[name] = array
        if problems:
            raise StateDictError(
                f"{type(self).__name__}.load_state_dict: " + "; ".join(problems) +
                ". Nothing was loaded. (Compare model.state_dict().keys() and shapes with "
                "the dict; strict=False skips missing/unexpected keys.)")
        for name, array in converted.items():
            param = params[name]
            param.data[...] = array    # in place: views and references stay valid
            param.data = param.data    # ... and counted as an in-place change (version counter)
        return IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ printing
    def extra_repr(self):
        """Extra text inside this module's ``repr`` parentheses (layers override it)."""
        return ""

    def __repr__(self):
        lines = [f"({name}): " + repr(child).replace("\n", "\n  ")
                 for name, child in self._modules.items()]
        if not lines:
            return f"{type(self).__name__}({self.extra_repr()})"
        body = "\n  ".join(([self.extra_repr()] if self.extra_repr() else []) + lines)
        return f"{type(self).__name__}(\n  {body}\n)"


def _is_parameter(value):
    return isinstance(value, Tensor) and value.requires_grad
