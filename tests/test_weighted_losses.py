"""Class weights and ignore_index in the classification losses (API §14, as PyTorch 2.x):
``nn.CrossEntropyLoss(weight)`` (PyTorch's first positional argument), ``weight=`` and
``ignore_index=`` on ``F.cross_entropy`` / ``F.nll_loss``, with PyTorch's weighted mean.
Values, gradients and double-backward products are held to PyTorch's stored numbers
(``reference/make_edges_reference.py``), and to live PyTorch when it is installed."""
import os
import warnings

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import Tensor, nn
from tinygrad_edu.gradcheck import gradcheck, gradgradcheck
from tinygrad_edu.nn import functional as F

import edge_cases_round3 as cases

REFERENCE = os.path.join(os.path.dirname(__file__), "reference", "edges_reference.npz")


@pytest.fixture(scope="module")
def stored():
    with np.load(REFERENCE) as archive:
        return {key: archive[key] for key in archive.files}


def _tolerance(name):
    return 2e-6 if cases.LOSS_CASES[name][2] == "float32" else 1e-12


@pytest.mark.parametrize("name", list(cases.LOSS_CASES))
def test_loss_gradient_and_double_backward_match_pytorchs_stored_numbers(name, stored):
    ours = cases.run_loss_case(tinygrad_edu, F, name)
    for key, value in ours.items():
        expected = stored[f"loss/{name}/{key}"]
        assert value.dtype == expected.dtype, (key, value.dtype, expected.dtype)
        np.testing.assert_allclose(value, expected, rtol=_tolerance(name),
                                   atol=_tolerance(name), err_msg=f"{name}: {key}")


def test_the_stored_numbers_are_live_pytorchs():
    torch = pytest.importorskip("torch")
    for name in cases.LOSS_CASES:
        ours = cases.run_loss_case(tinygrad_edu, F, name)
        live = cases.run_loss_case(torch, torch.nn.functional, name)
        for key in ours:
            np.testing.assert_allclose(ours[key], live[key], rtol=_tolerance(name),
                                       atol=_tolerance(name), err_msg=f"{name}: {key}")


@pytest.mark.parametrize("name", [n for n, case in cases.LOSS_CASES.items()
                                  if case[2] == "float64"])
def test_weighted_losses_pass_gradcheck_and_gradgradcheck(name):
    function, _, _, kind, kwargs = cases.LOSS_CASES[name]
    logits, target, weight, _, _ = cases.loss_case_inputs(name)
    options = {k: v for k, v in kwargs.items() if k != "weight"}
    inputs = [Tensor(logits, requires_grad=True)]
    if kind == "probs":   # the soft target gets a gradient too
        inputs.append(Tensor(target, requires_grad=True))

    def loss(x, t=target):
        return getattr(F, function)(x, t, weight=weight, **options)

    assert gradcheck(loss, *inputs)
    assert gradgradcheck(loss, *inputs)


def test_cross_entropy_loss_takes_weight_as_its_first_positional_argument():
    logits, target, weight, _, _ = cases.loss_case_inputs("ce_ignored_weight_mean")
    module = nn.CrossEntropyLoss(weight)
    expected = F.cross_entropy(logits, target, weight=weight).item()
    assert module(logits, target).item() == expected
    assert nn.CrossEntropyLoss(Tensor(weight))(logits, target).item() == expected
    assert nn.CrossEntropyLoss(weight, None, -100, None, "sum")(logits, target).item() == \
        F.cross_entropy(logits, target, weight=weight, reduction="sum").item()
    unweighted = nn.CrossEntropyLoss()(logits, target).item()
    assert unweighted != expected
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    np.testing.assert_allclose(nn.NLLLoss(weight)(log_probs, target).item(), expected,
                               rtol=1e-14)
    assert nn.CrossEntropyLoss(ignore_index=3)(logits, np.where(target == -100, 3, target)) \
        .item() == unweighted


def test_the_weighted_mean_divides_by_the_weights_of_the_targets():
    logits = np.array([[0.0, 0.0], [0.0, 2.0], [1.0, -1.0]])
    target = np.array([0, 1, 1])
    weight = np.array([3.0, 0.5])
    per_sample = F.cross_entropy(logits, target, reduction="none").data
    w = weight[target]
    assert F.cross_entropy(logits, target, weight=weight).item() == pytest.approx(
        (w * per_sample).sum() / w.sum(), rel=1e-15)
    assert F.cross_entropy(logits, target, weight=weight, reduction="none").data.tolist() == \
        pytest.approx((w * per_sample).tolist(), rel=1e-15)


@pytest.mark.parametrize("function, nan_where_weights_are_0", [
    (F.cross_entropy, np.ones((2, 3), bool)),                 # softmax spreads the nan
    (F.nll_loss, np.array([[False, True, False]] * 2))])       # only the picked entries
def test_all_targets_ignored_gives_nan_and_zero_gradients_as_pytorch(function,
                                                                      nan_where_weights_are_0):
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    loss = function(x, np.array([-100, -100]))
    loss.backward()
    assert np.isnan(loss.item()) and x.grad.tolist() == [[0.0] * 3] * 2
    x = Tensor(np.ones((2, 3)), requires_grad=True)   # weights all 0: nan gradients instead
    loss = function(x, np.array([1, 1]), weight=np.array([1.0, 0.0, 1.0]))
    loss.backward()
    assert np.isnan(loss.item())
    np.testing.assert_array_equal(np.isnan(x.grad), nan_where_weights_are_0)
    assert (x.grad[~nan_where_weights_are_0] == 0).all()


def test_bce_losses_weigh_each_element_before_the_plain_mean():
    probs, target = np.array([0.2, 0.7, 0.9]), np.array([0.0, 1.0, 1.0])
    weight = np.array([2.0, 1.0, 0.5])
    per = F.binary_cross_entropy(probs, target, reduction="none").data
    assert nn.BCELoss(weight)(probs, target).item() == pytest.approx((weight * per).mean())
    logits = np.log(probs / (1 - probs))
    assert nn.BCEWithLogitsLoss(weight, reduction="sum")(logits, target).item() == \
        pytest.approx((weight * per).sum(), rel=1e-12)
    torch = pytest.importorskip("torch")
    assert nn.BCELoss(weight)(probs, target).item() == pytest.approx(
        torch.nn.BCELoss(torch.tensor(weight))(torch.tensor(probs), torch.tensor(target))
        .item(), rel=1e-14)


@pytest.mark.parametrize("make", [
    lambda: nn.CrossEntropyLoss("sum"), lambda: nn.NLLLoss("none"), lambda: nn.BCELoss("sum"),
    lambda: nn.MSELoss("sum"), lambda: F.cross_entropy(np.zeros((1, 2)), [0], "sum"),
    lambda: F.nll_loss(np.zeros((1, 2)), [0], "sum")])
def test_a_reduction_given_where_pytorch_has_weight_says_to_write_it_as_a_keyword(make):
    with pytest.raises(TypeError, match=r"reduction='(sum|none)'"):
        make()


def test_pytorchs_deprecated_size_average_and_reduce_pick_the_reduction_with_its_warning():
    logits, target = np.array([[0.0, 1.0], [2.0, 0.0]]), np.array([1, 1])
    for kwargs, reduction in [({"reduce": False}, "none"), ({"size_average": False}, "sum"),
                              ({"size_average": True}, "mean")]:
        with pytest.warns(UserWarning, match=f"reduction='{reduction}'"):
            module = nn.CrossEntropyLoss(**kwargs)
        assert module.reduction == reduction
        with pytest.warns(UserWarning):
            value = F.cross_entropy(logits, target, **kwargs).data
        np.testing.assert_array_equal(
            value, F.cross_entropy(logits, target, reduction=reduction).data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.CrossEntropyLoss(reduction="sum")           # no warning without the old arguments


@pytest.mark.parametrize("weight, words", [
    (np.ones(2), r"weight must hold one number per class, shape \(3,\) .* got float64 of "
                 r"shape \(2,\)"),
    (np.ones((3, 1)), r"shape \(3,1\)|shape \(3, 1\)"),
])
def test_a_weight_of_the_wrong_shape_is_refused_naming_both_shapes(weight, words):
    with pytest.raises(ValueError, match=words):
        F.cross_entropy(np.zeros((2, 3)), [0, 1], weight=weight)


def test_a_weight_that_requires_grad_is_refused_as_pytorch_cannot_differentiate_it():
    w = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"weight\.detach\(\)"):
        F.cross_entropy(np.zeros((2, 3)), [0, 1], weight=w)
    with tinygrad_edu.no_grad():
        F.cross_entropy(np.zeros((2, 3)), [0, 1], weight=w)


def test_ignore_index_is_for_class_indices_only_and_out_of_range_targets_still_fail():
    with pytest.raises(ValueError, match="ignore_index works with class indices only"):
        F.cross_entropy(np.zeros((2, 3)), np.full((2, 3), 1 / 3), ignore_index=1)
    with pytest.raises(ValueError, match=r"0\.\.2 .*ignore_index=5\); got \[-100\]"):
        F.cross_entropy(np.zeros((2, 3)), [5, -100], ignore_index=5)


def test_nll_loss_module_picks_entries_it_does_not_softmax_them():
    scores = np.array([[1.0, -2.0, 0.5], [0.3, 0.3, 3.0]])     # not log-probabilities
    target = np.array([2, 0])
    weight = np.array([2.0, 1.0, 0.5])
    assert nn.NLLLoss()(scores, target).item() == pytest.approx(-(0.5 + 0.3) / 2)
    assert nn.NLLLoss(weight)(scores, target).item() == pytest.approx(
        -(0.5 * 0.5 + 2.0 * 0.3) / (0.5 + 2.0))


def test_a_string_in_size_averages_place_names_the_real_first_argument():
    with pytest.raises(TypeError, match="the first positional one is weight"):
        nn.CrossEntropyLoss(None, "sum")
    with pytest.raises(TypeError, match="the first positional one is the deprecated "
                                        "size_average"):
        nn.MSELoss("sum")


def test_the_out_of_range_message_names_ignore_index_only_when_it_was_changed():
    with pytest.raises(ValueError) as default:
        F.cross_entropy(np.zeros((2, 3)), [0, 7])
    assert "ignore_index" not in str(default.value)
    with pytest.raises(ValueError, match=r"ignore_index=-1\); got \[7\]"):
        F.nll_loss(np.zeros((2, 3)), [-1, 7], ignore_index=-1)
