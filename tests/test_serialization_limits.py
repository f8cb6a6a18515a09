"""save / load at the edges (contract §9, issue 9 rows 10-13): bounded loading (zip bombs,
huge declared sizes), read-only files, symlinks, deep nesting and long file names."""
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import zipfile

import numpy as np
import pytest

from tinygrad_edu import CheckpointError, load, save
from tinygrad_edu import serialization
from tinygrad_edu.serialization import MAX_DEPTH

# A child process builds three small hostile checkpoints and loads each one, reading its
# peak memory (ru_maxrss) before and after. It builds the zip by hand: zipfile cannot write
# a member that is already compressed. An address-space limit keeps a loader that does
# inflate the bomb from taking the machine down (it fails with a large peak instead).
BOMB_SCRIPT = textwrap.dedent(r'''
    import io, json, os, resource, struct, sys, zlib
    import numpy as np
    from tinygrad_edu import CheckpointError, load

    def peak_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def npy_header(descr, shape):
        buf = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            buf, {"descr": descr, "fortran_order": False, "shape": shape})
        return buf.getvalue()

    def deflated_zeros(prefix, n_mib):
        """raw deflate of prefix + n_mib MiB of zeros, ~1 KB per MiB: each MiB is one
        identical fully-flushed block, so the stream is built by repetition."""
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
        block = c.compress(bytes(1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
        again = c.compress(bytes(1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
        assert block == again
        return head + block * n_mib + c.flush(), len(prefix) + (n_mib << 20)

    def zip_file(path, members):
        """members: (name, stored bytes, method 0/8, crc, uncompressed size)."""
        local, central = b"", b""
        for name, data, method, crc, size in members:
            name = name.encode()
            central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0,
                                   0x21, crc, len(data), size, len(name), 0, 0, 0, 0, 0,
                                   len(local)) + name
            local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc,
                                 len(data), size, len(name), 0) + name + data
        end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members),
                          len(central), len(local), 0)
        with open(path, "wb") as f:
            f.write(local + central + end)

    def toc_member(root):
        text = json.dumps({"format": "tinygrad_edu.checkpoint", "version": 1, "root": root})
        buf = io.BytesIO()
        np.lib.format.write_array(buf, np.array(text), allow_pickle=False)
        data = buf.getvalue()
        return ("__tinygrad_edu__.npy", data, 0, zlib.crc32(data), len(data))

    GIB = 2 ** 31 - 2 ** 21    # just under 2 GiB: fits the 32-bit size fields
    n_mib = GIB >> 20
    root = {"type": "ndarray", "member": "array_0", "dtype": "|u1", "shape": [n_mib << 20]}
    # 1. an array member that inflates to 2 GiB (the CRC is not worked out: a loader must
    #    refuse before it gets that far)
    data, size = deflated_zeros(npy_header("|u1", (n_mib << 20,)), n_mib)
    zip_file("bomb.ckpt", [toc_member(root), ("array_0.npy", data, 8, 0, size)])
    # 2. a table of contents that inflates to 2 GiB (a 0-d string of 512 Mi characters)
    data, size = deflated_zeros(npy_header("<U%d" % (n_mib << 18), ()), n_mib)
    zip_file("toc.ckpt", [("__tinygrad_edu__.npy", data, 8, 0, size)])
    # 3. a stored member whose header and table of contents declare 8 TB of float64
    shape = [10 ** 12]
    data = npy_header("<f8", tuple(shape)) + bytes(64)
    zip_file("shape.ckpt", [toc_member({"type": "ndarray", "member": "array_0",
                                        "dtype": "<f8", "shape": shape}),
                            ("array_0.npy", data, 0, zlib.crc32(data), len(data))])

    with open("/proc/self/status") as status:
        vm_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize"))
    limit = (vm_kb << 10) + (1536 << 20)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    report = {"file_mb": os.path.getsize("bomb.ckpt") / 2 ** 20, "cases": []}
    for name in ("bomb.ckpt", "toc.ckpt", "shape.ckpt"):
        before = peak_mb()
        try:
            load(name)
            outcome = "loaded"
        except CheckpointError as error:
            outcome = "CheckpointError: " + str(error)
        except BaseException as error:
            outcome = type(error).__name__ + ": " + str(error)
        report["cases"].append([name, outcome, peak_mb() - before])
    print(json.dumps(report))
''')


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and ru_maxrss (KB)")
def test_small_files_declaring_or_inflating_to_gigabytes_are_refused_with_bounded_memory(
        tmp_path):
    """Issue 9, row 10: a 2 MB checkpoint made load peak at 4.3 GB before CheckpointError."""
    result = subprocess.run([sys.executable, "-c", BOMB_SCRIPT], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["file_mb"] < 3
    bomb, toc, shape = report["cases"]
    assert bomb[1].startswith("CheckpointError") and "compressed" in bomb[1], bomb
    assert toc[1].startswith("CheckpointError") and "compressed" in toc[1], toc
    assert shape[1].startswith("CheckpointError") and "needs 8000000000000" in shape[1], shape
    for name, outcome, grew_mb in report["cases"]:
        assert grew_mb < 300, f"{name}: the process grew by {grew_mb:.0f} MB ({outcome})"


def declare_sizes(path, compressed, uncompressed):
    """Rewrite the sizes the central directory gives for the last member (array_0.npy)."""
    raw = bytearray(path.read_bytes())
    entry = raw.rindex(b"PK\x01\x02")
    raw[entry + 20:entry + 28] = (compressed.to_bytes(4, "little")
                                  + uncompressed.to_bytes(4, "little"))
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("sizes", ["1 GB", "a byte more than the file", "compressed != uncompressed"])
def test_a_member_declaring_more_bytes_than_the_file_holds_is_refused(sizes, tmp_path):
    """Refused by the declared size itself, before anything is read (the message says so)."""
    path = tmp_path / "c.npz"
    save({"w": np.arange(1000.0)}, path)
    file_size = path.stat().st_size
    compressed, uncompressed = {"1 GB": (10 ** 9, 10 ** 9),
                                "a byte more than the file": (file_size + 1, file_size + 1),
                                "compressed != uncompressed": (8128, 8200)}[sizes]
    declare_sizes(path, compressed, uncompressed)
    with pytest.raises(CheckpointError, match=f"member 'array_0' declares {uncompressed} bytes"):
        load(path)


def test_members_are_written_as_ordinary_rw_r__r__files(tmp_path):
    """unzip gives every member the mode stored in the archive: 0o644, as np.savez does."""
    save({"w": np.ones(2), "b": np.zeros(1)}, tmp_path / "c.npz")
    with zipfile.ZipFile(tmp_path / "c.npz") as archive:
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert modes == {name: 0o644 for name in modes} and len(modes) == 3


def test_long_entries_are_cut_to_80_characters_in_messages():
    short = "x" * 78                                   # 80 characters with its quotes
    assert serialization._short(short) == json.dumps(short)
    long = serialization._short("x" * 79)
    assert long == '"' + "x" * 76 + "..." and len(long) == 80


# --------------------------------------------------------------------- permissions, links
def run_as_nobody(function):
    """Run ``function`` in a forked child with the uid/gid of 'nobody'; return its exit code.

    The suite runs as root, who may write any file; a learner is not root. setuid in a
    child is the honest way to be someone else: the kernel then refuses what it refuses them.
    """
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 3
        try:
            os.setgid(65534)
            os.setuid(65534)
            code = function()
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def test_save_over_a_read_only_file_raises_permission_error_and_keeps_it():
    """Issue 9, row 11: the rename only needs a writable folder, so a chmod-444 file was
    replaced; open(path, "wb") refuses it, and so must save."""
    folder = tempfile.mkdtemp()   # pytest's tmp_path is private to root
    try:
        os.chmod(folder, 0o777)
        path = os.path.join(folder, "ckpt.npz")
        save({"old": 1}, path)
        os.chmod(path, 0o444)
        before = open(path, "rb").read()

        def try_to_overwrite():
            try:
                open(path, "wb")
                return 4                  # open itself would have succeeded: no test
            except PermissionError:
                pass
            try:
                save({"new": 2}, path)
            except PermissionError as error:
                return 0 if "read-only" in str(error) and path in str(error) else 5
            return 6

        if os.geteuid() == 0:
            assert run_as_nobody(try_to_overwrite) == 0
        else:
            assert try_to_overwrite() == 0
        assert open(path, "rb").read() == before
        assert sorted(os.listdir(folder)) == ["ckpt.npz"]
    finally:
        for name in os.listdir(folder):
            os.unlink(os.path.join(folder, name))
        os.rmdir(folder)


def test_save_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path):
    (tmp_path / "runs").mkdir()
    target = tmp_path / "runs" / "ckpt-7.npz"
    save({"step": 6}, target)
    link = tmp_path / "latest.npz"
    link.symlink_to(os.path.join("runs", "ckpt-7.npz"))   # a relative link
    save({"step": 7}, link)
    assert link.is_symlink() and os.readlink(link) == os.path.join("runs", "ckpt-7.npz")
    assert load(target) == {"step": 7} and load(link) == {"step": 7}
    assert sorted(os.listdir(tmp_path)) == ["latest.npz", "runs"]
    assert os.listdir(tmp_path / "runs") == ["ckpt-7.npz"]


def test_save_through_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "latest.npz"
    link.symlink_to("new.npz")
    save([1, 2], link)
    assert link.is_symlink() and load(tmp_path / "new.npz") == [1, 2]


# -------------------------------------------------------------------------- nesting depth
def nested(kind, depth):
    obj = np.arange(3)
    for level in range(depth):
        obj = {"a": obj} if kind == "dict" else [obj] if kind == "list" else (obj, level)
    return obj


def at_depth(frames, function):
    """Call ``function`` from ``frames`` Python frames deeper (a caller deep in its own code)."""
    return function() if frames == 0 else at_depth(frames - 1, function)


@pytest.mark.parametrize("kind", ["dict", "list", "tuple"])
def test_nesting_of_max_depth_saves_and_loads_even_from_a_deep_caller(kind, tmp_path):
    """Issue 9, row 12: what save writes, load reads; a few hundred levels work."""
    obj = nested(kind, MAX_DEPTH)
    path = tmp_path / "deep.npz"
    at_depth(300, lambda: save(obj, path))
    loaded = at_depth(300, lambda: load(path))
    for _ in range(MAX_DEPTH):
        loaded = loaded["a"] if kind == "dict" else loaded[0]
    np.testing.assert_array_equal(loaded, np.arange(3))


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5000])
def test_deeper_nesting_is_refused_at_save_with_type_error(depth, tmp_path):
    path = tmp_path / "deep.npz"
    with pytest.raises(TypeError, match=f"nested more than {MAX_DEPTH} containers deep"):
        save(nested("list", depth), path)
    assert not os.listdir(tmp_path)


def test_a_file_nested_too_deep_to_read_is_a_checkpoint_error(tmp_path):
    path = tmp_path / "deep.npz"
    save([0], path)
    import zipfile
    deep = "[" * 100_000 + "0" + "]" * 100_000
    text = json.dumps({"format": "tinygrad_edu.checkpoint", "version": 1, "root": 0})
    text = text.replace('"root": 0', '"root": ' + deep)
    with zipfile.ZipFile(path, "w") as archive:
        with archive.open("__tinygrad_edu__.npy", "w") as member:
            np.lib.format.write_array(member, np.array(text), allow_pickle=False)
    with pytest.raises(CheckpointError):
        load(path)


def test_a_limit_raised_for_save_and_load_is_put_back_afterwards(tmp_path):
    """save/load raise Python's recursion limit while they run; afterwards the caller's own
    limit is back: after a save, a load, a save that fails, and one that runs while another
    is still running (which must not lower the limit under the outer one). The limit is
    set low here on purpose, so that every call below really has to raise it."""
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    own, before = depth + 200, sys.getrecursionlimit()   # far below depth + _RECURSION_HEADROOM
    path = tmp_path / "deep.npz"
    cycle = []
    cycle.append(cycle)
    try:
        sys.setrecursionlimit(own)
        save(nested("dict", 100), path)
        assert sys.getrecursionlimit() == own
        assert load(path)["a"]["a"] is not None
        assert sys.getrecursionlimit() == own
        with pytest.raises(TypeError, match="contains itself"):
            save(cycle, path)
        assert sys.getrecursionlimit() == own
        with serialization._recursion_room():             # an outer save/load, still running
            raised = sys.getrecursionlimit()
            assert raised > own
            save(nested("list", 100), path)
            load(path)
            assert sys.getrecursionlimit() >= raised          # not lowered under it
        assert sys.getrecursionlimit() == own
    finally:
        sys.setrecursionlimit(before)


# ----------------------------------------------------------------------------- long names
def test_a_240_character_file_name_works(tmp_path):
    """Issue 9, row 13: the hidden temporary name was longer than the 255-byte limit."""
    path = tmp_path / ("c" * 236 + ".npz")
    save({"w": np.ones(2)}, path)
    np.testing.assert_array_equal(load(path)["w"], np.ones(2))
    assert os.listdir(tmp_path) == [path.name]
    long_utf8 = tmp_path / ("가" * 84)   # 252 bytes in UTF-8
    save([1], long_utf8)
    assert load(long_utf8) == [1]


def test_deep_saves_in_two_threads_at_once_work_and_the_recursion_limit_is_put_back(tmp_path):
    import threading
    limit = sys.getrecursionlimit()
    errors = []

    def save_and_load(name):
        try:
            for _ in range(3):
                save(nested("dict", MAX_DEPTH), tmp_path / name)
                load(tmp_path / name)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=save_and_load, args=(f"t{i}.npz",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sys.getrecursionlimit() == limit
