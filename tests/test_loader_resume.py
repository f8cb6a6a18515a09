"""DataLoader checkpoints (API §7, §14): a state taken inside the loop resumes mid-epoch; a
state taken after the loop was left resumes where the loader itself would go on (a new
epoch), so that save + load is never visible in the batches."""
import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu.data import DataLoader, TensorDataset


def _loader(seed):
    return DataLoader(TensorDataset(np.arange(10.0), np.arange(10)), batch_size=3,
                      shuffle=True, seed=seed)


def _labels(batches):
    return [y.tolist() for _, y in batches]


def _resumed(state, rng, seed):
    loader = _loader(seed)
    loader.load_state_dict(state)
    tinygrad_edu.set_rng_state(rng)
    return loader


def _leave_by_break(loader):
    for i, _ in enumerate(loader):
        if i == 1:
            break


def _leave_by_return(loader):
    for i, _ in enumerate(loader):
        if i == 1:
            return


def _leave_by_exception(loader):
    try:
        for i, _ in enumerate(loader):
            if i == 1:
                raise KeyError("stop")
    except KeyError:
        pass


@pytest.mark.parametrize("seed", [None, 11])
@pytest.mark.parametrize("leave", [_leave_by_break, _leave_by_return, _leave_by_exception])
def test_a_state_taken_after_leaving_the_loop_resumes_where_the_loader_itself_goes_on(seed,
                                                                                       leave):
    tinygrad_edu.manual_seed(0)
    loader = _loader(seed)
    leave(loader)
    state, rng = loader.state_dict(), tinygrad_edu.get_rng_state()
    assert state["order"] is None and state["batches_done"] == 0 and state["epoch"] == 1
    uninterrupted = _labels(loader) + _labels(loader)        # a new epoch, then another
    resumed = _resumed(state, rng, seed)
    assert _labels(resumed) + _labels(resumed) == uninterrupted
    assert resumed.epoch == loader.epoch == 3


@pytest.mark.parametrize("seed", [None, 11])
def test_a_state_taken_inside_the_for_loop_resumes_mid_epoch_even_after_a_break(seed):
    tinygrad_edu.manual_seed(0)
    never_stopped = _loader(seed)
    expected = _labels(never_stopped) + _labels(never_stopped)

    tinygrad_edu.manual_seed(0)
    loader = _loader(seed)
    seen = []
    for i, (_, y) in enumerate(loader):
        seen.append(y.tolist())
        if i == 1:
            state, rng = loader.state_dict(), tinygrad_edu.get_rng_state()
            break
    assert state["batches_done"] == 2 and state["order"] is not None
    resumed = _resumed(state, rng, seed)
    assert seen + _labels(resumed) + _labels(resumed) == expected


def test_a_state_of_an_iterator_not_yet_advanced_is_the_epoch_it_drew():
    loader = _loader(5)
    iterator = iter(loader)                           # the order is drawn here
    state = loader.state_dict()
    assert state["batches_done"] == 0 and state["order"] is not None
    expected = _labels(iterator)
    assert _labels(_resumed(state, tinygrad_edu.get_rng_state(), 5)) == expected


def test_an_iterator_dropped_before_its_first_batch_leaves_the_epoch_abandoned():
    loader = _loader(5)
    iter(loader)                                      # drawn, dropped at once
    state = loader.state_dict()
    assert state["order"] is None
    expected = _labels(loader)                        # the loader draws a new order
    assert _labels(_resumed(state, tinygrad_edu.get_rng_state(), 5)) == expected


def test_a_loaded_mid_epoch_state_is_still_mid_epoch_before_iterating():
    loader = _loader(5)
    iterator = iter(loader)
    next(iterator)
    state = loader.state_dict()
    resumed = _loader(5)
    resumed.load_state_dict(state)
    again = resumed.state_dict()                      # saved again before the loop starts
    assert again["batches_done"] == 1
    np.testing.assert_array_equal(again["order"], state["order"])


# ------------------------------------------------------------- batching structured samples
class _Records:
    """A dataset of dicts with nested parts (what PyTorch's default_collate batches)."""

    def __init__(self, make):
        self.make = make

    def __len__(self):
        return 4

    def __getitem__(self, i):
        return self.make(i)


def test_dict_samples_are_batched_key_by_key_as_pytorch():
    from collections import namedtuple
    Pair = namedtuple("Pair", "left right")
    records = _Records(lambda i: {"image": np.full((2, 2), float(i)), "label": i,
                                  "meta": (float(i) / 2, [i, -i], Pair(i, "r")), "name": f"n{i}"})
    batch = next(iter(DataLoader(records, batch_size=3)))
    assert type(batch) is dict and list(batch) == ["image", "label", "meta", "name"]
    assert batch["image"].shape == (3, 2, 2) and batch["image"][2, 0, 0] == 2.0
    assert batch["label"].tolist() == [0, 1, 2] and batch["label"].dtype == np.int64
    half, pair_list, pair = batch["meta"]
    assert type(batch["meta"]) is tuple and half.tolist() == [0.0, 0.5, 1.0]
    assert type(pair_list) is list and [a.tolist() for a in pair_list] == [[0, 1, 2], [0, -1, -2]]
    assert type(pair) is Pair and pair.left.tolist() == [0, 1, 2] and pair.right == ["r"] * 3
    assert batch["name"] == ["n0", "n1", "n2"]
    pytest.importorskip("torch")
    from torch.utils.data import default_collate
    theirs = default_collate([records[i] for i in range(3)])
    assert theirs["label"].tolist() == batch["label"].tolist()
    np.testing.assert_array_equal(theirs["image"].numpy(), batch["image"])
    assert theirs["name"] == batch["name"]


def test_tensor_fields_inside_dicts_stay_tensors_without_grad():
    from tinygrad_edu import Tensor
    records = _Records(lambda i: {"x": Tensor([float(i)], requires_grad=True), "y": i})
    batch = next(iter(DataLoader(records, batch_size=4)))
    assert isinstance(batch["x"], Tensor) and not batch["x"].requires_grad
    assert batch["x"].data.ravel().tolist() == [0.0, 1.0, 2.0, 3.0]


@pytest.mark.parametrize("make, error, words", [
    (lambda i: {"a": 1} if i == 0 else {"b": 1}, ValueError,
     "sample 1 has ['b'] where sample 0 has keys ['a']"),
    (lambda i: {"a": (1, 2) if i == 0 else (1,)}, ValueError,
     "sample 1['a'] has 1 fields where sample 0['a'] has 2 fields"),
    (lambda i: {"a": np.zeros(i + 1)}, ValueError,
     "sample 1['a'] has shape (2,) but sample 0['a'] has (1,)"),
    (lambda i: (None, i), TypeError, "cannot batch NoneType (sample 0[0])"),
])
def test_samples_that_do_not_share_one_structure_are_refused_naming_where(make, error, words):
    with pytest.raises(error) as info:
        next(iter(DataLoader(_Records(make), batch_size=2)))
    assert words in str(info.value)


def test_a_mid_epoch_state_from_another_batch_size_is_refused_between_epochs_it_is_fine():
    loader = _loader(5)
    iterator = iter(loader)
    next(iterator)
    state = loader.state_dict()
    assert state["batch_size"] == 3
    other = DataLoader(TensorDataset(np.arange(10.0), np.arange(10)), batch_size=2,
                       shuffle=True, seed=5)
    before = other.state_dict()
    with pytest.raises(ValueError, match=r"batch_size=3 \(1 batches handed out\), but this "
                                         r"loader has batch_size=2"):
        other.load_state_dict(state)
    assert other.state_dict()["epoch"] == before["epoch"] == 0
    del iterator
    between = loader.state_dict()                     # the loop was left: a new epoch next
    other.load_state_dict(between)
    assert other.epoch == 1 and len(_labels(other)) == 5


def test_a_state_saved_before_batch_size_was_recorded_still_loads():
    loader = _loader(5)
    iterator = iter(loader)
    next(iterator)
    state = {k: v for k, v in loader.state_dict().items() if k != "batch_size"}
    expected = _labels(iterator)
    assert _labels(_resumed(state, tinygrad_edu.get_rng_state(), 5)) == expected


# ------------------------------------------- the README's "bit for bit", for both kinds of state
def test_training_resumed_from_a_state_saved_after_the_loop_ends_on_the_same_weights():
    """train() returns out of its loop at step 9 (mid-epoch). A checkpoint taken *after* that
    says "a new epoch next" — what this very run does when it trains on — and a fresh run
    resumed from it ends on the same weights, bit for bit. (A checkpoint taken inside the
    loop resumes mid-epoch: tests/test_resume.py, in a fresh process.)"""
    import _resume_training as training
    run = training.train(training.build(seed=0), stop_at=training.STOP_AT)
    assert run["checkpoint"]["loader"]["order"] is not None     # inside: mid-epoch
    after_the_loop = training.checkpoint(run)
    assert after_the_loop["loader"]["order"] is None              # after: a new epoch next
    continued = training.outcome(training.train(run))
    resumed = training.restore(training.build(seed=12345), after_the_loop)
    final = training.outcome(training.train(resumed))
    for key, value in continued["model"].items():
        np.testing.assert_array_equal(final["model"][key], value)
    assert final["rng"] == continued["rng"] and final["lr"] == continued["lr"]


def test_a_stale_iterator_finishing_does_not_end_the_current_epoch():
    loader = _loader(5)
    old = iter(loader)                     # epoch 1, left unfinished
    current = iter(loader)                 # epoch 2
    next(current)
    list(old)                              # the old epoch runs out
    next(current)
    state = loader.state_dict()
    assert state["epoch"] == 2 and state["batches_done"] == 2 and state["order"] is not None
    expected = _labels(current)
    assert _labels(_resumed(state, tinygrad_edu.get_rng_state(), 5)) == expected


def test_a_dataset_of_single_samples_gives_one_element_batches():
    class Squares:
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return float(i * i)

    batches = list(DataLoader(Squares(), batch_size=2))
    assert [type(b) for b in batches] == [tuple] * 3
    assert [b[0].tolist() for b in batches] == [[0.0, 1.0], [4.0, 9.0], [16.0]]


@pytest.mark.parametrize("dataset", [
    type("OnlyLen", (), {"__len__": lambda self: 3})(),
    type("OnlyItems", (), {"__getitem__": lambda self, i: i})()])
def test_a_dataset_needs_both_len_and_getitem(dataset):
    with pytest.raises(TypeError, match="needs a dataset with __len__ and __getitem__"):
        DataLoader(dataset)


@pytest.mark.parametrize("seed", [None, 5])
def test_a_state_taken_inside_the_loop_on_the_last_batch_resumes_with_a_new_epoch(seed):
    """The state taken while the last batch is worked on: the epoch is complete, so the
    resumed loader starts the next epoch, as the uninterrupted one does — not an empty one."""
    tinygrad_edu.manual_seed(0)
    loader = _loader(seed)
    for batch in loader:
        state, rng = loader.state_dict(), tinygrad_edu.get_rng_state()
    assert state["order"] is None
    following = [b[0].tolist() for b in loader]
    resumed = _resumed(state, rng, seed)
    assert following and [b[0].tolist() for b in resumed] == following


def test_a_state_read_back_from_plain_lists_and_one_at_the_epochs_end():
    """A state whose order went through JSON (a list) loads as the array did; one whose
    batches were all handed out resumes with nothing left of that epoch, then a new one."""
    tinygrad_edu.manual_seed(0)
    loader = _loader(7)
    it = iter(loader)
    next(it)
    state = loader.state_dict()
    listed = _loader(7)
    listed.load_state_dict({**state, "order": state["order"].tolist()})
    assert _labels(listed) == _labels(it)
    finished = _loader(7)
    finished.load_state_dict({**state, "batches_done": len(finished)})
    assert list(finished) == [] and len(list(finished)) == len(finished)
