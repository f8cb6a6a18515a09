"""Every optimizer and option, step by step, against stored PyTorch / reference trajectories.

The table of cases lives in tests/reference/optim_reference.npz (made by
tests/reference/make_optim_reference.py): four float64 parameters, shapes (2, 3), (4,),
() and (1,), fed the same random gradients for 50 steps; parameter 1 gets no gradient on
some steps and must be skipped there. Each test re-runs the case with our optimizer and
compares every step.
"""
import json
import os
import signal

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import Tensor, Value, optim
from tinygrad_edu.optim import adam as adam_module
from tinygrad_edu.optim import optimizer as optimizer_module

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


def test_threaded_updates_equal_a_plain_loop(monkeypatch):
    """Large parameters are updated in worker threads; the numbers must not change."""
    rng = np.random.default_rng(0)
    size = 2 * optimizer_module._PARALLEL_MIN_SIZE
    starts = [rng.standard_normal(size).astype(np.float32) for _ in range(3)]
    grads = [[rng.standard_normal(size).astype(np.float32) for _ in range(3)] for _ in range(4)]

    def train():
        params = [Tensor(x.copy(), requires_grad=True) for x in starts]
        params.append(Tensor(np.ones(3, np.float32), requires_grad=True))   # a small one
        opt = optim.Adam(params, lr=0.01, amsgrad=True)
        for step_grads in grads:
            for p, g in zip(params, step_grads + [np.ones(3, np.float32)]):
                p.grad = g
            opt.step()
        return params

    threaded = train()
    monkeypatch.setattr(optimizer_module, "_PARALLEL_MIN_SIZE", 10 ** 12)
    sequential = train()
    for a, b in zip(threaded, sequential):
        np.testing.assert_array_equal(a.data, b.data)
    assert not np.array_equal(threaded[0].data, starts[0])


@pytest.mark.parametrize("tie", ["same array", "a view of it", "a gradient is the other's data"])
def test_parameters_sharing_memory_are_updated_one_after_the_other_not_in_threads(
        monkeypatch, tie):
    """Weights tied by ``b.data = a.data``, both large enough for worker threads: updated in
    two threads at once, one thread's write could be lost (seen: 2 runs in 20 of a race).
    Such a step runs as a plain loop, so both updates land, as in PyTorch's for-loop."""
    n = 1 << 17
    a = Tensor(np.zeros(n), requires_grad=True)
    b = Tensor(np.zeros(n), requires_grad=True)
    a.grad, b.grad = np.ones(n), np.ones(n)
    if tie == "same array":
        b.data = a.data
    elif tie == "a view of it":
        b.data = a.data.reshape(2, -1).reshape(-1)
        b.grad = b.grad.reshape(-1)
    else:
        b.grad = a.data
    c = Tensor(np.zeros(n), requires_grad=True)   # untied: could go to a worker otherwise
    c.grad = np.ones(n)
    monkeypatch.setattr(optimizer_module, "_CPUS", 4)
    monkeypatch.setattr(optimizer_module, "_thread_pool", lambda: pytest.fail("threads used"))
    optim.SGD([a, b, c], lr=1.0, momentum=0.5).step()
    if tie == "a gradient is the other's data":    # b follows a's new values: −1
        assert np.all(a.data == -1) and np.all(b.data == 1)
    else:
        assert np.all(a.data == -2) and np.all(b.data == -2)
    assert np.all(c.data == -1)


def test_the_worker_pool_is_made_once_per_process_and_anew_in_a_forked_child():
    """A forked child has none of its parent's threads: reusing the parent's pool there would
    wait forever for work no thread picks up. Within one process, one pool for every step."""
    assert optimizer_module._thread_pool() is optimizer_module._thread_pool()
    pid = os.fork()
    if pid == 0:                        # the child: train with worker threads, then leave
        code = 1
        try:
            signal.alarm(20)            # a hang is a failure, not a stuck test run
            optimizer_module._CPUS = 2
            params = [Tensor(np.zeros(1 << 17), requires_grad=True) for _ in range(2)]
            for p in params:
                p.grad = np.ones(1 << 17)
            optim.SGD(params, lr=1.0).step()
            code = 0 if all(np.all(p.data == -1) for p in params) else 2
        finally:
            os._exit(code)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


def test_untied_large_parameters_still_go_to_worker_threads(monkeypatch):
    """The check above must not switch the threads off for ordinary models."""
    used = []
    real_pool = optimizer_module._thread_pool
    monkeypatch.setattr(optimizer_module, "_CPUS", 2)
    monkeypatch.setattr(optimizer_module, "_thread_pool",
                        lambda: used.append(1) or real_pool())
    params = [Tensor(np.zeros(1 << 17), requires_grad=True) for _ in range(2)]
    for p in params:
        p.grad = np.ones(1 << 17)
    optim.SGD(params, lr=1.0).step()
    assert used and all(np.all(p.data == -1) for p in params)


@pytest.mark.parametrize("cpus", [2, 8])
def test_how_updates_are_split_over_threads_and_blocks_changes_no_bit(monkeypatch, cpus):
    """Which parameters go to worker threads (from _PARALLEL_MIN_SIZE elements on), into how
    many buckets (one per CPU, at most 4) and whether Adam works in cache blocks is for
    speed only: each update touches only its own parameter and state, and blocks do the same
    arithmetic per element, so every split gives the plain loop's results bit for bit."""
    sizes = [(1 << 16) - 1, 1 << 16, 1 << 17, 3 << 15, 1 << 16, 5 << 14, 7]
    rng = np.random.default_rng(5)
    starts = [rng.standard_normal(n).astype(np.float32) for n in sizes]
    grads = [[rng.standard_normal(n).astype(np.float32) for n in sizes] for _ in range(2)]

    def train(cls, kwargs):
        params = [Tensor(x.copy(), requires_grad=True) for x in starts]
        opt = cls(params, **kwargs)
        for step_grads in grads:
            for p, g in zip(params, step_grads):
                p.grad = g
            opt.step()
        return [p.data for p in params] + [opt.state[p] for p in params]

    monkeypatch.setattr(optimizer_module, "_CPUS", cpus)
    for cls, kwargs in ((optim.Adam, {"lr": 0.01, "amsgrad": True}), (optim.AdamW, {}),
                        (optim.SGD, {"lr": 0.1, "momentum": 0.9}), (optim.NAdam, {})):
        results = []
        # as shipped; a higher thread threshold with every Adam update blocked; a plain loop
        for parallel_min, blocked_min in ((optimizer_module._PARALLEL_MIN_SIZE,
                                           adam_module._BLOCKED_MIN_SIZE),
                                          (1 << 17, 1), (10 ** 12, 10 ** 12)):
            monkeypatch.setattr(optimizer_module, "_PARALLEL_MIN_SIZE", parallel_min)
            monkeypatch.setattr(adam_module, "_BLOCKED_MIN_SIZE", blocked_min)
            results.append(train(cls, kwargs))
            monkeypatch.undo()
            monkeypatch.setattr(optimizer_module, "_CPUS", cpus)
        for other in results[1:]:
            for ours, plain in zip(results[0], other):
                if isinstance(ours, dict):
                    assert ours.keys() == plain.keys()
                    for key in ours:
                        np.testing.assert_array_equal(ours[key], plain[key], err_msg=key)
                else:
                    np.testing.assert_array_equal(ours, plain)
        assert not np.array_equal(results[0][2], starts[2])
