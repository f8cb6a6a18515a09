"""nn.functional: values and gradients against stored PyTorch numbers, full-Jacobian
gradchecks, and the errors (contract §4).

Reference numbers: tests/reference/nn_reference.npz, made by make_nn_reference.py (torch).
"""
import json
import os
import warnings

import numpy as np
import pytest

from tinygrad_edu import Tensor, detect_anomaly
from tinygrad_edu.gradcheck import gradcheck
from tinygrad_edu.nn import MLP, Linear, ReLU, Sequential, Tanh
from tinygrad_edu.nn import functional as F

REFERENCE = np.load(os.path.join(os.path.dirname(__file__), "reference", "nn_reference.npz"))
CONFIG = json.loads(str(REFERENCE["config"]))


# --------------------------------------------------------------------------- PyTorch reference
@pytest.mark.parametrize("case", sorted(CONFIG))
def test_values_and_gradients_match_pytorch(case):
    cfg = CONFIG[case]
    args = []
    for name in cfg["inputs"]:
        value = REFERENCE[f"{case}/{name}"]
        args.append(Tensor(value, requires_grad=True) if name in cfg["grad_inputs"] else value)
    out = getattr(F, cfg["fn"])(*args, **cfg["kwargs"])
    expected = REFERENCE[f"{case}/out"]
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)
    out.backward(REFERENCE[f"{case}/upstream"])
    for name, arg in zip(cfg["inputs"], args):
        if name in cfg["grad_inputs"]:
            np.testing.assert_allclose(arg.grad, REFERENCE[f"{case}/grad_{name}"],
                                       rtol=1e-7, atol=1e-12, err_msg=f"{case}: grad of {name}")


def test_reference_covers_every_loss_with_every_reduction():
    for fn in ("mse_loss", "cross_entropy", "binary_cross_entropy",
               "binary_cross_entropy_with_logits"):
        reductions = {CONFIG[c]["kwargs"].get("reduction") for c in CONFIG if CONFIG[c]["fn"] == fn}
        assert reductions == {"mean", "sum", "none"}, fn


MLP_KEYS = [k[len("mlp/state/"):] for k in REFERENCE.files if k.startswith("mlp/state/")]


def _torch_shaped_model():
    return Sequential(Linear(3, 8), ReLU(), Linear(8, 6), Tanh(), Linear(6, 4))


def test_pytorch_state_dict_loads_and_gives_the_same_outputs_and_gradients():
    model = _torch_shaped_model()
    assert list(model.state_dict()) == MLP_KEYS
    model.load_state_dict({k: REFERENCE[f"mlp/state/{k}"] for k in MLP_KEYS})
    x = Tensor(REFERENCE["mlp/x"], requires_grad=True)
    logits = model(x)
    np.testing.assert_allclose(logits.data, REFERENCE["mlp/logits"], rtol=1e-10, atol=1e-12)
    loss = F.cross_entropy(logits, REFERENCE["mlp/target"])
    np.testing.assert_allclose(loss.item(), REFERENCE["mlp/loss"], rtol=1e-10)
    loss.backward()
    for name, param in model.named_parameters():
        np.testing.assert_allclose(param.grad, REFERENCE[f"mlp/grad/{name}"], rtol=1e-8,
                                   atol=1e-12, err_msg=name)
    np.testing.assert_allclose(x.grad, REFERENCE["mlp/grad_x"], rtol=1e-8, atol=1e-12)


def test_mlp_keys_equal_those_of_the_same_torch_sequential():
    assert list(MLP([3, 8, 6, 4]).state_dict()) == MLP_KEYS


# --------------------------------------------------------------------------- gradcheck catalog
rng = np.random.default_rng(1)


def _away_from_zero(*shape):
    x = rng.standard_normal(shape)
    return x + np.sign(x) * 0.1      # |x| > 0.1: relu's kink is out of the finite differences


def _probs(*shape):
    return rng.uniform(0.1, 0.9, shape)


GRADCHECK = [
    ("relu", lambda x: F.relu(x), [_away_from_zero(3, 4)]),
    ("tanh", lambda x: F.tanh(x), [rng.standard_normal((3, 4))]),
    ("sigmoid", lambda x: F.sigmoid(x), [rng.standard_normal((3, 4)) * 3]),
    ("softmax", lambda x: F.softmax(x, dim=1), [rng.standard_normal((3, 4))]),
    ("softmax_axis0", lambda x: F.softmax(x, axis=0), [rng.standard_normal((3, 4))]),
    ("log_softmax", lambda x: F.log_softmax(x, dim=1), [rng.standard_normal((3, 4))]),
    ("log_softmax_dim1", lambda x: F.log_softmax(x, dim=1), [rng.standard_normal((2, 3, 2))]),
    ("linear", lambda x, w, b: F.linear(x, w, b),
     [rng.standard_normal((4, 3)), rng.standard_normal((2, 3)), rng.standard_normal(2)]),
    ("linear_vector_input", lambda x, w, b: F.linear(x, w, b),
     [rng.standard_normal(3), rng.standard_normal((2, 3)), rng.standard_normal(2)]),
    ("linear_3d_input_no_bias", lambda x, w: F.linear(x, w),
     [rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 3))]),
    ("linear_broadcast_bias", lambda x, w, b: F.linear(x, w, b),
     [rng.standard_normal((4, 3)), rng.standard_normal((2, 3)), rng.standard_normal((4, 1))]),
]
_labels = np.array([0, 2, 1, 2, 3])
for _reduction in ("mean", "sum", "none"):
    GRADCHECK += [
        (f"mse_loss_{_reduction}", lambda a, b, r=_reduction: F.mse_loss(a, b, reduction=r),
         [rng.standard_normal((3, 2)), rng.standard_normal((3, 2))]),
        (f"cross_entropy_{_reduction}",
         lambda z, r=_reduction: F.cross_entropy(z, _labels, reduction=r),
         [rng.standard_normal((5, 4)) * 2]),
        (f"binary_cross_entropy_{_reduction}",
         lambda p, t, r=_reduction: F.binary_cross_entropy(p, t, reduction=r),
         [_probs(2, 3), _probs(2, 3)]),
        (f"bce_with_logits_{_reduction}",
         lambda x, t, r=_reduction: F.binary_cross_entropy_with_logits(x, t, reduction=r),
         [rng.standard_normal((2, 3)) * 3, _probs(2, 3)]),
    ]


@pytest.mark.parametrize("name, fn, arrays", GRADCHECK, ids=[g[0] for g in GRADCHECK])
def test_gradcheck_full_jacobian(name, fn, arrays):
    inputs = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    assert gradcheck(fn, *inputs)


# --------------------------------------------------------------------------- behaviour
def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    logits = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    target = np.array([2, 0, 1, 1])
    F.cross_entropy(logits, target).backward()
    softmax = np.exp(logits.data) / np.exp(logits.data).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(logits.grad, (softmax - np.eye(3)[target]) / 4, rtol=1e-12)


def test_stable_for_extreme_logits_without_nan_or_overflow():
    logits = Tensor(np.array([[1e4, -1e4, 0.0], [-800.0, 800.0, 0.0]]), requires_grad=True)
    with detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("error")                 # no overflow warnings either
        loss = F.cross_entropy(logits, np.array([1, 1]))
        loss.backward()
        x = Tensor(np.array([-1000.0, 1000.0]), requires_grad=True)
        F.binary_cross_entropy_with_logits(x, np.array([1.0, 0.0]), reduction="sum").backward()
    assert loss.item() == pytest.approx(1e4, rel=1e-12)   # (2e4 + 0) / 2
    np.testing.assert_allclose(x.grad, [-1.0, 1.0])


def test_binary_cross_entropy_clamps_the_log_at_minus_100():
    loss = F.binary_cross_entropy(np.array([0.0, 1.0]), np.array([1.0, 0.0]), reduction="none")
    np.testing.assert_array_equal(loss.data, [100.0, 100.0])


def test_integer_targets_may_come_as_tensors_or_lists():
    logits = np.array([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]])
    expected = F.cross_entropy(logits, np.array([1, 2])).item()
    assert F.cross_entropy(logits, Tensor(np.array([1, 2]))).item() == expected
    assert F.cross_entropy(logits, [1, 2]).item() == expected
    assert F.cross_entropy(logits[0], 1).shape == ()                # one sample, (C,)


def test_functions_name_their_first_argument_input_as_pytorch():
    import inspect
    for loss in (F.mse_loss, F.cross_entropy, F.binary_cross_entropy,
                 F.binary_cross_entropy_with_logits):
        assert list(inspect.signature(loss).parameters)[:2] == ["input", "target"], loss
    for fn in (F.relu, F.tanh, F.sigmoid, F.softmax, F.log_softmax, F.linear):
        assert list(inspect.signature(fn).parameters)[0] == "input", fn
    assert F.cross_entropy(input=np.zeros((1, 2)), target=np.array([1])).item() == \
        pytest.approx(np.log(2))


def test_cross_entropy_with_class_probabilities_matches_the_one_hot_indices():
    logits = Tensor(np.array([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]]), requires_grad=True)
    by_index = F.cross_entropy(logits, np.array([1, 2]), reduction="none")
    by_probs = F.cross_entropy(logits, np.eye(3)[[1, 2]], reduction="none")
    np.testing.assert_allclose(by_probs.data, by_index.data, rtol=1e-12)
    soft = Tensor(np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]]), requires_grad=True)
    assert gradcheck(lambda z, t: F.cross_entropy(z, t, reduction="none"), logits, soft)
    assert gradcheck(lambda z, t: F.cross_entropy(z, t), logits, soft)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_with_class_probabilities_is_twice_differentiable(reduction):
    from tinygrad_edu.gradcheck import gradgradcheck
    rng = np.random.default_rng(3)
    logits = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    soft = Tensor(rng.dirichlet(np.ones(4), size=3), requires_grad=True)
    assert gradgradcheck(lambda z, t: F.cross_entropy(z, t, reduction=reduction), logits, soft)
    assert gradgradcheck(lambda z: F.cross_entropy(z, soft.data, reduction=reduction), logits)
    # one sample: logits (C,) and probabilities (C,), as PyTorch allows
    assert gradgradcheck(lambda z, t: F.cross_entropy(z, t, reduction=reduction),
                         Tensor(logits.data[0], requires_grad=True),
                         Tensor(soft.data[0], requires_grad=True))


def test_binary_cross_entropy_at_p_0_and_1_has_the_same_gradient_with_create_graph():
    """At p = 0 or 1 p(1 − p) = 0 is floored at 1e-12 (PyTorch's formula), also in the
    Tensor form that create_graph uses: ∂ℓ/∂p = (p − t)/1e-12, not 0/0 = nan."""
    from tinygrad_edu.autograd import grad
    p = Tensor([0.0, 1.0, 0.25], requires_grad=True)
    t = np.array([1.0, 0.0, 0.5])
    expected = [-1e12, 1e12, -0.25 / 0.1875]
    (plain,) = grad(F.binary_cross_entropy(p, t, reduction="sum"), [p])
    (recorded,) = grad(F.binary_cross_entropy(p, t, reduction="sum"), [p], create_graph=True)
    np.testing.assert_allclose(plain.data, expected, rtol=1e-12)
    np.testing.assert_allclose(recorded.data, expected, rtol=1e-12)


def test_binary_cross_entropy_accepts_integer_and_bool_hard_labels():
    p = Tensor(np.float32([0.2, 0.9]), requires_grad=True)
    expected = F.binary_cross_entropy(p, np.float32([0.0, 1.0]))
    for labels in (Tensor([0, 1]), np.array([False, True]), [0, 1]):
        loss = F.binary_cross_entropy(p, labels)
        assert loss.dtype == np.float32 and loss.item() == expected.item()
        assert F.binary_cross_entropy_with_logits(p, labels).dtype == np.float32


def test_functional_accepts_arrays_and_numbers_as_constants():
    out = F.mse_loss(3.0, 1.0)
    assert isinstance(out, Tensor) and out.item() == 4.0 and not out.requires_grad
    assert F.relu(-2.0).item() == 0.0
    assert F.sigmoid(np.zeros(2)).data.tolist() == [0.5, 0.5]


@pytest.mark.parametrize("call, match", [
    (lambda: F.cross_entropy(np.zeros((3, 4)), np.array([0, 1])), r"\(3,\).*\(2,\)"),
    (lambda: F.cross_entropy(np.zeros((3, 4)), np.array([0, 4, -1])), r"0\.\.3.*got \[-1 +4\]$"),
    (lambda: F.cross_entropy(np.zeros((2, 4)), np.array([0.5, 1.0])), "integer"),
    (lambda: F.cross_entropy(np.zeros((2, 4)), Tensor([0.0, 1.0])),      # whole numbers too
     r"class probabilities.*shape \(2, 4\).*\(2,\).*integers"),
    (lambda: F.binary_cross_entropy(np.full(2, 0.5), np.array([1.0, 2.0])),
     r"target must lie in \[0, 1\].*2\."),
    (lambda: F.binary_cross_entropy(np.full(2, 0.5), np.array([-0.5, 1.0])), r"target.*-0\.5"),
    (lambda: F.binary_cross_entropy(np.full(2, 0.5), np.array([np.nan, 1.0])), r"target.*nan"),
    (lambda: F.cross_entropy(np.zeros((2, 4)), np.array([True, False])), "bool"),
    (lambda: F.cross_entropy(np.zeros((2, 3, 4)), np.zeros(2, dtype=int)), r"\(2, 3, 4\)"),
    (lambda: F.binary_cross_entropy(np.array([0.5, 1.5]), np.ones(2)), r"\[0, 1\].*1\.5"),
    (lambda: F.binary_cross_entropy(np.full(3, 0.5), np.ones((3, 1))), r"\(3, 1\).*\(3,\)"),
    (lambda: F.binary_cross_entropy_with_logits(np.zeros(3), np.ones(2)), r"\(2,\).*\(3,\)"),
    (lambda: F.linear(np.zeros((2, 3)), np.zeros((4, 5))), r"\(2, 3\).*\(4, 5\)"),
])
def test_bad_inputs_raise_value_errors_with_details(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("loss", [F.mse_loss, F.binary_cross_entropy,
                                  F.binary_cross_entropy_with_logits])
def test_bad_reduction_is_rejected(loss):
    with pytest.raises(ValueError, match="'avg'"):
        loss(np.full(2, 0.5), np.ones(2), reduction="avg")
    with pytest.raises(ValueError, match="reduction"):
        F.cross_entropy(np.zeros((2, 3)), np.array([0, 1]), reduction="Mean")


def test_mse_loss_warns_when_shapes_broadcast():
    with pytest.warns(UserWarning, match=r"\(4, 1\).*\(4,\)"):
        out = F.mse_loss(np.zeros((4, 1)), np.arange(4.0), reduction="none")
    assert out.shape == (4, 4)      # what PyTorch computes too — rarely what you want


def test_linear_is_one_operation_with_the_composed_values_and_dtypes():
    """F.linear is fused (one graph node); it must agree with x @ W.T + b, keep float32
    float32, and promote a float64 bias the way ``+`` does."""
    x = rng.standard_normal((5, 3)).astype(np.float32)
    w = Tensor(rng.standard_normal((2, 3)).astype(np.float32), requires_grad=True)
    b = Tensor(rng.standard_normal(2).astype(np.float32), requires_grad=True)
    out = F.linear(x, w, b)
    assert out.op == "Linear" and out.dtype == np.float32
    np.testing.assert_allclose(out.data, x @ w.data.T + b.data, rtol=1e-6)
    out.sum().backward()
    assert w.grad.dtype == np.float32 and w.grad.flags.c_contiguous   # W's own layout
    np.testing.assert_allclose(w.grad, np.ones((5, 2)).T @ x, rtol=1e-6)
    np.testing.assert_allclose(b.grad, [5.0, 5.0])
    wide = F.linear(x, w, np.ones(2))      # float64 bias: promoted, not truncated
    assert wide.dtype == np.float64
