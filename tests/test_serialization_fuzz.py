"""save / load under attack: arbitrary structures round-trip; damaged or foreign files only
ever raise CheckpointError; pickles in any position are never executed.
"""
import json
import os
import pickle
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu import CheckpointError, load, save

from _same_structure import assert_same


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    # hypothesis runs a test body many times; a module-scoped folder is reused (and
    # overwriting the same checkpoint again and again is itself part of the test).
    return tmp_path_factory.mktemp("fuzz")


# ------------------------------------------------------------- property: round trips
DTYPES = [np.bool_, np.int8, np.int32, np.int64, np.uint8, np.uint64, np.float16,
          np.float32, np.float64, np.complex64, np.complex128, ">f8", ">i4"]
arrays = st.sampled_from(DTYPES).flatmap(
    lambda dtype: hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0,
                                                     max_side=3)))
leaves = st.one_of(
    st.none(), st.booleans(), st.text(max_size=8),
    st.integers(), st.integers(min_value=-2 ** 300, max_value=2 ** 300),
    st.floats(allow_nan=True, allow_infinity=True),        # includes -0.0, subnormals
    arrays, arrays.filter(lambda a: a.ndim == 0).map(lambda a: a[()]),   # numpy scalars
)
structures = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.dictionaries(st.one_of(st.text(max_size=4), st.integers()), children, max_size=4)),
    max_leaves=20)


@settings(max_examples=150, deadline=None)
@given(obj=structures)
def test_any_supported_structure_round_trips_exactly(obj, workdir):
    save(obj, workdir / "property.ckpt")
    assert_same(obj, load(workdir / "property.ckpt"))


# --------------------------------------------------------------- damaged checkpoints
SAMPLE = {
    "model": {"0.weight": np.arange(12, dtype=np.float32).reshape(3, 4),
              "0.bias": np.array([-0.0, np.nan, np.inf])},
    "optimizer": {"state": {0: {"step": 5, "exp_avg": np.ones(3, np.float16)}},
                  "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0]}]},
    "rng": {"state": str(2 ** 127 + 3), "big": 2 ** 100, "uint": np.uint64(2 ** 64 - 1)},
    "flags": [True, None, "é", float("nan"), -0.0],
}


@pytest.fixture(scope="module")
def valid_bytes(workdir):
    save(SAMPLE, workdir / "sample.ckpt")
    return (workdir / "sample.ckpt").read_bytes()


def load_bytes(data, workdir, name="damaged.ckpt"):
    path = workdir / name
    path.write_bytes(data)
    return load(path)


def loads_same_or_checkpoint_error(data, workdir):
    """A damaged file either still holds exactly SAMPLE (a byte that nothing reads, such as
    a timestamp, changed) or raises CheckpointError — never another exception, never
    different data."""
    try:
        loaded = load_bytes(data, workdir)
    except CheckpointError as error:
        assert "damaged.ckpt" in str(error)          # the message names the file
        return "error"
    assert_same(SAMPLE, loaded)
    return "same"


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_mutated_bytes_load_the_same_data_or_raise_checkpoint_error(data, valid_bytes, workdir):
    damaged = bytearray(valid_bytes)
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        position = data.draw(st.integers(0, len(damaged) - 1), label="position")
        action = data.draw(st.sampled_from(["replace", "flip", "delete", "insert"]))
        if action == "replace":
            damaged[position] = data.draw(st.integers(0, 255), label="byte")
        elif action == "flip":
            damaged[position] ^= 1 << data.draw(st.integers(0, 7), label="bit")
        elif action == "delete":
            del damaged[position:position + data.draw(st.integers(1, 16))]
        else:
            damaged[position:position] = data.draw(st.binary(min_size=1, max_size=16))
    loads_same_or_checkpoint_error(bytes(damaged), workdir)


def test_every_single_byte_flip_is_caught_or_harmless(valid_bytes, workdir):
    """Exhaustive where hypothesis samples: flip the low bit of every 7th byte."""
    outcomes = [loads_same_or_checkpoint_error(
        valid_bytes[:i] + bytes([valid_bytes[i] ^ 1]) + valid_bytes[i + 1:], workdir)
        for i in range(0, len(valid_bytes), 7)]
    # Most bytes are data, headers or the table of contents, and must be caught.
    assert outcomes.count("error") > 0.9 * len(outcomes)


def test_changed_array_bytes_are_detected_by_the_members_crc(valid_bytes, workdir):
    data_start = valid_bytes.index(np.arange(12, dtype=np.float32).tobytes())
    damaged = bytearray(valid_bytes)
    damaged[data_start + 5] ^= 0x10                 # a float32 that still "looks" fine
    with pytest.raises(CheckpointError, match="CRC"):
        load_bytes(bytes(damaged), workdir)


def test_every_truncation_raises_checkpoint_error(valid_bytes, workdir):
    for length in list(range(0, len(valid_bytes), 13)) + [len(valid_bytes) - 1]:
        with pytest.raises(CheckpointError):
            load_bytes(valid_bytes[:length], workdir)


def test_empty_file_says_it_is_empty(workdir):
    with pytest.raises(CheckpointError, match="empty"):
        load_bytes(b"", workdir)


@settings(max_examples=100, deadline=None)
@given(prefix=st.sampled_from([b"", b"PK\x03\x04", b"\x93NUMPY", b"\x80\x04"]),
       tail=st.binary(max_size=300))
def test_random_bytes_raise_checkpoint_error(prefix, tail, workdir):
    with pytest.raises(CheckpointError):
        load_bytes(prefix + tail, workdir)


# --------------------------------------------------------------------- foreign files
def test_a_single_npy_file_is_named_as_such(workdir):
    with open(workdir / "single.npy", "wb") as file:
        np.save(file, np.zeros(3))
    with pytest.raises(CheckpointError, match=r"single \.npy array"):
        load(workdir / "single.npy")


def test_a_plain_npz_is_refused_with_a_pointer_to_np_load(workdir):
    with open(workdir / "plain.npz", "wb") as file:
        np.savez(file, weights=np.ones(3), bias=np.zeros(1))
    with pytest.raises(CheckpointError, match="plain .npz.*'bias.npy'.*np.load"):
        load(workdir / "plain.npz")


def test_a_plain_npz_with_many_members_names_the_first_five(workdir):
    with open(workdir / "plain.npz", "wb") as file:
        np.savez(file, **{f"m{i}": np.ones(1) for i in range(6)})
    with pytest.raises(CheckpointError) as info:
        load(workdir / "plain.npz")
    shown = ", ".join(f"'m{i}.npy'" for i in range(5))
    assert f"its members are {shown}, ...)" in str(info.value)
    with open(workdir / "five.npz", "wb") as file:
        np.savez(file, **{f"m{i}": np.ones(1) for i in range(5)})
    with pytest.raises(CheckpointError) as info:
        load(workdir / "five.npz")
    assert f"its members are {shown})" in str(info.value)


def test_a_zip_that_is_not_npz_is_refused(workdir):
    """The shape of a torch.save file: a zip holding a pickle."""
    with zipfile.ZipFile(workdir / "torch.pt", "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps({"w": 1}))
    with pytest.raises(CheckpointError, match="not a checkpoint written by tinygrad_edu"):
        load(workdir / "torch.pt")


class CreatesFileWhenUnpickled:
    """Unpickling this calls open(marker, "w"): code chosen by the file's author runs."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_the_pickle_payload_is_live(tmp_path):
    # Proof that the payload below would run if anything unpickled it.
    opened = pickle.loads(pickle.dumps(CreatesFileWhenUnpickled(tmp_path / "proof")))
    opened.close()
    assert (tmp_path / "proof").exists()


def test_a_pickle_file_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    (tmp_path / "evil.ckpt").write_bytes(pickle.dumps(CreatesFileWhenUnpickled(marker)))
    with pytest.raises(CheckpointError, match="pickle.*never unpickles"):
        load(tmp_path / "evil.ckpt")
    assert not marker.exists()


def write_npz(path, members, allow_pickle=False):
    """A hand-made archive of ``<name>.npy`` members (to build broken checkpoints)."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in members.items():
            with archive.open(name + ".npy", "w") as member:
                np.lib.format.write_array(member, array, allow_pickle=allow_pickle)


def table(root):
    return np.array(json.dumps({"format": "tinygrad_edu.checkpoint", "version": 1,
                                "root": root}))


def ndarray_entry(member="array_0", dtype="<f8", shape=(3,), kind="ndarray"):
    return {"type": kind, "member": member, "dtype": dtype, "shape": list(shape)}


def evil_object_array(marker):
    return np.array([CreatesFileWhenUnpickled(marker)], dtype=object)


@pytest.mark.parametrize("where", ["as an array member", "declared as object dtype",
                                   "as the table of contents", "in a plain npz"])
def test_pickled_object_arrays_inside_an_npz_are_never_unpickled(where, tmp_path):
    marker = tmp_path / "pwned"
    members = {
        "as an array member": {"__tinygrad_edu__": table(ndarray_entry(shape=(1,))),
                               "array_0": evil_object_array(marker)},
        "declared as object dtype": {"__tinygrad_edu__": table(ndarray_entry("array_0", "|O",
                                                                             (1,))),
                                     "array_0": evil_object_array(marker)},
        "as the table of contents": {"__tinygrad_edu__": evil_object_array(marker)},
        "in a plain npz": {"weights": evil_object_array(marker)},
    }[where]
    write_npz(tmp_path / "evil.npz", members, allow_pickle=True)
    with pytest.raises(CheckpointError):
        load(tmp_path / "evil.npz")
    assert not marker.exists()


# ------------------------------------------- well-formed zips, wrong table of contents
def good_members():
    return {"__tinygrad_edu__": table({"type": "dict", "items": [["w", ndarray_entry()]]}),
            "array_0": np.zeros(3)}


def contents_with(**changes):
    doc = {"format": "tinygrad_edu.checkpoint", "version": 1,
           "root": {"type": "dict", "items": [["w", ndarray_entry()]]}}
    doc.update(changes)
    return np.array(json.dumps(doc))


BROKEN = [
    ("missing member", {"array_0": None}, "member 'array_0' is missing"),
    ("extra member", {"array_1": np.ones(2)}, "unexpected members.*array_1"),
    ("wrong shape", {"array_0": np.zeros(4)}, r"shape \(4,\).*says float64 of shape \(3,\)"),
    ("wrong dtype", {"array_0": np.zeros(3, np.float32)}, "float32.*says float64"),
    ("table not JSON", {"__tinygrad_edu__": np.array("{not json")}, "JSONDecodeError"),
    ("table not a string", {"__tinygrad_edu__": np.zeros(3)}, "not a JSON string"),
    ("table is a list", {"__tinygrad_edu__": np.array("[1, 2]")}, "does not name the format"),
    ("other format", {"__tinygrad_edu__": contents_with(format="other")},
     "does not name the format"),
    ("newer version", {"__tinygrad_edu__": contents_with(version=2)},
     "format version 2.*reads version 1.*upgrade"),
    ("no root", {"__tinygrad_edu__": np.array(json.dumps(
        {"format": "tinygrad_edu.checkpoint", "version": 1}))}, "does not name the format"),
    ("unknown type", {"__tinygrad_edu__": table({"type": "set", "items": []})},
     "unknown entry type 'set'"),
    ("untyped object", {"__tinygrad_edu__": table({"a": 1})}, "unrecognised entry"),
    ("bad dict item", {"__tinygrad_edu__": table({"type": "dict", "items": [["k"]]})},
     r"\[key, value\] pair"),
    ("float dict key", {"__tinygrad_edu__": table({"type": "dict", "items": [[1.5, 1]]})},
     "expected an int"),
    ("duplicate key", {"__tinygrad_edu__": table({"type": "dict",
                                                  "items": [["a", 1], ["a", 2]]})},
     "key 'a' appears twice"),
    ("member used twice", {"__tinygrad_edu__": table([ndarray_entry(), ndarray_entry()])},
     "referenced twice"),
    ("entry without dtype", {"__tinygrad_edu__": table({"type": "ndarray",
                                                        "member": "array_0", "shape": [3]})},
     "needs a str field 'dtype'"),
    ("NaN in JSON", {"__tinygrad_edu__": np.array(
        '{"format": "tinygrad_edu.checkpoint", "version": 1, "root": NaN}')}, "not JSON"),
    ("bad float bits", {"__tinygrad_edu__": table({"type": "float", "bits": "zz"})},
     "ValueError"),
    ("bad int hex", {"__tinygrad_edu__": table({"type": "int", "hex": "0xg"})}, "ValueError"),
    ("short float bits", {"__tinygrad_edu__": table({"type": "float", "bits": "00"})},
     "error"),
    # table and member agree on a string array: well-formed, but save never writes one
    ("string array", {"__tinygrad_edu__": table(ndarray_entry(dtype="<U3", shape=(2,))),
                      "array_0": np.array(["abc", "def"])}, "dtype <U3 is not allowed"),
    ("datetime array", {"__tinygrad_edu__": table(ndarray_entry(dtype="<M8[s]", shape=(1,))),
                        "array_0": np.zeros(1, "<M8[s]")}, r"datetime64\[s\] is not allowed"),
]


@pytest.mark.parametrize("name, changes, message", BROKEN, ids=[b[0] for b in BROKEN])
def test_wrong_table_of_contents_or_members_raise_checkpoint_error(name, changes, message,
                                                                   workdir):
    members = good_members()
    members.update(changes)
    members = {k: v for k, v in members.items() if v is not None}
    write_npz(workdir / "broken.npz", members)
    with pytest.raises(CheckpointError, match=message) as info:
        load(workdir / "broken.npz")
    assert "broken.npz" in str(info.value)


def test_the_hand_made_good_archive_itself_loads(workdir):
    """Guards the table above: its failures come from the change, not from write_npz."""
    write_npz(workdir / "good.npz", good_members())
    assert_same({"w": np.zeros(3)}, load(workdir / "good.npz"))


def test_a_header_claiming_a_huge_array_is_refused_before_allocating(workdir):
    """Table and .npy header agree on 8 TB, the member holds 24 bytes: refused by size."""
    huge = (10 ** 12,)
    with zipfile.ZipFile(workdir / "huge.npz", "w") as archive:
        with archive.open("__tinygrad_edu__.npy", "w") as member:
            np.lib.format.write_array(member, table(ndarray_entry(shape=huge)))
        with archive.open("array_0.npy", "w") as member:
            np.lib.format.write_array_header_1_0(
                member, {"descr": "<f8", "fortran_order": False, "shape": huge})
            member.write(np.zeros(3).tobytes())
    with pytest.raises(CheckpointError, match="has 24 bytes of data.*needs 8000000000000"):
        load(workdir / "huge.npz")


def test_checkpoint_error_is_a_value_error():
    assert issubclass(CheckpointError, ValueError)


def test_a_directory_is_an_os_error_not_a_checkpoint_error(tmp_path):
    with pytest.raises(OSError):
        load(tmp_path)
    assert not os.listdir(tmp_path)
