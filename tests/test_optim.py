"""Every optimizer and option, step by step, against stored PyTorch / reference trajectories.

The table of cases lives in tests/reference/optim_reference.npz (made by
tests/reference/make_optim_reference.py): four float64 parameters, shapes (2, 3), (4,),
() and (1,), fed the same random gradients for 50 steps; parameter 1 gets no gradient on
some steps and must be skipped there. Each test re-runs the case with our optimizer and
compares every step.
"""
import json
import os

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import Tensor, Value, optim

REF_PATH = os.path.join(os.path.dirname(__file__), "reference", "optim_reference.npz")
REF = dict(np.load(REF_PATH, allow_pickle=False))
CONFIG = json.loads(str(REF["config"]))
SHAPES = [tuple(s) for s in CONFIG["shapes"]]
STEPS = CONFIG["steps"]
SKIP = set(CONFIG["skip_steps"])
CASES = CONFIG["cases"]
SIZES = [int(np.prod(s)) for s in SHAPES]
OFFSETS = np.cumsum([0] + SIZES)
RTOL, ATOL = 1e-10, 1e-12


def tuples(obj):
    """JSON turned the betas tuples into lists; turn them back."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in obj.items()}


def build(case, params):
    spec = CASES[case]
    cls = getattr(optim, spec["optimizer"])
    if spec["groups"] is None:
        return cls(params, **tuples(spec["kwargs"]))
    groups = [{**tuples({k: v for k, v in g.items() if k != "params"}),
               "params": [params[i] for i in g["params"]]} for g in spec["groups"]]
    return cls(groups, **tuples(spec["kwargs"]))


def new_params(dtype=np.float64):
    return [Tensor(REF[f"init/{i}"].astype(dtype), requires_grad=True)
            for i in range(len(SHAPES))]


def feed(params, t):
    for i, p in enumerate(params):
        p.grad = None if (i == 1 and t in SKIP) else REF[f"grads/{i}"][t].astype(p.data.dtype)


def flat(params):
    return np.concatenate([np.ravel(p.data) for p in params])


def run(case, params, opt, start=0, stop=STEPS):
    rows = []
    for t in range(start, stop):
        feed(params, t)
        opt.step()
        rows.append(flat(params))
    return np.array(rows)


def assert_trajectory(ours, expected, first_step=1, columns=slice(None), rtol=RTOL, atol=ATOL):
    for k, (row, ref) in enumerate(zip(ours, expected)):
        if not np.allclose(row, ref[columns], rtol=rtol, atol=atol):
            worst = np.max(np.abs(row - ref[columns]))
            raise AssertionError(f"step {first_step + k}: ours {row} vs reference "
                                 f"{ref[columns]} (max abs diff {worst:.3g})")


@pytest.mark.parametrize("case", sorted(CASES))
def test_trajectory_matches_reference(case):
    params = new_params()
    opt = build(case, params)
    ours = run(case, params, opt)
    expected = REF[f"{case}/traj"]
    np.testing.assert_array_equal(expected[0], flat(new_params()))
    assert_trajectory(ours, expected[1:])
    # the reference really moves every parameter (a no-op optimizer could not pass)
    assert np.all(np.abs(np.diff(expected, axis=0)).max(axis=0) > 1e-6)


@pytest.mark.parametrize("case", sorted(CASES))
def test_final_state_has_pytorch_names_and_values(case):
    params = new_params()
    opt = build(case, params)
    run(case, params, opt)
    state = opt.state_dict()["state"]
    values = REF[f"{case}/state"]
    layout = CASES[case]["state_layout"]
    groups = CASES[case]["groups"] or [{"params": list(range(len(SHAPES)))}]
    # state-dict indices count through the groups in order
    index_of = {p: i for i, p in enumerate(p for g in groups for p in g["params"])}
    expected_keys = {}
    offset = 0
    for param, key, size in layout:
        index = index_of[param]
        expected_keys.setdefault(index, set()).add(key)
        ref = values[offset:offset + size]
        offset += size
        ours = state[index][key]
        if key in ("step", "mu_product"):
            assert isinstance(ours, float), (key, type(ours))
            np.testing.assert_allclose(ours, ref[0], rtol=RTOL)
        else:
            np.testing.assert_allclose(np.ravel(ours), ref, rtol=RTOL, atol=ATOL,
                                       err_msg=f"state[{index}][{key!r}]")
    assert {i: set(s) for i, s in state.items() if s} == expected_keys


SINGLE_GROUP = sorted(c for c in CASES if CASES[c]["groups"] is None)


@pytest.mark.parametrize("case", SINGLE_GROUP)
def test_value_parameters_follow_the_same_trajectory(case):
    """Parameters 2 and 3 (one number each, always with a gradient) as scalar Values."""
    values = [Value(float(REF["init/2"])), Value(float(REF["init/3"][0]))]
    opt = getattr(optim, CASES[case]["optimizer"])(values, **tuples(CASES[case]["kwargs"]))
    rows = []
    for t in range(STEPS):
        values[0].grad = float(REF["grads/2"][t])
        values[1].grad = float(REF["grads/3"][t][0])
        opt.step()
        assert all(type(v.data) is float for v in values)
        rows.append([v.data for v in values])
    assert_trajectory(np.array(rows), REF[f"{case}/traj"][1:], columns=slice(10, 12))
    for v in values:   # state of a Value: 0-d arrays (and numbers)
        for key, item in opt.state[v].items():
            assert np.shape(item) == (), (key, item)


def test_values_and_tensors_mixed_in_one_optimizer():
    case = "adam_amsgrad"
    tensors = new_params()[:2]
    scalar = Value(float(REF["init/2"]))
    opt = optim.Adam(tensors + [scalar], **tuples(CASES[case]["kwargs"]))
    rows = []
    for t in range(STEPS):
        feed(tensors, t)
        scalar.grad = float(REF["grads/2"][t])
        opt.step()
        rows.append(np.r_[flat(tensors), scalar.data])
    assert_trajectory(np.array(rows), REF[f"{case}/traj"][1:], columns=slice(0, 11))


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW",
                                  "Adamax", "NAdam", "RAdam", "AdaBelief", "Lion"])
def test_float32_parameters_and_state_stay_float32(name):
    case = [c for c in SINGLE_GROUP if CASES[c]["optimizer"] == name][-1]
    params = new_params(np.float32)
    opt = build(case, params)
    ours = run(case, params, opt, stop=20)
    for p in params:
        assert p.data.dtype == np.float32
    for entry in opt.state_dict()["state"].values():
        for key, item in entry.items():
            if isinstance(item, np.ndarray):
                assert item.dtype == np.float32, (key, item.dtype)
    assert_trajectory(ours, REF[f"{case}/traj"][1:21], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("case", sorted(CASES))
def test_state_dict_round_trip_mid_run_is_bit_exact(case, tmp_path):
    params = new_params()
    opt = build(case, params)
    run(case, params, opt, stop=25)
    path = tmp_path / "optim.ckpt"
    tinygrad_edu.save({"optim": opt.state_dict(), "params": [p.data for p in params]}, path)
    uninterrupted = run(case, params, opt, start=25)

    checkpoint = tinygrad_edu.load(path)
    resumed_params = [Tensor(x, requires_grad=True) for x in checkpoint["params"]]
    resumed_opt = build(case, resumed_params)
    resumed_opt.load_state_dict(checkpoint["optim"])
    resumed = run(case, resumed_params, resumed_opt, start=25)
    np.testing.assert_array_equal(resumed, uninterrupted)
