"""Edges of the engine that the mutation runs over the re-laid engine found unpinned: each
test fails on a mutant of the code that it names."""
import numpy as np
import pytest

from tinygrad_edu import Function, Tensor, Value, detect_anomaly, set_default_dtype
from tinygrad_edu.autograd import grad
from tinygrad_edu.autograd.functional import hessian, hvp


def test_dot_takes_numbers_and_values_mixed():            # value.py: Value.dot's type test
    w = Value(2.0)
    y = Value.dot([w, 3.0], [1.0, Value(4.0)])
    y.backward()
    assert y.data == 14.0 and w.grad == 1.0


def test_a_zero_d_leaf_gets_an_array_gradient_and_rules_get_arrays():
    x = Tensor(2.0, requires_grad=True)
    x.exp().backward()                                     # Exp's rule: a NumPy scalar
    assert isinstance(x.grad, np.ndarray) and x.grad.shape == ()
    seen = []

    class Identity(Function):
        @staticmethod
        def forward(ctx, a):
            return a.copy()

        @staticmethod
        def backward(ctx, g):
            seen.append(type(g))
            return g

    s = Identity.apply(x.sum())         # a 0-d node used twice: its gradient is a sum of two
    (s * s).backward()
    assert seen == [np.ndarray]         # ... handed to the rule as an array, not a scalar


def test_a_change_made_before_the_forward_pass_is_not_an_error():   # versions: <= saved_at
    w = Tensor([1.0, 2.0], requires_grad=True)
    other = Tensor([0.0])
    w.data += 1                         # before the forward pass: the op saw the new numbers
    y = (w * w).sum()
    other.data += 1                     # a later change elsewhere makes backward check w
    y.backward()
    np.testing.assert_array_equal(w.grad, [4.0, 6.0])


def test_a_view_of_the_second_input_shares_that_inputs_version():
    class Second(Function):             # out = b[0]: a view of the second input
        @staticmethod
        def forward(ctx, a, b):
            return b[0]

        @staticmethod
        def backward(ctx, g):
            return None, np.stack([g, np.zeros_like(g)])

    a = Tensor([1.0], requires_grad=True)
    b = Tensor([[2.0], [3.0]], requires_grad=True)
    v = Second.apply(a, b)
    y = (v * v).sum()                   # Mul saves v, which is b's memory
    b.data += 1
    with pytest.raises(RuntimeError, match="Mul's backward needs an array that was changed"):
        y.backward()


def test_grad_outputs_given_bare_for_one_output_and_refused_when_they_do_not_fit():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    for given in (np.array([1.0, 0.0, 2.0]), Tensor([1.0, 0.0, 2.0])):
        (g,) = grad(x * x, [x], grad_outputs=given)
        np.testing.assert_array_equal(g.data, [2.0, 0.0, 12.0])
    with pytest.raises(ValueError, match="2 grad_outputs for 1 outputs"):
        grad(x * x, [x], grad_outputs=[np.ones(3), np.ones(3)])
    with pytest.raises(ValueError, match=r"grad_output has shape \(2,\) but its output has"):
        grad(x * x, [x], grad_outputs=[Tensor([1.0, 1.0])])


def test_anomaly_mode_names_the_value_op_whose_gradient_overflows_in_grad():
    x = Value(1e-200)
    y = x.sqrt()                         # d√x/dx = 1/(2√x) = 5e99 ... times a huge seed
    with detect_anomaly():
        with pytest.raises(FloatingPointError, match="sqrt produced inf"):
            grad(y, [x], grad_outputs=[1e300])


def test_a_rule_on_tensors_may_return_a_constant_but_not_a_wrong_shape():
    class Scale(Function):
        twice_differentiable = True

        @staticmethod
        def forward(ctx, a):
            ctx.shape = a.shape
            return 3 * a

        @staticmethod
        def backward(ctx, g):
            return g * 3.0

    class WrongShape(Scale):
        @staticmethod
        def backward(ctx, g):
            return g.sum() * 3.0

    x = Tensor([1.0, 2.0], requires_grad=True)

    class Constant(Scale):             # on Tensors too, a plain array: a constant
        @staticmethod
        def backward(ctx, g):
            return np.full(ctx.shape, 3.0)

    (g,) = grad(Constant.apply(x).sum(), [x], create_graph=True)
    assert isinstance(g, Tensor) and not g.requires_grad
    np.testing.assert_array_equal(g.data, [3.0, 3.0])
    with pytest.raises(ValueError, match=r"WrongShape.backward returned a gradient of shape "
                                         r"\(\) for input 0, whose shape is \(2,\)"):
        grad(WrongShape.apply(x).sum(), [x], create_graph=True)


def test_numbers_on_the_left_of_minus_and_divide_follow_the_dtype_rules():
    np.testing.assert_array_equal((5.0 - Tensor([1, 2])).data, [4.0, 3.0])
    set_default_dtype(np.float32)
    try:
        assert (1 / Tensor([1, 2])).dtype == np.float32
    finally:
        set_default_dtype(np.float64)


def test_hessian_and_hvp_of_a_function_that_ignores_its_input_are_zeros():
    w = Tensor([1.0, 2.0], requires_grad=True)
    x = Tensor([0.5, -1.0, 2.0])
    np.testing.assert_array_equal(hessian(lambda v: (w * w).sum(), x).data, np.zeros((3, 3)))
    value, hv = hvp(lambda v: v.sum() * (w * w).sum(), x, Tensor([1.0, 1.0, 1.0]))
    assert value.item() == pytest.approx(x.data.sum() * 5.0)
    np.testing.assert_array_equal(hv.data, np.zeros(3))


def test_a_function_without_forward_says_so():
    class NoForward(Function):
        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(NotImplementedError, match="must define a static forward"):
        NoForward.apply(Tensor([1.0], requires_grad=True))


def test_a_view_made_before_any_change_is_checked_without_error():
    x = Tensor([1.0, 2.0], requires_grad=True)
    v = x.reshape(2)                    # a view: it shares x's version counter, made now
    y = (v * v).sum()
    Tensor([0.0]).data += 1             # some change elsewhere: backward looks at the counters
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_backward_takes_its_gradient_as_a_list_or_a_tensor_in_the_tensors_dtype():
    x = Tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    (x * 3).backward([1.0, 2.0])
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [3.0, 6.0])
    x.grad = None
    (x * 3).backward(Tensor([1.0, 1.0]))
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


def test_min_keeps_dims_when_asked_in_numpys_spelling():
    t = Tensor([[3.0, 1.0], [0.0, 5.0]])
    assert t.min(axis=0, keepdims=True).shape == (1, 2)
    assert t.max(axis=1, keepdims=True).shape == (2, 1)


def test_grad_with_a_value_as_grad_output_and_functional_with_two_inputs():
    x = Value(3.0)
    (g,) = grad(x * x, [x], grad_outputs=[Value(2.0)])
    assert g.data == 12.0
    with pytest.raises(ValueError, match="one Tensor; got 2 inputs"):
        hessian(lambda a: a.sum(), (Tensor([1.0]), Tensor([2.0])))


def test_factories_make_leaves_without_grad_unless_asked_and_keep_the_dtype():
    import tinygrad_edu as torch
    for t in (torch.zeros(2), torch.ones(2), torch.randn(2), torch.zeros_like(Tensor([1.0])),
              torch.ones_like(Tensor([1.0]))):
        assert t.requires_grad is False
    assert torch.zeros(2, requires_grad=True).requires_grad
    assert torch.zeros_like(Tensor([1, 2])).dtype == np.int64          # the input's dtype
    assert torch.ones_like(Tensor([1, 2])).dtype == np.int64
    assert torch.zeros_like(Tensor([1, 2]), dtype=np.float32).dtype == np.float32
    assert torch.ones_like(Tensor([1, 2]), dtype=np.float32).dtype == np.float32


def test_comparisons_and_arg_functions_at_their_edges():
    t = Tensor([1.0, 5.0, 3.0])
    np.testing.assert_array_equal((t > [0.0, 6.0, 2.0]).data, [True, False, True])  # a list
    assert Tensor(4.0).argmax(dim=0).item() == 0 and Tensor(4.0).argmin(dim=-1).item() == 0
    with pytest.raises(IndexError):
        Tensor(4.0).argmax(dim=1)
    with pytest.raises(IndexError):
        Tensor(4.0).max(dim=1)
    assert Tensor(4.0).max(dim=0).values.item() == 4.0


def test_operands_that_are_lists_or_unsupported_types():
    np.testing.assert_array_equal((Tensor([1.0, 2.0]) + [10, 20]).data, [11.0, 22.0])
    with pytest.raises(TypeError):
        Tensor([1.0]) + "one"
    assert (Tensor([1, 2]) + Tensor([True, False])).dtype == np.int64   # int and bool: int
    assert (Tensor([1, 2]) * np.array([1.5, 2.5], np.float32)).dtype == np.float32


def test_flatten_of_a_number_and_permute_of_every_order():
    assert Tensor(3.0).flatten().shape == (1,)
    t = Tensor(np.arange(6.0).reshape(1, 2, 3))
    assert t.permute(2, 0, 1).shape == (3, 1, 2)
    with pytest.raises(ValueError, match=r"repeat dimension\(s\) \[0\]"):
        t.permute(0, 0, 1)


def test_a_tensor_has_no_room_for_a_misspelled_attribute():
    t = Tensor([1.0])
    with pytest.raises(AttributeError):
        t.requires_gard = True          # a typo must not pass silently (__slots__)


def test_an_output_off_the_path_to_the_inputs_is_not_asked_for_its_rule():
    class FirstOrderOnly(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = Tensor([1.0, 2.0], requires_grad=True)
    other = Tensor([3.0], requires_grad=True)
    # The second output is FirstOrderOnly's own node: seeded, but on no path to x.
    (g,) = grad([(x * x).sum(), FirstOrderOnly.apply(other)], [x], create_graph=True)
    np.testing.assert_array_equal(g.data, [2.0, 4.0])


def test_where_is_twice_differentiable_on_both_branches():
    import tinygrad_edu as torch
    from tinygrad_edu.gradcheck import gradgradcheck
    a = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    b = Tensor([1.5, 0.3, -0.7], requires_grad=True)
    # (times a + b: the gradient reaching where then depends on the inputs too)
    assert gradgradcheck(lambda a, b: torch.where(a.data > 0, a * a * b, b * b * b) * (a + b),
                         a, b)


def test_a_function_without_backward_says_so_at_backward():
    class NoBackward(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

    y = NoBackward.apply(Tensor([1.0], requires_grad=True)).sum()
    with pytest.raises(NotImplementedError, match="must define a static backward"):
        y.backward()


def test_cat_names_a_dimension_out_of_range():
    from tinygrad_edu.tensors.ops import Cat   # (torch.cat checks dim before, as PyTorch)
    with pytest.raises(ValueError, match="dim 3 is out of range for tensors of 1 dimension"):
        Cat.apply(Tensor([1.0]), Tensor([2.0]), axis=3)


def test_numpy_numbers_as_operands_never_widen_a_tensor():
    f32 = Tensor(np.array([1.5], np.float32))
    assert (f32 * np.int64(2)).dtype == np.float32 and (f32 * np.int64(2)).item() == 3.0
    assert (Tensor([1, 2]) + np.bool_(True)).dtype == np.int64
    np.testing.assert_array_equal((Tensor([1, 2]) + np.bool_(True)).data, [2, 3])
    set_default_dtype(np.float32)
    try:
        assert (Tensor([1, 2]) + 0.5).dtype == np.float32    # a Python float: the default
        assert torch_arange_float_dtype() == np.float32
    finally:
        set_default_dtype(np.float64)


def torch_arange_float_dtype():
    import tinygrad_edu as torch
    assert torch.arange(0, 3).dtype == np.int64
    return torch.arange(0.0, 1.0, 0.5).dtype


def test_stack_and_where_take_pytorchs_arguments():
    import tinygrad_edu as torch
    a, b = Tensor([1.0, 2.0]), Tensor([3.0, 4.0])
    assert torch.stack([a, b], dim=-1).shape == (2, 2)
    np.testing.assert_array_equal(torch.stack([a, b], dim=-1).data, [[1.0, 3.0], [2.0, 4.0]])
    np.testing.assert_array_equal(torch.where(Tensor([True, False]), a, b).data, [1.0, 4.0])


def test_dims_out_of_range_for_small_tensors_are_refused():
    import tinygrad_edu as torch
    with pytest.raises(IndexError):
        Tensor([1.0, 2.0]).transpose(0, 1)
    with pytest.raises(IndexError):
        Tensor(3.0).transpose(0, 1)
    with pytest.raises(IndexError):
        Tensor(3.0).squeeze(1)
    with pytest.raises(IndexError):
        Tensor(3.0).squeeze((1,))
    with pytest.raises(IndexError, match="stack"):
        torch.stack([Tensor([1.0]), Tensor([2.0])], dim=3)
    with pytest.raises(IndexError):
        Tensor([1.0]).flatten(0, 1)


def test_hvp_leaves_out_v_only_for_a_one_element_input():
    value, hv = hvp(lambda v: (v ** 3).sum(), Tensor([2.0]))       # H = 6x = 12, v = 1
    np.testing.assert_allclose(hv.data, [12.0])
    with pytest.raises(ValueError, match="v can be left out only for a one-element input"):
        hvp(lambda v: (v ** 3).sum(), Tensor([2.0, 1.0]))


def test_nll_loss_takes_arrays_and_refuses_extra_dimensions():
    from tinygrad_edu.nn import functional as F
    log_probs = np.log(np.array([[0.25, 0.75], [0.5, 0.5]]))
    assert isinstance(F.nll_loss(log_probs, np.array([1, 0])), Tensor)   # arrays become Tensors
    assert F.nll_loss(log_probs, np.array([1, 0])).item() == pytest.approx(
        -(np.log(0.75) + np.log(0.5)) / 2)
    with pytest.raises(ValueError, match=r"nll_loss expects log-probabilities of shape \(N, C\)"):
        F.nll_loss(np.zeros((2, 2, 2)), np.array([0, 1]))


def test_a_list_operand_follows_the_tensor_dtype_rules_and_a_string_is_refused():
    set_default_dtype(np.float32)
    try:
        assert (Tensor([1, 2]) + [1.5, 2.0]).dtype == np.float32
    finally:
        set_default_dtype(np.float64)
    with pytest.raises(TypeError, match="unsupported operand"):
        Tensor([1.0]) + "one"


def test_a_grad_output_that_requires_grad_is_part_of_the_recorded_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    v = Tensor([3.0, -1.0], requires_grad=True)
    (g,) = grad(x * x, [x], grad_outputs=[v], create_graph=True)     # g = 2x·v
    np.testing.assert_array_equal(g.data, [6.0, -4.0])
    (dv,) = grad(g.sum(), [v])                                       # ∂g/∂v = 2x
    np.testing.assert_array_equal(dv.data, [2.0, 4.0])
