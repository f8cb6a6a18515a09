"""The fast Adam update (scratch arrays, folded constants, cache blocks) is the textbook rule.

``adam_update`` is held to ``adam_reference`` (the docstring's rule, one plain line each) over
several steps, with every option, for parameters smaller than one block, spanning several
blocks (with a ragged last block), and laid out so that blocking is not possible.
"""
import itertools

import numpy as np
import pytest

from tinygrad_edu.optim import adam
from tinygrad_edu.optim.adam import adam_reference, adam_update

OPTIONS = [dict(weight_decay=wd, amsgrad=ams, maximize=mx, decoupled_weight_decay=dec)
           for wd, ams, mx, dec in itertools.product((0.0, 0.1), (False, True), (False, True),
                                                     (False, True))]


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """Blocks of 64 elements from 256 on: the blocked path on small, fast arrays."""
    monkeypatch.setattr(adam, "_BLOCK", 64)
    monkeypatch.setattr(adam, "_BLOCKED_MIN_SIZE", 256)


def _state(param, amsgrad):
    state = {"step": 0.0, "exp_avg": np.zeros_like(param), "exp_avg_sq": np.zeros_like(param)}
    if amsgrad:
        state["max_exp_avg_sq"] = np.zeros_like(param)
    return state


@pytest.mark.parametrize("shape", [(7,), (300,), (3, 64 * 2 + 5), (64 * 5 + 3,)],
                         ids=["small: whole", "one block and a ragged one", "blocks of a matrix",
                              "ragged last block"])
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: "-".join(
    k for k, v in o.items() if v))
def test_fast_update_equals_the_reference(shape, options):
    rng = np.random.default_rng(0)
    fast = rng.standard_normal(shape)
    plain = fast.copy()
    fast_state, plain_state = _state(fast, options["amsgrad"]), _state(plain, options["amsgrad"])
    for _ in range(3):
        grad = rng.standard_normal(shape)
        rule = dict(lr=0.01, beta1=0.9, beta2=0.99, eps=1e-8, **options)
        adam_update(fast, grad, fast_state, **rule)
        adam_reference(plain, grad, plain_state, **rule)
    np.testing.assert_allclose(fast, plain, rtol=1e-12, atol=1e-15)
    for key in plain_state:
        np.testing.assert_allclose(fast_state[key], plain_state[key], rtol=1e-12, atol=1e-15)


def test_a_parameter_that_cannot_be_blocked_is_updated_whole():
    rng = np.random.default_rng(1)
    fast = np.asfortranarray(rng.standard_normal((100, 8)))   # not C-contiguous
    plain = fast.copy()
    grad = rng.standard_normal(fast.shape)
    rule = dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, amsgrad=False,
                maximize=False, decoupled_weight_decay=False)
    fast_state, plain_state = _state(fast, False), _state(plain, False)
    adam_update(fast, grad, fast_state, **rule)
    adam_reference(plain, grad, plain_state, **rule)
    np.testing.assert_allclose(fast, plain, rtol=1e-12)
    assert not np.array_equal(fast, grad)          # it moved
