"""The learning-rate range test: its rates, smoothing, stopping rule, suggestion, and that it
leaves the model and the optimizer exactly as it found them."""
import math
import sys

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import Value
from tinygrad_edu.optim import SGD, Adam, lr_range_test
from tinygrad_edu.scalar import MLP

XS = [0.5, 1.0, 1.5, 2.0]
YS = [3.0 * x for x in XS]


class Line:
    """y = w·x on a batch of numbers (only ``parameters()``, no state_dict)."""

    def __init__(self, w=0.0):
        self.w = Value(w)

    def parameters(self):
        return [self.w]

    def __call__(self, xs):
        return [self.w * x for x in xs]


def mse(preds, ys):
    return sum((p - y) ** 2 for p, y in zip(preds, ys)) / len(ys)


def test_rates_grow_exponentially_from_start_to_end_and_are_the_ones_used():
    model = Line()
    optimizer = SGD(model.parameters(), lr=0.5)
    seen = []

    def loss_fn(preds, ys):
        seen.append(optimizer.param_groups[0]["lr"])
        return mse(preds, ys)

    # a range that stays stable: every step is recorded
    result = lr_range_test(model, optimizer, loss_fn, [(XS, YS)], start_lr=1e-6, end_lr=1e-2,
                           num_iter=30)
    assert len(result.lrs) == len(result.losses) == 30 and not result.diverged
    assert result.lrs[0] == 1e-6
    assert result.lrs[-1] == pytest.approx(1e-2, rel=1e-12)
    steps = np.diff(np.log(result.lrs))
    np.testing.assert_allclose(steps, np.log(1e4) / 29, rtol=1e-9)
    assert seen == result.lrs


def test_losses_are_the_debiased_exponential_average_of_the_raw_losses():
    model = Line()
    result = lr_range_test(model, SGD(model.parameters()), mse, [(XS, YS)], start_lr=1e-4,
                           end_lr=0.1, num_iter=20, smooth_beta=0.9)
    # the raw loss of the first step is the loss at w = 0: mean((3x)²)
    assert result.raw_losses[0] == pytest.approx(np.mean(np.square(YS)))
    average, expected = 0.0, []
    for i, raw in enumerate(result.raw_losses):
        average = 0.9 * average + 0.1 * raw
        expected.append(average / (1 - 0.9 ** (i + 1)))
    np.testing.assert_allclose(result.losses, expected, rtol=1e-12)
    assert result.losses[0] == pytest.approx(result.raw_losses[0])


def test_each_step_trains_with_its_rate():
    """w follows plain gradient descent with the schedule's rates: w ← w − lr_i · dL/dw."""
    model = Line()
    trajectory = []

    def loss_fn(preds, ys):
        trajectory.append(model.w.data)
        return mse(preds, ys)

    result = lr_range_test(model, SGD(model.parameters()), loss_fn, [(XS, YS)],
                           start_lr=1e-3, end_lr=0.1, num_iter=10)
    x, y = np.array(XS), np.array(YS)
    w = 0.0
    for lr, w_seen in zip(result.lrs, trajectory):
        assert w_seen == pytest.approx(w, rel=1e-12, abs=1e-15)
        w -= lr * np.mean(2 * (w * x - y) * x)


def test_stops_when_the_loss_diverges():
    model = Line()
    result = lr_range_test(model, SGD(model.parameters()), mse, [(XS, YS)], start_lr=1e-4,
                           end_lr=100.0, num_iter=80)
    assert result.diverged
    assert len(result.lrs) < 80
    # the last recorded smoothed loss broke the 4x-best rule; none before it did
    best_before = min(result.losses[:-1])
    assert result.losses[-1] > 4 * best_before
    running_best = np.minimum.accumulate(result.losses[:-1])
    assert np.all(np.array(result.losses[:-1]) <= 4 * running_best)
    # gradient descent on this quadratic is unstable beyond lr = 2 / (2·mean(x²))
    assert result.lrs[-1] > 1 / np.mean(np.square(XS))


def test_stops_at_a_non_finite_loss_without_recording_or_stepping_it():
    model = Line()
    calls = []

    def loss_fn(preds, ys):
        calls.append(model.w.data)
        loss = mse(preds, ys)
        return loss * math.inf if len(calls) == 6 else loss

    result = lr_range_test(model, SGD(model.parameters()), loss_fn, [(XS, YS)],
                           start_lr=1e-5, end_lr=1e-3, num_iter=20)
    assert result.diverged and len(result.lrs) == 5
    assert all(math.isfinite(v) for v in result.losses + result.raw_losses)
    assert model.w.data == 0.0


def test_suggestion_is_the_steepest_descent_inside_the_range():
    model = Line()
    result = lr_range_test(model, SGD(model.parameters()), mse, [(XS, YS)], start_lr=1e-4,
                           end_lr=10.0, num_iter=60)
    assert result.lrs[0] <= result.suggestion <= result.lrs[-1]
    slopes = np.gradient(result.losses, np.log10(result.lrs))
    assert result.suggestion == result.lrs[int(np.argmin(slopes))]
    assert slopes.min() < 0
    # well below the rate at which gradient descent on this problem blows up
    assert result.suggestion < 1 / np.mean(np.square(XS))


def test_no_suggestion_without_a_descent():
    model = Line(w=3.0)  # already at the optimum: the loss is 0 and cannot fall
    result = lr_range_test(model, SGD(model.parameters()), mse, [(XS, YS)], start_lr=1e-4,
                           end_lr=1e-2, num_iter=10)
    assert result.suggestion is None


def _snapshot(params, optimizer):
    return ([p.data for p in params], [p.grad for p in params], optimizer.state_dict(),
            [g["lr"] for g in optimizer.param_groups])


def _assert_same(before, after):
    (data0, grads0, state0, lrs0), (data1, grads1, state1, lrs1) = before, after
    assert data1 == data0 and grads1 == grads0 and lrs1 == lrs0
    assert state1["param_groups"] == state0["param_groups"]
    assert state1["state"].keys() == state0["state"].keys()
    for index, entry in state0["state"].items():
        for key, value in entry.items():
            np.testing.assert_array_equal(state1["state"][index][key], value)


def _trained_scalar_mlp(optimizer_factory):
    tinygrad_edu.manual_seed(1)
    model = MLP(2, [4, 1])
    optimizer = optimizer_factory(model)
    points = [([0.5, -1.0], 1.0), ([1.5, 0.3], -1.0), ([-0.7, 0.2], 0.5)]
    for _ in range(3):  # build up optimizer state (momentum buffers, step counts)
        optimizer.zero_grad()
        loss = sum((model(x) - y) ** 2 for x, y in points)
        loss.backward()
        optimizer.step()
    loader = [([x], [y]) for x, y in points]
    return model, optimizer, loader


def scalar_mse(preds, ys):
    return sum((p - y) ** 2 for p, y in zip(preds, ys))


class Batched:
    """Runs a scalar MLP on each input of a batch."""

    def __init__(self, mlp):
        self.mlp = mlp

    def parameters(self):
        return self.mlp.parameters()

    def __call__(self, xs):
        return [self.mlp(x) for x in xs]


@pytest.mark.parametrize("name, factory", [
    ("sgd_momentum", lambda m: SGD(m.parameters(), lr=0.05, momentum=0.9)),
    ("adam_two_groups", lambda m: Adam([{"params": m.parameters()[:6], "lr": 3e-3},
                                        {"params": m.parameters()[6:]}], lr=1e-3)),
])
def test_model_and_optimizer_are_restored_exactly(name, factory):
    mlp, optimizer, loader = _trained_scalar_mlp(factory)
    params = mlp.parameters()
    before = _snapshot(params, optimizer)
    result = lr_range_test(Batched(mlp), optimizer, scalar_mse, loader, num_iter=25)
    assert len(result.lrs) > 3
    _assert_same(before, _snapshot(params, optimizer))


def test_restored_even_when_the_loss_function_raises():
    mlp, optimizer, loader = _trained_scalar_mlp(
        lambda m: SGD(m.parameters(), lr=0.05, momentum=0.9))
    params = mlp.parameters()
    before = _snapshot(params, optimizer)
    calls = []

    def exploding(preds, ys):
        calls.append(1)
        if len(calls) == 7:
            raise RuntimeError("boom")
        return scalar_mse(preds, ys)

    with pytest.raises(RuntimeError, match="boom"):
        lr_range_test(Batched(mlp), optimizer, exploding, loader, num_iter=20)
    assert len(calls) == 7
    _assert_same(before, _snapshot(params, optimizer))


def test_the_loader_is_cycled_when_it_runs_out():
    model = Line()
    batches = [([0.5], [1.5]), ([1.0], [3.0]), ([2.0], [6.0])]
    seen = []

    def loss_fn(preds, ys):
        seen.append(ys[0])
        return mse(preds, ys)

    # batches differ a lot in loss: a huge diverge_threshold keeps the 4x rule out of this
    lr_range_test(model, SGD(model.parameters()), loss_fn, batches, start_lr=1e-5,
                  end_lr=1e-4, num_iter=8, diverge_threshold=1e9)
    assert seen == [1.5, 3.0, 6.0, 1.5, 3.0, 6.0, 1.5, 3.0]


def test_one_shot_and_empty_loaders_are_explained():
    model = Line()
    one_shot = iter([(XS, YS), (XS, YS)])
    with pytest.raises(ValueError, match="ran out after 2 batches.*num_iter <= 2"):
        lr_range_test(model, SGD(model.parameters()), mse, one_shot, num_iter=5)
    with pytest.raises(ValueError, match="no batches"):
        lr_range_test(model, SGD(model.parameters()), mse, [], num_iter=5)
    with pytest.raises(ValueError, match="pair \\(x, y\\)"):
        lr_range_test(model, SGD(model.parameters()), mse, [(XS, YS, 1)], num_iter=5)
    assert model.w.data == 0.0


@pytest.mark.parametrize("kwargs, words", [
    ({"start_lr": 0.0}, ["start_lr", "positive", "0.0"]),
    ({"start_lr": 1.0, "end_lr": 0.5}, ["end_lr", "> start_lr=1.0", "0.5"]),
    ({"num_iter": 1}, ["num_iter", ">= 2", "1"]),
    ({"num_iter": 10.0}, ["num_iter", "10.0"]),
    ({"smooth_beta": 1.0}, ["smooth_beta", "[0, 1)"]),
    ({"diverge_threshold": 0.5}, ["diverge_threshold", "> 1"]),
])
def test_bad_arguments(kwargs, words):
    model = Line()
    with pytest.raises(ValueError) as info:
        lr_range_test(model, SGD(model.parameters()), mse, [(XS, YS)], **kwargs)
    for word in words:
        assert word in str(info.value)


def test_nn_module_with_a_shuffling_dataloader_is_restored_exactly():
    from tinygrad_edu import nn
    from tinygrad_edu.data import DataLoader, TensorDataset, make_linear_regression
    F = nn.functional
    X, y, _ = make_linear_regression(n_samples=64, n_features=3, noise=0.1, seed=0)
    loader = DataLoader(TensorDataset(X, y[:, None]), batch_size=16, shuffle=True, seed=3)
    tinygrad_edu.manual_seed(0)
    model = nn.MLP([3, 8, 1])
    optimizer = SGD(model.parameters(), lr=0.01, momentum=0.9)
    state = model.state_dict()
    opt_state = optimizer.state_dict()
    rng_state = tinygrad_edu.get_rng_state()
    result = lr_range_test(model, optimizer, F.mse_loss, loader, start_lr=1e-5, end_lr=10.0,
                           num_iter=40)
    assert result.diverged and result.lrs[0] <= result.suggestion <= result.lrs[-1]
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, state[key])
    assert optimizer.state_dict()["param_groups"] == opt_state["param_groups"]
    assert optimizer.state == {} or all(not s for s in optimizer.state.values())
    assert tinygrad_edu.get_rng_state() == rng_state  # the test draws no global randomness


def test_plot_marks_the_suggestion(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    model = Line()
    result = lr_range_test(model, SGD(model.parameters()), mse, [(XS, YS)], start_lr=1e-4,
                           end_lr=10.0, num_iter=40)
    ax = result.plot()
    assert ax.get_xscale() == "log"
    line, marker = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), result.lrs)
    assert list(marker.get_xdata()) == [result.suggestion]
    ax.figure.savefig(tmp_path / "lr.png")
    plt.close(ax.figure)


def test_plot_without_matplotlib_names_the_extra(monkeypatch):
    model = Line()
    result = lr_range_test(model, SGD(model.parameters()), mse, [(XS, YS)], num_iter=5)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match='pip install "tinygrad_edu\\[viz\\]"'):
        result.plot()
