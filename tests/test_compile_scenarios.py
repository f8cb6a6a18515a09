"""Steps a hostile tester wrote against ``compile``: each runs eagerly and compiled from the
same seed for several calls (the traced ones and the replays), and must give the same bits —
parameters, ``.grad``s, optimizer state, what the step returns. Each scenario once broke a
replay (a crash, or numbers that drifted from eager) while the traced calls looked right.
"""
import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, nn, optim
from tinygrad_edu.nn import functional as F

R = np.random.default_rng(1)
X, Y = R.standard_normal((6, 8, 3)), R.integers(0, 2, (6, 8))


def _values(result):
    if isinstance(result, Tensor):
        return [result.data.copy()]
    if isinstance(result, (tuple, list)):
        return [v for r in result for v in _values(r)]
    return [] if result is None else [np.asarray(result)]


def _state(model, opt):
    out = []
    for name, p in model.named_parameters():
        out += [(name, p.data.copy()), (name + ".grad", None if p.grad is None else p.grad.copy())]
        for key, value in sorted(opt.state.get(p, {}).items()):
            out.append((f"{name}.{key}", np.asarray(value).copy()))
    return out


def _same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        if isinstance(x, tuple):
            assert x[0] == y[0]
            x, y = x[1], y[1]
        assert (x is None) == (y is None)
        if x is not None:
            assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True)


def run_both(make, calls=6, between=None):
    """``make()`` -> (model, opt, step); ``between(i, model, opt)`` runs before call i."""
    runs = {}
    for mode in ("eager", "compiled"):
        tg.manual_seed(0)
        model, opt, step = make()
        f = tg.compile(step) if mode == "compiled" else step
        seen = []
        for i in range(calls):
            if between is not None:
                between(i, model, opt)
            seen.append((_values(f(X[i % 6], Y[i % 6])), _state(model, opt)))
        runs[mode] = (seen, f)
    for (values_a, state_a), (values_b, state_b) in zip(runs["eager"][0], runs["compiled"][0]):
        _same(values_a, values_b)
        _same(state_a, state_b)
    return runs["compiled"][1]


def _linear(opt=optim.SGD, **kwargs):
    model = nn.Linear(3, 2)
    return model, opt(model.parameters(), **(kwargs or dict(lr=0.1)))


def _standard(model, opt):
    """(model, opt, step) with the plain step: zero_grad, forward, loss, backward, update."""
    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return model, opt, step


def test_returning_a_parameter_and_the_argument_changes_neither():
    """(template swapped the returned Tensor's array before the write-back read it: the
    parameter froze and the caller's input was overwritten)"""
    def make():
        model, opt = _linear()

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss, model.bias, x
        return model, opt, step
    inputs = [Tensor(X[i].copy()) for i in range(6)]
    compiled = None
    for mode in ("eager", "compiled"):
        tg.manual_seed(0)
        model, opt, step = make()
        f = tg.compile(step) if mode == "compiled" else step
        for x, y in zip(inputs, Y):
            f(x, y)
        if mode == "eager":
            eager_bias = model.bias.data.copy()
        compiled = f
    assert np.array_equal(model.bias.data, eager_bias)
    assert all(np.array_equal(x.data, X[i]) for i, x in enumerate(inputs))
    assert ".copy()" not in compiled.code


def test_arrays_the_step_assigns_are_fresh_on_every_call():
    """(the write-back copied the very array the tensor held, which later calls changed)"""
    def make():
        model, opt = _linear()

        def step(x, y):
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            model.weight.grad = np.zeros((2, 3))
            model.bias.data = np.zeros(2)
            return loss
        return model, opt, step
    run_both(make)


def test_a_gradient_handed_in_as_an_argument():
    """(the renaming pass renamed the argument's name in the write-back, not in its read)"""
    grads = R.standard_normal((6, 2, 3))

    def make():
        model = nn.Linear(3, 2)
        opt = optim.SGD([model.weight], lr=0.1)

        def step(g, _):
            model.weight.grad = g
            opt.step()
        return model, opt, step
    runs = {}
    for mode in ("eager", "compiled"):
        tg.manual_seed(0)
        model, opt, step = make()
        f = tg.compile(step) if mode == "compiled" else step
        for i in range(6):
            f(grads[i], Y[i])
        runs[mode] = model.weight.data.copy()
    assert np.array_equal(runs["eager"], runs["compiled"])


def test_nadam_restarted_from_empty_state():
    """(a number made in the program's prologue was renamed in the write-back only)"""
    def make():
        return _standard(*_linear(optim.NAdam, lr=0.01))

    def restart(i, model, opt):
        if i == 3:                 # as at the first call: no state, no gradients
            opt.state.clear()
            opt.zero_grad()
    run_both(make, between=restart)


class _Named(nn.Module):
    def __init__(self, name):
        super().__init__()
        setattr(self, name, nn.Parameter(Tensor(np.full((3, 2), 0.1))))
        self.name = name

    def forward(self, x):
        return x @ getattr(self, self.name)


@pytest.mark.parametrize("name", ["max_1", "s_2", "sum_1", "hyper_1", "matmul_buffer", "β",
                                  "Ω1", "ﬁlter"])
def test_parameters_named_like_program_names_or_in_any_script(name):
    """(generated names did not avoid the parameters' names; names outside ASCII were
    dropped as unread; ``ﬁlter`` and ``filter`` are one name to Python)"""
    def make():
        model = _Named(name)
        return _standard(model, optim.Adam(model.parameters(), lr=0.1))
    run_both(make)


class _Tempered(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)
        self.temperature = Tensor(np.ones(2))    # a Tensor, not a parameter

    def forward(self, x):
        return self.fc(x) / self.temperature


def test_a_modules_other_tensors_and_a_global_array_are_read_on_every_call():
    """(they were constants of the program: a new .data, a new Tensor in the attribute, or a
    global array changed in place went unseen)"""
    class_weight = np.ones(2)

    def make():
        class_weight[...] = 1.0
        model = _Tempered()
        opt = optim.SGD(model.parameters(), lr=0.1)

        def step(x, y):
            opt.zero_grad()
            weight = tg.tensor(class_weight) * 2                  # from the global alone
            loss = F.cross_entropy(model(x) * weight, y)
            loss.backward()
            opt.step()
            return loss
        return model, opt, step

    def change(i, model, opt):
        class_weight[1] = 1.0 + 2 * i                       # in place
        if i % 2:
            model.temperature.data = np.full(2, 1.0 + i)    # a new array
        else:
            model.temperature = Tensor(np.full(2, 2.0 + i))  # a new Tensor
    compiled = run_both(make, calls=6, between=change)
    assert "raise GuardFailed('tensor')" in compiled.code


def test_a_scheduler_stepped_inside_the_step_is_named_in_a_warning():
    model, opt = _linear()
    scheduler = optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)

    def step(x, y):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
        scheduler.step()
    compiled = tg.compile(step)
    with pytest.warns(UserWarning, match=r"changed opt's hyper-parameters \(param_groups\[0\]"
                                         r"\['lr'\] 0.1 -> 0.05\).*outside the compiled") as caught:
        compiled(X[0], Y[0])
    assert caught[0].filename == __file__               # the line that called it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tg.compile(lambda x, y: opt.step())(X[0], Y[0])     # nothing changed: no warning


def test_one_tensor_passed_twice_and_two_tensors_after_it():
    """(the second occurrence wrapped a traced array again; and a program traced for two
    Tensors, handed one Tensor twice, wrote two gradients where eager accumulates one)"""
    def f(a, b):
        (a * b * b).sum().backward()
    compiled = tg.compile(f)
    for pattern in ("same", "distinct", "distinct", "same", "same", "distinct"):
        grads = []
        for run in (compiled, f):
            a = Tensor([1.0, 2.0], requires_grad=True)
            b = a if pattern == "same" else Tensor([3.0, 4.0], requires_grad=True)
            run(a, b)
            grads.append((a.grad.copy(), b.grad.copy()))
        assert all(np.array_equal(c, e) for c, e in zip(*grads)), pattern
    assert len(compiled.programs) == 2
    assert "if args[1] is args[0]: raise GuardFailed" in compiled.programs[1].source


def test_clip_grad_norm_inside_a_compiled_step():
    """(its norms went through np.array(list) and min(), which the tracer cannot record)"""
    def make():
        model, opt = _linear(lr=0.5)

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            total = nn.utils.clip_grad_norm_(model.parameters(), 0.05)
            opt.step()
            return loss, total
        return model, opt, step
    run_both(make)
