"""Optimizers: rules that turn gradients into parameter updates.

Read :mod:`.optimizer` first (the shared bookkeeping), then the optimizers in the order
the story introduces them, each file one algorithm: its update rule as a short function,
and a class whose docstring gives the rule as implemented, the textbook form and the paper.
Schedules and the learning-rate range test come last. (The rules' fast path, run by
``Optimizer.step``, is in :mod:`tinygrad_edu.fast`.)
"""
from .optimizer import Optimizer
from .sgd import SGD                     # + momentum, Nesterov
from .adagrad import Adagrad
from .rmsprop import RMSprop
from .adadelta import Adadelta
from .adam import Adam, AdamW
from .adamax import Adamax
from .nadam import NAdam
from .radam import RAdam
from .adabelief import AdaBelief
from .lion import Lion
from . import lr_scheduler
from .lr_finder import lr_range_test

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax",
           "NAdam", "RAdam", "AdaBelief", "Lion", "lr_scheduler", "lr_range_test"]

def __getattr__(name):
    """``optim.AdaGrad`` / ``optim.RMSProp`` (the blog posts' spellings) and other near misses:
    an AttributeError that names the class meant. Only called for names that do not exist."""
    meant = [real for real in __all__ if real.lower() == name.lower()]
    hint = f"; did you mean optim.{meant[0]}? (PyTorch's spelling)" if meant else ""
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}{hint}")
