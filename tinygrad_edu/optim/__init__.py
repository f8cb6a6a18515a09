"""Optimizers: rules that turn gradients into parameter updates.

Read :mod:`.optimizer` first (the shared bookkeeping), then :mod:`.sgd`; each other file
is one algorithm: its update rule as a short function, and a class whose docstring gives
the rule as implemented, the textbook form and the paper.
"""
from .adabelief import AdaBelief
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .lion import Lion
from . import lr_scheduler
from .lr_finder import lr_range_test
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax",
           "NAdam", "RAdam", "AdaBelief", "Lion", "lr_scheduler", "lr_range_test"]


def __getattr__(name):
    """``optim.AdaGrad`` / ``optim.RMSProp`` (the blog posts' spellings) and other near misses:
    an AttributeError that names the class meant. Only called for names that do not exist."""
    meant = [real for real in __all__ if real.lower() == name.lower()]
    hint = f"; did you mean optim.{meant[0]}? (PyTorch's spelling)" if meant else ""
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}{hint}")
