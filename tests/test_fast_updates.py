"""The fast path (tinygrad_edu/fast/updates.py) is the plain rule, bit for bit.

Every optimizer runs the same rule function either way: one call per parameter (the plain
loop, ``fast.plain()``), or on cache-sized blocks of its arrays and on worker threads
(the fast path, the default). Both are run here from the same start with the same
gradients — every optimizer, float32 and float64, parameters below and above the block and
thread sizes, a ragged last block, a 0-d parameter, a parameter that cannot be blocked,
weights that share memory, a buffer the rule makes at its first step — and the parameters
and states must be equal bit for bit. Then the threads' own rules (who goes to a worker,
tied weights, a forked child), and Adam's rule itself against PyTorch's stored trajectories.
"""
import json
import os
import signal

import numpy as np
import pytest

import tinygrad_edu.fast as fast
from tinygrad_edu import Tensor, Value, optim
from tinygrad_edu.fast import updates
from tinygrad_edu.optim.adam import adam_update

OPTIONS = {
    "SGD": [dict(lr=0.1), dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
            dict(lr=0.1, momentum=0.5, dampening=0.3, maximize=True)],
    "Adagrad": [dict(lr_decay=0.1, weight_decay=0.1, maximize=True)],
    "RMSprop": [dict(centered=True, momentum=0.5, weight_decay=0.1, maximize=True)],
    "Adadelta": [dict(weight_decay=0.1, maximize=True)],
    "Adam": [{}, dict(amsgrad=True, weight_decay=0.1, maximize=True)],
    "AdamW": [dict(amsgrad=True)],
    "Adamax": [dict(weight_decay=0.1, maximize=True)],
    "NAdam": [dict(weight_decay=0.1, decoupled_weight_decay=True, maximize=True)],
    "RAdam": [dict(weight_decay=0.1, maximize=True)],
    "AdaBelief": [dict(weight_decay=0.1, decoupled_weight_decay=False)],
    "Lion": [dict(weight_decay=0.1)],
}
CASES = [(name, kwargs) for name, options in OPTIONS.items() for kwargs in options]
# (with the small sizes below) not blocked; a block and a ragged one; 0-d; a matrix; blocks
# and threads (the last two the same size, to be tied)
SHAPES = [(7,), (300,), (), (3, 64 * 2 + 5), (64 * 9 + 3,), (1200,), (40, 30)]


@pytest.fixture
def small_sizes(monkeypatch):
    """Blocks of 64 elements from 256 on, worker threads from 512 on, two CPUs: the fast
    path's every branch on small, quick arrays."""
    monkeypatch.setattr(updates, "BLOCK", 64)
    monkeypatch.setattr(updates, "BLOCKED_MIN_SIZE", 256)
    monkeypatch.setattr(updates, "PARALLEL_MIN_SIZE", 512)
    monkeypatch.setattr(updates, "_CPUS", 2)


def _train(name, kwargs, dtype, tie=None, steps=4):
    """Parameters and states after ``steps`` steps from a fixed start."""
    rng = np.random.default_rng(0)
    params = [Tensor(rng.standard_normal(s).astype(dtype), requires_grad=True) for s in SHAPES]
    if tie == "same array":
        params[-1].data = params[-2].data.reshape(params[-1].data.shape)
    values = [Value(0.5)]
    opt = getattr(optim, name)(params + values, **kwargs)
    for t in range(steps):
        for i, p in enumerate(params):
            p.grad = None if (i == 1 and t == 1) else rng.standard_normal(p.data.shape).astype(dtype)
        if tie == "a gradient is the other's data":
            params[-1].grad = params[-2].data.reshape(params[-1].data.shape)
        values[0].grad = float(rng.standard_normal())
        opt.step()
    return [p.data.copy() for p in params] + [values[0].data], [opt.state[p] for p in params + values]


def _assert_same_bits(fast_run, plain_run):
    (fast_params, fast_states), (plain_params, plain_states) = fast_run, plain_run
    for ours, plain in zip(fast_params, plain_params):
        np.testing.assert_array_equal(ours, plain)
    for ours, plain in zip(fast_states, plain_states):
        assert ours.keys() == plain.keys()
        for key in ours:
            assert np.shape(ours[key]) == np.shape(plain[key]), key
            np.testing.assert_array_equal(ours[key], plain[key], err_msg=key)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}-{i}" for n, o in OPTIONS.items()
                                                      for i in range(len(o))])
def test_the_fast_path_is_the_plain_rule_bit_for_bit(small_sizes, name, kwargs, dtype):
    fast_run = _train(name, kwargs, dtype)
    with fast.plain():
        plain_run = _train(name, kwargs, dtype)
    _assert_same_bits(fast_run, plain_run)
    start = np.random.default_rng(0).standard_normal(SHAPES[0]).astype(dtype)
    assert not np.array_equal(fast_run[0][0], start)                  # it moved


@pytest.mark.parametrize("tie", ["same array", "a gradient is the other's data"])
@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_the_fast_path_with_weights_that_share_memory(small_sizes, name, tie):
    kwargs = {"lr": 0.1, "momentum": 0.9} if name != "Adam" else {}
    fast_run = _train(name, kwargs, np.float64, tie=tie)
    with fast.plain():
        plain_run = _train(name, kwargs, np.float64, tie=tie)
    _assert_same_bits(fast_run, plain_run)


@pytest.mark.parametrize("name", ["SGD", "Adam", "Lion"])
def test_the_fast_path_at_the_shipped_sizes(name):
    """The real block and thread sizes (no patching): 6 blocks and 2 threads."""
    size = max(updates.BLOCKED_MIN_SIZE, updates.PARALLEL_MIN_SIZE) + 3 * updates.BLOCK // 2

    def train():
        rng = np.random.default_rng(1)
        params = [Tensor(rng.standard_normal(size).astype(np.float32), requires_grad=True)
                  for _ in range(2)]
        opt = getattr(optim, name)(params, lr=0.01, momentum=0.9) if name == "SGD" else \
            getattr(optim, name)(params, lr=0.01)
        for _ in range(2):
            for p in params:
                p.grad = rng.standard_normal(size).astype(np.float32)
            opt.step()
        return [p.data for p in params], [opt.state[p] for p in params]

    fast_run = train()
    with fast.plain():
        plain_run = train()
    _assert_same_bits(fast_run, plain_run)


def test_a_buffer_switched_on_after_the_first_step_is_made_block_by_block(small_sizes):
    """RMSprop makes its momentum buffer when momentum is switched on mid-run: on the fast
    path each block makes its piece, gathered into one array of the parameter's shape."""
    def train():
        p = Tensor(np.linspace(-1, 1, 1000).reshape(10, 100), requires_grad=True)
        opt = optim.RMSprop([p], lr=0.01)
        for t in range(3):
            p.grad = np.cos(np.arange(1000.0) * (t + 1)).reshape(10, 100)
            opt.step()
            opt.param_groups[0]["momentum"] = 0.9
        return [p.data], [opt.state[p]]

    fast_run = train()
    with fast.plain():
        plain_run = train()
    _assert_same_bits(fast_run, plain_run)
    assert fast_run[1][0]["momentum_buffer"].shape == (10, 100)


def test_a_rule_that_replaces_a_state_array_has_it_gathered_block_by_block(small_sizes):
    """A rule may put a new array in place of one it was given (state["previous"] = g · 2,
    as a rule that remembers the last gradient could): on the fast path each block's new
    piece is gathered into a whole array, so the state holds the whole-array result."""
    def remember(param, grad, state, lr):
        param -= lr * state["previous"]
        state["previous"] = grad * 2.0       # a new array, not a change of the old one

    param, grad = np.linspace(-1.0, 1.0, 1000), np.cos(np.arange(1000.0))
    state = {"previous": np.full(1000, 0.5)}
    updates.update_all(remember, [(param, grad, state, {"lr": 0.1})])
    assert np.array_equal(param, np.linspace(-1.0, 1.0, 1000) - 0.1 * 0.5)
    assert np.array_equal(state["previous"], grad * 2.0)


def test_a_rule_that_makes_two_state_arrays_gets_each_gathered_whole(small_sizes):
    """Each block makes its pieces of two new arrays; each piece goes to its own array."""
    def start_two(param, grad, state, lr):
        state["first"] = grad * 1.0
        state["second"] = grad * 3.0
        param -= lr * grad

    param, grad = np.linspace(-1.0, 1.0, 1000), np.cos(np.arange(1000.0))
    state = {}
    updates.update_all(start_two, [(param, grad, state, {"lr": 0.1})])
    assert np.array_equal(state["first"], grad) and np.array_equal(state["second"], grad * 3)


@pytest.mark.parametrize("layout", ["Fortran order", "gradient overlapping the parameter"])
def test_arrays_that_cannot_be_split_into_blocks_are_updated_whole(small_sizes, layout):
    """Blocks need flat views; and a gradient that overlaps the parameter one element off
    would, in blocks, read elements the previous block already changed."""
    def train():
        if layout == "Fortran order":
            param = np.asfortranarray(np.linspace(-1, 1, 800).reshape(100, 8))
            grad = np.asfortranarray(np.linspace(2, -3, 800).reshape(100, 8))
        else:
            buffer = np.linspace(-1, 1, 801)
            param, grad = buffer[1:], buffer[:-1]
        state = {"step": 0.0, "exp_avg": np.zeros_like(param),
                 "exp_avg_sq": np.zeros_like(param)}
        hyper = dict(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.5,
                     amsgrad=False, maximize=False, decoupled_weight_decay=True)
        updates.update_all(adam_update, [(param, grad, state, hyper)])
        return param.copy()

    fast_result = train()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(updates, "BLOCKED_MIN_SIZE", 10 ** 12)
        whole = train()
    np.testing.assert_array_equal(fast_result, whole)


def test_a_rule_that_is_not_elementwise_is_never_split(small_sizes):
    seen = []

    class Normalized(optim.SGD):
        """SGD on g/‖g‖: the norm reads the whole array, so blocks would change it."""
        rule_is_elementwise = False

        @staticmethod
        def rule(param, grad, state, **hyper):
            seen.append(param.shape)
            param -= hyper["lr"] * grad / np.linalg.norm(grad)

    p = Tensor(np.ones(1000), requires_grad=True)
    p.grad = np.arange(1000.0)
    Normalized([p], lr=1.0).step()
    assert seen == [(1000,)]
    np.testing.assert_allclose(np.linalg.norm(1 - p.data), 1.0)


def test_switching_the_fast_path_off_runs_the_plain_loop(monkeypatch):
    monkeypatch.setattr(fast, "update_all", lambda *a, **k: pytest.fail("fast path used"))
    p = Tensor(np.ones(3), requires_grad=True)
    p.grad = np.ones(3)
    with fast.plain():
        optim.SGD([p], lr=0.5).step()
    np.testing.assert_array_equal(p.data, [0.5, 0.5, 0.5])
    with pytest.raises(ZeroDivisionError):
        with fast.plain():
            1 / 0
    assert fast.switch.on                   # back on, also after an exception




# --------------------------------------------------------------------- Adam's rule itself
REF = dict(np.load(os.path.join(os.path.dirname(__file__), "reference", "optim_reference.npz"),
                   allow_pickle=False))
CONFIG = json.loads(str(REF["config"]))
ADAM_CASES = sorted(case for case, spec in CONFIG["cases"].items()
                    if spec["optimizer"] in ("Adam", "AdamW") and spec["groups"] is None)


@pytest.mark.parametrize("case", ADAM_CASES)
def test_the_rule_function_follows_pytorch(case):
    """``adam_update`` called directly, one parameter at a time, as the plain loop does,
    retraces torch.optim.Adam / AdamW (stored by tests/reference/make_optim_reference.py),
    including weight_decay=1."""
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
    params = [REF[f"init/{i}"].astype(np.float64) for i in range(n)]     # 0-d one included
    states = [{"step": 0.0, "exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p),
               **({"max_exp_avg_sq": np.zeros_like(p)} if rule["amsgrad"] else {})}
              for p in params]
    expected = REF[f"{case}/traj"]
    for t in range(CONFIG["steps"]):
        for i, (p, state) in enumerate(zip(params, states)):
            if i == 1 and t in CONFIG["skip_steps"]:
                continue                                   # no gradient: not stepped
            adam_update(p, REF[f"grads/{i}"][t].reshape(p.shape), state, **rule)
        np.testing.assert_allclose(np.concatenate([p.ravel() for p in params]),
                                   expected[t + 1], rtol=1e-10, atol=1e-12,
                                   err_msg=f"{case}, step {t + 1}")


# --------------------------------------------------------------------- threads
def test_threaded_updates_equal_a_plain_loop(monkeypatch):
    """Large parameters are updated in worker threads; the numbers must not change."""
    rng = np.random.default_rng(0)
    size = 2 * updates.PARALLEL_MIN_SIZE
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
    monkeypatch.setattr(updates, "PARALLEL_MIN_SIZE", 10 ** 12)
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
    monkeypatch.setattr(updates, "_CPUS", 4)
    monkeypatch.setattr(updates, "_thread_pool", lambda: pytest.fail("threads used"))
    optim.SGD([a, b, c], lr=1.0, momentum=0.5).step()
    if tie == "a gradient is the other's data":    # b follows a's new values: −1
        assert np.all(a.data == -1) and np.all(b.data == 1)
    else:
        assert np.all(a.data == -2) and np.all(b.data == -2)
    assert np.all(c.data == -1)


def test_the_worker_pool_is_made_once_per_process_and_anew_in_a_forked_child():
    """A forked child has none of its parent's threads: reusing the parent's pool there would
    wait forever for work no thread picks up. Within one process, one pool for every step."""
    assert updates._thread_pool() is updates._thread_pool()
    pid = os.fork()
    if pid == 0:                        # the child: train with worker threads, then leave
        code = 1
        try:
            signal.alarm(20)            # a hang is a failure, not a stuck test run
            updates._CPUS = 2
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
    real_pool = updates._thread_pool
    monkeypatch.setattr(updates, "_CPUS", 2)
    monkeypatch.setattr(updates, "_thread_pool",
                        lambda: used.append(1) or real_pool())
    params = [Tensor(np.zeros(1 << 17), requires_grad=True) for _ in range(2)]
    for p in params:
        p.grad = np.ones(1 << 17)
    optim.SGD(params, lr=1.0).step()
    assert used and all(np.all(p.data == -1) for p in params)


@pytest.mark.parametrize("cpus", [2, 8])
def test_how_updates_are_split_over_threads_and_blocks_changes_no_bit(monkeypatch, cpus):
    """Which parameters go to worker threads (from PARALLEL_MIN_SIZE elements on), into how
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

    monkeypatch.setattr(updates, "_CPUS", cpus)
    for cls, kwargs in ((optim.Adam, {"lr": 0.01, "amsgrad": True}), (optim.AdamW, {}),
                        (optim.SGD, {"lr": 0.1, "momentum": 0.9}), (optim.NAdam, {})):
        results = []
        # as shipped; a higher thread threshold with every Adam update blocked; a plain loop
        for parallel_min, blocked_min in ((updates.PARALLEL_MIN_SIZE,
                                           updates.BLOCKED_MIN_SIZE),
                                          (1 << 17, 1), (10 ** 12, 10 ** 12)):
            monkeypatch.setattr(updates, "PARALLEL_MIN_SIZE", parallel_min)
            monkeypatch.setattr(updates, "BLOCKED_MIN_SIZE", blocked_min)
            results.append(train(cls, kwargs))
            monkeypatch.undo()
            monkeypatch.setattr(updates, "_CPUS", cpus)
        for other in results[1:]:
            for ours, plain in zip(results[0], other):
                if isinstance(ours, dict):
                    assert ours.keys() == plain.keys()
                    for key in ours:
                        np.testing.assert_array_equal(ours[key], plain[key], err_msg=key)
                else:
                    np.testing.assert_array_equal(ours, plain)
        assert not np.array_equal(results[0][2], starts[2])
