"""load_state_dict refuses states that do not fit, and changes nothing (§5, §7; issue 9 row 14).

A checkpoint edited by hand, or saved after a run diverged, used to load silently and fail
later (``step = -1`` gave a ZeroDivisionError at the next Adam step) or train on garbage.
"""
import copy

import numpy as np
import pytest

from tinygrad_edu import Tensor, optim
from tinygrad_edu.data import DataLoader, TensorDataset

from _same_structure import assert_same

OPTIMIZERS = [(optim.SGD, {"lr": 0.1, "momentum": 0.9}), (optim.Adagrad, {}),
              (optim.RMSprop, {}), (optim.Adadelta, {}), (optim.Adam, {"amsgrad": True}),
              (optim.AdamW, {}), (optim.Adamax, {}), (optim.NAdam, {}), (optim.RAdam, {}),
              (optim.AdaBelief, {}), (optim.Lion, {})]


def trained(cls, kwargs):
    p = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = cls([p], **kwargs)
    for _ in range(2):
        p.grad = np.array([0.5, -0.25])
        opt.step()
    return opt


def set_state(key, value):
    def change(sd):
        sd["state"][0][key] = value
    return change


def every_array(value):
    def change(sd):
        for key, v in sd["state"][0].items():
            if isinstance(v, np.ndarray):
                sd["state"][0][key] = np.full_like(v, value) if np.isscalar(value) else value
    return change


def set_group(key, value):
    def change(sd):
        sd["param_groups"][0][key] = value
    return change


BAD_STEPS = [("step -1", set_state("step", -1), "whole number >= 0"),
             ("step 2.5", set_state("step", 2.5), "whole number >= 0"),
             ("step inf", set_state("step", float("inf")), "finite number"),
             ("step nan", set_state("step", float("nan")), "finite number"),
             ("step '3'", set_state("step", "3"), "finite number"),
             ("step True", set_state("step", True), "finite number")]
BAD_ARRAYS = [("array nan", every_array(np.nan), "NaN or inf"),
              ("array inf", every_array(np.inf), "NaN or inf"),
              ("array of the wrong shape", every_array(np.ones(3)), "shape (2,)"),
              ("a list, not an array", every_array([1.0, 2.0]), "must be an array"),
              ("a complex array", every_array(np.ones(2, complex)), "real numbers")]
BAD_GROUPS = [("lr as a string", set_group("lr", "0.1"), "lr"),
              ("lr negative", set_group("lr", -1.0), "lr")]


def state_of(opt):
    return copy.deepcopy(opt.state_dict())


KEEPS_NO_STEP = (optim.SGD, optim.Lion)   # their state has no step count to corrupt
CASES = [pytest.param(cls, kwargs, *row, id=f"{cls.__name__}-{row[0]}")
         for cls, kwargs in OPTIMIZERS for row in BAD_STEPS + BAD_ARRAYS + BAD_GROUPS
         if not (row in BAD_STEPS and cls in KEEPS_NO_STEP)]


@pytest.mark.parametrize("cls, kwargs, label, change, fragment", CASES)
def test_a_state_that_does_not_fit_raises_value_error_and_changes_nothing(
        cls, kwargs, label, change, fragment):
    source = trained(cls, kwargs)
    saved = state_of(source)
    assert label.startswith("step") <= ("step" in saved["state"][0])
    change(saved)
    target = trained(cls, kwargs)
    target.param_groups[0]["params"][0].grad = np.array([0.5, -0.25])
    target.step()                                  # a state different from the source's
    before = state_of(target)
    with pytest.raises(ValueError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        target.load_state_dict(saved)
    assert_same(state_of(target), before)
    target.step()                                  # and it still works


@pytest.mark.parametrize("key", [0.0, 1.5, None, "zero"])
def test_a_state_keyed_by_something_other_than_a_parameter_index_is_refused(key):
    """Keys are parameter indices: ints, or digit strings (JSON turns int keys into str)."""
    source = trained(optim.Adam, {})
    saved = state_of(source)
    saved["state"] = {key: saved["state"][0]}
    target = trained(optim.Adam, {})
    before = state_of(target)
    with pytest.raises(ValueError, match=f"state for parameter {key!r}, which is not in"):
        target.load_state_dict(saved)
    assert_same(state_of(target), before)
    saved["state"] = {"0": saved["state"][key]}
    target.load_state_dict(saved)
    assert_same(state_of(target)["state"], state_of(source)["state"])


def test_adam_with_step_minus_one_was_accepted_then_divided_by_zero():
    """The issue's snippet: now refused at load, before any step."""
    opt = trained(optim.Adam, {})
    saved = state_of(opt)
    saved["state"][0]["step"] = -1
    with pytest.raises(ValueError, match="step"):
        opt.load_state_dict(saved)


@pytest.mark.parametrize("cls, key", [(optim.Adagrad, "sum"), (optim.RMSprop, "square_avg"),
                                      (optim.Adam, "exp_avg_sq"), (optim.Adamax, "exp_inf"),
                                      (optim.Adadelta, "acc_delta"),
                                      (optim.AdaBelief, "exp_avg_var")])
def test_negative_accumulators_of_squares_are_refused(cls, key):
    opt = trained(cls, {})
    saved = state_of(opt)
    saved["state"][0][key] = -saved["state"][0][key] - 1.0
    before = state_of(opt)
    with pytest.raises(ValueError, match="negative"):
        opt.load_state_dict(saved)
    assert_same(state_of(opt), before)


def test_nadam_mu_product_outside_0_1_is_refused():
    opt = trained(optim.NAdam, {})
    for bad in (0.0, 1.5, -0.2):
        saved = state_of(opt)
        saved["state"][0]["mu_product"] = bad
        with pytest.raises(ValueError, match="mu_product"):
            opt.load_state_dict(saved)


def test_a_valid_state_still_loads_exactly():
    for cls, kwargs in OPTIMIZERS:
        source, target = trained(cls, kwargs), cls([Tensor(np.zeros(2), requires_grad=True)],
                                                   **kwargs)
        target.load_state_dict(state_of(source))
        assert_same(state_of(target)["state"], state_of(source)["state"])


@pytest.mark.parametrize("cls, kwargs", [pytest.param(*o, id=o[0].__name__) for o in OPTIMIZERS
                                          if o[0] not in KEEPS_NO_STEP])
def test_a_fresh_state_with_step_0_loads_and_its_next_step_is_the_first(cls, kwargs):
    """step = 0 is a whole number >= 0, as the message says: a state written before any step
    (by hand, or saved from a schedule that had not started) is valid, and stepping from it
    is exactly an optimizer's first step."""
    fresh = cls([Tensor(np.array([1.0, -2.0]), requires_grad=True)], **kwargs)
    fresh.param_groups[0]["params"][0].grad = np.array([0.5, -0.25])
    saved = state_of(fresh)
    saved["state"][0] = fresh._init_state(np.zeros(2), fresh.param_groups[0])
    assert saved["state"][0]["step"] == 0
    target = cls([Tensor(np.array([1.0, -2.0]), requires_grad=True)], **kwargs)
    target.load_state_dict(saved)
    for opt in (fresh, target):
        opt.param_groups[0]["params"][0].grad = np.array([0.5, -0.25])
        opt.step()
    assert_same(state_of(target), state_of(fresh))
    np.testing.assert_array_equal(target.param_groups[0]["params"][0].data,
                                  fresh.param_groups[0]["params"][0].data)


# ------------------------------------------------------------------------------- DataLoader
def loader_mid_epoch():
    """A loader one batch into an epoch, and the iterator that keeps it there (once the
    iterator is gone, the loop was left: the state says a new epoch comes next)."""
    loader = DataLoader(TensorDataset(np.arange(10.0)), batch_size=3, shuffle=True, seed=1)
    batches = iter(loader)
    next(batches)
    return loader, batches


@pytest.mark.parametrize("key, value, fragment", [
    ("epoch", -1, "'epoch' must be a whole number >= 0"),
    ("epoch", 1.5, "'epoch' must be a whole number >= 0"),
    ("epoch", "1", "'epoch' must be a whole number >= 0"),
    ("batches_done", -1, "'batches_done' must be a whole number >= 0"),
    ("batches_done", 1.7, "'batches_done' must be a whole number >= 0"),
    ("batches_done", True, "'batches_done' must be a whole number >= 0"),
    ("batches_done", 9, "outside 0..4"),
    ("order", np.arange(10.0), "integer array"),
    ("order", np.arange(9), "permutation"),
    ("generator", {"bit_generator": "PCG64"}, "bad 'generator'"),
])
def test_a_dataloader_state_that_does_not_fit_raises_and_changes_nothing(key, value, fragment):
    saved_by, _ = loader_mid_epoch()
    saved = saved_by.state_dict()
    assert saved["order"] is not None
    saved[key] = value
    loader, batches = loader_mid_epoch()
    next(batches)
    before = copy.deepcopy(loader.state_dict())
    with pytest.raises(ValueError, match=fragment):
        loader.load_state_dict(saved)
    assert_same(loader.state_dict(), before)


def test_a_dataloader_state_between_epochs_cannot_claim_batches_done():
    loader = DataLoader(TensorDataset(np.arange(4.0)), batch_size=2, shuffle=True, seed=0)
    saved = loader.state_dict()
    assert saved["order"] is None
    saved["batches_done"] = 1
    with pytest.raises(ValueError, match="without an 'order'"):
        loader.load_state_dict(saved)
