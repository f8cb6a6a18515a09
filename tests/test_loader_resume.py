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
