"""Devices, as PyTorch names them — on an engine that only has the CPU.

PyTorch code chooses a device and moves data and models there::

    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = Model().to(device)

Every array here is a NumPy array in main memory, so there is exactly one device, the CPU.
The names still work, so such code runs unchanged: ``cuda.is_available()`` and
``accelerator.is_available()`` say False (the line above picks ``"cpu"``), ``device(...)``
can be made for any name PyTorch knows (``device("cuda:1").index == 1``), and ``.to("cpu")``
is a no-op. Asking to *place data* anywhere else raises a one-line error instead of
pretending.

>>> device("cuda:1")
device(type='cuda', index=1)
>>> device("cuda").index is None, str(device("cpu"))
(True, 'cpu')
>>> "cuda" if cuda.is_available() else "cpu"
'cpu'
"""
import types

__all__ = ["device", "cuda", "accelerator", "set_default_device", "get_default_device",
           "cpu_only"]

# The device types PyTorch's device() accepts (its error message lists them).
_KNOWN_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                "privateuseone")


class device:
    """A device name, as ``torch.device``: ``device("cpu")``, ``device("cuda:1")``,
    ``device("cuda", 1)``, ``device(type="cpu")``. ``.type`` is the kind, ``.index`` the
    number (None when not given, as PyTorch). Making one never places anything."""

    __slots__ = ("type", "index")

    def __init__(self, type=None, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        if not isinstance(type, str):
            raise TypeError(f"device() takes a string such as 'cpu' or 'cuda:0', got "
                            f"{type!r}")
        name, _, number = type.partition(":")
        if name not in _KNOWN_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_KNOWN_TYPES)} device type at "
                               f"start of device string: {type}")
        if number:
            if index is not None:
                raise RuntimeError(f"device({type!r}, {index!r}): the index is given twice")
            if not number.isdigit():
                raise RuntimeError(f"Invalid device string: {type!r}")
            index = int(number)
        if index is not None and (not isinstance(index, int) or index < 0):
            raise RuntimeError(f"Device index must not be negative, got {index!r}")
        self.type, self.index = name, index

    def __repr__(self):
        extra = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{extra})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):   # as PyTorch: a device equals a device, never a string
        if not isinstance(other, device):
            return NotImplemented
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


_CPU = device("cpu")


def cpu_only(where, name):
    """Check that ``name`` (a string, a device, an int as PyTorch's ``cuda:N``, or None)
    is the CPU; any other device raises a one-line ``RuntimeError`` that says this engine
    runs on the CPU. ``where`` names the call."""
    if name is None:
        return
    if isinstance(name, int) and not isinstance(name, bool):   # PyTorch: an int is cuda:N
        name = f"cuda:{name}"
    chosen = device(name)
    if chosen.type != "cpu":
        raise RuntimeError(f"{where}: tinygrad_edu runs on the CPU only, so nothing can be "
                           f"placed on {str(chosen)!r}; use 'cpu' (e.g. device = 'cuda' if "
                           f"torch.cuda.is_available() else 'cpu' picks 'cpu' here)")


def set_default_device(name):
    """PyTorch's ``set_default_device``: only ``"cpu"`` (or None) is possible here."""
    cpu_only("set_default_device", name)


def get_default_device():
    """Always ``device(type='cpu')``."""
    return _CPU


def _false():
    return False


def _none():
    return None


def _zero():
    return 0


# torch.cuda and torch.accelerator, as far as a CPU-only program asks them.
# (No CUDA: is_available() is False. No accelerator: current_accelerator() is None.)
cuda = types.SimpleNamespace(is_available=_false, device_count=_zero)
accelerator = types.SimpleNamespace(is_available=_false, current_accelerator=_none,
                                    device_count=_zero)
