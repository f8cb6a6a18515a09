"""Convolution and pooling (API §14): ``F.conv2d``, ``F.max_pool2d``, ``F.avg_pool2d`` and the
layers ``nn.Conv2d``, ``nn.MaxPool2d``, ``nn.AvgPool2d``.

Held to: PyTorch's values, gradients and second derivatives (``reference/conv_reference.npz``
from ``reference/make_conv_reference.py``, for the catalog in ``conv_cases.py``; live as well
when torch is importable), full-Jacobian gradchecks of first and second order, and plain
loops that spell the definitions out (the obviously-correct form, over random shapes).
"""
import math
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conv_cases import CASES, post
from tinygrad_edu import (Tensor, detect_anomaly, get_default_dtype, manual_seed, no_grad,
                          set_default_dtype)
from tinygrad_edu.autograd import grad
from tinygrad_edu.gradcheck import gradcheck, gradgradcheck
from tinygrad_edu.nn import (AvgPool2d, Conv2d, Linear, MaxPool2d, Module, ReLU, Sequential,
                             functional as F, init)
from tinygrad_edu.optim import Adam
from tinygrad_edu.tensors.ops import xp
from tinygrad_edu.tensors.ops.conv import Col2Im, Im2Col

REFERENCE = np.load(os.path.join(os.path.dirname(__file__), "reference", "conv_reference.npz"))
BY_NAME = {case.name: case for case in CASES}


def _call(case, *inputs):
    return getattr(F, case.fn)(*inputs, **case.kwargs)


def _inputs(case):
    return [REFERENCE[f"{case.name}/in{i}"] for i in range(len(case.shapes))]


# --------------------------------------------------------------------------- PyTorch's numbers
@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_values_and_gradients_match_pytorch(name):
    case = BY_NAME[name]
    xs = [Tensor(a, requires_grad=True) for a in _inputs(case)]
    out = _call(case, *xs)
    np.testing.assert_allclose(out.data, REFERENCE[f"{name}/out"], rtol=1e-12, atol=1e-13)
    out.backward(REFERENCE[f"{name}/upstream"])
    for i, x in enumerate(xs):
        np.testing.assert_allclose(x.grad, REFERENCE[f"{name}/grad{i}"], rtol=1e-12,
                                   atol=1e-13, err_msg=f"{name}: gradient of input {i}")


@pytest.mark.parametrize("name", sorted(c.name for c in CASES if c.post))
def test_second_derivatives_match_pytorch(name):
    case = BY_NAME[name]
    xs = [Tensor(a, requires_grad=True) for a in _inputs(case)]
    out = post(case.post, _call(case, *xs))
    firsts = grad(out, xs, grad_outputs=[REFERENCE[f"{name}/cotangent"]], create_graph=True)
    total = sum((g * REFERENCE[f"{name}/v{i}"]).sum() for i, g in enumerate(firsts))
    hvps = grad(total, xs, allow_unused=True)
    for i, h in enumerate(hvps):
        expected = REFERENCE[f"{name}/hvp{i}"]
        np.testing.assert_allclose(np.zeros_like(expected) if h is None else h.data, expected,
                                   rtol=1e-10, atol=1e-12, err_msg=f"{name}: hvp of input {i}")


def test_the_catalog_covers_what_the_contract_names():
    kwargs = [c.kwargs for c in CASES]
    assert {c.fn for c in CASES} == {"conv2d", "max_pool2d", "avg_pool2d"}
    assert any(isinstance(k.get("stride"), tuple) for k in kwargs)      # tuples
    assert any(isinstance(k.get("padding"), list) for k in kwargs)      # lists
    assert any(len(c.shapes[0]) == 3 for c in CASES)                    # unbatched
    assert {c.data for c in CASES if c.fn == "max_pool2d"} >= {"ties", "constant", "nan"}
    assert sum(c.post is not None for c in CASES) >= 12                 # second order


def test_a_pytorch_cnn_state_dict_loads_and_gives_its_outputs_and_gradients():
    model = Sequential(Conv2d(1, 4, 3, padding=1), ReLU(), MaxPool2d(2),
                       Conv2d(4, 6, (2, 3), stride=(1, 2)), AvgPool2d(2, stride=1))
    keys = [k[len("cnn/state/"):] for k in REFERENCE.files if k.startswith("cnn/state/")]
    assert list(model.state_dict()) == keys == ["0.weight", "0.bias", "3.weight", "3.bias"]
    model.load_state_dict({k: REFERENCE[f"cnn/state/{k}"] for k in keys})
    x = Tensor(REFERENCE["cnn/x"], requires_grad=True)
    out = model(x)
    np.testing.assert_allclose(out.data, REFERENCE["cnn/out"], rtol=1e-12, atol=1e-13)
    out.backward(REFERENCE["cnn/upstream"])
    np.testing.assert_allclose(x.grad, REFERENCE["cnn/grad_x"], rtol=1e-12, atol=1e-13)
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad, REFERENCE[f"cnn/grad/{name}"], rtol=1e-12,
                                   atol=1e-13, err_msg=name)


def test_the_cnn_of_what_is_torch_nn_really_ports_by_changing_its_imports():
    import tinygrad_edu as torch                 # the tutorial's "import torch"
    import tinygrad_edu.nn.functional as F       # its "import torch.nn.functional as F"

    class Mnist_CNN(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = torch.nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1)
            self.conv2 = torch.nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1)
            self.conv3 = torch.nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1)

        def forward(self, xb):
            xb = xb.view(-1, 1, 28, 28)
            xb = F.relu(self.conv1(xb))
            xb = F.relu(self.conv2(xb))
            xb = F.relu(self.conv3(xb))
            xb = F.avg_pool2d(xb, 4)
            return xb.view(-1, xb.size(1))

    model = Mnist_CNN()
    prefix = "tutorial/state/"
    keys = [k[len(prefix):] for k in REFERENCE.files if k.startswith(prefix)]
    assert list(model.state_dict()) == keys
    model.load_state_dict({k: REFERENCE[f"tutorial/state/{k}"] for k in keys})
    xb = torch.tensor(REFERENCE["tutorial/xb"], requires_grad=True)
    loss = F.cross_entropy(model(xb), REFERENCE["tutorial/yb"])
    loss.backward()
    assert loss.item() == pytest.approx(float(REFERENCE["tutorial/loss"]), rel=1e-12)
    np.testing.assert_allclose(xb.grad, REFERENCE["tutorial/grad_xb"], rtol=1e-10, atol=1e-14)
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad, REFERENCE[f"tutorial/grad/{name}"], rtol=1e-10,
                                   atol=1e-14, err_msg=name)


def test_d2l_lenet_matches_live_pytorch():
    """An extra, when torch is installed: d2l's LeNet (sigmoid, average pools) end to end."""
    torch = pytest.importorskip("torch")

    class LeNet(Module):
        def __init__(self):
            super().__init__()
            self.c1, self.c2 = Conv2d(1, 6, kernel_size=5, padding=2), Conv2d(6, 16, 5)
            self.f1, self.f2, self.f3 = Linear(400, 120), Linear(120, 84), Linear(84, 10)

        def forward(self, x):
            x = AvgPool2d(kernel_size=2, stride=2)(self.c1(x).sigmoid())
            x = AvgPool2d(kernel_size=2, stride=2)(self.c2(x).sigmoid()).flatten(1)
            return self.f3(self.f2(self.f1(x).sigmoid()).sigmoid())

    nn = torch.nn
    theirs = nn.Sequential(nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
                           nn.AvgPool2d(kernel_size=2, stride=2), nn.Conv2d(6, 16, kernel_size=5),
                           nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
                           nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84),
                           nn.Sigmoid(), nn.Linear(84, 10)).double()
    ours = LeNet()
    ours.load_state_dict({new: theirs.state_dict()[old].numpy() for new, old in zip(
        ours.state_dict(), theirs.state_dict())})
    x = np.random.default_rng(2).standard_normal((2, 1, 28, 28))
    out, expected = ours(x), theirs(torch.tensor(x))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    out.sum().backward()
    expected.sum().backward()
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-9, atol=1e-13, err_msg=name)


def test_random_configurations_match_live_pytorch():
    """An extra, when torch is installed: random shapes beyond the stored catalog."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    for _ in range(20):
        n, c, o = rng.integers(1, 4, size=3)
        kh, kw = rng.integers(1, 4, size=2)
        sh, sw = rng.integers(1, 4, size=2)
        ph, pw = rng.integers(0, 3, size=2)
        h, w = kh + rng.integers(0, 5), kw + rng.integers(0, 5)
        x, wt, b = (rng.standard_normal(s) for s in ((n, c, h, w), (o, c, kh, kw), (o,)))
        args = {"stride": (int(sh), int(sw)), "padding": (int(ph), int(pw))}
        ours = [Tensor(a, requires_grad=True) for a in (x, wt, b)]
        theirs = [torch.tensor(a, requires_grad=True) for a in (x, wt, b)]
        out, expected = F.conv2d(*ours, **args), torch.nn.functional.conv2d(*theirs, **args)
        upstream = rng.standard_normal(out.shape)
        out.backward(upstream)
        expected.backward(torch.tensor(upstream))
        np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
        for a, t in zip(ours, theirs):
            np.testing.assert_allclose(a.grad, t.grad.numpy(), rtol=1e-10, atol=1e-12)
        pool = {"kernel_size": (int(kh), int(kw)), "stride": (int(sh), int(sw)),
                "padding": (int(min(ph, kh // 2)), int(min(pw, kw // 2)))}
        ties = rng.integers(0, 3, size=(n, c, h, w)).astype(float)
        for name in ("max_pool2d", "avg_pool2d"):
            a, t = Tensor(ties, requires_grad=True), torch.tensor(ties, requires_grad=True)
            out = getattr(F, name)(a, **pool)
            expected = getattr(torch.nn.functional, name)(t, **pool)
            out.backward(np.ones(out.shape))
            expected.backward(torch.ones_like(expected))
            np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
            np.testing.assert_allclose(a.grad, t.grad.numpy(), rtol=1e-12, err_msg=name)


# --------------------------------------------------------------------------- the definitions
def _padded(x, ph, pw, fill=0.0):
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)


def loop_conv2d(x, w, b, stride, padding):
    """out[n, o, y, x] = b[o] + Σ w[o, c, i, j]·in[n, c, s·y + i, s·x + j], one output pixel
    at a time, and the two gradients by the same sums read the other way round."""
    (sh, sw), (ph, pw) = stride, padding
    xp_ = _padded(x, ph, pw)
    o, c, kh, kw = w.shape
    oh, ow = (xp_.shape[2] - kh) // sh + 1, (xp_.shape[3] - kw) // sw + 1
    out = np.zeros((x.shape[0], o, oh, ow))
    for y in range(oh):
        for x_ in range(ow):
            window = xp_[:, :, y * sh:y * sh + kh, x_ * sw:x_ * sw + kw]   # (N, C, kH, kW)
            out[:, :, y, x_] = np.einsum("ncij,ocij->no", window, w) + b
    return out


def loop_conv2d_grads(x, w, stride, padding, g):
    (sh, sw), (ph, pw) = stride, padding
    xp_ = _padded(x, ph, pw)
    dx, dw = np.zeros_like(xp_), np.zeros_like(w)
    kh, kw = w.shape[2:]
    for y in range(g.shape[2]):
        for x_ in range(g.shape[3]):
            rows, cols = slice(y * sh, y * sh + kh), slice(x_ * sw, x_ * sw + kw)
            dx[:, :, rows, cols] += np.einsum("no,ocij->ncij", g[:, :, y, x_], w)
            dw += np.einsum("no,ncij->ocij", g[:, :, y, x_], xp_[:, :, rows, cols])
    return dx[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]], dw, g.sum(axis=(0, 2, 3))


def loop_max_pool2d(x, kernel, stride, padding):
    """Each window scanned row by row as PyTorch does: a strictly larger value or a NaN takes
    over; the padding is never a candidate. Returns the maxima and the gradient of their sum."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    n, c, h, w = x.shape
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    out, dx = np.zeros((n, c, oh, ow)), np.zeros_like(x)
    for b in range(n):
        for ch in range(c):
            for y in range(oh):
                for x_ in range(ow):
                    best, where = -np.inf, None
                    for r in range(y * sh - ph, y * sh - ph + kh):
                        for s in range(x_ * sw - pw, x_ * sw - pw + kw):
                            if not (0 <= r < h and 0 <= s < w):
                                continue
                            value = x[b, ch, r, s]
                            if where is None or value > best or np.isnan(value):
                                best, where = value, (r, s)
                    out[b, ch, y, x_] = best
                    dx[(b, ch) + where] += 1.0
    return out, dx


shapes = st.fixed_dictionaries({
    "n": st.integers(1, 2), "c": st.integers(1, 3), "o": st.integers(1, 3),
    "kernel": st.tuples(st.integers(1, 3), st.integers(1, 3)),
    "stride": st.tuples(st.integers(1, 3), st.integers(1, 3)),
    "padding": st.tuples(st.integers(0, 2), st.integers(0, 2)),
    "extra": st.tuples(st.integers(0, 4), st.integers(0, 4)),
    "seed": st.integers(0, 2 ** 16)})


@settings(max_examples=40, deadline=None)
@given(shapes)
def test_conv2d_is_the_sum_in_its_definition(s):
    rng = np.random.default_rng(s["seed"])
    (kh, kw), (eh, ew) = s["kernel"], s["extra"]
    x = rng.standard_normal((s["n"], s["c"], kh + eh, kw + ew))
    w, b = rng.standard_normal((s["o"], s["c"], kh, kw)), rng.standard_normal(s["o"])
    xs = [Tensor(a, requires_grad=True) for a in (x, w, b)]
    out = F.conv2d(*xs, stride=s["stride"], padding=s["padding"])
    np.testing.assert_allclose(out.data, loop_conv2d(x, w, b, s["stride"], s["padding"]),
                               rtol=1e-10, atol=1e-12)
    g = rng.standard_normal(out.shape)
    out.backward(g)
    for got, expected in zip(xs, loop_conv2d_grads(x, w, s["stride"], s["padding"], g)):
        np.testing.assert_allclose(got.grad, expected, rtol=1e-10, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(shapes, st.sampled_from(["ties", "normal", "nan"]))
def test_max_pool2d_sends_the_gradient_to_pytorchs_winner(s, fill):
    rng = np.random.default_rng(s["seed"])
    (kh, kw), (eh, ew) = s["kernel"], s["extra"]
    shape = (s["n"], s["c"], kh + eh, kw + ew)
    x = rng.standard_normal(shape) if fill == "normal" else rng.integers(0, 3, shape) * 1.0
    if fill == "nan":
        x[rng.random(shape) < 0.2] = np.nan
    padding = (min(s["padding"][0], kh // 2), min(s["padding"][1], kw // 2))
    t = Tensor(x, requires_grad=True)
    out = F.max_pool2d(t, s["kernel"], s["stride"], padding)
    expected, expected_grad = loop_max_pool2d(x, s["kernel"], s["stride"], padding)
    np.testing.assert_array_equal(out.data, expected)
    out.backward(np.ones(out.shape))
    np.testing.assert_array_equal(t.grad, expected_grad)


@settings(max_examples=30, deadline=None)
@given(shapes)
def test_avg_pool2d_is_the_mean_of_each_zero_padded_window(s):
    rng = np.random.default_rng(s["seed"])
    (kh, kw), (eh, ew), (sh, sw) = s["kernel"], s["extra"], s["stride"]
    x = rng.standard_normal((s["n"], s["c"], kh + eh, kw + ew))
    ph, pw = min(s["padding"][0], kh // 2), min(s["padding"][1], kw // 2)
    out = F.avg_pool2d(x, (kh, kw), (sh, sw), (ph, pw))
    xp_ = _padded(x, ph, pw)
    for y in range(out.shape[2]):
        for x_ in range(out.shape[3]):
            window = xp_[:, :, y * sh:y * sh + kh, x_ * sw:x_ * sw + kw]
            np.testing.assert_allclose(out.data[:, :, y, x_], window.mean(axis=(2, 3)),
                                       rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------- gradchecks
def _random(*shape, seed=0):
    return Tensor(np.random.default_rng(seed + len(shape)).standard_normal(shape),
                  requires_grad=True)


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), ((1, 2), (2, 0))])
def test_conv2d_gradcheck_and_gradgradcheck(stride, padding):
    x, w, b = _random(2, 2, 4, 5), _random(3, 2, 2, 3, seed=1), _random(3, seed=2)
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride, padding), x, w, b)
    assert gradgradcheck(lambda x, w, b: F.conv2d(x, w, b, stride, padding).tanh(), x, w, b)


@pytest.mark.parametrize("kernel, stride, padding",
                         [(2, None, 0), (3, 1, 1), ((2, 3), (2, 1), (1, 1))])
def test_pools_gradcheck_and_gradgradcheck(kernel, stride, padding):
    x = _random(2, 2, 5, 4)   # distinct values: no tie, so the maxima are differentiable
    for pool in (F.max_pool2d, F.avg_pool2d):
        assert gradcheck(lambda x: pool(x, kernel, stride, padding), x)
        assert gradgradcheck(lambda x: pool(x, kernel, stride, padding) ** 2, x)


def test_im2col_and_col2im_are_each_others_backward_to_any_order():
    x, cols = _random(1, 2, 4, 3), _random(1, 2, 2, 2, 5, 2, seed=3)
    args = {"stride": (1, 1), "padding": (1, 0)}
    assert gradcheck(lambda x: Im2Col.apply(x, kernel_size=(2, 2), **args), x)
    assert gradcheck(lambda c: Col2Im.apply(c, shape=(1, 2, 4, 3), **args), cols)
    assert gradgradcheck(lambda x: Im2Col.apply(x, kernel_size=(2, 2), **args) ** 3, x)
    assert gradgradcheck(lambda c: Col2Im.apply(c, shape=(1, 2, 4, 3), **args) ** 3, cols)
    # transposes of one linear map: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩
    lhs = (xp.im2col(x.data, (2, 2), **args) * cols.data).sum()
    rhs = (x.data * xp.col2im(cols.data, x.shape, **args)).sum()
    assert lhs == pytest.approx(rhs, rel=1e-12)


def test_a_small_cnn_has_pytorchs_hessian_structure_and_passes_gradgradcheck():
    manual_seed(0)
    conv = Conv2d(1, 2, 2, padding=1)
    x = _random(1, 1, 3, 3, seed=4)
    assert gradgradcheck(lambda x, w: F.max_pool2d(F.conv2d(x, w, conv.bias), 2).tanh(),
                         x, conv.weight)


# --------------------------------------------------------------------------- ties, by hand
def test_max_pool_ties_go_to_the_first_maximum_and_overlaps_add_up():
    x = Tensor([[[[3.0, 3.0, 1.0, 3.0]]]], requires_grad=True)
    out = F.max_pool2d(x, (1, 2), stride=1)           # windows [3 3] [3 1] [1 3]
    out.backward(np.ones(out.shape))
    np.testing.assert_array_equal(out.data, [[[[3.0, 3.0, 3.0]]]])
    np.testing.assert_array_equal(x.grad, [[[[1.0, 1.0, 0.0, 1.0]]]])   # PyTorch's numbers


def test_max_pool_padding_never_wins_even_against_minus_infinity():
    x = Tensor([[[[-np.inf, -np.inf, 1.0, 3.0]]]], requires_grad=True)
    out = F.max_pool2d(x, (1, 2), stride=1, padding=(0, 1))
    out.backward(np.ones(out.shape))
    np.testing.assert_array_equal(out.data, [[[[-np.inf, -np.inf, 1.0, 3.0, 3.0]]]])
    np.testing.assert_array_equal(x.grad, [[[[2.0, 0.0, 1.0, 2.0]]]])   # PyTorch's numbers


def test_max_pool_with_padding_is_finite_under_detect_anomaly():
    x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    with detect_anomaly():
        out = F.max_pool2d(x, 3, stride=2, padding=1)
        out.sum().backward()
    np.testing.assert_array_equal(out.data, [[[[5.0, 7.0], [13.0, 15.0]]]])


def test_max_pool_of_integers_keeps_them():
    out = F.max_pool2d(np.arange(16).reshape(1, 1, 4, 4), 3, stride=2, padding=1)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.data, [[[[5, 7], [13, 15]]]])


# --------------------------------------------------------------------------- shapes, dtypes
def test_unbatched_inputs_give_unbatched_outputs():
    x = np.ones((2, 6, 6))
    assert F.conv2d(x, np.ones((3, 2, 3, 3))).shape == (3, 4, 4)
    assert F.max_pool2d(x, 2).shape == F.avg_pool2d(x, 2).shape == (2, 3, 3)


def test_float32_stays_float32_and_integer_images_take_the_weights_dtype():
    x32 = Tensor(np.ones((1, 1, 4, 4), np.float32))
    w32 = Tensor(np.ones((1, 1, 2, 2), np.float32), requires_grad=True)
    assert F.conv2d(x32, w32).dtype == np.float32
    assert F.max_pool2d(x32, 2).dtype == F.avg_pool2d(x32, 2).dtype == np.float32
    assert F.conv2d(np.ones((1, 1, 4, 4), np.int64), w32).dtype == np.float32


def test_the_graph_names_the_operations():
    x = Tensor(np.ones((1, 1, 4, 4)), requires_grad=True)
    assert F.max_pool2d(x, 2).op == "MaxPool2d"
    out = F.conv2d(x, np.ones((1, 1, 2, 2)))
    ops, stack = set(), [out]
    while stack:
        t = stack.pop()
        ops.add(t.op)
        stack.extend(t.parents)
    assert {"Im2Col", "MatMul", "Reshape"} <= ops


def test_inputs_without_grad_record_nothing():
    with no_grad():
        out = F.conv2d(Tensor(np.ones((1, 1, 3, 3)), requires_grad=True), np.ones((1, 1, 2, 2)))
    assert not out.requires_grad
    out = F.max_pool2d(np.ones((1, 1, 4, 4)), 2)
    assert not out.requires_grad


# --------------------------------------------------------------------------- errors that teach
@pytest.mark.parametrize("call, message", [
    (lambda: F.conv2d(np.ones((1, 3, 5, 5)), np.ones((2, 1, 3, 3))),
     r"input has 3 channels .*\(1, 3, 5, 5\).*weight \(2, 1, 3, 3\).*expects 1.*in_channels=3"),
    (lambda: F.conv2d(np.ones((64, 784)), np.ones((2, 1, 3, 3))),
     r"4-D input \(N, C, H, W\) or a 3-D one.*\(64, 784\).*x.reshape\(-1, 1, 28, 28\)"),
    (lambda: F.conv2d(np.ones(25), np.ones((2, 1, 3, 3))), r"got shape \(25,\)$"),
    (lambda: F.conv2d(np.ones((1, 1, 2, 2)), np.ones((2, 1, 3, 3))),
     r"kernel \(3, 3\) is larger than the padded input \(2, 2\).*padding \(0, 0\)"),
    (lambda: F.conv2d(np.ones((1, 1, 2, 5)), np.ones((2, 1, 3, 3)), padding=(0, 1)),
     r"kernel \(3, 3\) is larger than the padded input \(2, 7\)"),
    (lambda: F.conv2d(np.ones((1, 1, 5, 5)), np.ones((2, 1, 3, 3)), np.ones(3)),
     r"bias must have shape \(2,\).*got \(3,\)"),
    (lambda: F.conv2d(np.ones((1, 1, 5, 5)), np.ones((2, 9))), r"weight must be 4-D.*\(2, 9\)"),
    (lambda: F.conv2d(np.ones((1, 1, 5, 5)), np.ones((2, 1, 3, 3)), stride=0),
     r"stride must be positive, got stride=\(0, 0\)"),
    (lambda: F.conv2d(np.ones((1, 1, 5, 5)), np.ones((2, 1, 3, 3)), padding=(0, -1)),
     r"padding must be 0 or more"),
    (lambda: F.max_pool2d(np.ones((1, 1, 5, 5)), 3, padding=2),
     r"padding \(2, 2\) must be at most half the kernel \(3, 3\)"),
    (lambda: F.avg_pool2d(np.ones((1, 1, 5, 5)), (3, 5), padding=(1, 3)),
     r"padding \(1, 3\) must be at most half the kernel \(3, 5\)"),
    (lambda: F.max_pool2d(np.ones((1, 1, 2, 2)), 3),
     r"window \(3, 3\) does not fit in the input \(1, 1, 2, 2\).*empty"),
    (lambda: F.avg_pool2d(np.ones((1, 1, 5, 2)), (2, 3)), r"window \(2, 3\) does not fit"),
    # padding counts twice, once per side: 1 + 2·1 < 4 (PyTorch: "Output size is too small")
    (lambda: F.max_pool2d(np.ones((1, 1, 1, 5)), (4, 2), padding=1),
     r"window \(4, 2\) does not fit in the input \(1, 1, 1, 5\) with padding \(1, 1\)"),
    (lambda: F.max_pool2d(np.ones((1, 1, 5, 1)), (2, 4), padding=1), r"window \(2, 4\) does not fit"),
    (lambda: F.max_pool2d(np.ones((1, 1, 5, 5)), 0), r"kernel_size must be positive"),
    (lambda: F.avg_pool2d(np.ones((1, 1, 5, 5)), 2, stride=(1, 0)), r"stride must be positive"),
    (lambda: F.max_pool2d(np.ones((5, 5)), 2), r"max_pool2d: expected a 4-D input.*\(5, 5\)"),
])
def test_mistakes_are_named_with_shapes(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("value", [1.5, (1, 2, 3), "same", True, (1, None)])
def test_an_argument_that_is_not_an_int_or_a_pair_of_ints_is_refused(value):
    with pytest.raises(TypeError, match=r"conv2d: padding must be an int or a pair of ints"):
        F.conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), padding=value)
    with pytest.raises(TypeError, match=r"Conv2d: kernel_size must be an int or a pair"):
        Conv2d(1, 1, value)
    with pytest.raises(TypeError, match=r"max_pool2d: stride must be an int or a pair"):
        F.max_pool2d(np.ones((1, 1, 5, 5)), 2, stride=value)


# --------------------------------------------------------------------------- the layers
def test_conv2d_layer_shapes_init_and_repr():
    manual_seed(0)
    conv = Conv2d(2, 8, (3, 5), stride=2, padding=(1, 2))
    assert conv.weight.shape == (8, 2, 3, 5) and conv.bias.shape == (8,)
    bound = 1 / math.sqrt(2 * 3 * 5)
    for p in (conv.weight, conv.bias):    # U(−1/√fan_in, 1/√fan_in), reaching near the bound
        assert p.requires_grad and np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.8 * bound
    assert conv(np.ones((4, 2, 9, 9))).shape == (4, 8, 5, 5)
    assert repr(conv) == "Conv2d(2, 8, kernel_size=(3, 5), stride=(2, 2), padding=(1, 2))"
    assert repr(Conv2d(1, 2, 3, bias=False)) == \
        "Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), bias=False)"
    assert list(conv.state_dict()) == ["weight", "bias"]


def test_conv2d_init_is_kaiming_uniform_with_a_sqrt5_drawn_weight_then_bias():
    manual_seed(3)
    conv = Conv2d(3, 4, 2)
    manual_seed(3)
    weight = init.kaiming_uniform_(Tensor(np.empty((4, 3, 2, 2))), a=math.sqrt(5))
    bias = init.uniform_(Tensor(np.empty(4)), -1 / math.sqrt(12), 1 / math.sqrt(12))
    np.testing.assert_allclose(conv.weight.data, weight.data, rtol=1e-12)
    np.testing.assert_allclose(conv.bias.data, bias.data, rtol=1e-12)


def test_conv2d_layer_options():
    manual_seed(0)
    pointwise = Conv2d(4, 5, 1)              # a 1×1 convolution: a Linear at every pixel
    assert pointwise.weight.shape == (5, 4, 1, 1) and pointwise(np.ones((2, 4, 3, 3))).shape \
        == (2, 5, 3, 3)
    previous = get_default_dtype()
    try:
        set_default_dtype(np.float32)
        assert Conv2d(1, 2, 3).weight.dtype == Conv2d(1, 2, 3).bias.dtype == np.float32
    finally:
        set_default_dtype(previous)
    assert Conv2d(1, 2, 3, bias=False).bias is None
    assert list(Conv2d(1, 2, 3, bias=False).state_dict()) == ["weight"]
    assert Conv2d(1, 2, 3, dtype=np.float32).weight.dtype == np.float32
    for bad in (0, -1, 2.0, True):
        with pytest.raises(ValueError, match="Conv2d: in_channels must be a positive integer"):
            Conv2d(bad, 2, 3)
    with pytest.raises(ValueError, match="Conv2d: out_channels must be a positive integer"):
        Conv2d(1, 0, 3)
    with pytest.raises(ValueError, match=r"stride must be positive.*stride=\(0, 1\)"):
        Conv2d(1, 2, 3, stride=(0, 1))
    with pytest.raises(ValueError, match=r"padding 0 or more.*padding=\(-1, -1\)"):
        Conv2d(1, 2, 3, padding=-1)
    with pytest.raises(ValueError, match=r"kernel_size=\(3, 0\)"):
        Conv2d(1, 2, (3, 0))


def test_pool_layers_default_stride_is_the_kernel_and_repr_as_pytorch():
    x = np.arange(36.0).reshape(1, 1, 6, 6)
    assert MaxPool2d(2)(x).shape == AvgPool2d(2)(x).shape == (1, 1, 3, 3)
    assert MaxPool2d(3, stride=1, padding=1)(x).shape == (1, 1, 6, 6)
    np.testing.assert_array_equal(AvgPool2d((2, 3), stride=(2, 3))(x).data,
                                  F.avg_pool2d(x, (2, 3)).data)
    np.testing.assert_array_equal(MaxPool2d(2, padding=1)(x).data,
                                  F.max_pool2d(x, 2, 2, 1).data)
    assert repr(MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0)"
    assert repr(AvgPool2d((2, 3), 1, 1)) == "AvgPool2d(kernel_size=(2, 3), stride=1, padding=1)"
    assert not list(MaxPool2d(2).parameters()) and not isinstance(AvgPool2d(2), MaxPool2d)


def test_a_cnn_module_in_pytorchs_mnist_shape_trains():
    class Net(Module):
        def __init__(self):
            super().__init__()
            self.conv1 = Conv2d(1, 4, 3, padding=1)
            self.fc = Linear(4 * 2 * 2, 2)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), 2)
            return self.fc(x.flatten(1))

    manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((32, 1, 4, 4))
    y = (X[:, 0, :2].sum(axis=(1, 2)) > X[:, 0, 2:].sum(axis=(1, 2))).astype(np.int64)
    net = Net()
    optimizer = Adam(net.parameters(), lr=0.05)
    for _ in range(60):
        loss = F.cross_entropy(net(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.2
    assert list(net.state_dict()) == ["conv1.weight", "conv1.bias", "fc.weight", "fc.bias"]
