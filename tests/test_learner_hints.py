"""Hints for a learner coming from the blog posts or from PyTorch (issue 9)."""
import warnings

import numpy as np
import pytest

from tinygrad_edu import Tensor, Value, optim
from tinygrad_edu.optim import lr_scheduler as L


@pytest.mark.parametrize("wrong, right", [("AdaGrad", "Adagrad"), ("RMSProp", "RMSprop"),
                                          ("ADAM", "Adam"), ("adamw", "AdamW"),
                                          ("Nadam", "NAdam")])
def test_the_posts_spellings_of_optimizer_names_suggest_the_real_one(wrong, right):
    with pytest.raises(AttributeError, match=f"no attribute '{wrong}'.*optim.{right}"):
        getattr(optim, wrong)


def test_an_unknown_name_is_still_a_plain_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'Sgdd'$|no attribute 'Sgdd'"):
        optim.Sgdd
    assert not hasattr(optim, "nothing_like_an_optimizer")
    from tinygrad_edu.optim import Adagrad  # the real names import as before
    assert Adagrad is optim.Adagrad


def sgd():
    return optim.SGD([Value(1.0)], lr=1.0)


def stepped_warnings(order, make):
    opt = sgd()
    scheduler = make(opt)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for call in order:
            opt.step() if call == "o" else scheduler.step()
    return [w for w in caught if issubclass(w.category, UserWarning)]


SCHEDULERS = [("StepLR", lambda o: L.StepLR(o, 2)),
              ("OneCycleLR", lambda o: L.OneCycleLR(o, max_lr=1.0, total_steps=10)),
              ("SequentialLR", lambda o: L.SequentialLR(
                  o, [L.LinearLR(o, 0.5, total_iters=2), L.StepLR(o, 2)], milestones=[2]))]


@pytest.mark.parametrize("name, make", SCHEDULERS, ids=[s[0] for s in SCHEDULERS])
@pytest.mark.parametrize("order, warns", [("s", True), ("ss", True), ("so", True),
                                          ("sos", True), ("os", False), ("osos", False)])
def test_scheduler_step_before_the_first_optimizer_step_warns_once_as_pytorch(
        name, make, order, warns):
    """PyTorch 2.13 warns (UserWarning) at the scheduler's first step when the optimizer
    has not stepped since the scheduler was made; the first rate of the schedule is lost."""
    caught = stepped_warnings(order, make)
    assert len(caught) == (1 if warns else 0), [str(w.message) for w in caught]
    if warns:
        message = str(caught[0].message)
        assert "before optimizer.step()" in message and "skips" in message
        assert caught[0].filename == __file__   # points at the caller's line


def test_reduce_lr_on_plateau_does_not_warn_as_pytorch():
    opt = sgd()
    scheduler = L.ReduceLROnPlateau(opt)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scheduler.step(1.0)


def test_an_optimizer_stepped_before_the_scheduler_existed_still_warns_as_pytorch():
    opt = sgd()
    opt.step()
    scheduler = L.StepLR(opt, 2)
    with pytest.warns(UserWarning, match="before optimizer.step()"):
        scheduler.step()


# ----------------------------------------------------------------- nested SequentialLR
def test_a_sequential_lr_inside_another_is_refused_with_the_flat_form_to_use():
    """PyTorch 2.13 gets nesting wrong too: the inner milestone fires one epoch early
    (0.25, 1.0, 0.5 ... instead of 0.25, 0.625, 1.0, 0.5 ...), and as a later child it raises
    NotImplementedError. Refused here, pointing at the flat SequentialLR that does work."""
    opt = sgd()
    inner = L.SequentialLR(opt, [L.LinearLR(opt, start_factor=0.25, total_iters=2),
                                 L.ExponentialLR(opt, 0.5)], milestones=[2])
    with pytest.raises(ValueError, match=r"schedulers\[1\] is a SequentialLR.*one SequentialLR"):
        L.SequentialLR(opt, [L.ExponentialLR(opt, 0.9), inner], milestones=[3])
    with pytest.raises(ValueError, match=r"schedulers\[0\] is a SequentialLR"):
        L.SequentialLR(opt, [inner, L.StepLR(opt, 2)], milestones=[5])


def test_the_flat_form_gives_the_rates_the_nested_one_meant():
    """[0.25, 0.625, 1.0, 0.5, 0.25] then StepLR from epoch 5: one SequentialLR, two
    milestones; the same numbers as PyTorch 2.13 (tests/reference/lr_reference.json)."""
    opt = sgd()
    sched = L.SequentialLR(opt, [L.LinearLR(opt, start_factor=0.25, total_iters=2),
                                 L.ExponentialLR(opt, 0.5), L.StepLR(opt, 2, gamma=0.1)],
                           milestones=[2, 5])
    rates = [sched.get_last_lr()[0]]
    for _ in range(8):
        opt.step()
        sched.step()
        rates.append(sched.get_last_lr()[0])
    np.testing.assert_allclose(rates, [0.25, 0.625, 1.0, 0.5, 0.25, 1.0, 1.0, 0.1, 0.1])
