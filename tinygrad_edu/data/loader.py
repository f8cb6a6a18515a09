"""``DataLoader``: a data set cut into batches, optionally in a fresh random order each epoch.

The batch size is where the three flavours of gradient descent differ, and nothing else:

* ``batch_size=len(dataset)`` — full-batch gradient descent: one exact gradient per epoch;
* ``batch_size=1, shuffle=True`` — stochastic gradient descent (SGD): one noisy step per sample;
* anything in between — mini-batch gradient descent, the usual choice.
"""
import math
import numbers
import weakref

import numpy as np

from ..random import _numpy_state, _plain_state, generator
from ..tensors import Tensor
from .datasets import TensorDataset

__all__ = ["DataLoader"]


class DataLoader:
    """Iterate over ``dataset`` in batches; each batch is a tuple of NumPy arrays (of Tensors,
    without gradient, for the fields the dataset holds as Tensors, as PyTorch's loader).

    ``dataset`` is a :class:`TensorDataset` (batches are cut straight from its arrays by
    fancy indexing) or any object with ``__len__`` and ``__getitem__(i)`` returning a tuple of
    arrays or numbers (the samples of a batch are then stacked field by field). As PyTorch's
    ``default_collate``, samples may also be dicts (a batch is then a dict of batches, key
    by key), and fields may nest tuples, lists, named tuples and dicts (each batched the
    same way, inside); strings are gathered into a list.

    Each pass (an *epoch*) visits every sample exactly once. ``len(loader)`` is the number of
    batches per epoch: ``ceil(n / batch_size)``, or ``n // batch_size`` with ``drop_last=True``
    (which drops a last, smaller batch).

    ``batch_size=len(dataset)`` gives full-batch gradient descent, ``batch_size=1`` with
    ``shuffle=True`` stochastic gradient descent, and sizes in between mini-batch descent.

    Shuffling (``shuffle=True``) draws a new order at the moment each epoch's iteration starts
    (``iter(loader)``, i.e. the start of a ``for`` loop):

    * with an integer ``seed`` the loader owns a generator, seeded once here and advancing
      every epoch: the sequence of orders depends on the seed only;
    * with ``seed=None`` the order comes from the library's generator, so ``manual_seed`` /
      ``set_rng_state`` before the epoch reproduce it.

    ``state_dict()`` / ``load_state_dict()`` save and restore the loader's position (the
    epoch, the current epoch's order and how many of its batches were handed out, and its own
    generator) as plain data, so a run resumed from a checkpoint continues with exactly the
    batches the uninterrupted run would have seen:

    * a state taken *inside* the loop (while the epoch's iterator is alive) resumes in the
      middle of that epoch, with the batch after the one being worked on;
    * a state taken *after* the loop was left early (``break``, ``return``, an exception)
      resumes with a new epoch, as this loader itself would: the next ``for`` over it starts
      a new epoch (a new shuffle), never the rest of the abandoned one. So save inside the
      loop if you mean to resume mid-epoch.

    ``num_workers`` and ``pin_memory`` are accepted so PyTorch's calls run unchanged; they
    change no batch. Here every batch is cut in the main process (PyTorch's workers only load
    in parallel: the same batches, in the same order), and there is no GPU memory to pin.

    >>> ds = TensorDataset(np.arange(5.0), np.arange(5))
    >>> loader = DataLoader(ds, batch_size=2)
    >>> len(loader), [x.tolist() for x, y in loader]
    (3, [[0.0, 1.0], [2.0, 3.0], [4.0]])
    >>> shuffled = DataLoader(ds, batch_size=5, shuffle=True, seed=0)
    >>> sorted(next(iter(shuffled))[1].tolist())   # every sample once, in some order
    [0, 1, 2, 3, 4]
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, seed=None, *,
                 num_workers=0, pin_memory=False):
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(f"DataLoader needs a dataset with __len__ and __getitem__ (e.g. "
                            f"TensorDataset(X, y)), got {type(dataset).__name__}")
        if (isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral)
                or batch_size < 1):
            raise ValueError(f"DataLoader: batch_size must be a positive integer, "
                             f"got {batch_size!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
                                 or seed < 0):
            raise ValueError(f"DataLoader: seed must be None or a non-negative integer, "
                             f"got {seed!r}")
        if (isinstance(num_workers, bool) or not isinstance(num_workers, numbers.Integral)
                or num_workers < 0):
            raise ValueError(f"DataLoader: num_workers must be a non-negative integer (0: load "
                             f"in the main process, as here always), got {num_workers!r}")
        self.num_workers, self.pin_memory = int(num_workers), bool(pin_memory)
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        self._rng = np.random.default_rng(int(seed)) if seed is not None else None
        self.epoch = 0            # epochs started so far
        self._order = None        # the current epoch's sample order, while it is in progress
        self._batches_done = 0    # batches of the current epoch handed out so far
        self._resume = False      # set by load_state_dict: continue self._order next time
        self._iterator = None     # a weak reference to the current epoch's iterator

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        # Not a generator function: the order must be drawn now, when the epoch starts,
        # not lazily at the first next() (that could come after other random draws).
        if self._resume:
            self._resume = False
            start = self._batches_done
        else:
            self._order = self._new_order()
            self._batches_done = start = 0
            self.epoch += 1
        iterator = self._batches(self._order, start)
        # Weak, so that leaving the loop frees the iterator as usual; state_dict then sees
        # that the epoch was abandoned (the next iter() starts a new one).
        self._iterator = weakref.ref(iterator)
        return iterator

    def _new_order(self):
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        return (self._rng if self._rng is not None else generator()).permutation(n)

    def _batches(self, order, start):
        for b in range(start, len(self)):
            indices = order[b * self.batch_size:(b + 1) * self.batch_size]
            # Count the batch as handed out before yielding it: a checkpoint written while
            # the caller works on this batch must resume with the next one.
            self._batches_done = b + 1
            yield self._fetch(indices)
        if self._order is order:
            self._order = None    # epoch complete: nothing to resume mid-way

    def _fetch(self, indices):
        if isinstance(self.dataset, TensorDataset):
            return self.dataset.rows(indices)   # cut from each array by one fancy index
        samples = [self.dataset[int(i)] for i in indices]
        first = samples[0]
        if isinstance(first, dict) or _is_namedtuple(first):
            return _collate(samples, "")
        if isinstance(first, (tuple, list)):      # the batch itself is always a tuple
            return tuple(_collate(samples, ""))
        return (_collate(samples, ""),)

    # ------------------------------------------------------------------ checkpointing
    def state_dict(self):
        """The loader's position as plain data (ints, a dict of strings/ints, an int array).

        ``{"epoch": epochs started, "batches_done": batches of the current epoch handed out,
        "order": that epoch's sample order (None between epochs), "generator": the loader's
        own generator state (None when ``seed=None``), "batch_size": the batch size (which
        says how many samples ``batches_done`` batches were)}``.
        With ``seed=None`` the shuffles come from the library's generator: save and restore it
        with ``get_rng_state`` / ``set_rng_state`` alongside.

        An epoch is in progress while its iterator is alive (inside the ``for`` loop) or
        after :meth:`load_state_dict` restored one; once the loop is left, the state is
        "between epochs", since the next ``iter()`` would start a new one.
        """
        in_progress = (self._order is not None and self._batches_done < len(self)
                       and (self._resume or self._iterating()))
        return {
            "epoch": self.epoch,
            "batches_done": self._batches_done if in_progress else 0,
            "order": self._order.copy() if in_progress else None,
            "generator": _plain_state(self._rng) if self._rng is not None else None,
            "batch_size": self.batch_size,
        }

    def _iterating(self):
        """Whether the current epoch's iterator still exists (the loop was not left)."""
        return self._iterator is not None and self._iterator() is not None

    def load_state_dict(self, state):
        """Restore a :meth:`state_dict`; the next ``iter(loader)`` continues from there.

        Everything is checked before anything changes: a state that does not fit this loader
        (another data set size, seeded vs unseeded, another batch size in the middle of an
        epoch) raises ``ValueError`` and leaves it as it was. (``batch_size`` may be missing,
        in a state saved before it was recorded.)
        """
        expected = {"epoch", "batches_done", "order", "generator"}
        if not isinstance(state, dict) or not expected <= set(state) <= expected | {"batch_size"}:
            got = sorted(state) if isinstance(state, dict) else type(state).__name__
            raise ValueError(f"DataLoader.load_state_dict expects a dict with keys "
                             f"{sorted(expected | {'batch_size'})}, got {got}")
        for key in ("epoch", "batches_done"):
            value = state[key]
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
                raise ValueError(f"DataLoader.load_state_dict: {key!r} must be a whole number "
                                 f">= 0, got {value!r}")
        n = len(self.dataset)
        order = state["order"]
        if order is not None:
            order = np.asarray(order)
            if order.dtype.kind not in "iu":
                raise ValueError(f"DataLoader.load_state_dict: 'order' must be an integer "
                                 f"array of sample indices, got dtype {order.dtype}")
            if order.shape != (n,) or not np.array_equal(np.sort(order), np.arange(n)):
                raise ValueError(f"DataLoader.load_state_dict: 'order' must be a permutation of "
                                 f"the {n} sample indices, got an array of shape {order.shape}")
            if not 0 <= int(state["batches_done"]) <= len(self):
                raise ValueError(f"DataLoader.load_state_dict: batches_done="
                                 f"{state['batches_done']} is outside 0..{len(self)}")
        elif state["batches_done"] != 0:
            raise ValueError(f"DataLoader.load_state_dict: batches_done="
                             f"{state['batches_done']} without an 'order' (a state saved "
                             f"between epochs has batches_done=0)")
        if (state["generator"] is None) != (self._rng is None):
            raise ValueError(
                f"DataLoader.load_state_dict: the state is from a loader "
                f"{'without' if state['generator'] is None else 'with'} its own seed, but this "
                f"loader has seed={self.seed!r}; create it with "
                f"{'seed=None' if state['generator'] is None else 'an integer seed'}")
        saved_batch_size = state.get("batch_size", self.batch_size)
        if order is not None and saved_batch_size != self.batch_size:
            raise ValueError(
                f"DataLoader.load_state_dict: the state was saved in the middle of an epoch "
                f"by a loader with batch_size={saved_batch_size!r} "
                f"({state['batches_done']} batches handed out), but this loader has "
                f"batch_size={self.batch_size}: its batches would cover other samples. "
                f"Resume with batch_size={saved_batch_size!r}, or save between epochs")
        numpy_state = None
        if state["generator"] is not None:
            try:
                numpy_state = _numpy_state(state["generator"])
            except (KeyError, TypeError, ValueError) as error:
                raise ValueError(f"DataLoader.load_state_dict: bad 'generator' state "
                                 f"{state['generator']!r} ({error})") from None
        # All checked: now change the loader.
        if numpy_state is not None:
            self._rng.bit_generator.state = numpy_state
        self.epoch = int(state["epoch"])
        self._iterator = None
        if order is None:
            self._order, self._batches_done, self._resume = None, 0, False
        else:
            self._order = order.astype(np.int64)
            self._batches_done = int(state["batches_done"])
            self._resume = True

    def __repr__(self):
        return (f"DataLoader({len(self.dataset)} samples, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}, seed={self.seed!r})")


def _collate(samples, path):
    """One batch from samples of the same structure, as PyTorch's ``default_collate``: dicts
    key by key, tuples/lists (and named tuples) field by field, strings into a list, and
    arrays, numbers and Tensors stacked (tuples stay tuples: PyTorch makes them lists).
    ``path`` locates the part inside a sample (``['image']``, ``[1]``) for error messages."""
    first = samples[0]
    if isinstance(first, dict):
        for i, sample in enumerate(samples):
            if not isinstance(sample, dict) or set(sample) != set(first):
                got = (sorted(sample, key=str) if isinstance(sample, dict)
                       else type(sample).__name__)
                raise ValueError(f"DataLoader: the samples of a batch must share one structure, "
                                 f"but sample {i}{path} has {got} where sample 0{path} has keys "
                                 f"{sorted(first, key=str)}")
        return {key: _collate([s[key] for s in samples], f"{path}[{key!r}]") for key in first}
    if isinstance(first, (tuple, list)):
        for i, sample in enumerate(samples):
            if not isinstance(sample, (tuple, list)) or len(sample) != len(first):
                got = (f"{len(sample)} fields" if isinstance(sample, (tuple, list))
                       else type(sample).__name__)
                raise ValueError(f"DataLoader: the samples of a batch must share one structure, "
                                 f"but sample {i}{path} has {got} where sample 0{path} has "
                                 f"{len(first)} fields")
        fields = [_collate(list(column), f"{path}[{k}]") for k, column in
                  enumerate(zip(*samples))]
        if _is_namedtuple(first):
            return type(first)(*fields)
        return fields if isinstance(first, list) else tuple(fields)
    if isinstance(first, (str, bytes)):
        return list(samples)
    return _stack(samples, path)


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _stack(samples, path=""):
    """One field of a batch: the samples stacked; a Tensor (no grad) if they are Tensors."""
    arrays = [np.asarray(s.data if isinstance(s, Tensor) else s) for s in samples]
    for i, array in enumerate(arrays):
        if array.dtype.kind == "O":
            raise TypeError(f"DataLoader cannot batch {type(samples[i]).__name__} "
                            f"(sample {i}{path}): samples hold arrays, numbers, Tensors, "
                            f"strings, or tuples, lists and dicts of them")
        if array.shape != arrays[0].shape:
            raise ValueError(f"DataLoader: sample {i}{path} has shape {array.shape} but "
                             f"sample 0{path} has {arrays[0].shape}; the samples of a batch are "
                             f"stacked, so each field needs one shape (pad them, or use "
                             f"batch_size=1)")
    batch = np.stack(arrays)
    return Tensor._constant(batch) if isinstance(samples[0], Tensor) else batch
