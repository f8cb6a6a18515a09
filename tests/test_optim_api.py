"""The Optimizer interface: validation, param groups, zero_grad, closures, state dicts,
and textbook momentum vs PyTorch's form. (The numbers are in test_optim.py.)"""
import copy

import numpy as np
import pytest

from tinygrad_edu import Tensor, Value, no_grad, is_grad_enabled, optim

ALL = [optim.SGD, optim.Adagrad, optim.RMSprop, optim.Adadelta, optim.Adam, optim.AdamW,
       optim.Adamax, optim.NAdam, optim.RAdam, optim.AdaBelief, optim.Lion]


def tensor(*values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


def same_structure(a, b):
    """Deep equality of plain data with arrays (bit for bit, same dtype)."""
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(
            same_structure(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(
            same_structure(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


# --------------------------------------------------------------------------- validation
BAD_HYPERPARAMETERS = [
    (optim.SGD, {"lr": -0.1}, "lr=-0.1"),
    (optim.SGD, {"lr": float("nan")}, "lr=nan"),
    (optim.SGD, {"momentum": -0.5}, "momentum=-0.5"),
    (optim.SGD, {"weight_decay": -1e-4}, "weight_decay=-0.0001"),
    (optim.SGD, {"nesterov": True}, "nesterov"),
    (optim.SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "dampening=0.1"),
    (optim.Adagrad, {"lr_decay": -1}, "lr_decay=-1"),
    (optim.Adagrad, {"initial_accumulator_value": -1}, "initial_accumulator_value=-1"),
    (optim.Adagrad, {"eps": -1e-10}, "eps=-1e-10"),
    (optim.RMSprop, {"alpha": -0.1}, "alpha=-0.1"),
    (optim.RMSprop, {"alpha": 1.5}, "alpha=1.5"),
    (optim.RMSprop, {"momentum": -0.9}, "momentum=-0.9"),
    (optim.RMSprop, {"eps": -1.0}, "eps=-1.0"),
    (optim.Adadelta, {"rho": 1.1}, "rho=1.1"),
    (optim.Adadelta, {"rho": -0.1}, "rho=-0.1"),
    (optim.Adadelta, {"lr": -1.0}, "lr=-1.0"),
    (optim.Adam, {"betas": (1.0, 0.999)}, "betas[0]=1.0"),
    (optim.Adam, {"betas": (0.9, -0.1)}, "betas[1]=-0.1"),
    (optim.Adam, {"betas": (0.9,)}, "betas"),
    (optim.Adam, {"eps": -1e-8}, "eps=-1e-08"),
    (optim.Adam, {"weight_decay": -0.1}, "weight_decay=-0.1"),
    (optim.AdamW, {"lr": -1e-3}, "lr=-0.001"),
    (optim.Adamax, {"betas": (0.9, 1.0)}, "betas[1]=1.0"),
    (optim.NAdam, {"momentum_decay": -4e-3}, "momentum_decay=-0.004"),
    (optim.RAdam, {"betas": (-0.1, 0.9)}, "betas[0]=-0.1"),
    (optim.AdaBelief, {"eps": -1e-16}, "eps=-1e-16"),
    (optim.Lion, {"betas": (0.9, 1.5)}, "betas[1]=1.5"),
    (optim.Lion, {"weight_decay": -1.0}, "weight_decay=-1.0"),
]


@pytest.mark.parametrize("cls, kwargs, named", BAD_HYPERPARAMETERS)
def test_bad_hyperparameter_raises_naming_it(cls, kwargs, named):
    with pytest.raises(ValueError) as info:
        cls([tensor(1.0)], **kwargs)
    message = str(info.value)
    assert named in message and cls.__name__ in message
    if "=" in named and "nesterov" not in message:
        assert "valid range" in message


def test_closed_ends_of_a_range_are_accepted():
    """rho and alpha may be exactly 1 (PyTorch allows it: the running average then never
    moves from 0), unlike betas, whose range [0, 1) is open; the message shows which."""
    for cls, kwargs in ((optim.Adadelta, {"rho": 1.0}), (optim.RMSprop, {"alpha": 1.0}),
                        (optim.Adadelta, {"rho": 0.0}), (optim.SGD, {"lr": 0.0})):
        cls([tensor(1.0)], **kwargs)
    with pytest.raises(ValueError, match=r"invalid rho=1.5; valid range is \[0, 1\]$"):
        optim.Adadelta([tensor(1.0)], rho=1.5)
    with pytest.raises(ValueError, match=r"invalid betas\[0\]=1.0; valid range is \[0, 1\)$"):
        optim.Adam([tensor(1.0)], betas=(1.0, 0.9))


def test_bad_hyperparameter_in_a_group_is_refused():
    with pytest.raises(ValueError, match="param group 1.*lr=-1"):
        optim.Adam([{"params": [tensor(1.0)]}, {"params": [tensor(2.0)], "lr": -1}])


def test_flags_must_be_booleans():
    with pytest.raises(TypeError, match="amsgrad must be True or False"):
        optim.Adam([tensor(1.0)], amsgrad="no")
    with pytest.raises(TypeError, match="lr must be a real number"):
        optim.SGD([tensor(1.0)], lr="0.1")


def test_bad_parameter_lists():
    a = tensor(1.0, 2.0)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([])
    with pytest.raises(ValueError, match="given twice"):
        optim.SGD([a, a])
    with pytest.raises(ValueError, match="given twice"):
        optim.SGD([{"params": [a]}, {"params": [a]}])
    with pytest.raises(TypeError, match="wrap it in a list"):
        optim.SGD(a)
    with pytest.raises(TypeError, match="not a set"):
        optim.SGD({a})
    with pytest.raises(TypeError, match="Tensor"):
        optim.SGD([np.zeros(3)])
    with pytest.raises(TypeError, match="floating point, got dtype int"):
        optim.SGD([_IntParam()])
    x = tensor(1.0, 2.0)
    with pytest.raises(ValueError, match="not a leaf"):
        optim.SGD([x * 2.0])
    with pytest.raises(ValueError, match="not a leaf"):
        optim.SGD([Value(1.0) + 1.0])


class _IntParam:
    data = np.arange(3)
    grad = None


def test_add_param_group_checks_before_adding():
    a, b = tensor(1.0), tensor(2.0)
    opt = optim.SGD([a], lr=0.1)
    with pytest.raises(ValueError, match="given twice"):
        opt.add_param_group({"params": [b, a]})
    with pytest.raises(ValueError, match="empty parameter list"):
        opt.add_param_group({"params": []})
    with pytest.raises(ValueError, match="lr=-2"):
        opt.add_param_group({"params": [b], "lr": -2})
    assert len(opt.param_groups) == 1


# --------------------------------------------------------------------------- param groups
def test_groups_take_defaults_and_overrides():
    a, b = tensor(1.0), tensor(2.0)
    opt = optim.Adam([{"params": [a]}, {"params": b, "lr": 0.5, "betas": (0.5, 0.6)}],
                     lr=0.01, weight_decay=0.1)
    assert opt.defaults == {"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8,
                            "weight_decay": 0.1, "amsgrad": False, "maximize": False,
                            "decoupled_weight_decay": False}
    g0, g1 = opt.param_groups
    assert g0["params"] == [a] and g0["lr"] == 0.01 and g0["betas"] == (0.9, 0.999)
    assert g1["params"] == [b] and g1["lr"] == 0.5 and g1["betas"] == (0.5, 0.6)
    assert g1["weight_decay"] == 0.1
    assert "Parameter Group 1" in repr(opt) and "lr: 0.5" in repr(opt)


def test_each_group_uses_its_own_hyperparameters():
    a, b = tensor(1.0), tensor(1.0)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad, b.grad = np.array([1.0]), np.array([1.0])
    opt.step()
    assert a.data[0] == pytest.approx(0.9) and b.data[0] == pytest.approx(0.5)


def test_add_param_group_mid_run_starts_fresh_state():
    a, b = tensor(1.0, -2.0), tensor(0.5)
    opt = optim.Adam([a], lr=0.1)
    for _ in range(5):
        a.grad = 2 * a.data
        opt.step()
    opt.add_param_group({"params": [b], "lr": 0.05})
    twin = tensor(0.5)
    twin_opt = optim.Adam([twin], lr=0.05)
    for _ in range(5):
        a.grad, b.grad, twin.grad = 2 * a.data, 3 * b.data, 3 * twin.data
        opt.step()
        twin_opt.step()
    assert opt.state[b]["step"] == 5.0 and opt.state[a]["step"] == 10.0
    np.testing.assert_array_equal(b.data, twin.data)
    assert opt.state_dict()["param_groups"][1]["params"] == [1]


# --------------------------------------------------------------------------- stepping
def test_parameters_without_gradient_are_skipped():
    a, b = tensor(1.0), tensor(1.0)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = np.array([1.0])
    opt.step()
    assert b.data[0] == 1.0 and b not in opt.state
    assert opt.state[a]["step"] == 1.0 and a.data[0] < 1.0


def test_values_are_always_stepped_even_with_zero_grad():
    v = Value(1.0)
    opt = optim.Adam([v], lr=0.1)
    opt.step()                                      # grad is 0.0, not "missing"
    assert opt.state[v]["step"] == 1.0 and v.data == 1.0


def test_a_bad_gradient_shape_changes_nothing():
    a, b = tensor(1.0, 2.0), tensor(3.0)
    opt = optim.SGD([a, b], lr=0.1)
    a.grad, b.grad = np.ones(2), np.ones(5)
    with pytest.raises(ValueError, match=r"gradient shape \(5,\).*\(1,\)"):
        opt.step()
    np.testing.assert_array_equal(a.data, [1.0, 2.0])


def test_gradients_are_not_modified_by_step():
    a = tensor(1.0, 2.0)
    opt = optim.Adam([a], lr=0.1, weight_decay=0.5, maximize=True)
    grad = np.array([0.3, -0.4])
    a.grad = grad
    opt.step()
    np.testing.assert_array_equal(grad, [0.3, -0.4])


def test_zero_grad_tensors_and_values():
    a, v = tensor(1.0, 2.0), Value(3.0)
    opt = optim.SGD([a, v], lr=0.1)
    a.grad, v.grad = np.array([5.0, 6.0]), 7.0
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(a.grad, [0.0, 0.0])
    assert v.grad == 0.0
    a.grad, v.grad = np.array([5.0, 6.0]), 7.0
    opt.zero_grad()
    assert a.grad is None and v.grad == 0.0


def test_closure_is_called_with_grad_enabled_and_its_loss_returned():
    w = tensor(3.0)
    opt = optim.SGD([w], lr=0.25)
    calls = []

    def closure():
        calls.append(is_grad_enabled())
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with no_grad():
        loss = opt.step(closure)
    assert calls == [True]
    assert loss.item() == 9.0
    np.testing.assert_allclose(w.data, [3.0 - 0.25 * 6.0])
    assert opt.step() is None


def test_state_of_a_parameter_never_stepped_is_empty():
    a = tensor(1.0)
    opt = optim.Adam([a])
    assert opt.state[a] == {}
    assert opt.state_dict()["state"] == {}


def test_adagrad_creates_its_state_at_construction_like_pytorch():
    a, b = tensor(1.0, 2.0), tensor(3.0)
    opt = optim.Adagrad([a, b], initial_accumulator_value=0.25)
    state = opt.state_dict()["state"]
    assert sorted(state) == [0, 1] and state[0]["step"] == 0.0
    np.testing.assert_array_equal(state[0]["sum"], [0.25, 0.25])


# --------------------------------------------------------------------------- textbook momentum
def test_textbook_momentum_equals_pytorch_form_at_constant_lr_and_not_under_a_schedule():
    rng = np.random.default_rng(1)
    grads = rng.standard_normal((30, 3))
    alpha, eta = 0.9, 0.05

    def textbook(lrs):
        w, v = np.ones(3), np.zeros(3)
        for g, lr in zip(grads, lrs):
            v = alpha * v - lr * g          # v ← αv − η∇L
            w = w + v                       # W ← W + v
        return w

    def ours(lrs):
        w = tensor(1.0, 1.0, 1.0)
        opt = optim.SGD([w], lr=eta, momentum=alpha)
        for g, lr in zip(grads, lrs):
            opt.param_groups[0]["lr"] = lr
            w.grad = g
            opt.step()
        return w.data

    def pytorch_form(lrs):
        w, b = np.ones(3), None
        for g, lr in zip(grads, lrs):
            b = g.copy() if b is None else alpha * b + g   # b ← μb + g
            w = w - lr * b                                 # W ← W − ηb
        return w

    constant = [eta] * 30
    np.testing.assert_allclose(ours(constant), textbook(constant), rtol=1e-12, atol=1e-12)
    schedule = [eta] * 10 + [eta / 10] * 20                # a step decay at step 10
    np.testing.assert_allclose(ours(schedule), pytorch_form(schedule), rtol=1e-12)
    assert np.max(np.abs(ours(schedule) - textbook(schedule))) > 1e-3


# --------------------------------------------------------------------------- state dicts
def trained(cls=optim.Adam, steps=3, **kwargs):
    a, b = tensor(1.0, -2.0), tensor(0.5)
    opt = cls([{"params": [a]}, {"params": [b], "lr": 0.05}], **kwargs)
    for _ in range(steps):
        a.grad, b.grad = 2 * a.data, 3 * b.data
        opt.step()
    return opt, a, b


def test_state_dict_layout_is_pytorchs_and_plain_data():
    opt, a, b = trained(amsgrad=True)
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][1]["lr"] == 0.05 and sd["param_groups"][0]["amsgrad"] is True
    assert set(sd["state"][0]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    assert sd["state"][0]["step"] == 3.0 and isinstance(sd["state"][0]["step"], float)
    sd["state"][0]["exp_avg"][:] = 99.0          # a copy: the optimizer is not touched
    sd["param_groups"][0]["lr"] = 99.0
    assert not np.any(opt.state[a]["exp_avg"] == 99.0)
    assert opt.param_groups[0]["lr"] == 1e-3


def test_load_state_dict_restores_hyperparameters_and_copies():
    opt, a, b = trained()
    sd = opt.state_dict()
    sd["param_groups"][1]["lr"] = 0.125
    fresh, fa, fb = trained(steps=0)
    fresh.load_state_dict(sd)
    assert fresh.param_groups[1]["lr"] == 0.125 and fresh.param_groups[1]["params"] == [fb]
    sd["state"][0]["exp_avg"][:] = 42.0          # loading copied the arrays
    assert not np.any(fresh.state[fa]["exp_avg"] == 42.0)
    np.testing.assert_array_equal(fresh.state[fa]["exp_avg_sq"], opt.state[a]["exp_avg_sq"])


def _broken(change):
    opt, _, _ = trained(amsgrad=True)
    sd = opt.state_dict()
    change(sd)
    return sd


def _wrong_shape(sd):
    sd["state"][0]["exp_avg"] = np.zeros(3)


def _missing_key(sd):
    del sd["state"][0]["max_exp_avg_sq"]


def _extra_key(sd):
    sd["state"][1]["momentum_buffer"] = np.zeros(1)


def _bad_lr(sd):
    sd["param_groups"][1]["lr"] = -1.0


def _unknown_index(sd):
    sd["state"][7] = sd["state"][0]


def _missing_hyperparameter(sd):
    del sd["param_groups"][0]["betas"]


def _step_not_a_number(sd):
    sd["state"][1]["step"] = "three"


def _group_count(sd):
    sd["param_groups"].append(copy.deepcopy(sd["param_groups"][0]))


def _param_count(sd):
    sd["param_groups"][0]["params"].append(5)


def _amsgrad_flip(sd):      # without amsgrad the state must not have max_exp_avg_sq
    sd["param_groups"][0]["amsgrad"] = False


@pytest.mark.parametrize("change, message", [
    (_wrong_shape, r"shape \(2,\)"), (_missing_key, "expects"), (_extra_key, "expects"),
    (_bad_lr, "lr=-1.0"), (_unknown_index, "parameter 7"), (_missing_hyperparameter, "betas"),
    (_step_not_a_number, "must be a finite number"),
    (_group_count, r"3 param group\(s\), this Adam has 2"),
    (_param_count, "2 parameter"), (_amsgrad_flip, "expects"),
])
def test_load_state_dict_refuses_a_misfit_and_changes_nothing(change, message):
    bad = _broken(change)
    opt, a, b = trained(amsgrad=True, steps=2)       # a different state from _broken's
    before = opt.state_dict()
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(bad)
    assert same_structure(opt.state_dict(), before)
    assert opt.state[a]["step"] == 2.0 and opt.param_groups[1]["lr"] == 0.05


def test_load_state_dict_refuses_another_optimizers_state():
    sgd, _, _ = trained(optim.SGD, momentum=0.9)
    adam, _, _ = trained(optim.Adam)
    with pytest.raises(ValueError, match="lacks hyper-parameter"):
        adam.load_state_dict(sgd.state_dict())
    with pytest.raises(ValueError):
        optim.AdamW([tensor(1.0), tensor(1.0)]).load_state_dict(
            {"state": {}, "param_groups": [{**adam.state_dict()["param_groups"][0],
                                            "params": [0, 1]}]})


def test_load_state_dict_accepts_int_keys_written_as_strings():
    opt, a, _ = trained()
    sd = opt.state_dict()
    sd["state"] = {str(k): v for k, v in sd["state"].items()}     # e.g. after JSON
    fresh, fa, _ = trained(steps=0)
    fresh.load_state_dict(sd)
    assert fresh.state[fa]["step"] == 3.0


@pytest.mark.parametrize("cls", ALL)
def test_every_optimizer_round_trips_on_values(cls):
    def make():
        vs = [Value(0.5), Value(-1.5)]
        return vs, cls(vs, lr=0.01)

    def loss_grads(vs):
        vs[0].grad, vs[1].grad = 2 * vs[0].data - 0.3, vs[1].data ** 3

    vs, opt = make()
    for _ in range(4):
        loss_grads(vs)
        opt.step()
    sd = opt.state_dict()
    snapshot = [v.data for v in vs]
    for _ in range(4):
        loss_grads(vs)
        opt.step()
    ws, other = make()
    for w, x in zip(ws, snapshot):
        w.data = x
    other.load_state_dict(sd)
    for _ in range(4):
        loss_grads(ws)
        other.step()
    assert [w.data for w in ws] == [v.data for v in vs]
    assert snapshot != [v.data for v in vs]


# ---------------------------------------------------------------------- reading one step
def _file_switches_tool():
    import importlib.util
    import pathlib
    path = pathlib.Path(__file__).resolve().parent.parent / "tools" / "file_switches.py"
    spec = importlib.util.spec_from_file_location("file_switches", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name, kwargs", [("SGD", {"lr": 0.1}),
                                          ("SGD", {"lr": 0.1, "momentum": 0.9}),
                                          ("Adam", {})])
def test_one_step_reads_in_a_few_files(name, kwargs):
    """Following one step through the code (tools/file_switches.py, a 4-parameter MLP)
    switches files at most 6 times: optimizer.py gathers the arrays (tensor.py's ``.data``),
    the optimizer's own file maps its hyper-parameters, fast/updates.py runs its rule for
    each parameter, tensor.py takes the new data. (Before the re-layout: SGD 17, Adam 24.)"""
    tool = _file_switches_tool()
    opt = tool.one_step_of(name, **kwargs)
    calls, _, files = tool.file_switches(opt.step)
    assert calls <= 6, " > ".join(files)
    assert f"optim/{name.lower()}.py" in files and any("tensor" in f for f in files)


# ---------------------------------------------------------------------- weight decay, exactly
L2_DECAY = {"SGD": {"lr": 0.1, "momentum": 0.9}, "Adagrad": {}, "RMSprop": {"centered": True},
            "Adadelta": {}, "Adam": {}, "Adamax": {}, "NAdam": {}, "RAdam": {},
            "AdaBelief": {"decoupled_weight_decay": False}}
DECOUPLED_DECAY = {"AdamW": {}, "Adam": {"decoupled_weight_decay": True},
                   "NAdam": {"decoupled_weight_decay": True},
                   "RAdam": {"decoupled_weight_decay": True}, "AdaBelief": {}, "Lion": {}}


def _twin_runs(name, kwargs, weight_decay, change):
    """One optimizer with ``weight_decay``, one without that sees ``change(param, grad)``."""
    rng = np.random.default_rng(0)
    start, grads = rng.standard_normal(6), rng.standard_normal((3, 6))
    decayed, plain = (Tensor(start.copy(), requires_grad=True) for _ in range(2))
    opt = getattr(optim, name)([decayed], weight_decay=weight_decay, **kwargs)
    reference = getattr(optim, name)([plain], weight_decay=0, **kwargs)
    for g in grads:
        decayed.grad = g
        plain.grad = change(plain, g, reference.param_groups[0]["lr"])
        opt.step()
        reference.step()
    return decayed.data, plain.data


@pytest.mark.parametrize("weight_decay", [1.0, 0.5])
@pytest.mark.parametrize("name", L2_DECAY)
def test_l2_weight_decay_is_the_gradient_of_half_lambda_theta_squared(name, weight_decay):
    """``weight_decay=λ`` adds λθ to the gradient (the gradient of λ/2·‖θ‖²): the same, bit
    for bit, as no weight decay with the gradient g + λθ. λ = 1 too, which a rule that
    asked ``weight_decay != 1`` would get wrong."""
    def add_l2(p, g, lr):
        return g + weight_decay * p.data
    decayed, plain = _twin_runs(name, L2_DECAY[name], weight_decay, add_l2)
    np.testing.assert_array_equal(decayed, plain)


@pytest.mark.parametrize("weight_decay", [1.0, 0.5])
@pytest.mark.parametrize("name", DECOUPLED_DECAY)
def test_decoupled_weight_decay_shrinks_theta_before_the_step(name, weight_decay):
    """Decoupled (AdamW-style) decay is θ ← θ·(1 − γλ) before the step, bit for bit."""
    def shrink(p, g, lr):
        p.data = p.data * (1 - lr * weight_decay)
        return g
    decayed, plain = _twin_runs(name, DECOUPLED_DECAY[name], weight_decay, shrink)
    np.testing.assert_array_equal(decayed, plain)


# ---------------------------------------------------------------------- gradients as given
def test_a_gradient_given_as_a_list_is_read_as_an_array():
    """A Tensor's .grad refuses a list, as PyTorch's; a parameter of another kind (anything
    with .data and .grad) may hold one, and the optimizer reads it as an array."""
    with pytest.raises(TypeError, match="list"):
        tensor(1.0, 2.0).grad = [0.5, -1.0]

    class Param:
        def __init__(self, data):
            self.data, self.grad = data, None
    p = Param(np.array([1.0, 2.0]))
    p.grad = [0.5, -1.0]
    optim.SGD([p], lr=0.1).step()
    np.testing.assert_array_equal(p.data, [1.0 - 0.05, 2.0 + 0.1])


@pytest.mark.parametrize("name, kwargs", [("SGD", {"lr": 0.1, "momentum": 0.9}),
                                          ("Adam", {"lr": 0.1})])
def test_a_float64_gradient_of_a_float32_parameter_is_cast_first(name, kwargs):
    """The gradient takes the parameter's dtype before the rule runs, so a float32 model
    stays float32 (state too) and steps exactly as with a float32 gradient."""
    rng = np.random.default_rng(2)
    start, grads = rng.standard_normal(50).astype(np.float32), rng.standard_normal((2, 50))
    results = []
    for cast in (False, True):
        p = Tensor(start.copy(), requires_grad=True)
        opt = getattr(optim, name)([p], **kwargs)
        for g in grads:
            p.grad = g.astype(np.float32) if cast else g
            opt.step()
        results.append((p.data, opt.state[p]))
    (ours, state), (expected, expected_state) = results
    assert ours.dtype == np.float32
    np.testing.assert_array_equal(ours, expected)
    for key, value in state.items():
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float32, key
            np.testing.assert_array_equal(value, expected_state[key])


# ---------------------------------------------------------------------- refusals
def test_a_bad_default_is_refused_even_when_every_group_overrides_it():
    """As PyTorch: the constructor's own hyper-parameters are checked, not only the groups'."""
    w = tensor(1.0)
    with pytest.raises(ValueError, match="the constructor.*lr"):
        optim.SGD([{"params": [w], "lr": 0.1}], lr=-1.0)


def test_params_that_are_one_group_dict_or_a_group_that_is_not_a_dict_are_refused():
    w = tensor(1.0)
    with pytest.raises(TypeError, match=r"to pass one group write \[\{'params'"):
        optim.SGD({"params": [w]}, lr=0.1)
    opt = optim.SGD([w], lr=0.1)
    with pytest.raises(TypeError, match="a param group must be a dict, got list"):
        opt.add_param_group([tensor(2.0)])


@pytest.mark.parametrize("bad", ["a string", {}, {"state": {}}, [1, 2]])
def test_load_state_dict_of_something_that_is_no_state_dict(bad):
    opt = optim.Adam([tensor(1.0)])
    with pytest.raises(ValueError, match="Adam.load_state_dict expects a dict with 'state'"):
        opt.load_state_dict(bad)


def test_state_dict_copies_nested_plain_data_in_a_group():
    """A group may carry extra entries (as in PyTorch), e.g. a dict of notes: the state
    dict holds a deep copy, so changing it does not change the optimizer."""
    w = tensor(1.0)
    opt = optim.SGD([{"params": [w], "notes": {"layer": "bias", "tags": ["a"]}}], lr=0.1)
    saved = opt.state_dict()["param_groups"][0]["notes"]
    assert saved == {"layer": "bias", "tags": ["a"]}
    saved["layer"] = "changed"
    saved["tags"].append("b")
    assert opt.param_groups[0]["notes"] == {"layer": "bias", "tags": ["a"]}
