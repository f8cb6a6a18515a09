"""Strict equality for checkpoint round trips (used by tests/test_serialization*.py).

``==`` is too forgiving for "loads back exactly": ``1 == 1.0 == True``, ``nan != nan``,
``-0.0 == 0.0``, and arrays of different dtypes compare equal. This compares types, key
types and order, dtypes, shapes and the raw bits.
"""
import struct

import numpy as np


def assert_same(saved, loaded, where="obj"):
    if isinstance(saved, dict):   # an OrderedDict or defaultdict comes back as a plain dict
        assert type(loaded) is dict, f"{where}: {type(loaded).__name__} instead of dict"
        assert [(type(k), k) for k in saved] == [(type(k), k) for k in loaded], \
            f"{where}: keys {list(loaded)} instead of {list(saved)}"
        for key in saved:
            assert_same(saved[key], loaded[key], f"{where}[{key!r}]")
        return
    if isinstance(saved, tuple):  # a namedtuple comes back as a plain tuple
        assert type(loaded) is tuple, f"{where}: {type(loaded).__name__} instead of tuple"
    elif type(saved) is not type(loaded):
        raise AssertionError(f"{where}: {type(loaded).__name__} instead of "
                             f"{type(saved).__name__}")
    if isinstance(saved, (list, tuple)):
        assert len(saved) == len(loaded), f"{where}: length {len(loaded)} != {len(saved)}"
        for i, (a, b) in enumerate(zip(saved, loaded)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(saved, (np.ndarray, np.generic)):
        assert saved.dtype == loaded.dtype and saved.dtype.str == loaded.dtype.str, \
            f"{where}: dtype {loaded.dtype.str} != {saved.dtype.str}"
        assert saved.shape == loaded.shape, f"{where}: shape {loaded.shape} != {saved.shape}"
        assert saved.tobytes() == loaded.tobytes(), f"{where}: array bits differ"
    elif isinstance(saved, float):
        assert struct.pack("<d", saved) == struct.pack("<d", loaded), \
            f"{where}: {loaded!r} is not bit-identical to {saved!r}"
    else:
        assert saved == loaded, f"{where}: {loaded!r} != {saved!r}"
