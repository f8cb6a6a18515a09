"""save / load (contract §9): what round-trips, what is refused, the file format, atomicity.

Fuzzing (damaged files, hypothesis round trips) is in test_serialization_fuzz.py.
"""
import collections
import errno
import json
import os
import pathlib
import zipfile

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import load, save
from tinygrad_edu import serialization

from _same_structure import assert_same


def roundtrip(obj, tmp_path, name="ckpt.npz"):
    path = tmp_path / name
    save(obj, path)
    loaded = load(path)
    assert_same(obj, loaded)
    return loaded


# ------------------------------------------------------------------------ round trips
ARRAY_DTYPES = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
                np.uint32, np.uint64, np.float16, np.float32, np.float64, np.complex64,
                np.complex128, np.longdouble, ">f4", ">i8", "<c8"]


@pytest.mark.parametrize("dtype", ARRAY_DTYPES, ids=lambda d: np.dtype(d).str)
@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 3), (2, 0, 4), (1, 2, 1, 3)])
def test_arrays_of_every_numeric_dtype_and_shape_come_back_bit_for_bit(dtype, shape,
                                                                       tmp_path):
    raw = np.random.default_rng(0).integers(0, 256, size=int(np.prod(shape)) *
                                            np.dtype(dtype).itemsize, dtype=np.uint8)
    array = raw.view(dtype).reshape(shape)   # arbitrary bit patterns: NaN payloads, -0.0, ...
    roundtrip({"x": array}, tmp_path)


def test_extreme_values_and_non_contiguous_arrays(tmp_path):
    f64 = np.array([np.nan, -np.nan, np.inf, -np.inf, -0.0, 5e-324, np.finfo(np.float64).max])
    loaded = roundtrip([f64, np.array([2 ** 64 - 1], np.uint64),
                        np.array([-2 ** 63], np.int64),
                        np.arange(24.0).reshape(4, 6)[::2, 1::3],        # a strided view
                        np.asfortranarray(np.arange(6.0).reshape(2, 3))], tmp_path)
    assert np.array_equal(loaded[3], np.arange(24.0).reshape(4, 6)[::2, 1::3])
    assert loaded[4].flags.f_contiguous


def test_python_scalars_keep_their_types_and_exact_values(tmp_path):
    obj = [True, False, 0, 1, -1, 2 ** 53 - 1, 2 ** 53, -2 ** 53, 2 ** 127 + 12345,
           -(2 ** 1000) - 7, 10 ** 5000,                       # past Python's 4300-digit limit
           0.0, -0.0, 0.1, 1e-320, 1e308, float("inf"), float("-inf"), float("nan"),
           "", "plain", "unicode: é ☃ 𝄞 ∂L/∂w", "quote \" backslash \\ nul \x00 newline \n",
           None]
    loaded = roundtrip(obj, tmp_path)
    assert loaded[0] is True and loaded[1] is False       # not 1 / 0


def test_nan_payload_and_sign_survive(tmp_path):
    weird_nan = np.frombuffer(bytes.fromhex("fff800000000abcd"), ">f8")[0].item()
    roundtrip({"nan": weird_nan}, tmp_path)


def test_numpy_scalars_come_back_as_numpy_scalars_of_the_same_dtype(tmp_path):
    obj = [np.float32(1.5), np.float64(-0.0), np.float16(3), np.int64(-7), np.uint64(2 ** 64 - 1),
           np.bool_(True), np.complex64(1 - 2j), np.int8(-128)]
    loaded = roundtrip(obj, tmp_path)
    assert type(loaded[0]) is np.float32 and loaded[0] == 1.5
    assert type(loaded[1]) is np.float64          # np.float64 subclasses float: stays numpy


def test_containers_keep_key_types_order_and_tuple_vs_list(tmp_path):
    obj = {"b": 1, "a": 2, 3: "three", "3": "string three", -1: [], 2 ** 70: (),
           "nested": {0: {"x": [(1, [2, (3,)]), {}]}},
           "tuple": (np.zeros(2), None, "s"), "list": [np.ones(1)]}
    loaded = roundtrip(obj, tmp_path)
    assert list(loaded) == ["b", "a", 3, "3", -1, 2 ** 70, "nested", "tuple", "list"]
    assert loaded[3] == "three" and loaded["3"] == "string three"


def test_ordereddict_and_namedtuple_come_back_as_dict_and_tuple(tmp_path):
    Point = collections.namedtuple("Point", "x y")
    obj = collections.OrderedDict([("z", 1), ("a", Point(1, 2))])
    loaded = load_after_save(obj, tmp_path)
    assert type(loaded) is dict and list(loaded) == ["z", "a"]
    assert type(loaded["a"]) is tuple and loaded["a"] == (1, 2)


def load_after_save(obj, tmp_path):
    save(obj, tmp_path / "c.npz")
    return load(tmp_path / "c.npz")


def test_shared_arrays_are_saved_as_independent_copies(tmp_path):
    a = np.arange(3.0)
    loaded = load_after_save({"p": a, "q": a}, tmp_path)
    loaded["p"][0] = 99.0
    assert loaded["q"][0] == 0.0 and a[0] == 0.0


def test_loaded_arrays_are_writable(tmp_path):
    loaded = load_after_save([np.zeros(3)], tmp_path)
    loaded[0] += 1
    assert loaded[0].tolist() == [1.0, 1.0, 1.0]


def test_optimizer_shaped_state_dict_round_trips(tmp_path):
    """The shape of a PyTorch optimizer state_dict: int keys, nested groups, tuples."""
    state_dict = {
        "state": {0: {"step": 3.0, "exp_avg": np.ones((2, 2), np.float32),
                      "exp_avg_sq": np.full((2, 2), 1e-8, np.float32)},
                  1: {"step": 3.0, "exp_avg": np.zeros(2), "exp_avg_sq": np.zeros(2)}},
        "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0,
                          "amsgrad": False, "maximize": False, "params": [0, 1]}],
    }
    loaded = roundtrip(state_dict, tmp_path)
    assert isinstance(loaded["param_groups"][0]["betas"], tuple)


def test_rng_state_round_trip_continues_the_same_stream(tmp_path):
    tinygrad_edu.manual_seed(1234)
    tinygrad_edu.random.generator().random(5)
    save({"rng": tinygrad_edu.get_rng_state()}, tmp_path / "rng.ckpt")
    expected = tinygrad_edu.random.generator().random(10)
    tinygrad_edu.manual_seed(999)                      # move elsewhere
    tinygrad_edu.set_rng_state(load(tmp_path / "rng.ckpt")["rng"])
    assert np.array_equal(tinygrad_edu.random.generator().random(10), expected)


# ----------------------------------------------------------------------------- the file
def test_file_is_written_exactly_at_path_with_no_suffix_and_no_leftovers(tmp_path):
    for name in ["model", "model.ckpt", "model.npz", "weird name.with.dots"]:
        save({"w": np.zeros(2)}, str(tmp_path / name))
    assert sorted(os.listdir(tmp_path)) == sorted(
        ["model", "model.ckpt", "model.npz", "weird name.with.dots"])


def test_np_load_without_pickle_opens_it_and_sees_the_arrays(tmp_path):
    w = np.arange(6, dtype=np.float32).reshape(2, 3)
    save({"w": w, "step": 7}, tmp_path / "ckpt")
    with np.load(tmp_path / "ckpt", allow_pickle=False) as npz:
        assert sorted(npz.files) == ["__tinygrad_edu__", "array_0"]
        assert np.array_equal(npz["array_0"], w) and npz["array_0"].dtype == np.float32
        contents = json.loads(str(npz["__tinygrad_edu__"]))
    assert contents["format"] == "tinygrad_edu.checkpoint" and contents["version"] == 1
    assert contents["root"]["items"][1] == ["step", 7]
    with zipfile.ZipFile(tmp_path / "ckpt") as archive:     # a plain, uncompressed zip
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())


def test_same_object_gives_identical_bytes(tmp_path):
    obj = {"w": np.arange(4.0), "n": 2 ** 100}
    save(obj, tmp_path / "a")
    save(obj, tmp_path / "b")
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()


def test_pathlib_and_str_paths_are_accepted_and_other_types_refused(tmp_path):
    save([1], pathlib.Path(tmp_path) / "p")
    assert load(str(tmp_path / "p")) == [1]
    with pytest.raises(TypeError, match="file path"):
        save([1], 3)
    with pytest.raises(TypeError, match="file path"):
        load(None)


def test_overwriting_keeps_the_file_permissions(tmp_path):
    path = tmp_path / "ckpt"
    save([1], path)
    os.chmod(path, 0o640)
    save([2], path)
    assert os.stat(path).st_mode & 0o777 == 0o640 and load(path) == [2]


def test_new_files_get_umask_permissions_not_mkstemp_private_ones(tmp_path):
    old = os.umask(0o022)
    try:
        save([1], tmp_path / "ckpt")
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "ckpt").st_mode & 0o777 == 0o644


def test_missing_file_is_file_not_found_not_checkpoint_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope.npz")


# ------------------------------------------------------------------ unsupported objects
class Thing:
    pass


class HasStateDict:
    def state_dict(self):
        return {}


UNSUPPORTED = [
    ({"state": {0: [1, {"exp_avg": {1, 2}}]}}, "obj['state'][0][1]['exp_avg']: set",
     "sorted list"),
    ([1, (2, lambda x: x)], "obj[1][1]: function", "not supported"),
    ({"a": Thing()}, "obj['a']: Thing", "not supported"),
    ({"m": HasStateDict()}, "obj['m']: HasStateDict", ".state_dict()"),
    ({(1, 2): 3}, "obj: dict key (1, 2) (tuple)", "str or int"),
    ({True: 3}, "obj: dict key True (bool)", "str or int"),
    ({1.5: 3}, "obj: dict key 1.5 (float)", "str or int"),
    ({np.int64(1): 3}, "(int64) is not supported", "int(key)"),
    ({"x": np.array([1, None], dtype=object)}, "obj['x']: NumPy dtype object",
     "pickle"),
    ({"x": np.array(["a", "b"])}, "obj['x']: NumPy dtype <U1", "not supported"),
    ({"x": np.zeros(2, [("a", "f4")])}, "obj['x']: NumPy dtype", "not supported"),
    ({"x": np.ma.masked_array([1.0, 2.0], mask=[0, 1])}, "obj['x']: MaskedArray",
     "np.asarray"),
    ([b"bytes"], "obj[0]: bytes", "not supported"),
    ([1 + 2j], "obj[0]: complex", "not supported"),
    ([np.datetime64("2020-01-01")], "obj[0]: NumPy dtype datetime64", "not supported"),
]


@pytest.mark.parametrize("obj, where, hint", UNSUPPORTED, ids=[u[1] for u in UNSUPPORTED])
def test_unsupported_objects_raise_type_error_naming_where_before_writing(obj, where, hint,
                                                                          tmp_path):
    path = tmp_path / "ckpt"
    save({"old": 1}, path)
    before = path.read_bytes()
    with pytest.raises(TypeError) as info:
        save(obj, path)
    assert where in str(info.value) and hint in str(info.value)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["ckpt"]


def test_reference_cycles_are_refused_not_infinite_recursion(tmp_path):
    loop = [1]
    loop.append({"again": loop})
    with pytest.raises(TypeError, match=r"obj\[1\]\['again'\]: contains itself"):
        save(loop, tmp_path / "c")
    assert os.listdir(tmp_path) == []


def test_a_parameter_like_object_gets_a_hint(tmp_path):
    class Parameter:
        data, grad = np.zeros(2), None
    with pytest.raises(TypeError, match=r"obj\['t'\]: Parameter .* save its \.data"):
        save({"t": Parameter()}, tmp_path / "c")


# --------------------------------------------------------------------------- atomicity
@pytest.fixture
def previous(tmp_path):
    """A checkpoint already at the path, and its bytes."""
    path = tmp_path / "ckpt.npz"
    save({"epoch": 1, "w": np.arange(5.0)}, path)
    return path, path.read_bytes()


def assert_untouched(path, before):
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == [path.name], "a temporary file was left behind"
    assert load(path)["epoch"] == 1


def test_disk_full_midway_leaves_previous_file_and_no_temporary(previous, monkeypatch):
    path, before = previous
    real_write_array = np.lib.format.write_array
    calls = []

    def write_until_disk_full(fp, array, *args, **kwargs):
        calls.append(array.shape)
        if len(calls) == 3:                        # header and one array are written
            fp.write(b"x" * 100)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write_array(fp, array, *args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", write_until_disk_full)
    with pytest.raises(OSError) as info:
        save({"epoch": 2, "w": np.zeros(5), "v": np.ones(5)}, path)
    assert info.value.errno == errno.ENOSPC and len(calls) == 3
    monkeypatch.undo()
    assert_untouched(path, before)


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_failure_at_fsync_or_rename_leaves_previous_file(previous, monkeypatch, failing):
    path, before = previous

    def fail(*args):
        raise OSError(errno.ENOSPC if failing == "fsync" else errno.EACCES, failing)

    monkeypatch.setattr(serialization.os, failing, fail)
    with pytest.raises(OSError, match=failing):
        save({"epoch": 2}, path)
    monkeypatch.undo()
    assert_untouched(path, before)


def test_keyboard_interrupt_midway_also_cleans_up(previous, monkeypatch):
    path, before = previous

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(serialization, "_write_archive", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save({"epoch": 2}, path)
    assert_untouched(path, before)


def test_save_into_missing_directory_raises_and_creates_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        save([1], tmp_path / "no" / "such" / "dir.npz")
    assert os.listdir(tmp_path) == []


def test_save_over_a_directory_fails_cleanly(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(OSError):
        save([1], tmp_path / "d")
    assert os.listdir(tmp_path) == ["d"] and os.listdir(tmp_path / "d") == []
