"""Behaviour the round-3 mutation sample found unpinned (seeds 0 and 7 over the engine).

Each test names the line it guards; each was checked to fail with that line removed."""
import numpy as np
import pytest

from tinygrad_edu import Tensor, nn, optim
from tinygrad_edu.autograd import grad


def test_create_graph_after_an_in_place_change_reaches_the_node_the_op_used():
    # z = y + 3 used y when it was 2x; y *= x afterwards makes y = 2x² — a later node.
    # dz/dx must go through the y that z used (2), not today's y (4x): PyTorch gives 2.
    # (function.py, chain_rule_on_tensors: parent = node_at(parent, ctx.saved_at))
    x = Tensor([1.5, -2.0], requires_grad=True)
    y = x * 2
    z = y + 3
    y *= x
    (g,) = grad(z.sum(), [x], create_graph=True)
    np.testing.assert_array_equal(g.data, [2.0, 2.0])


def test_create_graph_through_a_freed_graph_raises_the_second_backward_error():
    # (function.py, chain_rule_on_tensors: _freed(node))
    x = Tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        grad(loss, [x], create_graph=True)


def test_min_refuses_dim_and_axis_together():
    # (tensor.py, Tensor.min: the dim-and-axis TypeError)
    with pytest.raises(TypeError, match="min: give dim= .* or axis= .*not both"):
        Tensor([[1.0, 2.0]]).min(dim=0, axis=0)


@pytest.mark.parametrize("slope", ["0.2", True, None.__class__])
def test_leaky_relu_gain_refuses_a_slope_that_is_not_a_number(slope):
    # (nn/init.py, calculate_gain: negative_slope must be a real number)
    with pytest.raises(ValueError, match="negative_slope .* is not a valid number"):
        nn.init.calculate_gain("leaky_relu", slope)


def test_load_state_dict_names_a_value_that_is_not_numeric():
    # (nn/module.py, load_state_dict: the "is not numeric" problem)
    layer = nn.Linear(2, 1)
    before = layer.weight.data.copy()
    state = layer.state_dict()
    state["weight"] = np.array([["a", "b"]])
    with pytest.raises(nn.StateDictError, match="'weight' is not numeric"):
        layer.load_state_dict(state)
    np.testing.assert_array_equal(layer.weight.data, before)     # nothing half-loaded


def test_an_optimizer_without_hyper_parameters_says_which_class_must_define_them():
    # (optim/optimizer.py, Optimizer._hyper_parameters)
    class Bare(optim.Optimizer):
        @staticmethod
        def rule(param, grad, state):
            param -= grad

    w = Tensor([1.0], requires_grad=True)
    (w * 2).sum().backward()
    with pytest.raises(NotImplementedError, match="Bare must define _hyper_parameters"):
        Bare([w], {}).step()


def test_flatten_of_a_vector_is_the_vector_and_of_a_number_a_one_element_vector():
    # (shape.py, ShapeMixin.flatten: only a 0-d tensor is reshaped to (1,))
    np.testing.assert_array_equal(Tensor([1.0, 2.0, 3.0]).flatten().data, [1.0, 2.0, 3.0])
    assert Tensor(3.0).flatten().shape == (1,)


def test_permute_counts_negative_dims_from_a_vectors_one_axis():
    # (shape.py, ShapeMixin.permute: dims are normalised against max(ndim, 1))
    np.testing.assert_array_equal(Tensor([1.0, 2.0]).permute(-1).data, [1.0, 2.0])
    with pytest.raises((IndexError, ValueError)):
        Tensor([1.0, 2.0]).permute(1)


def test_a_freed_intermediate_keeps_its_shape_and_dtype_for_a_shape_seen_first():
    # The stand-in's array for a (shape, dtype) met for the first time is made on the spot
    # (function.py, _no_numbers: return found).
    x = Tensor(np.ones((3, 13, 2), np.float32), requires_grad=True)
    h = x * 2
    (h * h).sum().backward()
    assert h.shape == (3, 13, 2) and h.dtype == np.float32


def test_abs_gradient_at_zero_is_zero_as_pytorch():
    # (ops/unary.py, Abs.backward: grad * slope, slope = sign(x) = 0 at 0)
    x = Tensor([0.0, -2.0, 3.0], requires_grad=True)
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, -1.0, 1.0])
    (g,) = grad(x.abs().sum(), [x], create_graph=True)         # the same rule on Tensors
    np.testing.assert_array_equal(g.data, [0.0, -1.0, 1.0])


def test_add_and_sub_with_alpha_on_grads_and_tensors():
    # (inplace.py, InPlaceArray.add_/sub_ and InPlaceMixin.sub_: alpha scales `other`)
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * 3).sum().backward()
    w.grad.add_(np.array([1.0, 2.0]), alpha=2)                 # [3, 3] + 2·[1, 2]
    np.testing.assert_array_equal(w.grad, [5.0, 7.0])
    w.grad.sub_(np.array([1.0, 2.0]), alpha=3)                 # [5, 7] − 3·[1, 2]
    np.testing.assert_array_equal(w.grad, [2.0, 1.0])
    t = Tensor([10.0, 20.0])
    t.sub_(Tensor([1.0, 2.0]), alpha=2)
    np.testing.assert_array_equal(t.data, [8.0, 16.0])
    t.sub_(Tensor([1.0, 1.0]))
    np.testing.assert_array_equal(t.data, [7.0, 15.0])


def test_pool_padding_of_exactly_half_the_kernel_is_accepted():
    # PyTorch: padding may be at most half the kernel (conv.py, _pool_arguments)
    from tinygrad_edu.nn import functional as F
    x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    assert F.max_pool2d(x, 2, padding=1).shape == (1, 1, 3, 3)
    assert F.avg_pool2d(x, 2, padding=1).shape == (1, 1, 3, 3)
    with pytest.raises(ValueError):
        F.max_pool2d(x, 2, padding=2)


def test_remainder_and_setitem_can_be_differentiated_with_create_graph():
    # (ops: Remainder and SetItem are twice differentiable, as their rules are xp-written)
    x = Tensor([5.5, -3.0, 7.25], requires_grad=True)
    divisor = Tensor([2.0, 2.0, 3.0], requires_grad=True)
    gx, gd = grad((x % divisor).sum(), [x, divisor], create_graph=True)
    np.testing.assert_array_equal(gx.data, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(gd.data, -np.floor(x.data / divisor.data))
    w = Tensor([3.0], requires_grad=True)
    y = x * 1
    y[0] = w
    gw, gx = grad((y * y).sum(), [w, x], create_graph=True)
    np.testing.assert_array_equal(gw.data, [6.0])
    np.testing.assert_array_equal(gx.data, [0.0, -6.0, 14.5])
    (second,) = grad(gw.sum(), [w])
    np.testing.assert_array_equal(second.data, [2.0])


def test_nll_loss_takes_pytorchs_deprecated_size_average():
    # size_average=False is PyTorch's old spelling of reduction='sum'
    # (nn/functional.py, nll_loss: reduction = _legacy_reduction(...))
    from tinygrad_edu.nn import functional as F
    logp = Tensor(np.log(np.array([[0.25, 0.75], [0.5, 0.5]])))
    target = np.array([1, 0])
    summed = F.nll_loss(logp, target, size_average=False)
    np.testing.assert_allclose(summed.item(), -np.log(0.75) - np.log(0.5), rtol=1e-12)
    np.testing.assert_allclose(F.nll_loss(logp, target, reduce=False).data,
                               [-np.log(0.75), -np.log(0.5)], rtol=1e-12)


# ---- found by this round's last sample (seeds 0 and 7 over the engine, run on 2026-12-07)

def test_numpy_reads_a_tensor_in_its_own_dtype_unless_asked_for_another():
    # (tensor.py, Tensor.__array__: dtype is None -> the array itself; astype(None) is float64)
    from tinygrad_edu import tensor
    ints = tensor([1, 2], dtype=np.int32)
    assert np.asarray(ints).dtype == np.int32
    assert np.asarray(ints, dtype=np.float32).dtype == np.float32
    assert np.asarray(ints, dtype=np.float32).tolist() == [1.0, 2.0]


def test_floor_division_of_shapes_that_do_not_broadcast_explains_broadcasting():
    # (arithmetic.py, FloorDivide.shape_hint)
    with pytest.raises(ValueError, match="FloorDivide failed.*Broadcasting compares shapes"):
        Tensor(np.ones((2, 3))) // Tensor(np.ones(4))


def test_array_normal_and_uniform_default_to_the_standard_distributions():
    # (inplace.py, InPlaceArray.normal_(std=1.0) and InPlaceMixin.uniform_(low=0.0))
    import tinygrad_edu
    from tinygrad_edu.random import generator
    t = Tensor(np.zeros(5))
    for fill in (lambda: t.data.normal_(), lambda: t.normal_()):
        tinygrad_edu.manual_seed(1)
        fill()
        tinygrad_edu.manual_seed(1)
        assert t.tolist() == generator().normal(0.0, 1.0, 5).tolist()
    for fill in (lambda: t.data.uniform_(), lambda: t.uniform_()):
        tinygrad_edu.manual_seed(1)
        fill()
        tinygrad_edu.manual_seed(1)
        assert t.tolist() == generator().uniform(0.0, 1.0, 5).tolist()


def test_clamp_in_place_without_grad_is_seen_by_an_op_that_saved_the_tensor():
    # (inplace.py, InPlaceMixin.clamp_: mark_changed(self) on the no-grad path)
    x = Tensor([1.0, 2.0], requires_grad=True)
    a = Tensor([3.0, -4.0])
    y = (x * a).sum()            # Mul saved a for x's gradient
    a.clamp_(0.0, 1.0)
    with pytest.raises(RuntimeError, match="changed in place"):
        y.backward()


def test_a_uint8_index_warning_points_at_the_users_line():
    # (shape.py, index_part: stacklevel)
    t = Tensor([1.0, 2.0, 3.0])
    with pytest.warns(UserWarning, match="uint8") as record:
        t[np.array([1, 0, 1], np.uint8)]
    assert record[0].filename == __file__


def test_assigning_back_a_plain_view_of_a_view_tensor_counts_as_an_in_place_change():
    # v's array is itself a view (of b's memory); np.asarray(v.data) is another view of the
    # same elements: assigning it back is an in-place change of v, which Mul saved.
    # (tensor.py, _all_of: base is array.base)
    b = Tensor([1.0, 2.0, 3.0])
    v = b[1:]
    w = Tensor([1.0, 1.0], requires_grad=True)
    out = (w * v).sum()
    a = np.asarray(v.data)
    a += 1
    v.data = a
    assert v.data.tolist() == [3.0, 4.0] and b.tolist() == [1.0, 3.0, 4.0]
    with pytest.raises(RuntimeError, match="changed in place"):
        out.backward()


def test_an_index_changed_in_place_before_it_is_used_is_fine():
    # The change came before the indexing was recorded; an unrelated change afterwards makes
    # backward look at the versions. (versions.py, check_versions: version > saved_at)
    from tinygrad_edu import zeros
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    i = Tensor([0])
    i += 1
    y = x[i]
    other = zeros(1)
    other += 1
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]


def test_floor_division_refuses_its_derivative_the_same_way_with_create_graph():
    # PyTorch: "derivative for floor_divide is not implemented", with or without
    # create_graph; not "cannot be differentiated twice" (which would blame the engine).
    # (arithmetic.py, FloorDivide.twice_differentiable)
    x = Tensor([3.0, -3.5], requires_grad=True)
    for create_graph in (False, True):
        with pytest.raises(RuntimeError, match=r"derivative of floor division \(a // b\) is "
                                               r"not implemented, as in PyTorch"):
            grad((x // 2).sum(), [x], create_graph=create_graph)


def test_xp_where_takes_the_bitwise_select_for_a_plain_zero_and_only_then(monkeypatch):
    # (xp.py, where: return where_zero(...); _is_zero_like: every clause)
    from tinygrad_edu.tensors.ops import xp
    keep = np.array([True, False])
    a = np.array([1.0, 2.0], np.float32)
    real, calls = np.where, []
    monkeypatch.setattr(np, "where", lambda *args: calls.append(args[2]) or real(*args))
    xp.where(keep, a, 0.0)
    xp.where(keep, a, 0)
    xp.where(keep, a, np.float32(0.0))
    assert calls == []                                   # no np.where: the bitwise select
    # anything that is not a +0 of a's dtype goes to np.where, and keeps its value or sign
    assert xp.where(keep, a, 1).tolist() == [1.0, 1.0]
    assert xp.where(keep, a, 1.0).tolist() == [1.0, 1.0]
    assert xp.where(keep, a, np.float32(2.0)).tolist() == [1.0, 2.0]
    assert np.signbit(xp.where(keep, a, np.float32(-0.0))[1])
    assert len(calls) == 4


def test_an_index_changed_after_a_recorded_setitem_is_caught():
    # index_put keeps its index, as PyTorch's: changing it before backward would send the
    # gradient to the wrong elements. (inplace.py, _set.overwrite: out._ctx.watched)
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = Tensor([5.0], requires_grad=True)
    y = x * 1
    i = Tensor([0])
    y[i] = v
    i += 1
    with pytest.raises(RuntimeError, match="index or a condition"):
        y.sum().backward()


def test_torch_style_flatten_keeps_the_first_dimensions_and_joins_to_the_last():
    # (pytorch_functions.py, flatten(end_dim=-1))
    import tinygrad_edu
    x = Tensor(np.zeros((2, 3, 4, 5)))
    assert tinygrad_edu.flatten(x, 1).shape == (2, 60)
    assert tinygrad_edu.flatten(x).shape == (120,)


def test_init_fills_default_to_the_standard_distributions():
    # (nn/init.py, uniform_(a=0, b=1), normal_(mean=0, std=1))
    import tinygrad_edu
    from tinygrad_edu.random import generator
    t = Tensor(np.zeros(6))
    tinygrad_edu.manual_seed(2)
    nn.init.uniform_(t)
    tinygrad_edu.manual_seed(2)
    assert t.tolist() == generator().uniform(0.0, 1.0, 6).tolist()
    tinygrad_edu.manual_seed(2)
    nn.init.normal_(t)
    tinygrad_edu.manual_seed(2)
    assert t.tolist() == generator().normal(0.0, 1.0, 6).tolist()


def test_gradcheck_puts_each_input_back_before_differencing_the_next():
    # J_y of x·y·1e6 at x = 0 is 0; with x left at 0 − eps (the last difference's point)
    # it would be ~1. A Value holds a float, set anew for each difference.
    # (gradcheck.py, _numerical_jacobians: x.data = at)
    from tinygrad_edu import Value
    from tinygrad_edu.gradcheck import gradcheck
    x, y = Value(0.0), Value(1.0)
    assert gradcheck(lambda a, b: a * b * 1e6, x, y)
    assert x.data == 0.0 and y.data == 1.0


def test_gradcheck_reports_the_relative_error_of_a_small_gradient():
    # analytic 2e-3 against numerical 1e-3: relative error 1 (100 %), not 1e-3.
    # (gradcheck.py, _mismatches: the 1e-300 floor of the denominator)
    from tinygrad_edu import Function
    from tinygrad_edu.gradcheck import GradcheckError, gradcheck

    class TwiceTheSlope(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 1e-3

        @staticmethod
        def backward(ctx, grad):
            return grad * 2e-3

    with pytest.raises(GradcheckError) as error:
        gradcheck(TwiceTheSlope.apply, Tensor([1.0], requires_grad=True), atol=1e-7)
    assert "1.000e+00" in str(error.value)


def test_softmax_without_dim_warns_at_the_users_line():
    # (nn/functional.py, _implicit_dim: stacklevel)
    from tinygrad_edu.nn import functional as F
    with pytest.warns(UserWarning, match="Implicit dimension") as record:
        F.softmax(Tensor(np.zeros((2, 3))))
    assert record[0].filename == __file__


def test_cross_entropy_with_one_class_and_an_ignored_sample():
    # The ignored sample's class is replaced by 0 (the one class every problem has) before
    # indexing. PyTorch: loss 0. (nn/functional.py, _sample_weights: np.where(ignored, 0, ...))
    from tinygrad_edu.nn import functional as F
    logits = Tensor(np.array([[0.5], [-1.0]]), requires_grad=True)
    loss = F.cross_entropy(logits, np.array([0, -100]))
    loss.backward()
    assert loss.item() == 0.0 and logits.grad.tolist() == [[0.0], [0.0]]


def test_module_to_its_own_dtype_keeps_tied_weights_tied():
    # (nn/module.py, Module.to: only parameters of another floating dtype are converted)
    first, second = nn.Linear(2, 2), nn.Linear(2, 2)
    second.weight.data = first.weight.data            # tied, as in an autoencoder
    model = nn.Sequential(first, second)
    model.to(np.float64)
    model.double()
    assert np.shares_memory(first.weight.data, second.weight.data)
    model.float()
    assert first.weight.dtype == np.float32 and second.weight.dtype == np.float32


def test_an_axis_given_twice_is_refused_naming_both_spellings():
    # (tensor.py, _axis_arguments: the TypeError)
    t = Tensor(np.ones((2, 3)))
    with pytest.raises(TypeError, match=r"give the axis once: axis=0 \(NumPy\) or dim=1"):
        t.sum(axis=0, dim=1)
    assert t.sum(axis=-1, dim=0).tolist() == [2.0, 2.0, 2.0]   # -1: softmax's default


def test_a_backward_rule_may_return_a_python_number_for_a_0d_input():
    # The chain rule makes it an array before checking its shape.
    # (function.py, chain_rule: type(parent_grad) is not np.ndarray)
    from tinygrad_edu import Function

    class Double(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            return float(grad) * 2.0

    x = Tensor(3.0, requires_grad=True)
    Double.apply(x).backward()
    assert x.grad.tolist() == 2.0 and isinstance(x.grad, np.ndarray)


def test_class_weights_apply_when_the_ignored_class_is_a_real_one_no_target_has():
    # ignore_index=1 could match a target, so the per-sample path runs; nothing is ignored,
    # and the weights still count. PyTorch 2.13: 0.5024305602188213.
    # (nn/functional.py, _sample_weights: weight is None and not any_ignored)
    from tinygrad_edu.nn import functional as F
    logits = Tensor(np.array([[1.0, 2.0, 0.5], [0.1, -1.0, 2.0]]))
    loss = F.cross_entropy(logits, np.array([0, 2]), weight=np.array([1.0, 2.0, 3.0]),
                           ignore_index=1)
    assert loss.item() == pytest.approx(0.5024305602188213, rel=1e-12)


def test_a_scheduler_stepped_first_warns_at_the_users_line():
    # (lr_scheduler.py, LRScheduler.step: stacklevel)
    from tinygrad_edu.optim.lr_scheduler import StepLR
    scheduler = StepLR(optim.SGD([Tensor([1.0], requires_grad=True)], lr=0.1), step_size=1)
    with pytest.warns(UserWarning, match="before optimizer.step") as record:
        scheduler.step()
    assert record[0].filename == __file__


def test_an_autograd_function_may_save_an_intermediate_and_none_under_create_graph():
    # Only the inputs and the output it saved are kept by the engine's node (for the version
    # check); an intermediate (and a None) stays the user's. (custom_function.py, _Custom)
    from tinygrad_edu import autograd

    class CubeVia(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            square = x * x
            ctx.save_for_backward(x, None, square)
            return square * x

        @staticmethod
        def backward(ctx, grad):
            x, _, square = ctx.saved_tensors
            return grad * 3 * square

    x = Tensor([2.0], requires_grad=True)
    (g,) = grad(CubeVia.apply(x).sum(), [x], create_graph=True)
    assert g.tolist() == [12.0]
