"""Checkpoints: ``save(obj, path)`` and ``load(path)`` for state dicts, without pickle.

What a checkpoint is
--------------------
A NumPy ``.npz`` file — a zip archive of ``.npy`` files — holding

* one member per array, named ``array_0``, ``array_1``, ... (raw bytes, exact dtype and shape);
* one member ``__tinygrad_edu__``: a 0-d string array holding a JSON document, the *table of
  contents*. It names the format and its version and describes the structure — dicts, lists,
  tuples, numbers, strings — with each array replaced by a reference to its member::

      {"format": "tinygrad_edu.checkpoint", "version": 1,
       "root": {"type": "dict", "items": [
           ["step", 3],
           ["w", {"type": "ndarray", "member": "array_0", "dtype": "<f8", "shape": [3]}]]}}

You can look inside with NumPy alone: ``z = np.load(path, allow_pickle=False)``,
``print(z["__tinygrad_edu__"])``, ``z["array_0"]``.

Why not pickle (``torch.save``, ``np.save(allow_pickle=True)``)? Unpickling a file *runs code*
chosen by whoever wrote the file. Here nothing in a file is ever unpickled or executed: the
structure is JSON, and arrays are read by NumPy with ``allow_pickle=False``.

What round-trips, exactly
-------------------------
==========================  ==========================================================
saved                        loaded
==========================  ==========================================================
``dict`` (str/int keys)      ``dict``: same key types, same order (an OrderedDict comes
                             back as a plain dict)
``list`` / ``tuple``         ``list`` / ``tuple`` (a namedtuple comes back as a tuple)
``np.ndarray``               bool, int, uint, float (incl. float16) and complex arrays of
                             any shape, 0-d too: same dtype (byte order too), bit for bit
NumPy scalar                 NumPy scalar of the same dtype (``np.float32(1)`` stays one)
``int``                      ``int`` of any size (huge ones are stored as hex strings)
``float``                    ``float``, bit for bit: ``-0.0``, ``inf`` and NaN included
``bool``, ``str``, ``None``  the same (``True`` stays ``True``, not ``1``)
==========================  ==========================================================

Anything else — a set, a function, a Tensor, an object array, a dict with other keys — makes
``save`` raise ``TypeError`` naming where it sits (``obj['state'][3]['exp_avg']: ...``), before
anything is written. Two references to one array are saved as two arrays.

Errors on load
--------------
A missing file raises ``FileNotFoundError`` (as ``open`` does): that is not a broken file.
Anything that is not an intact checkpoint — empty, truncated, a pickle, random bytes, a plain
``.npz``, members missing or extra, a damaged table of contents, an array whose bytes changed
(each zip member carries a CRC-32 that is verified on reading), bytes appended to the file,
put in front of it or inserted between its members (the archive must fill the file exactly,
as ``save`` writes it) — raises :class:`CheckpointError`, a ``ValueError``, with the path and
what is wrong. ``torch.load``'s keywords (``map_location``, ``weights_only``, ...) are
accepted and ignored where they mean nothing here (see :func:`load`).

Nesting deeper than ``MAX_DEPTH`` (300) containers is refused by ``save`` with a
``TypeError``: whatever ``save`` writes, ``load`` reads back.

Bounded loading
---------------
``load`` spends memory only on what the file really holds. ``save`` writes every member
uncompressed, so a compressed member (a "zip bomb": 2 MB that inflate to gigabytes) is
refused before anything is inflated, and every size a file *declares* — a member's length, an
array's shape, the table of contents — is checked against the bytes actually in the file
before memory is allocated for it.

Atomic saves
------------
``save`` writes a temporary file in the target's directory, flushes it to disk (``fsync``)
and then renames it over ``path`` in one step (``os.replace``). A failure midway (an
unsupported object, a full disk, Ctrl-C) leaves the previous checkpoint untouched and removes
the temporary file; even a hard crash (power cut, ``kill -9``) never leaves half a file at
``path``, though it may leave a hidden ``.<name>.*.tmp`` beside it (the name shortened to
40 characters, so that a long file name still leaves room for the temporary one).
Like ``open(path, "wb")``: a symlink at ``path`` is written through (its target is replaced,
the link stays), a file you may not write raises ``PermissionError``, an empty path or a
folder is refused before anything is written, and every ``OSError`` names ``path`` (never
the temporary file).
"""
import contextlib
import errno
import json
import math
import os
import struct
import sys
import tempfile
import threading
import zipfile

import numpy as np

__all__ = ["save", "load", "CheckpointError"]

FORMAT = "tinygrad_edu.checkpoint"
VERSION = 1
HEADER = "__tinygrad_edu__"     # the member holding the JSON table of contents

# Array dtypes a checkpoint holds: bool, signed/unsigned int, float, complex. (Object arrays
# would need pickle; strings and dates are not training state.)
_ARRAY_KINDS = "biufc"
# Ints beyond ±2**53 are written as hex strings: every JSON reader keeps them exact, and
# Python's limit on decimal conversion of huge ints (4300 digits) does not apply to hex.
_JSON_SAFE_INT = 2 ** 53
# Zip entries get a fixed timestamp, so saving the same object twice gives the same bytes.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# Containers nested deeper than this are refused by save. JSON and the walkers below recurse
# up to about 4 Python levels per container (a dict is {"type": "dict", "items": [[k, v]]}),
# so _recursion_room makes sure Python allows that much, wherever save/load is called from.
MAX_DEPTH = 300
_RECURSION_HEADROOM = 8 * MAX_DEPTH + 100
# The temporary file's name keeps at most this much of the target's name (NAME_MAX is 255
# bytes on most file systems, and a character may take up to 4 bytes).
_TMP_NAME_CHARS = 40


class CheckpointError(ValueError):
    """The file is not an intact tinygrad_edu checkpoint (the message says what is wrong)."""


# =============================================================================== saving
def save(obj, path):
    """Write ``obj`` (nested dicts/lists/tuples of arrays, numbers, strings) to ``path``.

    ``path`` is used exactly as given — no suffix is added (``.npz`` is a good choice) — and
    an existing file there is replaced atomically. See the module docstring for what can be
    saved and what the file looks like.

    >>> import os, tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = os.path.join(folder.name, "run.ckpt")
    >>> save({"step": 3, "weights": [np.zeros(2, np.float32)], "done": False}, path)
    >>> os.listdir(folder.name)
    ['run.ckpt']
    >>> load(path)
    {'step': 3, 'weights': [array([0., 0.], dtype=float32)], 'done': False}
    >>> save({"oops": {1, 2}}, path)
    Traceback (most recent call last):
    ...
    TypeError: obj['oops']: set is not supported ... convert it to a sorted list
    >>> folder.cleanup()
    """
    path = _check_path(path, "save")
    # Validate and encode everything first: an unsupported object must fail before any
    # byte is written.
    arrays = []
    with _recursion_room():
        root = _encode(obj, "obj", arrays, on_path=set())
        contents = {"format": FORMAT, "version": VERSION, "root": root}
        text = json.dumps(contents, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    _write_atomically(path, np.array(text), arrays)


_room_lock = threading.Lock()
_room_users = [0, None]   # saves/loads running now, and the recursion limit before them


@contextlib.contextmanager
def _recursion_room():
    """Let Python recurse ``_RECURSION_HEADROOM`` levels deeper than here (json and the walkers recurse).

    The limit is one per process: it is raised while any save/load runs (in any thread) and
    put back when the last one ends, so concurrent saves never lower it under each other.
    """
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    with _room_lock:
        if _room_users[0] == 0:
            _room_users[1] = sys.getrecursionlimit()
        _room_users[0] += 1
        if depth + _RECURSION_HEADROOM > sys.getrecursionlimit():
            sys.setrecursionlimit(depth + _RECURSION_HEADROOM)
    try:
        yield
    finally:
        with _room_lock:
            _room_users[0] -= 1
            if _room_users[0] == 0:
                sys.setrecursionlimit(_room_users[1])


def _encode(obj, where, arrays, on_path):
    """The JSON form of ``obj``; arrays are appended to ``arrays`` and referenced by name.

    ``where`` is the Python expression that reaches ``obj`` (for error messages);
    ``on_path`` holds the ids of the containers we are inside (to refuse cycles).
    """
    # Order matters: bool before int (True is an int), NumPy scalars before float
    # (np.float64 is a float subclass).
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, np.generic):
        return _encode_array(np.asarray(obj), where, arrays, kind="numpy_scalar")
    if isinstance(obj, int):
        return _encode_int(int(obj))
    if isinstance(obj, float):
        if math.isfinite(obj):
            return float(obj)    # JSON writes repr(x): the shortest string that reads back exactly
        # inf, -inf and NaN are not JSON; store the 64 bits themselves (keeps NaN's sign/payload).
        return {"type": "float", "bits": struct.pack(">d", obj).hex()}
    if type(obj) is np.ndarray or type(obj).__name__ == "InPlaceArray":   # (a Tensor's .data)
        return _encode_array(np.asarray(obj), where, arrays, kind="ndarray")
    if isinstance(obj, (dict, list, tuple)):
        if id(obj) in on_path:
            raise TypeError(f"{where}: contains itself (a reference cycle); "
                            f"a checkpoint must be a tree")
        if len(on_path) >= MAX_DEPTH:
            raise TypeError(f"{where}: nested more than {MAX_DEPTH} containers deep; "
                            f"tinygrad_edu.save refuses deeper nesting (load could not read "
                            f"it back): flatten the structure")
        on_path = on_path | {id(obj)}
        if isinstance(obj, list):
            return [_encode(x, f"{where}[{i}]", arrays, on_path) for i, x in enumerate(obj)]
        if isinstance(obj, tuple):
            return {"type": "tuple", "items": [_encode(x, f"{where}[{i}]", arrays, on_path)
                                               for i, x in enumerate(obj)]}
        items = []
        for key, value in obj.items():
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(
                    f"{where}: dict key {key!r} ({type(key).__name__}) is not supported; "
                    f"checkpoint dict keys must be str or int"
                    + (" (use int(key))" if isinstance(key, np.integer) else ""))
            items.append([key if isinstance(key, str) else _encode_int(int(key)),
                          _encode(value, f"{where}[{key!r}]", arrays, on_path)])
        return {"type": "dict", "items": items}
    raise TypeError(f"{where}: {type(obj).__name__} is not supported by tinygrad_edu.save "
                    f"(it saves dicts with str/int keys, lists, tuples, numpy arrays and "
                    f"scalars, int, float, bool, str and None){_hint(obj)}")


def _encode_int(value):
    if -_JSON_SAFE_INT < value < _JSON_SAFE_INT:
        return value
    return {"type": "int", "hex": hex(value)}


def _encode_array(array, where, arrays, kind):
    if array.dtype.kind not in _ARRAY_KINDS:
        hint = (" (object arrays would need pickle; convert to a numeric dtype)"
                if array.dtype.kind == "O" else "")
        raise TypeError(f"{where}: NumPy dtype {array.dtype} is not supported; checkpoints "
                        f"hold bool, int, uint, float and complex arrays and scalars{hint}")
    member = f"array_{len(arrays)}"
    arrays.append((member, array))
    return {"type": kind, "member": member, "dtype": array.dtype.str,
            "shape": list(array.shape)}


def _hint(obj):
    if isinstance(obj, (set, frozenset)):
        return "; convert it to a sorted list"
    if isinstance(obj, np.ndarray):
        return "; convert it with np.asarray(x) (a subclass may carry data a plain array loses)"
    if hasattr(obj, "state_dict"):
        return "; save its .state_dict() instead"
    if hasattr(obj, "data") and hasattr(obj, "grad"):   # a Tensor or a Value
        return "; save its .data (an array or a float) instead, or the model's .state_dict()"
    return ""


def _write_atomically(path, header, arrays):
    """Write the archive to a temporary file beside ``path``, then rename it over ``path``.

    The rename is atomic (os.replace), so ``path`` always holds either the old file or the
    complete new one. The temporary file lives in the same directory because a rename
    across file systems is not atomic (it would be a copy). An ``OSError`` names ``path``,
    as ``open(path, "wb")`` would, never the temporary file the user has not heard of.
    """
    _refuse_non_file_path(path)
    try:
        _replace_atomically(path, header, arrays)
    except OSError as error:
        if error.errno is None or error.filename == path and error.filename2 is None:
            raise
        raise OSError(error.errno, error.strerror, path) from None


def _refuse_non_file_path(path):
    """An empty path or a folder, refused before anything is written (as ``open`` would)."""
    if not path:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory (the path is "
                                "empty; give a file name such as 'run.ckpt')", path)
    if path.endswith(("/", os.sep)) or os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, "Is a directory; save writes a file there: give "
                                "a file name, e.g. " + repr(os.path.join(path, "run.ckpt")),
                                path)


def _replace_atomically(path, header, arrays):
    if os.path.islink(path):  # write through the link, as open() would: the link stays
        path = os.path.realpath(path)
    _refuse_read_only(path)
    directory = os.path.dirname(os.path.abspath(path))
    prefix = "." + os.path.basename(path)[:_TMP_NAME_CHARS] + "."
    fd, tmp_path = tempfile.mkstemp(dir=directory, prefix=prefix, suffix=".tmp")
    try:
        with open(fd, "wb") as file:
            _write_archive(file, header, arrays)
            file.flush()
            os.fsync(file.fileno())   # the bytes are on disk before the name points at them
        os.chmod(tmp_path, _file_mode(path))   # mkstemp makes files private (0o600)
        os.replace(tmp_path, path)
    except BaseException:
        try:
            os.unlink(tmp_path)
        except OSError:   # already gone (the rename happened): nothing left to clean up
            pass
        raise
    _fsync_directory(directory)   # make the rename itself survive a power cut


def _write_archive(file, header, arrays):
    """An ``.npz``: a zip (uncompressed) of ``<name>.npy`` members, the header first."""
    with zipfile.ZipFile(file, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in [(HEADER, header)] + arrays:
            info = zipfile.ZipInfo(name + ".npy", date_time=_ZIP_DATE)
            info.external_attr = 0o644 << 16
            with archive.open(info, mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def _refuse_read_only(path):
    """PermissionError for an existing file the caller may not write, as ``open`` gives.

    The rename only needs a writable *directory*, so without this check save would replace
    a read-only file that ``open(path, "wb")`` refuses. (root may write anything, as with open.)
    """
    effective = os.access in os.supports_effective_ids
    if os.path.exists(path) and not os.access(path, os.W_OK, effective_ids=effective):
        raise PermissionError(errno.EACCES, "the file is read-only for you, so save will not "
                              "replace it (as open(path, 'wb') would refuse); change its "
                              "permissions or save to another path", path)


def _file_mode(path):
    """Keep an existing file's permissions; a new file gets the usual 0o666 minus umask."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_directory(directory):
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:   # e.g. Windows, where directories cannot be opened
        return
    try:
        os.fsync(fd)
    except OSError:   # some filesystems refuse to sync a directory; the file itself is synced
        pass
    finally:
        os.close(fd)


def _check_path(path, function):
    if not isinstance(path, (str, bytes, os.PathLike)):   # what open() takes as a path
        raise TypeError(f"{function} expects a file path (str, bytes or pathlib.Path), "
                        f"got {type(path).__name__}")
    return os.fsdecode(os.fspath(path))


# ============================================================================== loading
def load(path, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """Read a checkpoint written by :func:`save` and return the structure that was saved.

    Raises ``FileNotFoundError`` if there is no file, and :class:`CheckpointError` if the
    file is not an intact checkpoint. Nothing in the file is unpickled or executed.

    ``torch.load``'s other arguments are accepted, so that PyTorch code ports unchanged, and
    ignored where they mean nothing here: ``weights_only`` (a checkpoint never holds code,
    so loading is always as safe as ``weights_only=True``), ``pickle_module`` and
    ``encoding`` / ``errors`` / ``fix_imports`` (nothing is unpickled), ``mmap`` (arrays are
    read into memory), ``map_location`` naming the CPU (``"cpu"``, ``device("cpu")``, a
    dict of locations to the CPU, or a function). Another device raises ``RuntimeError``:
    this engine runs on the CPU.
    """
    _check_load_options(map_location, weights_only, mmap, pickle_load_args)
    path = _check_path(path, "load")
    # A missing file is FileNotFoundError (from open), not a damaged checkpoint.
    with open(path, "rb") as file:
        try:
            with _recursion_room():
                return _read_checkpoint(file)
        except CheckpointError as error:
            raise CheckpointError(f"{path}: {error}") from None
        except Exception as error:
            # A damaged zip surfaces as any of a dozen exception types (BadZipFile,
            # zlib.error, EOFError, struct.error, NotImplementedError, ...). Callers need one.
            raise CheckpointError(f"{path}: damaged, or not a tinygrad_edu checkpoint "
                                  f"({type(error).__name__}: {error})") from error


_PICKLE_LOAD_ARGS = ("encoding", "errors", "fix_imports")   # pickle.load's, which torch passes on


def _check_load_options(map_location, weights_only, mmap, pickle_load_args):
    """Check torch.load's arguments that load accepts (see its docstring)."""
    unknown = sorted(set(pickle_load_args) - set(_PICKLE_LOAD_ARGS))
    if unknown:
        raise TypeError(f"load() got an unexpected keyword argument {unknown[0]!r}")
    for name, value in (("weights_only", weights_only), ("mmap", mmap)):
        if value is not None and not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"load: {name} must be True, False or None, got {value!r}")
    places = map_location.values() if isinstance(map_location, dict) else [map_location]
    for place in places:
        if place is None or (callable(place) and not isinstance(place, str)
                             and not hasattr(place, "type")):
            continue    # a function of (storage, location): there are no storages to map
        kind = place if isinstance(place, str) else getattr(place, "type", None)
        if not isinstance(kind, str):
            raise TypeError(f"load: map_location must be a device name such as 'cpu', a device, "
                            f"a dict or a function, got {place!r}")
        if kind.split(":")[0] != "cpu":
            raise RuntimeError(f"load: map_location={place!r} asks for a device this engine "
                               f"does not have: tinygrad_edu runs on the CPU, and every array "
                               f"is loaded there; leave map_location out or write "
                               f"map_location='cpu'")


def _read_checkpoint(file):
    start = file.read(8)
    if not start.startswith(b"PK\x03\x04"):
        raise CheckpointError(f"not a tinygrad_edu checkpoint: {_what_the_file_looks_like(start)}")
    file_size = file.seek(0, os.SEEK_END)
    file.seek(0)
    with zipfile.ZipFile(file) as archive:
        names = archive.namelist()
        if len(set(names)) != len(names):
            raise CheckpointError("the archive lists a member twice")
        if HEADER + ".npy" not in names:
            shown = ", ".join(repr(n) for n in names[:5]) + (", ..." if len(names) > 5 else "")
            raise CheckpointError(
                f"no {HEADER!r} member, so this is not a checkpoint written by "
                f"tinygrad_edu.save (a plain .npz? its members are {shown or 'none'}); "
                f"open it with np.load instead")
        _check_layout(file, archive, file_size)
        header = _read_member(archive, HEADER, where="the table of contents")
        if header.dtype.kind != "U" or header.ndim != 0:
            raise CheckpointError(f"the {HEADER!r} member is not a JSON string "
                                  f"(dtype {header.dtype}, shape {header.shape})")
        contents = json.loads(str(header[()]), parse_constant=_refuse_constant)
        if (not isinstance(contents, dict) or contents.get("format") != FORMAT
                or "root" not in contents):
            raise CheckpointError(f"the table of contents does not name the format {FORMAT!r}")
        if contents.get("version") != VERSION:
            raise CheckpointError(
                f"format version {contents.get('version')!r}; this tinygrad_edu reads version "
                f"{VERSION} (a newer tinygrad_edu may have written it: upgrade)")
        used = set()
        obj = _decode(contents["root"], "root", archive, used)
        extra = sorted(set(names) - used - {HEADER + ".npy"})
        if extra:
            raise CheckpointError(f"unexpected members not in the table of contents: {extra}")
        return obj


# The zip records save writes: local file header, zip64 end record and locator, end record.
_LOCAL, _LOCAL_SIZE = b"PK\x03\x04", 30
_ZIP64_END, _ZIP64_LOCATOR = b"PK\x06\x06", b"PK\x06\x07"
_END, _END_SIZE, _ZIP64_TAIL = b"PK\x05\x06", 22, 56 + 20


def _check_layout(file, archive, file_size):
    """The archive must fill the file exactly, as ``save`` writes it: the members one after
    the other from byte 0, then the central directory, then the end records — nothing
    before, between or after them. (zipfile itself reads an archive with bytes prepended or
    appended, so without this a checkpoint with data glued on would load.)"""
    tail_start = max(0, file_size - (1 << 16) - _END_SIZE)
    file.seek(tail_start)
    tail = file.read()
    end = tail_start + tail.rfind(_END)   # where zipfile found the end record, too
    comment_size = struct.unpack("<H", tail[end - tail_start + 20:end - tail_start + 22])[0]
    after = file_size - (end + _END_SIZE)
    if after > 0:
        raise CheckpointError(
            f"{after} bytes follow the end of the archive: something was appended to the file "
            f"(e.g. two files joined, or a download written twice), so it is not the "
            f"checkpoint that save wrote" + (" (a zip comment: save writes none)"
                                            if comment_size else ""))
    # Where the end record says the directory starts (zipfile adds any bytes found in front)
    (directory_offset,) = struct.unpack("<I", tail[end - tail_start + 16:end - tail_start + 20])
    if end >= _ZIP64_TAIL and tail[end - tail_start - 20:end - tail_start - 16] == _ZIP64_LOCATOR:
        record = tail[end - tail_start - _ZIP64_TAIL:end - tail_start - 20]
        if record[:4] != _ZIP64_END:
            raise CheckpointError("the zip64 end record is damaged")
        (directory_offset,) = struct.unpack("<Q", record[48:56])
    position = 0
    for info in sorted(archive.infolist(), key=lambda member: member.header_offset):
        if info.header_offset != position:
            _unaccounted(position, info.header_offset, f"member {info.filename!r}")
        file.seek(position)
        local = file.read(_LOCAL_SIZE)
        if len(local) < _LOCAL_SIZE or local[:4] != _LOCAL:
            raise CheckpointError(f"member {info.filename!r} has no local header at byte "
                                  f"{position}")
        problem = _stored_member_problem(info, file_size)
        if problem:
            raise CheckpointError(problem)
        if info.flag_bits & 0x08:   # sizes after the data: save never writes this form
            raise CheckpointError(f"member {info.filename!r} is written with a data "
                                  f"descriptor, which tinygrad_edu.save never does")
        name_size, extra_size = struct.unpack("<HH", local[26:30])
        position += _LOCAL_SIZE + name_size + extra_size + info.compress_size
    if directory_offset != position or archive.start_dir != position:
        _unaccounted(position, archive.start_dir, "the zip directory")
    # Nothing can sit between the directory and the end records now: zipfile finds the
    # directory at (end records − its declared size), which we just saw is `position`.


def _unaccounted(expected, found, what):
    if found > expected and expected == 0:
        raise CheckpointError(f"{found} bytes come before the archive starts: something was "
                              f"put in front of the checkpoint that save wrote")
    raise CheckpointError(f"the archive does not fill the file as save writes it: {what} "
                          f"starts at byte {found}, expected {expected} (bytes were inserted "
                          f"or removed)")


def _decode(node, where, archive, used):
    """Inverse of :func:`_encode`; ``where`` locates ``node`` for error messages."""
    if node is None or isinstance(node, (bool, str)):
        return node
    if isinstance(node, (int, float)):
        return node
    if isinstance(node, list):
        return [_decode(x, f"{where}[{i}]", archive, used) for i, x in enumerate(node)]
    if not isinstance(node, dict) or not isinstance(node.get("type"), str):
        raise CheckpointError(f"{where}: unrecognised entry {_short(node)}")
    kind = node["type"]
    if kind == "tuple":
        return tuple(_decode(x, f"{where}[{i}]", archive, used)
                     for i, x in enumerate(_field(node, "items", list, where)))
    if kind == "dict":
        result = {}
        for item in _field(node, "items", list, where):
            if not (isinstance(item, list) and len(item) == 2):
                raise CheckpointError(f"{where}: a dict item must be a [key, value] pair, "
                                      f"got {_short(item)}")
            key = item[0] if isinstance(item[0], str) else _decode_int(item[0], where)
            if key in result:
                raise CheckpointError(f"{where}: key {key!r} appears twice")
            result[key] = _decode(item[1], f"{where}[{key!r}]", archive, used)
        return result
    if kind == "int":
        return _decode_int(node, where)
    if kind == "float":
        bits = bytes.fromhex(_field(node, "bits", str, where))
        return struct.unpack(">d", bits)[0]
    if kind in ("ndarray", "numpy_scalar"):
        member = _field(node, "member", str, where)
        if member + ".npy" in used:
            raise CheckpointError(f"{where}: member {member!r} is referenced twice")
        used.add(member + ".npy")
        array = _read_member(archive, member, where, expected=node)
        return array[()] if kind == "numpy_scalar" else array
    raise CheckpointError(f"{where}: unknown entry type {kind!r}")


def _decode_int(node, where):
    if isinstance(node, int) and not isinstance(node, bool):
        return node
    if isinstance(node, dict) and node.get("type") == "int":
        return int(_field(node, "hex", str, where), 16)
    raise CheckpointError(f"{where}: expected an int, got {_short(node)}")


def _read_member(archive, name, where, expected=None):
    """Read ``<name>.npy`` from the archive as an array, checking it against ``expected``.

    Nothing is inflated or allocated before it is known to fit: the member is stored
    uncompressed (as ``save`` writes it) within the file's size (:func:`_check_layout`
    has checked every member's entry before any is read), and its .npy header must
    agree with the table of contents and with the member's length *before* NumPy allocates
    the array. Reading the member to its end makes zipfile verify its CRC-32: a changed byte
    is an error, not a silently different array.
    """
    try:
        info = archive.getinfo(name + ".npy")   # a dict lookup (namelist() is a new list)
    except KeyError:
        raise CheckpointError(f"{where}: member {name!r} is missing from the archive") from None
    # (_check_layout has already refused a compressed member or one whose sizes do not fit.)
    with archive.open(info) as raw:
        version = np.lib.format.read_magic(raw)
        if version == (1, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(raw)
        elif version == (2, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(raw)
        else:
            raise CheckpointError(f"{where}: member {name!r} has .npy version {version}")
        header_bytes = raw.tell()
    if expected is not None:
        want_dtype = np.dtype(_field(expected, "dtype", str, where))
        want_shape = tuple(_field(expected, "shape", list, where))
        if want_dtype.kind not in _ARRAY_KINDS:
            raise CheckpointError(f"{where}: dtype {want_dtype} is not allowed in a checkpoint")
        if dtype != want_dtype or shape != want_shape:
            raise CheckpointError(
                f"{where}: member {name!r} holds a {dtype} array of shape {shape}, but the "
                f"table of contents says {want_dtype} of shape {want_shape}")
    data_bytes = dtype.itemsize * math.prod(shape)
    if header_bytes + data_bytes != info.file_size:
        raise CheckpointError(f"{where}: member {name!r} has {info.file_size - header_bytes} "
                              f"bytes of data; a {dtype} array of shape {shape} needs {data_bytes}")
    with archive.open(info) as raw:   # NumPy reads the header again, then the data in chunks
        array = np.lib.format.read_array(raw, allow_pickle=False)
        if raw.read(1):  # never true after the size check; reading to the end checks the CRC
            raise CheckpointError(f"{where}: member {name!r} is longer than its array")
    return array


def _stored_member_problem(info, file_size):
    """What is wrong with a member's zip entry before reading it (None if nothing): it must
    be stored uncompressed, as save writes it, with sizes that fit in the file."""
    name = info.filename[:-len(".npy")] if info.filename.endswith(".npy") else info.filename
    if info.flag_bits & 0x01:
        return (f"member {name!r} is encrypted; tinygrad_edu.save never encrypts, and an "
                f"encrypted member cannot be read without its password")
    if info.compress_type != zipfile.ZIP_STORED:
        return (f"member {name!r} is compressed; tinygrad_edu.save never compresses, and a "
                f"compressed member is not inflated (it could be a zip bomb)")
    if info.file_size != info.compress_size or info.file_size > file_size:
        return (f"member {name!r} declares {info.file_size} bytes, but the file holds "
                f"{min(info.compress_size, file_size)}")
    return None


def _field(node, name, kind, where):
    value = node.get(name)
    if not isinstance(value, kind):
        raise CheckpointError(f"{where}: entry {_short(node)} needs a {kind.__name__} "
                              f"field {name!r}")
    return value


def _refuse_constant(name):
    raise CheckpointError(f"the table of contents contains {name}, which is not JSON")


def _short(node):
    text = json.dumps(node)
    return text if len(text) <= 80 else text[:77] + "..."


def _what_the_file_looks_like(start):
    """Say what the first bytes look like instead, to point at the right tool."""
    if not start:
        return "the file is empty"
    if start[:1] == b"\x80":
        return ("it looks like a Python pickle (pickle.dump, torch.save); tinygrad_edu never "
                "unpickles files, because unpickling runs code from the file")
    if start.startswith(b"\x93NUMPY"):
        return "it is a single .npy array (np.save); read it with np.load"
    if start.startswith(b"PK"):
        return "it is a damaged zip archive"
    return f"it does not start like a zip/.npz archive (first bytes {start!r})"
