"""tinygrad_edu.compile (API §13): a compiled step computes what the eager step computes.

Every comparison here runs two copies of the same setup from the same seed, one eagerly and
one through ``compile``, and asks for the same bits: losses, parameters, gradients, optimizer
state, the generator. The programs here never reorder a reduction (they run the very NumPy
calls the eager step runs), so there is no tolerance anywhere in this file.
"""
import linecache
import types
import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, compile, manual_seed, nn, optim
from tinygrad_edu.compile import tracer
from tinygrad_edu.nn import functional as F
from tinygrad_edu.optim import lr_scheduler

from test_tensor_ops import CATALOG, make_inputs

OPTIMIZERS = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=1e-2)),
    ("AdamW", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01)),                 # switches its update form after step 5
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("NAdam", dict(lr=0.01)),                 # mu_product carried in the state
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
    ("Adagrad", dict(lr=0.05)),
    ("Adadelta", dict()),
    ("Adamax", dict(lr=0.01)),
    ("Lion", dict(lr=0.001)),
    ("AdaBelief", dict(lr=0.01)),
]


def _mlp(dropout=0.0, sizes=(6, 5, 4, 3)):
    layers = [nn.Linear(sizes[0], sizes[1]), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers += [nn.Linear(sizes[1], sizes[2]), nn.Tanh(), nn.Linear(sizes[2], sizes[3])]
    return nn.Sequential(*layers)


def _setup(opt_name="SGD", opt_kwargs=None, dropout=0.0, loss=F.cross_entropy):
    manual_seed(0)
    model = _mlp(dropout)
    opt = getattr(optim, opt_name)(model.parameters(), **(opt_kwargs or dict(lr=0.05)))

    def step(x, y):
        opt.zero_grad()
        out = loss(model(x), y)
        out.backward()
        opt.step()
        return out
    return model, opt, step


def _data(n=8, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 6)), rng.integers(0, 3, n)


def _onehot(y):
    """One-hot rows for class indices, with operations on ``y`` (a traced array indexes
    nothing: ``np.eye(3)[y]`` would hand it to NumPy as a plain index)."""
    return Tensor((y[:, None] == np.arange(3)).astype(np.float64))


def _assert_same(model_a, opt_a, model_b, opt_b, step_calls=True):
    if step_calls:   # what schedulers check their order with (not in a state_dict)
        assert opt_a._step_calls == opt_b._step_calls
    for (name, a), b in zip(model_a.named_parameters(), model_b.parameters()):
        assert a.data.dtype == b.data.dtype and np.array_equal(a.data, b.data), name
        assert (a.grad is None) == (b.grad is None), name
        if a.grad is not None:
            assert np.array_equal(a.grad, b.grad), name + ".grad"
        state_a, state_b = opt_a.state.get(a, {}), opt_b.state.get(b, {})
        assert state_a.keys() == state_b.keys(), name
        for key in state_a:
            assert np.array_equal(state_a[key], state_b[key]), f"{name} {key}"
            assert type(state_a[key]) is type(state_b[key]), f"{name} {key}"


def _run_both(opt_name, opt_kwargs, steps=8, dropout=0.0, loss=F.cross_entropy, data=None):
    model_a, opt_a, eager = _setup(opt_name, opt_kwargs, dropout, loss)
    model_b, opt_b, step = _setup(opt_name, opt_kwargs, dropout, loss)
    compiled = compile(step)
    x, y = data or _data()
    manual_seed(7)
    eager_losses = [eager(x, y).item() for _ in range(steps)]
    eager_rng = tg.get_rng_state()
    manual_seed(7)
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # a faithful trace has nothing to warn about
        compiled_losses = [compiled(x, y).item() for _ in range(steps)]
    assert compiled_losses == eager_losses
    assert tg.get_rng_state() == eager_rng
    _assert_same(model_a, opt_a, model_b, opt_b)
    return compiled


# ---------------------------------------------------------------------------- same numbers
@pytest.mark.parametrize("opt_name, opt_kwargs", OPTIMIZERS,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(OPTIMIZERS)])
def test_compiled_steps_equal_eager_steps_under_every_optimizer(opt_name, opt_kwargs):
    compiled = _run_both(opt_name, opt_kwargs, steps=8)
    assert compiled.code.startswith("def step(")


def test_radam_switch_is_a_guard_not_a_constant():
    compiled = _run_both("RAdam", dict(lr=0.01), steps=8)
    # the step-1 program (state made), the ρ_t ≤ 5 one and the ρ_t > 5 one
    assert len(compiled.programs) == 3
    assert sum("raise GuardFailed" in p.source and "> 5" in p.source
               for p in compiled.programs) >= 2


def test_nadam_mu_product_is_an_input():
    compiled = _run_both("NAdam", dict(lr=0.01), steps=6)
    assert "['mu_product']" in compiled.code


def test_dropout_draws_fresh_numbers_on_every_replay():
    compiled = _run_both("SGD", dict(lr=0.05), steps=6, dropout=0.5)
    assert "rng.random(" in compiled.code
    # two replays from different generator states give different losses
    model, opt, step = _setup(dropout=0.5)
    compiled = compile(step)
    x, y = _data()
    for _ in range(3):
        compiled(x, y)
    with tg.no_grad():
        pass
    opt.param_groups[0]["lr"] = 0.0   # keep the weights: only the mask may change the loss
    losses = {compiled(x, y).item() for _ in range(4)}
    assert len(losses) == 4


@pytest.mark.parametrize("loss", [
    F.cross_entropy,
    lambda out, y: F.nll_loss(out.log_softmax(dim=1), y),
    lambda out, y: F.mse_loss(out, _onehot(y)),
    lambda out, y: F.binary_cross_entropy(out.sigmoid(), _onehot(y)),
    lambda out, y: F.binary_cross_entropy_with_logits(out, _onehot(y)),
    lambda out, y: F.cross_entropy(out, _onehot(y) * 0.8 + 0.2 / 3),
    lambda out, y: -out.log_softmax()[np.arange(len(y)), y].mean(),
    lambda out, y: nn.CrossEntropyLoss()(out, y),
], ids=["cross_entropy", "nll_loss", "mse_loss", "bce", "bce_with_logits", "soft_labels",
        "from_ops", "CrossEntropyLoss"])
def test_every_loss(loss):
    _run_both("Adam", dict(lr=0.01), steps=4, loss=loss)


@pytest.mark.parametrize("op", CATALOG, ids=[op.name for op in CATALOG])
def test_every_catalog_op_forward_and_backward_through_a_traced_step(op):
    arrays = make_inputs(op)

    def setup():
        params = [Tensor(a.copy(), requires_grad=True) for a in arrays]
        opt = optim.SGD(params, lr=1e-3)
        weights = np.cos(np.arange(np.size(op.fn(*[Tensor(a) for a in arrays]).data)) + 1.0)

        def step():
            opt.zero_grad()
            out = op.fn(*params)
            loss = (out * weights.reshape(out.shape)).sum()
            loss.backward()
            opt.step()
            return out
        return params, step

    params_a, eager = setup()
    params_b, step = setup()
    compiled = compile(step)
    for _ in range(3):
        a, b = eager(), compiled()
        assert np.array_equal(a.data, b.data)
        for p, q in zip(params_a, params_b):
            assert np.array_equal(p.data, q.data) and np.array_equal(p.grad, q.grad)


def test_tensor_arguments_and_float32():
    tg.set_default_dtype(np.float32)
    try:
        model_a, opt_a, eager = _setup("Adam", dict(lr=0.01))
        model_b, opt_b, step = _setup("Adam", dict(lr=0.01))
    finally:
        tg.set_default_dtype(np.float64)
    compiled = compile(step)
    x, y = _data()
    x = x.astype(np.float32)
    for _ in range(4):
        assert eager(Tensor(x), Tensor(y)).item() == compiled(Tensor(x), Tensor(y)).item()
    _assert_same(model_a, opt_a, model_b, opt_b)
    assert model_b.parameters()[0].data.dtype == np.float32


# ---------------------------------------------------------------------------- hyper-parameters
SCHEDULERS = {
    "StepLR": lambda opt: lr_scheduler.StepLR(opt, step_size=2, gamma=0.5),
    "CosineAnnealingLR": lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=5),
    "OneCycleLR": lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=8),
    "LambdaLR": lambda opt: lr_scheduler.LambdaLR(opt, lambda epoch: 1 / (1 + epoch)),
    "ReduceLROnPlateau": lambda opt: lr_scheduler.ReduceLROnPlateau(opt, patience=0,
                                                                     factor=0.5),
}


@pytest.mark.parametrize("name", SCHEDULERS)
def test_a_scheduler_learning_rate_reaches_the_program(name):
    model_a, opt_a, eager = _setup("SGD", dict(lr=0.1, momentum=0.9))
    model_b, opt_b, step = _setup("SGD", dict(lr=0.1, momentum=0.9))
    sched_a, sched_b = SCHEDULERS[name](opt_a), SCHEDULERS[name](opt_b)
    compiled = compile(step)
    x, y = _data()
    rates = set()
    for _ in range(7):
        loss = eager(x, y).item()
        assert loss == compiled(x, y).item()
        rates.add(opt_b.param_groups[0]["lr"])
        if name == "ReduceLROnPlateau":
            sched_a.step(-loss)    # a "metric" that keeps getting worse: the rate halves
            sched_b.step(-loss)
        else:
            sched_a.step()
            sched_b.step()
        _assert_same(model_a, opt_a, model_b, opt_b)
    assert len(rates) >= 3                 # the rate did change ...
    assert len(compiled.programs) == 2     # ... and was read on every call, never traced


def test_anomaly_mode_is_part_of_what_a_program_is_traced_for():
    model, opt, step = _setup()
    compiled = compile(step)
    x, y = _data()
    for _ in range(3):
        compiled(x, y)
    with tg.detect_anomaly():
        compiled(x, y)
        assert "isfinite" in compiled.code
        opt.param_groups[0]["lr"] = 1e300   # the next step overflows: anomaly mode says so
        compiled(x, y)
        with pytest.raises(FloatingPointError, match="Linear produced inf in its forward"), \
                np.errstate(over="ignore"):
            compiled(x, y)   # the program's finiteness guard fails: the call runs eagerly


def test_learning_rate_set_by_hand_takes_effect():
    model_a, opt_a, eager = _setup("Adam", dict(lr=0.01))
    model_b, opt_b, step = _setup("Adam", dict(lr=0.01))
    compiled = compile(step)
    x, y = _data()
    for lr in (0.01, 0.01, 0.05, 0.0, 0.02):
        opt_a.param_groups[0]["lr"] = opt_b.param_groups[0]["lr"] = lr
        assert eager(x, y).item() == compiled(x, y).item()
        _assert_same(model_a, opt_a, model_b, opt_b)


def test_flag_changed_between_calls_traces_again():
    model_a, opt_a, eager = _setup("Adam", dict(lr=0.01))
    model_b, opt_b, step = _setup("Adam", dict(lr=0.01))
    compiled = compile(step)
    x, y = _data()
    for k in range(6):
        maximize = k >= 3
        opt_a.param_groups[0]["maximize"] = opt_b.param_groups[0]["maximize"] = maximize
        assert eager(x, y).item() == compiled(x, y).item()
    _assert_same(model_a, opt_a, model_b, opt_b)
    assert any("GuardFailed('maximize')" in p.source for p in compiled.programs)


# ---------------------------------------------------------------------------- shapes
def test_new_shapes_trace_again_and_say_so_once():
    model_a, opt_a, eager = _setup()
    model_b, opt_b, step = _setup()
    compiled = compile(step)
    small, big = _data(4), _data(9, seed=2)
    for _ in range(3):
        assert eager(*small).item() == compiled(*small).item()
    with pytest.warns(UserWarning, match="traced again, for new argument shapes"):
        assert eager(*big).item() == compiled(*big).item()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for data in (big, small, big, _data(5, seed=3)):
            assert eager(*data).item() == compiled(*data).item()
    _assert_same(model_a, opt_a, model_b, opt_b)
    shapes = {p.source.count("(9, ") > 0 for p in compiled.programs}
    assert len(compiled.programs) >= 3 and shapes


# ---------------------------------------------------------------------------- honesty
def test_control_flow_on_a_traced_value_warns_and_names_the_line():
    manual_seed(0)
    model = _mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        if loss > 100.0:   # data steering Python: frozen by the trace
            loss = loss * 0.0
        loss.backward()
        opt.step()
        return loss
    compiled = compile(step)
    with pytest.warns(UserWarning, match="read as a Python bool") as record:
        compiled(*_data())
    assert record[0].filename == __file__
    assert record[0].lineno == step.__code__.co_firstlineno + 3
    assert "frozen: a bool" in compiled.code


@pytest.mark.parametrize("read", [lambda t: t.item(), float, bool, lambda t: t.data.tolist(),
                                  lambda t: float(t.data)],
                         ids=["item", "float", "bool", "tolist", "float_of_array"])
def test_reading_a_number_inside_warns(read):
    manual_seed(0)
    model = _mlp()

    def forward(x):
        out = model(x).sum()
        read(out)
        return out
    with pytest.warns(UserWarning, match="compiled program keeps this value"):
        compile(forward)(_data()[0])


def test_library_checks_run_on_every_call_without_warning():
    model, opt, step = _setup()
    compiled = compile(step)
    x, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            compiled(x, y)
    bad = y.copy()
    bad[2] = 7
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(ValueError, match="class indices must lie in 0..2"):
        compiled(x, bad)
    assert all(np.array_equal(a, p.data) for a, p in zip(before, model.parameters()))
    compiled(x, y)   # and the program still serves good data


def test_an_operation_the_tracer_cannot_record_raises_at_trace_time():
    class Opaque(tg.Function):
        @staticmethod
        def forward(ctx, x):
            return np.array([float(v) for v in x.tolist()])   # leaves NumPy for Python

        @staticmethod
        def backward(ctx, grad):
            return grad

    w = Tensor([1.0, 2.0], requires_grad=True)
    compiled = compile(lambda: Opaque.apply(w).sum())
    with pytest.warns(UserWarning, match="read as a Python list"):
        compiled()

    class Hidden(tg.Function):
        @staticmethod
        def forward(ctx, x):
            import builtins
            return np.array(builtins.list(x)) * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    compiled = compile(lambda: Hidden.apply(w).sum())
    with pytest.raises(tracer.TraceError, match="cannot see what is done with it"):
        compiled()


def test_kept_grad_reference_behaves_as_in_eager_execution():
    model_a, opt_a, eager = _setup()
    model_b, opt_b, step = _setup()
    compiled = compile(step)
    x, y = _data()
    kept = []
    for _ in range(4):
        eager(x, y)
        compiled(x, y)
        kept.append((model_a.parameters()[0].grad, model_b.parameters()[0].grad))
    for a, b in kept:   # each kept array still holds its own step's gradient
        assert np.array_equal(a, b)
    assert not np.shares_memory(kept[-1][1], kept[-2][1])


def test_state_dict_and_checkpoint_resume_after_compiled_steps(tmp_path):
    model_a, opt_a, eager = _setup("Adam", dict(lr=0.01))
    model_b, opt_b, step = _setup("Adam", dict(lr=0.01))
    compiled = compile(step)
    x, y = _data()
    for _ in range(3):
        eager(x, y)
        compiled(x, y)
    state_a = {"model": model_a.state_dict(), "opt": opt_a.state_dict()}
    state_b = {"model": model_b.state_dict(), "opt": opt_b.state_dict()}
    for key in state_a["model"]:
        assert np.array_equal(state_a["model"][key], state_b["model"][key])
    assert str(state_a["opt"]) == str(state_b["opt"])
    tg.save(state_b, tmp_path / "ckpt.npz")
    # resume into fresh objects; both continue (eager vs compiled) to the same numbers
    model_c, opt_c, step_c = _setup("Adam", dict(lr=0.01))
    loaded = tg.load(tmp_path / "ckpt.npz")
    model_c.load_state_dict(loaded["model"])
    opt_c.load_state_dict(loaded["opt"])
    resumed = compile(step_c)
    for _ in range(4):
        assert eager(x, y).item() == resumed(x, y).item()
    _assert_same(model_a, opt_a, model_c, opt_c, step_calls=False)
    # and loading a checkpoint into a model whose step is already compiled takes effect
    model_b.load_state_dict(model_a.state_dict())
    opt_b.load_state_dict(opt_a.state_dict())
    for _ in range(2):
        assert eager(x, y).item() == compiled(x, y).item()
    _assert_same(model_a, opt_a, model_b, opt_b, step_calls=False)   # (b skipped 4 steps)


def test_compile_a_module_compiles_its_forward():
    manual_seed(0)
    model = _mlp()
    compiled = compile(model)
    x = _data()[0]
    for _ in range(3):
        out = compiled(x)
        assert np.array_equal(out.data, model(x).data)
    assert "np.tanh(" in compiled.code and "# Linear backward" not in compiled.code
    with pytest.raises(RuntimeError, match="Compile the whole training step"):
        out.sum().backward()
    with tg.no_grad():
        model.parameters()[0].data += 1.0    # an update after the forward: still the advice
    with pytest.raises(RuntimeError, match="Compile the whole training step"):
        out.sum().backward()
    assert "x = args[0]" in compiled.code   # the forward's own argument name
    with tg.no_grad():
        assert not compiled(x).requires_grad


def test_train_and_eval_select_their_own_programs():
    manual_seed(0)
    model = _mlp(dropout=0.5)
    compiled = compile(model)
    x = _data()[0]
    manual_seed(3)
    train = compiled(x).data
    model.eval()
    for _ in range(2):
        assert np.array_equal(compiled(x).data, model(x).data)   # no dropout in eval mode
    model.train()
    manual_seed(3)
    assert np.array_equal(compiled(x).data, train)
    assert len(compiled.programs) == 2


def test_a_compiled_function_called_inside_a_trace_is_recorded_in_it():
    model_a, opt_a, eager = _setup()
    model_b, opt_b, step = _setup()
    inner = compile(step)
    outer = compile(lambda x, y: inner(x, y) * 2.0)
    x, y = _data()
    for _ in range(4):
        assert eager(x, y).item() * 2.0 == outer(x, y).item()
    _assert_same(model_a, opt_a, model_b, opt_b)
    assert not inner.programs and "adam_update" not in outer.code and "sgd_update" in outer.code


def test_traced_values_never_leak_into_the_model():
    model, opt, step = _setup("Adam", dict(lr=0.01))
    out = compile(step)(*_data())
    arrays = [out.data] + [p.data for p in model.parameters()] + [p.grad for p in model.parameters()]
    arrays += [v for s in opt.state.values() for v in s.values()]
    assert all(isinstance(a, (np.ndarray, float))
               and type(a) not in (tracer.Traced, tracer.TracedScalar) for a in arrays)


def test_code_reads_like_a_hand_written_step():
    model, opt, step = _setup("Adam", dict(lr=0.01))
    compiled = compile(step)
    x, y = _data()
    compiled(x, y)
    compiled(x, y)
    code = compiled.code
    for name in ("layer0_weight = params[0]._data", "# 0.weight", "layer0_weight_exp_avg",
                 "params[0].grad = layer0_weight_grad", "# Linear backward", "adam_update",
                 "np.maximum(", "layer0_weight -= "):
        assert name in code, name
    assert "Tensor" not in code
    assert "\n    # Linear\n" in code           # each op's forward lines under its name
    assert compiled.programs[-1].lines > 50
    assert compile(step).code is None      # nothing traced yet
    # every program has a file name of its own, so a traceback shows its own lines
    names = {p._function.__code__.co_filename for p in compiled.programs}
    assert len(names) == len(compiled.programs) == 2
    assert all(linecache.getline(name, 1).startswith("def step(") for name in names)


def test_what_the_tracer_cannot_name_is_refused_and_odd_signatures_work():
    from tinygrad_edu import Value
    scalar_opt = optim.SGD([Value(1.0)], lr=0.1)
    with pytest.raises(TypeError, match="compile traces the Tensor engine"):
        compile(lambda: scalar_opt.step())()
    w = Tensor(np.ones(3), requires_grad=True)
    holder = {"w": w}                 # a Tensor no Module, optimizer or name reaches

    def by_hand(x):
        loss = (holder["w"] * x).sum()
        loss.backward()
        with tg.no_grad():
            holder["w"].data -= 0.1 * holder["w"].grad
    with pytest.raises(tracer.TraceError, match="writes into an array the trace did not make"):
        compile(by_hand)(np.ones(3))

    manual_seed(0)
    model = _mlp()
    compiled = compile(lambda *arrays: model(arrays[0] + arrays[1]).data)   # *args, an array
    x = _data()[0]
    for _ in range(2):
        out = compiled(x, x)
        assert type(out) is not tracer.Traced and np.array_equal(out, model(x + x).data)


def test_two_param_groups_and_a_model_only_the_optimizer_reaches():
    def setup():
        manual_seed(0)
        model = _mlp()
        params = model.parameters()
        opt = optim.Adam([{"params": params[:2], "lr": 0.05}, {"params": params[2:]}], lr=0.01)
        nets = {"model": model}        # the model itself is not named by the step's code

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(nets["model"](x), y)
            loss.backward()
            opt.step()
            return loss
        return model, opt, step
    model_a, opt_a, eager = setup()
    model_b, opt_b, step = setup()
    compiled = compile(step)
    x, y = _data()
    for k in range(5):
        opt_a.param_groups[1]["lr"] = opt_b.param_groups[1]["lr"] = 0.01 * (k + 1)
        assert eager(x, y).item() == compiled(x, y).item()
    _assert_same(model_a, opt_a, model_b, opt_b)
    assert "group1_lr" in compiled.code and "param0 = params[0]._data" in compiled.code


# ---------------------------------------------------------------------------- the tracer's parts
def _recording():
    """A Recorder made active, and the recording namespaces lent (undone by the caller)."""
    from tinygrad_edu.compile.namespace import lend
    recorder = tracer.Recorder()
    tracer._active[0] = recorder
    return recorder, lend()


def test_the_recording_numpy_keeps_arrays_traced_and_records_what_changes_them():
    from tinygrad_edu.compile import namespace
    recorder, lent = _recording()
    tnp = namespace._RecordingNumpy()
    try:
        a = tracer.Traced(np.arange(6.0).reshape(2, 3), "a")
        assert tnp.asarray(a) is a and tnp.asarray(a, dtype=np.float64) is a
        assert tnp.array(a, copy=False) is a and tnp.array(a, copy=None) is a
        assert tnp.ascontiguousarray(a) is a
        cast = tnp.asarray(a, dtype=np.float32)
        fortran = tnp.asarray(a, order="F")
        copy = tnp.array(a)
        typed = tnp.array(a, dtype=np.float32)
        contiguous = tnp.ascontiguousarray(a.T)
        lr = tracer.TracedScalar(0.5, "lr")
        as_array = tnp.asarray(lr)
        typed_number = tnp.asarray(lr, dtype=np.float32)
        plain = tnp.ascontiguousarray(np.ones((2, 2)).T)
        assert type(plain) is np.ndarray and plain.flags.c_contiguous
        assert tnp.ascontiguousarray(a, dtype=np.float64) is a          # nothing to change
        narrowed = tnp.ascontiguousarray(a, dtype=np.float32)           # a cast: a new line
        assert type(narrowed) is tracer.Traced and narrowed.dtype == np.float32
        assert cast.dtype == np.float32 and typed.dtype == np.float32 and typed_number.dtype == np.float32
        assert fortran.value.flags.f_contiguous and copy is not a
        assert not np.shares_memory(copy.value, a.value) and contiguous.value.flags.c_contiguous
        assert as_array.value.ndim == 0 and type(as_array) is tracer.Traced
    finally:
        tracer._active[0] = None
    body = "\n".join(recorder.body)
    for line in ("np.asarray(a, dtype=np.float32)", "np.asarray(a, order='F')",
                 "np.array(a)", "np.array(a, dtype=np.float32)",
                 "np.ascontiguousarray(a_T)", "np.asarray(lr)", "np.asarray(lr, dtype=np.float32)"):
        assert line in body, line


def test_traced_numbers_compute_as_python_and_record_their_arithmetic():
    import math
    from tinygrad_edu.compile import namespace
    recorder, lent = _recording()
    tmath = namespace._RecordingMath()
    try:
        step, mask = tracer.TracedScalar(7, "step"), tracer.TracedScalar(6, "mask")
        results = {"//": step // 2, "%": step % 4, "<": step < 7, "<=": step <= 7,
                   ">=": step >= 8, ">": step > 6, ">= equal": step >= 7,
                   "|": step | 8, "&": step & mask, "^": step ^ 1, "**": 2 ** step,
                   "rmod": 15 % step, "rfloordiv": 15 // step, "neg": -step}
        expected = {"//": 3, "%": 3, "<": False, "<=": True, ">=": False, ">": True,
                    ">= equal": True,
                    "|": 15, "&": 6, "^": 6,
                    "**": 128, "rmod": 1, "rfloordiv": 2, "neg": -7}
        for key, value in expected.items():
            assert results[key].value == value and type(results[key].value) is type(value), key
        assert tmath.pi == math.pi and tmath.sqrt(4.0) == 2.0
        root = tmath.sqrt(step)
        assert root.value == math.sqrt(7) and "math.sqrt(step)" in recorder.prologue[-1]
        a = tracer.Traced(np.array([1, 2, 3]), "a")
        both = np.array([True, False, True]) & (a > 1)
        assert list(both.value) == [False, False, True]
        assert list((5 % a).value) == [0, 1, 2]
        b = tracer.Traced(np.array([1.0, 2.0]), "b")
        b **= 2
        assert list(b.value) == [1.0, 4.0] and "b **= 2" in recorder.body[-1]
        m = tracer.Traced(np.array([[1.0, 2.0], [3.0, 4.0]]), "m")
        left = np.array([[0.0, 1.0], [1.0, 0.0]]) @ m      # on the left: rows swapped
        assert left.value.tolist() == [[3.0, 4.0], [1.0, 2.0]]
        with pytest.raises(tracer.TraceError, match="converted with int"):
            int(step)
    finally:
        tracer._active[0] = None


def test_compile_refuses_what_is_not_callable_and_keeps_the_docstring():
    with pytest.raises(TypeError, match="compile expects a function or a Module, got int"):
        compile(3)

    def documented():
        """Says what it does."""
    assert compile(documented).__doc__ == "Says what it does."


def test_a_failed_library_check_with_dropout_leaves_the_generator_as_eager_does():
    x, y = _data()
    bad = y.copy()
    bad[0] = 5
    runs = []
    for compiled in (False, True):
        model, opt, step = _setup(dropout=0.5)
        if compiled:
            step = compile(step)
        manual_seed(11)
        losses = [step(x, y).item() for _ in range(3)]
        with pytest.raises(ValueError, match="class indices"):
            step(x, bad)              # the mask was drawn before the check, in both
        losses.append(step(x, y).item())
        runs.append((losses, tg.get_rng_state(), [p.data.copy() for p in model.parameters()]))
    (eager_losses, eager_rng, eager_params), (losses, rng, params) = runs
    assert losses == eager_losses and rng == eager_rng
    assert all(np.array_equal(a, b) for a, b in zip(eager_params, params))
    assert "rng_state = rng.bit_generator.state" in step.code


def test_returned_structures_and_an_input_that_requires_grad():
    def setup():
        manual_seed(0)
        model = _mlp()
        opt = optim.SGD(model.parameters(), lr=0.1)

        def step(inputs, targets):
            opt.zero_grad()
            logits = model(inputs)
            loss = F.cross_entropy(logits, targets)
            loss.backward()
            opt.step()
            return {"loss": loss, "parts": (logits, [loss * 2.0])}
        return model, opt, step
    model_a, opt_a, eager = setup()
    model_b, opt_b, step = setup()
    compiled = compile(step)
    x, y = _data()
    for _ in range(3):
        xa, xb = Tensor(x, requires_grad=True), Tensor(x, requires_grad=True)
        a, b = eager(xa, y), compiled(xb, y)
        assert a["loss"].item() == b["loss"].item()
        assert np.array_equal(a["parts"][0].data, b["parts"][0].data)
        assert a["parts"][1][0].item() == b["parts"][1][0].item()
        assert isinstance(b["parts"][1], list) and isinstance(b["parts"], tuple)
        assert np.array_equal(xa.grad, xb.grad)          # the input's gradient, each call
    _assert_same(model_a, opt_a, model_b, opt_b)
    assert "args[0].grad = " in compiled.code


def test_zero_grad_outside_and_a_gradient_set_by_hand():
    def setup():
        manual_seed(0)
        model = _mlp()
        opt = optim.Adam(model.parameters(), lr=0.01)
        bias = model.parameters()[-1]

        def step(inputs, targets):
            F.cross_entropy(model(inputs), targets).backward()
            bias.grad = np.ones(bias.shape)   # a gradient made without the trace
            opt.step()
        return model, opt, step
    model_a, opt_a, eager = setup()
    model_b, opt_b, step = setup()
    compiled = compile(step)
    x, y = _data()
    for _ in range(5):
        opt_a.zero_grad()
        opt_b.zero_grad()
        eager(x, y)
        compiled(x, y)
        _assert_same(model_a, opt_a, model_b, opt_b)
    assert ".copy()" in compiled.code


def test_versions_move_on_as_in_eager_execution():
    for run in ("eager", "compiled"):
        manual_seed(0)
        model = _mlp()
        opt = optim.SGD(model.parameters(), lr=0.1)
        forward = compile(model) if run == "compiled" else model
        step = make = _setup()[2]   # (unused: keeps the seed sequence alike)
        x, y = _data()

        def train(x, y):
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
        train = compile(train) if run == "compiled" else train
        for _ in range(3):
            forward(x)
        before = model(x).sum()      # a graph built before the next update ...
        forward(x)                   # (a forward pass changes nothing)
        before.backward()            # ... still good after a forward
        before = model(x).sum()
        for _ in range(3):
            train(x, y)
        with pytest.raises(RuntimeError, match="modified by an inplace operation|in place"):
            before.backward()        # ... and refused after an update, as eagerly
        del step, make


def test_state_found_through_helper_functions_three_calls_deep():
    manual_seed(0)
    model = _mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)

    def level4(x):
        return model(x)

    def level3(x):
        return level4(x)

    def level2(x):
        return level3(x)

    def level1(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(level2(x), y)
        loss.backward()
        level_opt()
        return loss

    def level_opt():
        opt.step()
    compiled = compile(level1)
    x, y = _data()
    for _ in range(3):
        compiled(x, y)
    assert "layer0_weight = params[0]._data" in compiled.code


def test_a_constant_right_operand_in_another_memory_order():
    manual_seed(0)
    model = _mlp()
    mix = np.ones((4, 3)).T          # column-major: the layout trick times both forms

    def forward(x):
        return model(x) @ mix
    compiled = compile(forward)
    x = _data()[0]
    for _ in range(3):
        assert np.array_equal(compiled(x).data, forward(x).data)


def test_the_copy_of_an_argument_is_kept_when_the_step_changes_it():
    def step(inputs):
        t = Tensor(inputs)
        t += 1.0                     # changes the tensor's own copy, never the caller's array
        return t.sum()
    compiled = compile(step)
    x = _data()[0]
    original = x.copy()
    for _ in range(3):
        assert compiled(x).item() == step(x).item()
    assert np.array_equal(x, original)
    assert "np.array(inputs)" in compiled.code
    manual_seed(0)
    model = _mlp()
    forward = compile(lambda inputs: model(inputs))   # nothing changes it: no copy
    forward(x)
    assert "np.array(inputs)" not in forward.code and "(inputs, layer0_weight" in forward.code


def test_an_argument_changed_in_place_moves_its_version_as_eagerly():
    def shift(t):
        with tg.no_grad():
            t += 1.0
        return t.sum()
    compiled = compile(shift)
    for fn in (shift, compiled):
        for _ in range(3):
            x = Tensor(np.ones(3), requires_grad=True)
            seen = (x * x).sum()          # saves x's array for its backward
            fn(x)
            assert np.array_equal(x.data, [2.0, 2.0, 2.0])
            with pytest.raises(RuntimeError, match="modified by an inplace operation|in place"):
                seen.backward()


def test_convolution_and_pooling_are_traced_without_a_special_case():
    """Ops added after the tracer (conv2d, max_pool2d, avg_pool2d: written against NumPy and
    xp) trace like any other."""
    def setup():
        manual_seed(0)
        model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(4, 4, 3), nn.ReLU(), nn.AvgPool2d(2))
        opt = optim.Adam(model.parameters(), lr=0.01)

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x).reshape(len(y), -1)[:, :3], y)
            loss.backward()
            opt.step()
            return loss
        return model, opt, step
    model_a, opt_a, eager = setup()
    model_b, opt_b, step = setup()
    compiled = compile(step)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((5, 1, 8, 8)), rng.integers(0, 3, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(4):
            assert eager(x, y).item() == compiled(x, y).item()
    _assert_same(model_a, opt_a, model_b, opt_b)


def test_backward_with_create_graph_through_a_compiled_output_gives_the_same_advice():
    manual_seed(0)
    model = _mlp()
    out = compile(model)(_data()[0])
    with pytest.raises(RuntimeError, match="Compile the whole training step"):
        tg.autograd.grad(out.sum(), model.parameters()[:1], create_graph=True)


# ---------------------------------------------------------------------------- made once
def test_lines_that_read_only_constants_are_made_once_and_shown_as_comments():
    model, opt, step = _setup()
    compiled = compile(step)
    x, y = _data()
    compiled(x, y)
    code = compiled.code
    made_once = code[code.index("# made once"):code.index("# arrays:")]
    assert "#   arange = np.arange(8)" in made_once   # the rows of the loss's picked entries
    body = code[code.index("# arrays:"):]
    assert "np.arange(8)" not in body and "np.ones(" not in body
    # the memory the program holds: its buffers, and the arrays made once (counted apart)
    program = compiled.programs[-1]
    folded = [line.strip()[4:].partition(" = ")[0] for line in made_once.splitlines()[1:]
              if " = " in line]
    constants = program._function.__globals__
    assert program.made_once_bytes == sum(constants[name].nbytes for name in folded) > 0
    buffers = [name for name in constants if name.endswith("_buffer")]
    assert buffers and program.buffer_bytes == sum(constants[n].nbytes for n in buffers)
    _run_both("SGD", dict(lr=0.05))   # and the numbers are unchanged


def test_an_array_made_from_constants_that_leaves_or_is_changed_is_made_every_call():
    def fresh(x):
        handed_out = tg.zeros(3)     # leaves the program: each call its own array
        counter = tg.zeros(2)        # copied (Tensor arithmetic) then changed in place
        counter += x.sum()
        return handed_out, counter, tg.ones(2) * 2 + x[:2]

    compiled = compile(fresh)
    x = Tensor(np.ones(4))
    compiled(x)
    first, _, _ = compiled(x)
    second, counted, summed = compiled(x)
    code = compiled.code
    assert "#   ones = np.ones((2,)" in code             # made once: only read
    assert "#   zeros = np.zeros((3,)" in code           # made once, and handed out ...
    assert "array = np.array(zeros)" in code             # ... as a copy made every call
    first.data[0] = 99.0
    assert second.data.tolist() == [0.0, 0.0, 0.0]      # not the array handed out before
    assert not np.shares_memory(first.data, second.data)
    assert counted.data.tolist() == [4.0, 4.0]           # not 4 added to last call's 4
    assert summed.data.tolist() == [3.0, 3.0]


def test_a_steady_loop_runs_one_program_per_call(monkeypatch):
    """The first call traces with no .grad yet, the second with one: two programs for the
    same shapes. The one that ran last is tried first, so a loop never pays for a guard
    that fails."""
    from tinygrad_edu.compile.program import Program
    model, opt, step = _setup()
    compiled = compile(step)
    x, y = _data()
    compiled(x, y)
    compiled(x, y)
    assert len(compiled.programs) == 2
    first_traced = compiled.programs[0]
    runs = []
    real_run = Program.run
    monkeypatch.setattr(Program, "run", lambda self, args: runs.append(self) or
                        real_run(self, args))
    for _ in range(3):
        compiled(x, y)
    assert len(runs) == 4 and runs[0] is first_traced            # one guard failure, once
    assert runs[1:] == [compiled.programs[1]] * 3
    assert compiled.programs[0] is first_traced                   # (still listed in order)


def test_an_ignored_sample_after_a_program_traced_without_one():
    """With valid targets the program skips looking for ignore_index (no target can equal
    -100); a target of -100 fails the range guard and the call runs eagerly, ignoring it."""
    model_a, opt_a, eager = _setup()
    model_b, opt_b, step = _setup()
    compiled = compile(step)
    x, y = _data()
    assert eager(x, y).item() == compiled(x, y).item()
    assert "== -100" not in compiled.code and "-100" not in compiled.code
    ignored = y.copy()
    ignored[[1, 4]] = -100
    for _ in range(2):
        assert eager(x, ignored).item() == compiled(x, ignored).item()
        assert eager(x, y).item() == compiled(x, y).item()
    _assert_same(model_a, opt_a, model_b, opt_b)


def test_a_constant_handed_out_as_a_gradient_is_made_every_call():
    """w.backward() on a leaf: its gradient is the seed np.ones(()) itself, written back to
    w.grad and returned — so it is made in the body, a new array on every call."""
    w = Tensor(np.float64(2.0), requires_grad=True)
    opt = optim.SGD([w], lr=0.1)

    def step():
        opt.zero_grad()
        w.backward()
        kept = w.grad
        opt.step()
        return kept

    compiled = compile(step)
    compiled()
    first, second = compiled(), compiled()
    body = compiled.code[compiled.code.index("# arrays:"):]
    assert "ones = np.ones((), dtype=np.dtype('float64'))" in body
    assert "# made once" not in compiled.code
    assert not np.shares_memory(first, second) and first == second == 1.0
    assert np.isclose(w.item(), 2.0 - 3 * 0.1)   # three steps of lr · 1


def test_models_in_a_list_are_named_by_their_place_in_it():
    """Parameters reached through a list are named list name + index (models0, models1),
    so two models' weights never share a name. (state.py, reachable: the label)"""
    manual_seed(0)
    models = [nn.Linear(3, 2), nn.Linear(3, 2)]
    opt = optim.SGD([p for m in models for p in m.parameters()], lr=0.1)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(models[0](x) + models[1](x), y)
        loss.backward()
        opt.step()
        return loss
    compiled = compile(step)
    x, y = Tensor(np.ones((4, 3))), np.array([0, 1, 0, 1])
    compiled(x, y)
    compiled(x, y)
    for k, name in enumerate(("models0_weight", "models0_bias", "models1_weight", "models1_bias")):
        assert f"    {name} = params[{k}]._data" in compiled.code


def test_a_parameter_added_to_the_optimizer_during_the_trace_is_refused_by_name():
    """The program addresses every parameter it updates; one that appears only while the
    step runs cannot be one of them, and the trace says so (not a KeyError)."""
    model = nn.Linear(2, 1)
    opt = optim.Adam(model.parameters(), lr=0.1)

    def step(x):
        opt.zero_grad()
        extra = Tensor(np.ones(2), requires_grad=True)     # made here: no name reaches it
        opt.add_param_group({"params": [extra]})
        loss = (model(x).sum() + (extra * x).sum()) ** 2
        loss.backward()
        opt.step()
        return loss
    with pytest.raises(tracer.TraceError, match=r"updates a parameter the trace cannot name "
                                                r"\(shape \(2,\)\)"):
        compile(step)(Tensor(np.ones((3, 2))))


def test_a_function_of_star_args_names_an_argument_gradient_arg():
    """An argument without a name in the signature (*args) still gets a gradient slot.
    (compiled.py, _trace.accumulate: the name from argument_names, else "arg")"""
    def step(*tensors):
        loss = (tensors[0] * tensors[1] * tensors[1]).sum()
        loss.backward()
        return loss
    compiled = compile(step)
    s, t = Tensor([3.0, 3.0]), Tensor([1.0, 2.0], requires_grad=True)
    compiled(s, t)
    t.grad = None
    compiled(s, t)
    assert t.grad.tolist() == [6.0, 12.0] and "args[1].grad = " in compiled.code


def test_state_a_first_step_makes_is_named_after_its_parameter():
    """Adam's first step makes exp_avg and exp_avg_sq: the program writes them back under
    names a learner would give. (program.py, _renames: state['key'] targets)"""
    manual_seed(0)
    model = nn.Linear(3, 2)
    opt = optim.Adam(model.parameters(), lr=0.1)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss
    compiled = compile(step)
    compiled(Tensor(np.ones((4, 3))), np.array([0, 1, 0, 1]))
    code = compiled.programs[0].source
    for line in ("weight_state['exp_avg'] = weight_exp_avg",
                 "bias_state['exp_avg_sq'] = bias_exp_avg_sq"):
        assert line in code, line


def test_a_module_reached_by_two_names_is_one_module_named_as_one():
    manual_seed(0)
    model = _mlp()
    alias = model                       # the same Module under a second name
    opt = optim.SGD(model.parameters(), lr=0.05)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y) + 0 * alias(x).sum()
        loss.backward()
        opt.step()
        return loss
    compiled = compile(step)
    x, y = _data()
    compiled(x, y)
    compiled(x, y)
    code = compiled.code
    assert "layer0_weight = params[0]._data" in code       # one module: its own names
    assert "model_" not in code and "alias_" not in code
    assert "modules[1]" not in code                        # one train/eval guard, not two
    reads = [line for line in code.splitlines() if "= params[" in line and "._data" in line]
    assert len(reads) == len(model.parameters())           # each parameter read once


def test_a_program_that_reads_gradients_steps_aside_when_they_are_none_again():
    """Without zero_grad in the step, the second call's program adds into the .grads; after
    opt.zero_grad() (grads None again) the first program, which makes them, must run."""
    def setup():
        manual_seed(0)
        model = _mlp()
        opt = optim.SGD(model.parameters(), lr=0.05)

        def step(x, y):
            loss = F.cross_entropy(model(x), y)
            loss.backward()                  # accumulates into .grad when there is one
            opt.step()
            return loss
        return model, opt, step
    model_a, opt_a, eager = setup()
    model_b, opt_b, step = setup()
    compiled = compile(step)
    x, y = _data()
    for round_ in range(3):
        for _ in range(3):
            eager(x, y)
            compiled(x, y)
            _assert_same(model_a, opt_a, model_b, opt_b)
        opt_a.zero_grad()
        opt_b.zero_grad()
        assert all(p.grad is None for p in model_b.parameters())
    assert len(compiled.programs) == 2
    assert "params[0].grad" in compiled.programs[1].source.split("# guards")[0]


def test_an_argument_given_gradients_by_two_backward_calls_gets_one_slot():
    """(compiled.py, _trace.accumulate: an argument's .grad slot is made once, however many
    backward() calls reach it)"""
    def step(s, t):
        (s * t).sum().backward()
        (t * t).sum().backward()          # adds into the .grad the first call made
    compiled = compile(step)
    s = Tensor([3.0, 4.0])
    for call in range(3):
        t = Tensor([1.0, 2.0], requires_grad=True)
        compiled(s, t)
        assert t.grad.tolist() == [3.0 + 2.0, 4.0 + 4.0], call
    assert compiled.code.count("args[1].grad = ") == 1


def test_a_parameter_without_a_gradient_gets_no_optimizer_state_as_in_eager():
    """A parameter the loss does not reach keeps grad None: eager Adam makes no state for it,
    and neither does the trace. (compiled.py, _trace: parameters without state are skipped)"""
    def setup():
        manual_seed(0)
        model = _mlp()
        unused = nn.Linear(2, 2)
        opt = optim.Adam(model.parameters() + unused.parameters(), lr=0.01)

        def step(x, y):
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
        return model, unused, opt, step
    model_a, unused_a, opt_a, eager = setup()
    model_b, unused_b, opt_b, step = setup()
    compiled = compile(step)
    x, y = _data()
    for _ in range(3):
        eager(x, y)
        compiled(x, y)
        _assert_same(model_a, opt_a, model_b, opt_b)
        assert [p in opt_b.state for p in unused_b.parameters()] == \
            [p in opt_a.state for p in unused_a.parameters()] == [False, False]
        assert len(opt_b.state_dict()["state"]) == len(opt_a.state_dict()["state"])


def test_what_never_leaves_is_written_into_buffers_and_what_leaves_is_made_every_call():
    """(program.py, _buffers: arrays of one or more dimensions go into buffers; 0-d
    results, and whatever is handed out, are made on every call)"""
    model, opt, step = _setup()
    compiled = compile(step)
    x, y = _data()
    compiled(x, y)
    compiled(x, y)
    lines = [line.strip() for line in compiled.code.splitlines()]
    bias_grad = model.parameters()[1].grad.shape
    assert len(bias_grad) == 1
    # lr · the first bias's gradient: a 1-d array the update uses and drops
    assert any(line.startswith("multiply") and "layer0_bias_grad, out=multiply" in line
               for line in lines)
    # the gradients leave (a user may keep them): made fresh, never out=
    assert not any(line.startswith("layer0_weight_grad = ") and "out=" in line for line in lines)
    first = model.parameters()[0].grad
    compiled(x, y)
    assert not np.shares_memory(first, model.parameters()[0].grad)


def test_a_tensor_kept_from_the_traced_call_holds_its_real_array_afterwards():
    """An activation appended to a list inside the first (traced) call is a Tensor the user
    can use later, as eagerly; an array taken out of one is refused clearly, not with an
    AttributeError from deep inside the tracer."""
    kept, arrays = [], []

    def step(x):
        hidden = x * 2
        kept.append(hidden)                      # made by an op
        kept.append(Tensor(np.ones(2)))          # made by the constructor
        arrays.append(hidden.data)               # an array out of it: still traced
        arrays.append(hidden.sum().data)         # a 0-d one
        return (hidden * 3).sum()
    compiled = compile(step)
    x = Tensor(np.array([1.0, 2.0]))
    assert compiled(x).item() == 18.0
    hidden, ones = kept
    assert type(hidden.data) is not tracer.Traced and type(hidden._data) is np.ndarray
    assert hidden.sum().item() == 6.0 and (hidden + 1).data.tolist() == [3.0, 5.0]
    assert float(hidden[1]) == 4.0 and type(ones._data) is np.ndarray
    with pytest.raises(tracer.TraceError, match="used after its trace ended"):
        arrays[0].sum()
    with pytest.raises(tracer.TraceError, match="used after its trace ended"):
        arrays[0][0]
    with pytest.raises(tracer.TraceError, match="used after its trace ended"):
        arrays[0].T
    assert float(arrays[1]) == 6.0        # a number read from one is only its value
    with pytest.raises(tracer.TraceError, match="used after its trace ended"):
        np.asarray(arrays[0])


def test_a_kept_tensor_with_a_graph_back_propagates_after_the_trace_as_eagerly():
    """What the kept Tensor's op saved for backward, and its version's record of an in-place
    change, are real arrays too."""
    results = {}
    for run in ("eager", "compiled"):
        w = Tensor(np.array([1.0, -2.0, 0.5]), requires_grad=True)
        kept = []

        def forward(x):
            hidden = (x * w).relu()
            hidden_2 = hidden * 1.0
            hidden_2 += 1                     # an in-place change: dated by its version
            kept.extend([hidden, hidden_2])
            return hidden.sum()
        run_it = compile(forward) if run == "compiled" else forward
        run_it(Tensor(np.array([1.0, 2.0, 3.0])))
        hidden, hidden_2 = kept
        assert type(hidden_2._version.changed_array) is np.ndarray
        (hidden.sum() + hidden_2.sum()).backward()
        results[run] = w.grad.copy()
    assert np.array_equal(results["eager"], results["compiled"])
    assert results["compiled"].tolist() == [2.0, 0.0, 6.0]


def test_the_tensor_constructors_are_put_back_after_a_trace_even_one_that_raises():
    constant, init = Tensor.__dict__["_constant"], Tensor.__dict__["__init__"]

    def fails(x):
        Tensor(np.ones(2))
        raise ValueError("inside the step")
    with pytest.raises(ValueError, match="inside the step"):
        compile(fails)(Tensor(np.ones(2)))
    assert Tensor.__dict__["_constant"] is constant and Tensor.__dict__["__init__"] is init
    compile(lambda x: (x * 2).sum())(Tensor(np.ones(2)))
    assert Tensor.__dict__["_constant"] is constant and Tensor.__dict__["__init__"] is init
    assert isinstance(constant, staticmethod)


def test_an_argument_returned_as_it_is_is_read_by_the_program():
    """(state.py, mark_used: a value that only leaves — returned, never computed with —
    still needs its read line)"""
    def passthrough(x, a):
        return a
    compiled = compile(passthrough)
    x = Tensor(np.ones(2))
    compiled(x, np.arange(3.0))
    second = np.arange(4.0, 7.0)
    assert compiled(x, second) is second
    assert "a = args[1]" in compiled.code


def test_state_changed_in_place_is_not_written_back():
    """Adam changes exp_avg and exp_avg_sq in place: once the state exists the program writes
    back only what it replaced (the step count), not the arrays it updated where they are.
    (state.py, write_back_lines: unchanged entries are skipped)"""
    model, opt, step = _setup("Adam", dict(lr=0.01))
    compiled = compile(step)
    x, y = _data()
    for _ in range(3):
        compiled(x, y)
    write_back = compiled.code.split("# write back")[1]
    assert "['exp_avg'] = " not in write_back and "['exp_avg_sq'] = " not in write_back
    assert "['step'] = " in write_back


def test_a_step_that_ends_with_zero_grad_writes_none_back():
    """Gradients there when the trace starts and set to None by the step itself: the program
    writes None back, as eager leaves them. (state.py, write_back_lines: a None write-back)"""
    def setup():
        manual_seed(0)
        model = _mlp()
        opt = optim.SGD(model.parameters(), lr=0.05)

        def step(x, y):
            F.cross_entropy(model(x), y).backward()   # adds into the .grads already there
            opt.step()
            opt.zero_grad()                           # set_to_none, as PyTorch
        return model, opt, step
    model_a, opt_a, eager = setup()
    model_b, opt_b, step = setup()
    x, y = _data()
    for model in (model_a, model_b):                  # gradients before the first call
        F.cross_entropy(model(x), y).backward()
    compiled = compile(step)
    for call in range(6):
        if call % 2:                                  # gradients there again: program 1
            for model in (model_a, model_b):
                F.cross_entropy(model(x), y).backward()
        eager(x, y)
        compiled(x, y)
        _assert_same(model_a, opt_a, model_b, opt_b)
        assert all(p.grad is None for p in model_b.parameters())
    assert len(compiled.programs) == 2
    write_back = compiled.programs[0].source.split("# write back")[1]
    assert all(f"params[{i}].grad = None" in write_back for i in range(6))


def test_the_programs_text_says_each_thing_once():
    """(the read block explains ._data when it reads one; a guard shared by several
    parameters is written once; a comment is not repeated; a forward alone writes no
    gradient back)"""
    model, opt, step = _setup()
    compiled = compile(step)
    x, y = _data()
    compiled(x, y)
    code = compiled.code
    assert "# (._data: a tensor's own array" in code
    assert "    # guards: what this program was traced for (else: trace again)" in code
    # element-wise results the step drops go into buffers, ReLU's select (a dtype= call) too
    assert "= np.exp(subtract, out=exp_buffer)" in code
    assert "dtype=np.int64, out=multiply" in code
    assert code.count("if bool(s) is not False: raise GuardFailed('s')") == 1
    lines = code.splitlines()
    assert not any(a == b and a.strip().startswith("#") for a, b in zip(lines, lines[1:]))
    forward = compile(model)
    forward(Tensor(x))
    assert ".grad" not in forward.code.split("# write back")[-1]
    arrays_only = compile(lambda a: a * 2)
    arrays_only(np.ones(3))
    assert "._data" not in arrays_only.code
    assert "multiply = a * 2" in arrays_only.code             # an operator reads as one
    handed_out = compile(lambda a: np.exp(a))                  # and a function as itself
    handed_out(np.ones(3))
    assert "exp = np.exp(a)" in handed_out.code
    negated = compile(lambda a: -a)                          # an operator reads as one
    negated(np.ones(2))
    assert "negative = -a" in negated.code
    twice = compile(lambda a: a.reshape(6).reshape(6) * 2)   # two ops with no line between
    twice(Tensor(np.ones(6)))
    assert twice.code.count("# Reshape") == 1


def test_a_leaf_only_backward_reaches_is_replayed():
    """A Tensor the function never names (an attribute of a plain object) is found by
    backward() and read on every call as leaves[i]."""
    def setup():
        manual_seed(0)
        holder = types.SimpleNamespace(w=Tensor(np.linspace(-1, 1, 6), requires_grad=True))

        def step(x):
            loss = (x * holder.w ** 2).sum()
            loss.backward()
            return loss
        return holder.w, step
    leaf_a, eager = setup()
    leaf_b, step = setup()
    compiled = compile(step)
    for k in range(4):
        x = Tensor(np.full(6, 1.0 + k))
        assert np.array_equal(eager(x).data, compiled(x).data)
        assert np.array_equal(leaf_a.grad, leaf_b.grad)
    assert "leaves[0].grad" in compiled.code


def test_other_arguments_are_keyed_by_identity_and_a_tensor_made_from_a_list_is_traced():
    """(compiled.py, _argument_key: any other object is itself; namespace.py, array: a list
    made into an array inside the trace)"""
    def f(weights, t):
        return t * Tensor([weights[0], 2.0])
    compiled = compile(f)
    weights, t = [3.0], Tensor(np.ones(2))
    assert compiled(weights, t).data.tolist() == [3.0, 2.0]
    assert compiled(weights, t).data.tolist() == [3.0, 2.0]
    assert len(compiled.programs) == 1                    # the same list: the same program
    compiled([3.0], t)
    assert len(compiled.programs) == 2                    # another list object: traced again


def test_a_step_that_returns_a_gradient():
    """A returned array that is also written back keeps one name in both places."""
    def setup():
        model, opt, _ = _setup()

        def step(x, y):
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
            return model.parameters()[0].grad
        return model, step
    (model_a, eager), (model_b, step) = setup(), setup()
    compiled = compile(step)
    x, y = _data()
    for _ in range(4):
        assert np.array_equal(eager(x, y), compiled(x, y))
        assert np.array_equal(model_a.parameters()[0].data, model_b.parameters()[0].data)
    code = compiled.code
    returned = code.rsplit("return (", 1)[1].split(",")[0]
    assert f"params[0].grad = {returned}" in code


def test_the_layout_is_timed_on_real_arrays_when_a_trace_meets_a_new_shape(monkeypatch):
    """(compiled.py, _trace.transposed_is_faster: the timing, which the trace may be the first
    to need, runs on the real arrays and records nothing)"""
    from tinygrad_edu.fast import layout
    monkeypatch.setattr(layout, "_choice", {})
    seen = []
    real = layout._transposed_is_faster
    monkeypatch.setattr(layout, "_transposed_is_faster",
                        lambda a, b: seen.append((type(a), type(b))) or real(a, b))
    model, opt, step = _setup()
    compiled = compile(step)
    x, y = _data()
    compiled(x, y)
    assert seen and all(a is np.ndarray and b is np.ndarray for a, b in seen)
    assert "perf_counter" not in compiled.code and compiled.code.count("np.matmul(x,") <= 1
