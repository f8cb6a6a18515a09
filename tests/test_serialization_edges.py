"""Checkpoint edges of issue 22: bytes glued to a valid checkpoint are refused; save's
errors name the user's path, never the hidden temporary file; torch.load's keywords are
accepted (ignored where meaningless); loading many arrays is not quadratic."""
import errno
import os
import zipfile

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import CheckpointError, load, save
from tinygrad_edu import serialization

OBJ = {"step": 3, "w": np.arange(6.0).reshape(2, 3), "b": [np.ones(2, np.float32)]}


@pytest.fixture
def valid(tmp_path):
    path = tmp_path / "run.ckpt"
    save(OBJ, path)
    return path, path.read_bytes()


def _load_bytes(data, path):
    path.write_bytes(data)
    return load(path)


@pytest.mark.parametrize("extra", [b"x", b"\x00" * 100, b"PK\x03\x04" * 9])
def test_bytes_appended_after_a_valid_checkpoint_are_refused(valid, extra):
    path, data = valid
    with pytest.raises(CheckpointError, match=rf"{len(extra)} bytes follow the end of the "
                                              rf"archive: something was appended"):
        _load_bytes(data + extra, path)


def test_an_appended_empty_zip_end_record_is_refused_too(valid):
    path, data = valid       # zipfile then reads an empty archive: no table of contents
    with pytest.raises(CheckpointError, match="no '__tinygrad_edu__' member"):
        _load_bytes(data + b"PK\x05\x06" + b"\x00" * 18, path)


def test_two_checkpoints_joined_are_refused_either_way(valid, tmp_path):
    path, data = valid
    other = tmp_path / "other.ckpt"
    save({"step": 4}, other)
    for joined in (data + other.read_bytes(), other.read_bytes() + data):
        # zipfile alone reads the second one and never notices the first in front of it
        with pytest.raises(CheckpointError, match=r"\d+ bytes come before the archive starts"):
            _load_bytes(joined, path)


def test_a_zip_comment_is_refused(valid):
    path, _ = valid
    with zipfile.ZipFile(path, "a") as archive:
        archive.comment = b"hello"
    with pytest.raises(CheckpointError, match="a zip comment"):
        load(path)


def _archive_with_a_gap(path):
    """What save writes, with four bytes between the two members (zipfile reads it fine)."""
    arrays = [("array_0", np.arange(3.0))]
    header = np.array('{"format":"tinygrad_edu.checkpoint","version":1,"root":'
                      '{"type":"ndarray","member":"array_0","dtype":"<f8","shape":[3]}}')
    with open(path, "wb") as file, zipfile.ZipFile(file, "w") as archive:
        for k, (name, array) in enumerate([(serialization.HEADER, header)] + arrays):
            if k == 1:
                file.seek(archive.start_dir)
                file.write(b"GAP!")
                archive.start_dir = file.tell()    # where zipfile puts the next member
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            with archive.open(info, mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def test_bytes_between_members_are_refused(tmp_path):
    path = tmp_path / "gap.ckpt"
    _archive_with_a_gap(path)
    with zipfile.ZipFile(path) as archive:        # an ordinary zip reader sees nothing wrong
        assert archive.testzip() is None
    with pytest.raises(CheckpointError, match="does not fill the file as save writes it"):
        load(path)


def test_many_arrays_load_without_listing_the_archive_once_per_array(tmp_path, monkeypatch):
    save([np.zeros(1)] * 300, tmp_path / "many.ckpt")
    calls = []
    real = zipfile.ZipFile.namelist
    monkeypatch.setattr(zipfile.ZipFile, "namelist",
                        lambda self: calls.append(1) or real(self))
    assert len(load(tmp_path / "many.ckpt")) == 300
    assert len(calls) <= 2, f"namelist() ran {len(calls)} times for 300 arrays"


# ---------------------------------------------------------------- save's errors name the path
@pytest.mark.parametrize("where, error", [
    ("no/such/dir/run.ckpt", FileNotFoundError),
    ("", FileNotFoundError),
    ("a_folder", IsADirectoryError),
    ("a_folder/", IsADirectoryError),
    ("missing_folder/", IsADirectoryError),
])
def test_a_path_save_cannot_write_is_named_as_given(where, error, tmp_path, monkeypatch):
    work = tmp_path / "work"
    (work / "a_folder").mkdir(parents=True)
    monkeypatch.chdir(work)
    with pytest.raises(error) as info:
        save(OBJ, where)
    assert info.value.filename == where and ".tmp" not in str(info.value)
    assert os.listdir(work) == ["a_folder"] and os.listdir(work / "a_folder") == []
    assert os.listdir(tmp_path) == ["work"]              # nothing written one level up


def test_a_folder_the_system_refuses_names_the_users_path():
    with pytest.raises(OSError) as info:
        save(OBJ, "/proc/run.ckpt")                   # mkstemp fails there, even for root
    assert info.value.filename == "/proc/run.ckpt" and ".tmp" not in str(info.value)


@pytest.mark.parametrize("failing", ["fsync", "replace", "chmod"])
def test_a_failure_while_writing_names_the_users_path_and_keeps_the_old_file(
        valid, monkeypatch, failing):
    path, before = valid

    def fail(*args, **kwargs):
        name = args[0] if args and isinstance(args[0], str) else None
        raise OSError(errno.ENOSPC, "No space left on device", name)

    monkeypatch.setattr(serialization.os, failing, fail)
    with pytest.raises(OSError) as info:
        save({"step": 4}, str(path))
    monkeypatch.undo()
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(path)
    assert ".tmp" not in str(info.value)
    assert path.read_bytes() == before and os.listdir(path.parent) == [path.name]


# --------------------------------------------------------------------- torch.load's keywords
def test_torch_load_keywords_are_accepted(valid):
    path, _ = valid
    for kwargs in [dict(map_location="cpu"), dict(weights_only=True), dict(weights_only=False),
                   dict(map_location={"cuda:0": "cpu"}, mmap=True),
                   dict(map_location=lambda storage, location: storage),
                   dict(pickle_module=None, encoding="latin1")]:
        loaded = load(path, **kwargs)
        assert loaded["step"] == 3 and np.array_equal(loaded["w"], OBJ["w"])
    assert load(path, "cpu")["step"] == 3                  # map_location is positional, too


@pytest.mark.parametrize("place", ["cuda", "cuda:1", {"cpu": "mps"}])
def test_a_map_location_other_than_the_cpu_says_this_engine_runs_on_the_cpu(valid, place):
    with pytest.raises(RuntimeError, match="runs on the CPU"):
        load(valid[0], map_location=place)


def test_pytorch_devices_work_as_map_location(valid):
    torch = pytest.importorskip("torch")
    assert load(valid[0], map_location=torch.device("cpu"))["step"] == 3
    with pytest.raises(RuntimeError, match="runs on the CPU"):
        load(valid[0], map_location=torch.device("cuda", 0))


@pytest.mark.parametrize("kwargs, words", [
    (dict(weigths_only=True), "unexpected keyword argument 'weigths_only'"),
    (dict(weights_only="yes"), "weights_only must be True, False or None"),
    (dict(map_location=3), "map_location must be a device name"),
])
def test_misspelt_or_wrong_keywords_are_refused(valid, kwargs, words):
    with pytest.raises(TypeError, match=words):
        load(valid[0], **kwargs)


def test_the_top_level_load_is_this_one():
    assert tinygrad_edu.load is load


def test_a_bytes_path_works_as_it_does_for_open(tmp_path):
    path = os.fsencode(str(tmp_path / "caf\u00e9.ckpt"))
    save(OBJ, path)
    assert load(path)["step"] == 3 and os.listdir(tmp_path) == ["caf\u00e9.ckpt"]


def _as_zip64(data):
    """The same archive ended the zip64 way (what save writes past 65,535 arrays or 4 GB):
    a zip64 end record and its locator before an end record whose fields say "see zip64"."""
    import struct
    end = data[-22:]
    _, _, _, _, count, size, offset, _ = struct.unpack("<4s4H2LH", end)
    record_at = len(data) - 22
    record = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, size,
                         offset)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, record_at, 1)
    new_end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF,
                          0xFFFFFFFF, 0)
    return data[:record_at] + record + locator + new_end


def test_a_zip64_ended_checkpoint_loads_and_is_held_to_the_same_layout(valid):
    path, data = valid
    zip64 = _as_zip64(data)
    loaded = _load_bytes(zip64, path)
    assert loaded["step"] == 3 and np.array_equal(loaded["w"], OBJ["w"])
    with pytest.raises(CheckpointError, match="1 bytes follow the end of the archive"):
        _load_bytes(zip64 + b"x", path)
    directory_end = len(data) - 22      # a gap before the zip64 record: zipfile refuses it
    with pytest.raises(CheckpointError):
        _load_bytes(zip64[:directory_end] + b"GAP!" + zip64[directory_end:], path)


def test_a_member_in_npy_format_2_0_loads(tmp_path):
    """NumPy writes .npy 2.0 for very long headers; a checkpoint member in it is read too."""
    path = tmp_path / "v2.ckpt"
    header = np.array('{"format":"tinygrad_edu.checkpoint","version":1,"root":'
                      '{"type":"ndarray","member":"array_0","dtype":"<f8","shape":[3]}}')
    with open(path, "wb") as file, zipfile.ZipFile(file, "w") as archive:
        for name, array in [(serialization.HEADER, header), ("array_0", np.arange(3.0))]:
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            with archive.open(info, mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, version=(2, 0), allow_pickle=False)
    assert load(path).tolist() == [0.0, 1.0, 2.0]


def test_save_puts_the_umask_back_after_reading_it(tmp_path):
    previous = os.umask(0o027)
    try:
        save(OBJ, tmp_path / "new.ckpt")                 # a new file reads the umask
        assert os.umask(0o027) == 0o027
        assert os.stat(tmp_path / "new.ckpt").st_mode & 0o777 == 0o640
    finally:
        os.umask(previous)


def test_a_table_of_contents_that_is_not_a_0d_string_is_refused_saying_so(tmp_path):
    path = tmp_path / "toc.ckpt"
    header = np.array(['{"format":"tinygrad_edu.checkpoint","version":1,"root":1}'])   # 1-d
    with open(path, "wb") as file, zipfile.ZipFile(file, "w") as archive:
        info = zipfile.ZipInfo(serialization.HEADER + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
        with archive.open(info, mode="w", force_zip64=True) as member:
            np.lib.format.write_array(member, header, allow_pickle=False)
    with pytest.raises(CheckpointError, match=r"is not a JSON string \(dtype <U\d+, shape \(1,\)\)"):
        load(path)


def test_finite_floats_are_plain_json_numbers_in_the_table_of_contents(tmp_path):
    """The table of contents reads as JSON with the numbers in it (inf and NaN, which JSON
    lacks, are stored as their bits). (serialization.py, _encode: return float(obj))"""
    import json
    path = tmp_path / "c.npz"
    save({"lr": 0.1, "big": float("inf")}, path)
    text = str(np.load(path)["__tinygrad_edu__"])
    json.loads(text)
    assert "0.1" in text and text.count('"bits"') == 1
    assert load(path) == {"lr": 0.1, "big": float("inf")}


def test_a_file_starting_like_a_zip_but_not_a_member_is_called_a_damaged_archive(tmp_path):
    # An empty zip's end record (PK\x05\x06) where a member should start.
    # (serialization.py, _what_the_file_looks_like)
    path = tmp_path / "c.npz"
    path.write_bytes(b"PK\x05\x06" + bytes(18))
    with pytest.raises(CheckpointError, match="it is a damaged zip archive"):
        load(path)


def test_loading_a_between_epochs_state_ends_a_resumed_one():
    """A loader holding a mid-epoch state, given a between-epochs one, starts a new epoch
    next, as a fresh loader given that state would. (loader.py, load_state_dict)"""
    from tinygrad_edu.data import DataLoader, TensorDataset

    def make():
        return DataLoader(TensorDataset(np.arange(10.0)), batch_size=3, shuffle=True, seed=4)
    source = make()
    between = source.state_dict()
    it = iter(source)
    next(it)
    mid = source.state_dict()
    loader, fresh = make(), make()
    loader.load_state_dict(mid)
    loader.load_state_dict(between)
    fresh.load_state_dict(between)
    assert [b[0].tolist() for b in loader] == [b[0].tolist() for b in fresh]


def _archive(path, arrays, *, version=None, gap_before_directory=False):
    """An archive as save writes it, with one thing changed: the .npy version of the arrays,
    or four bytes between the last member and the zip directory (zipfile reads both)."""
    members = ", ".join(f'{{"type":"ndarray","member":"{name}","dtype":"<f8","shape":[3]}}'
                        for name, _ in arrays)
    header = np.array('{"format":"tinygrad_edu.checkpoint","version":1,"root":'
                      f'[{members}]}}')
    with open(path, "wb") as file, zipfile.ZipFile(file, "w") as archive:
        for k, (name, array) in enumerate([(serialization.HEADER, header)] + arrays):
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            with archive.open(info, mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False,
                                          version=version if k else None)
        if gap_before_directory:
            file.seek(archive.start_dir)
            file.write(b"GAP!")
            archive.start_dir = file.tell()    # where zipfile writes its directory


def test_an_array_of_a_npy_version_save_never_writes_is_refused_naming_it(tmp_path):
    path = tmp_path / "v3.ckpt"
    _archive(path, [("array_0", np.arange(3.0))], version=(3, 0))
    with pytest.raises(CheckpointError, match=r"member 'array_0' has \.npy version \(3, 0\)"):
        load(path)
    _archive(path, [("array_0", np.arange(3.0))], version=(2, 0))     # 2.0 is read
    assert load(path)[0].tolist() == [0.0, 1.0, 2.0]


def test_bytes_between_the_last_member_and_the_directory_are_refused(tmp_path):
    path = tmp_path / "gap.ckpt"
    _archive(path, [("array_0", np.arange(3.0))], gap_before_directory=True)
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None       # an ordinary zip reader sees nothing wrong
    with pytest.raises(CheckpointError, match="the zip directory starts at byte"):
        load(path)


def test_an_encrypted_member_is_refused_as_a_checkpoint_error(tmp_path):
    path = tmp_path / "locked.ckpt"
    save([np.arange(3.0)], path)
    data = bytearray(path.read_bytes())
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):   # local, directory
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + flag_at] |= 0x01
            start += 4
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="member '__tinygrad_edu__' is encrypted; tinygrad_edu.save never"):
        load(path)
