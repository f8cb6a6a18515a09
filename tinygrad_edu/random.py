"""The library's one random number generator.

Everything random in tinygrad_edu (weight initialisation, ``Tensor.randn``, shuffling in a
``DataLoader`` without its own seed, synthetic data sets without a seed) draws from this
generator, so one call to :func:`manual_seed` makes a whole run reproducible.

Until you call ``manual_seed`` the generator is seeded from the operating system's entropy,
so two runs differ, as you would expect from "random" initialisation. Demos seed explicitly.
"""
import numpy as np

__all__ = ["manual_seed", "get_rng_state", "set_rng_state", "generator"]

_generator = np.random.Generator(np.random.PCG64())


def generator():
    """The library's ``numpy.random.Generator`` (draw from it; do not replace it)."""
    return _generator


def manual_seed(seed):
    """Seed the library's generator; the same seed gives the same weights, data and shuffles.

    >>> manual_seed(0); a = generator().random()
    >>> manual_seed(0); a == generator().random()
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed expects a non-negative integer, got {seed!r}")
    _generator.bit_generator.state = np.random.PCG64(int(seed)).state


def get_rng_state():
    """The generator's state as a plain dict (strings and ints), savable with
    ``tinygrad_edu.save``; pass it to :func:`set_rng_state` to continue the same stream."""
    return _plain_state(_generator)


def set_rng_state(state):
    """Restore a state returned by :func:`get_rng_state`."""
    try:
        numpy_state = _numpy_state(state)
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(
            f"set_rng_state expects the dict returned by get_rng_state() "
            f"(keys bit_generator, state, inc, has_uint32, uinteger); got {state!r} ({error})"
        ) from None
    _generator.bit_generator.state = numpy_state


# Shared with DataLoader, which saves its own generator in the same format.
def _plain_state(rng):
    """A ``np.random.Generator``'s state as plain data (the format of ``get_rng_state``)."""
    state = rng.bit_generator.state
    return {
        "bit_generator": state["bit_generator"],
        # PCG64's state and increment are 128-bit integers: kept as decimal strings so
        # that every format (JSON, npz) can hold them exactly.
        "state": str(state["state"]["state"]),
        "inc": str(state["state"]["inc"]),
        "has_uint32": int(state["has_uint32"]),
        "uinteger": int(state["uinteger"]),
    }


def _numpy_state(plain):
    """The inverse of :func:`_plain_state` (raises KeyError/TypeError/ValueError if malformed)."""
    if plain["bit_generator"] != "PCG64":
        raise ValueError(f"unknown bit generator {plain['bit_generator']!r}")
    return {
        "bit_generator": "PCG64",
        "state": {"state": int(plain["state"]), "inc": int(plain["inc"])},
        "has_uint32": int(plain["has_uint32"]),
        "uinteger": int(plain["uinteger"]),
    }
