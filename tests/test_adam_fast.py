"""The fast Adam update (scratch arrays, folded constants, cache blocks) is the textbook rule.

``adam_update`` is held to ``adam_reference`` (the docstring's rule, one plain line each) over
several steps, with every option, for parameters smaller than one block, spanning several
blocks (with a ragged last block), and laid out so that blocking is not possible.
``adam_reference`` itself is held to PyTorch's stored trajectories, and blocking is checked to
change no bit at all.
"""
import itertools
import json
import os

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


# --------------------------------------------------------------------- the reference itself
REF = dict(np.load(os.path.join(os.path.dirname(__file__), "reference", "optim_reference.npz"),
                   allow_pickle=False))
CONFIG = json.loads(str(REF["config"]))
ADAM_CASES = sorted(case for case, spec in CONFIG["cases"].items()
                    if spec["optimizer"] in ("Adam", "AdamW") and spec["groups"] is None)


@pytest.mark.parametrize("case", ADAM_CASES)
def test_the_reference_follows_pytorch(case):
    """The plain form is only a yardstick if it is right: it must retrace torch.optim.Adam /
    AdamW (stored by tests/reference/make_optim_reference.py), including weight_decay=1."""
    spec = CONFIG["cases"][case]
    kwargs = spec["kwargs"]
    decoupled = spec["optimizer"] == "AdamW" or kwargs.get("decoupled_weight_decay", False)
    beta1, beta2 = kwargs.get("betas", (0.9, 0.999))
    rule = dict(lr=kwargs.get("lr", 1e-3), beta1=beta1, beta2=beta2,
                eps=kwargs.get("eps", 1e-8),
                weight_decay=kwargs.get("weight_decay", 1e-2 if decoupled else 0.0),
                amsgrad=kwargs.get("amsgrad", False), maximize=kwargs.get("maximize", False),
                decoupled_weight_decay=decoupled)
    n = len(CONFIG["shapes"])
    params = [REF[f"init/{i}"].astype(np.float64).reshape(-1) for i in range(n)]
    states = [_state(p, rule["amsgrad"]) for p in params]
    expected = REF[f"{case}/traj"]
    for t in range(CONFIG["steps"]):
        for i, (p, state) in enumerate(zip(params, states)):
            if i == 1 and t in CONFIG["skip_steps"]:
                continue                                   # no gradient: not stepped
            adam_reference(p, REF[f"grads/{i}"][t].reshape(-1), state, **rule)
        np.testing.assert_allclose(np.concatenate(params), expected[t + 1], rtol=1e-10,
                                   atol=1e-12, err_msg=f"{case}, step {t + 1}")


def test_blocks_change_no_bit(monkeypatch):
    """Blocking is for speed only: every element sees the same operations in the same order,
    so the blocked update equals the whole-array one exactly (this is why the size from
    which blocks are used, _BLOCKED_MIN_SIZE, cannot change a result)."""
    shape = (5, 64 * 3 + 7)                                # 995 elements: 16 blocks of 64
    for options in OPTIONS:
        results = []
        for min_size in (256, 10 ** 12):                   # blocked, then whole
            monkeypatch.setattr(adam, "_BLOCKED_MIN_SIZE", min_size)
            param = np.random.default_rng(3).standard_normal(shape)
            state = _state(param, options["amsgrad"])
            grads = np.random.default_rng(4).standard_normal((3,) + shape)
            for grad in grads:
                adam_update(param, grad, state, lr=0.01, beta1=0.9, beta2=0.99, eps=1e-8,
                            **options)
            results.append((param, state))
        (blocked, blocked_state), (whole, whole_state) = results
        np.testing.assert_array_equal(blocked, whole)
        for key in whole_state:
            np.testing.assert_array_equal(blocked_state[key], whole_state[key])
