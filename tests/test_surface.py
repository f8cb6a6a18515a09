"""PyTorch's tutorial surface (API.md §14, issue 21): what tutorials call, as PyTorch 2.x.

The catalog ``surface_cases.py`` runs the same code with both libraries; its results are held
to PyTorch's stored numbers (values and dtypes) and, where torch is installed, to a live run.
Below it: what a stored number cannot show — errors, warnings, memory sharing, random draws.
"""
import os
import warnings

import numpy as np
import pytest

import surface_cases
import tinygrad_edu
import tinygrad_edu as torch
from tinygrad_edu import nn
from tinygrad_edu.gradcheck import gradcheck, gradgradcheck
from tinygrad_edu.nn import functional as F

REFERENCE = os.path.join(os.path.dirname(__file__), "reference", "surface_reference.npz")


@pytest.fixture(scope="module")
def reference():
    with np.load(REFERENCE, allow_pickle=False) as npz:
        return dict(npz)


def assert_same(got, expected, name):
    assert got.dtype == expected.dtype, f"{name}: dtype {got.dtype}, PyTorch {expected.dtype}"
    assert got.shape == expected.shape, f"{name}: shape {got.shape}, PyTorch {expected.shape}"
    if got.dtype.kind == "f":
        # float64 to 1e-12; float32 to its rounding, and so are float64 gradients that flowed
        # through a float32 cast ("..._dtype_grad"): PyTorch rounds the incoming gradient to
        # float32 at the cast's output, this engine at its input (dtype promotion's business)
        exact = got.dtype == np.float64 and "dtype" not in name
        np.testing.assert_allclose(got, expected, rtol=1e-12 if exact else 1e-6,
                                   atol=1e-15 if exact else 1e-7, equal_nan=True, err_msg=name)
    else:
        np.testing.assert_array_equal(got, expected, err_msg=name)


@pytest.mark.parametrize("case", surface_cases.CASES, ids=lambda c: c.__name__)
def test_case_matches_stored_pytorch_results(case, reference):
    results = case(tinygrad_edu)
    stored = {k.split("/", 1)[1] for k in reference if k.startswith(case.__name__ + "/")}
    assert stored == set(results), ("the stored results are from another version of the "
                                    "cases: run python tests/reference/make_surface_reference.py")
    for key, value in results.items():
        name = f"{case.__name__}/{key}"
        assert_same(surface_cases.as_array(value), reference[name], name)


def test_cases_match_live_pytorch():
    real = pytest.importorskip("torch")
    before = real.get_default_dtype()
    real.set_default_dtype(real.float64)
    try:
        expected = surface_cases.run_all(real)
    finally:
        real.set_default_dtype(before)
    for name, got in surface_cases.run_all(tinygrad_edu).items():
        assert_same(got, expected[name], name)


# --------------------------------------------------------------------------- devices
def test_any_device_but_the_cpu_is_refused_in_one_line():
    for make in (lambda: torch.zeros(2, device="cuda"), lambda: torch.tensor([1.0], device="cuda:0"),
                 lambda: torch.ones(2).to("cuda"), lambda: torch.ones(2).to(torch.device("mps")),
                 lambda: torch.ones(2).cuda(), lambda: nn.Linear(2, 2).to("cuda"),
                 lambda: nn.Linear(2, 2).cuda(), lambda: torch.set_default_device("cuda"),
                 lambda: torch.linspace(0, 1, 3, device="cuda"), lambda: torch.rand(2, device=0),
                 lambda: torch.ones(2).to(device="cuda")):
        with pytest.raises(RuntimeError, match="runs on the CPU only") as info:
            make()
        assert "\n" not in str(info.value) and "'cpu'" in str(info.value)


@pytest.mark.parametrize("factory", [
    lambda d: torch.empty(2, device=d), lambda d: torch.full((2,), 1.0, device=d),
    lambda d: torch.eye(2, device=d), lambda d: torch.zeros_like(torch.ones(2), device=d),
    lambda d: torch.ones_like(torch.ones(2), device=d), lambda d: torch.arange(3, device=d),
    lambda d: torch.normal(0.0, 1.0, (2,), device=d), lambda d: torch.randint(3, (2,), device=d),
    lambda d: torch.rand_like(torch.ones(2), device=d), lambda d: torch.randn_like(torch.ones(2), device=d),
    lambda d: torch.randn(2, device=d), lambda d: torch.ones(2, device=d)])
def test_every_factory_takes_device_and_refuses_anything_but_the_cpu(factory):
    assert factory("cpu").shape in ((2,), (3,), (2, 2))
    with pytest.raises(RuntimeError, match="runs on the CPU only"):
        factory("cuda")


def test_device_names_as_pytorch_and_the_cpu_everywhere():
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        torch.device("gpu")
    with pytest.raises(RuntimeError, match="Invalid device string"):
        torch.device("cuda:x")
    with pytest.raises(RuntimeError, match="given twice"):
        torch.device("cuda:1", 1)
    with pytest.raises(RuntimeError, match="must not be negative"):
        torch.device("cuda", -1)
    with pytest.raises(TypeError, match="takes a string"):
        torch.device(3)
    assert torch.device(torch.device("cuda:2")) == torch.device("cuda", 2)
    assert hash(torch.device("cpu")) == hash(torch.device("cpu"))
    assert torch.device("cpu") != torch.device("cpu", 0)
    torch.set_default_device("cpu")
    torch.set_default_device(None)
    assert torch.get_default_device() == torch.device("cpu")
    assert torch.cuda.device_count() == 0 and torch.accelerator.device_count() == 0
    assert torch.ones(1).is_cuda is False and torch.ones(1).device == torch.device("cpu")
    with pytest.raises(AttributeError):         # immutable, as PyTorch's
        torch.device("cpu").kind = "cuda"
    with pytest.raises(RuntimeError, match="'cuda:0'"):
        torch.ones(1).to(0)                    # an int is PyTorch's cuda:N
    model = nn.Linear(2, 2)
    assert model.cpu() is model


# --------------------------------------------------------------------------- factories
def test_from_numpy_shares_memory_both_ways():
    a = np.ones(5)
    t = torch.from_numpy(a)
    np.add(a, 1, out=a)
    assert str(t) == "Tensor([2., 2., 2., 2., 2.])"
    t.data[0] = 7.0
    assert a[0] == 7.0 and t.dtype == np.float64 and not t.requires_grad
    assert torch.tensor(a).data is not a          # tensor() copies, from_numpy does not
    with pytest.raises(TypeError, match="NumPy array"):
        torch.from_numpy([1.0, 2.0])
    with pytest.raises(TypeError, match="dtype"):
        torch.from_numpy(np.array(["a"]))


def test_rand_is_uniform_and_seeded_and_normal_has_its_mean_and_std():
    torch.manual_seed(3)
    u = torch.rand(20000)
    torch.manual_seed(3)
    assert np.array_equal(torch.rand(20000).data, u.data)
    assert 0 <= u.data.min() and u.data.max() < 1 and abs(u.data.mean() - 0.5) < 0.01
    assert abs(u.data.var() - 1 / 12) < 0.003                 # uniform, not normal
    n = torch.normal(2.0, 3.0, size=(20000,))
    assert abs(n.data.mean() - 2.0) < 0.1 and abs(n.data.std() - 3.0) < 0.1
    means = torch.tensor([[-5.0], [5.0]]) * torch.ones(2, 5000)
    per_row = torch.normal(means, torch.tensor([0.5] * 5000)).data
    assert np.allclose(per_row.mean(axis=1), [-5, 5], atol=0.05)
    assert np.allclose(per_row.std(axis=1), 0.5, atol=0.05)
    assert np.allclose(torch.normal(0.0, torch.zeros(3)).data, 0)
    assert abs(torch.normal(torch.zeros(20000)).data.std() - 1.0) < 0.05     # std=1 by default
    assert torch.randint(3, 5, (1000,)).data.min() == 3 and torch.randint(3, 5, (1000,)).data.max() == 4
    r = torch.rand(2, 3, requires_grad=True)
    assert r.requires_grad and r.is_leaf
    assert torch.randn_like(torch.ones(2, dtype=torch.float32)).dtype == np.float32
    for drawn in (torch.normal(0.0, 1.0, (2,)), torch.normal(torch.zeros(2), 1.0),
                  torch.rand(2), torch.randn(2), torch.rand_like(u)):
        assert not drawn.requires_grad


def test_random_factories_refuse_what_pytorch_refuses():
    with pytest.raises(TypeError, match="floating dtype"):
        torch.rand_like(torch.tensor([1, 2]))
    with pytest.raises(TypeError, match="floating dtype"):
        torch.rand(2, dtype=torch.long)
    with pytest.raises(TypeError, match="needs a size"):
        torch.normal(0.0, 1.0)
    with pytest.raises(TypeError, match="size= goes with"):
        torch.normal(torch.zeros(2), 1.0, size=(2,))
    with pytest.raises(RuntimeError, match="std >= 0"):
        torch.normal(torch.zeros(2), torch.tensor([1.0, -1.0]))
    with pytest.raises(TypeError, match="upper bound"):
        torch.randint(5)
    with pytest.raises(ValueError, match="steps"):
        torch.linspace(0, 1, -1)
    with pytest.raises(TypeError, match="not a dtype"):
        torch.full((2,), 1, dtype="cheese")
    assert torch.randint(0, 4, (2,), dtype=torch.int32).dtype == np.int32
    assert torch.randint(1, size=(4,)).tolist() == [0] * 4 == torch.randint(1, (4,)).tolist()
    with pytest.raises(TypeError, match="non-empty list"):
        torch.stack(torch.ones(2))


# --------------------------------------------------------------------------- out=
def test_out_is_refused_where_autograd_would_need_it_and_casts_as_pytorch():
    a = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        torch.mul(a, a, out=torch.empty(2))
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        torch.mul(torch.ones(2), 2.0, out=torch.zeros(2, requires_grad=True))
    with torch.no_grad():                                  # recording off: allowed
        assert torch.mul(a, a, out=torch.empty(2)).tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type int64"):
        torch.mul(torch.ones(2), torch.ones(2), out=torch.zeros(2, dtype=torch.long))
    with pytest.raises(TypeError, match="takes a Tensor"):
        torch.sin(torch.ones(2), out=np.zeros(2))
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type uint8"):
        torch.sin(torch.ones(2), out=torch.zeros(2, dtype=torch.uint8))
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type bool"):
        torch.add(torch.tensor([1, 2]), 1, out=torch.zeros(2, dtype=torch.bool))
    small = torch.zeros(2, dtype=torch.uint8)                 # integer into integer: allowed
    assert torch.add(torch.tensor([1, 2]), 1, out=small).tolist() == [2, 3]


def test_out_of_another_shape_is_resized_with_pytorchs_warning():
    c = torch.zeros(3)
    with pytest.warns(UserWarning, match=r"resized since it had shape \[3\].*\[2\]"):
        torch.mul(torch.ones(2), torch.ones(2), out=c)
    assert c.shape == (2,)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        torch.mul(torch.ones(2), torch.ones(2), out=torch.empty(0))


def test_out_counts_as_an_in_place_change_for_a_saved_tensor():
    w = torch.ones(2, requires_grad=True)
    c = torch.ones(2)
    y = (w * c).sum()                    # Mul saved c for w's gradient
    torch.mul(torch.ones(2), 3.0, out=c)
    with pytest.raises(RuntimeError):
        y.backward()


# --------------------------------------------------------------------------- Tensor methods
def test_shape_errors_of_mm_t_and_dot_say_what_to_use():
    with pytest.raises(RuntimeError, match="use matmul"):
        torch.ones(2, 2, 2).mm(torch.ones(2, 2))
    with pytest.raises(RuntimeError, match="use matmul"):
        torch.ones(2, 2).mm(np.ones(2))
    with pytest.raises(RuntimeError, match="<= 2 dimensions.*transpose"):
        torch.ones(2, 2, 2).t()
    with pytest.raises(RuntimeError, match="1-D"):
        torch.dot(torch.ones(2, 2), torch.ones(2))
    for name in ("max", "min"):
        with pytest.raises(TypeError, match="element-wise"):
            getattr(torch, name)(torch.ones(2), torch.zeros(2))


def test_index_protocol_only_for_one_integer():
    classes = ["a", "b", "c"]
    assert classes[torch.tensor([0.2, 0.9, 0.1]).argmax()] == "b"
    assert classes[torch.tensor(2)] == "c" and classes[torch.tensor([True])] == "b"
    for bad in (torch.tensor(1.0), torch.tensor([0, 1])):
        with pytest.raises(TypeError, match="only integer tensors of a single element"):
            classes[bad]


def test_format_spec_on_a_larger_tensor_is_refused_as_pytorch():
    with pytest.raises(TypeError, match="only a 0-d tensor formats as a number"):
        f"{torch.tensor([1.0]):f}"
    assert f"{torch.tensor([1.0, 2.0])}" == repr(torch.tensor([1.0, 2.0]))


def test_to_and_type_arguments():
    x = torch.tensor([1.5, -2.5])
    with pytest.raises(TypeError, match="device and/or a dtype"):
        x.to("cpu", torch.float32, torch.float64)
    with pytest.raises(TypeError, match="not a dtype"):
        x.type("torch.Nonsense")
    with pytest.raises(TypeError, match="give dim= .* or axis="):
        x.argmax(0, axis=0)
    assert x.to(copy=True).data is not x.data and x.to(copy=True).tolist() == x.tolist()
    assert x.argmin(axis=0, keepdims=True).tolist() == [1]
    assert torch.tensor([1, 2]).type() == "torch.LongTensor"
    assert x.to(torch.float32).to(torch.float32).dtype == np.float32
    assert torch.tensor([1.0], dtype=np.float16).type() == "torch.HalfTensor"


def test_load_state_dict_names_a_value_that_is_not_numeric():
    with pytest.raises(ValueError, match="'weight' is not numeric"):
        nn.Linear(1, 1).load_state_dict({"weight": [["x"]], "bias": [0.0]})


def test_module_to_converts_parameters_and_grads_in_place():
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    weight = model.weight
    model.weight.grad = np.ones((1, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    assert model.to(torch.float32) is model and model.weight is weight
    assert weight.dtype == np.float32 and weight.grad.dtype == np.float32
    opt.step()                                           # the optimizer holds the same tensors
    assert weight.dtype == np.float32
    assert model.float() is model and model.to(torch.tensor([1.0])).weight.dtype == np.float64
    with pytest.raises(TypeError, match="only accepts floating point"):
        model.to(torch.long)


# --------------------------------------------------------------------------- nn
def test_parameter_is_a_tensor_sharing_memory_and_refuses_other_data():
    t = torch.tensor([1.0, 2.0])
    p = nn.Parameter(t)
    t.data[0] = 5.0
    assert p.data[0] == 5.0 and isinstance(p, nn.Parameter)
    assert not isinstance(p * 2, nn.Parameter)                     # not a leaf
    assert not isinstance(np.ones(2), nn.Parameter)
    assert nn.Parameter().shape == (0,)
    with pytest.raises(TypeError, match="takes a Tensor"):
        nn.Parameter([1.0, 2.0])


def test_softmax_without_dim_warns_as_pytorch():
    x = np.zeros((2, 3, 4))
    for call in (lambda: F.softmax(x), lambda: F.log_softmax(x), lambda: nn.Softmax()(x)):
        with pytest.warns(UserWarning, match="Implicit dimension choice"):
            call()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.softmax(x, dim=-1), F.softmax(x, axis=2), F.log_softmax(x, 1), nn.Softmax(2)(x)
    assert F.softmax(x, dim=1, dtype=torch.float32).dtype == np.float32
    assert F.log_softmax(x, dim=1, dtype=torch.float32).dtype == np.float32


def test_smooth_l1_loss_gradcheck_and_errors():
    rng = np.random.default_rng(0)
    target = torch.tensor(rng.normal(size=(3, 4)))
    for beta in (1.0, 0.3, 0.0):
        for reduction in ("mean", "sum", "none"):
            x = torch.tensor(rng.normal(size=(3, 4)) * 2, requires_grad=True)
            assert gradcheck(lambda x: F.smooth_l1_loss(x, target, reduction, beta), x)
    with pytest.raises(ValueError, match="beta must be a number >= 0"):
        F.smooth_l1_loss(np.zeros(2), np.zeros(2), beta=-1.0)
    with pytest.raises(ValueError, match="reduction"):
        F.smooth_l1_loss(np.zeros(2), np.zeros(2), reduction="avg")
    with pytest.warns(UserWarning, match="broadcast") as record:
        F.smooth_l1_loss(np.zeros((2, 1)), np.zeros(2))
    assert record[0].filename == __file__              # points at the caller's line
    assert "SmoothL1Loss()" == repr(nn.SmoothL1Loss())
    x = np.array([0.2, 1.5, -3.0])     # differences on both sides of beta = 1 (the default)
    assert nn.SmoothL1Loss()(x, np.zeros(3)).item() == F.smooth_l1_loss(x, np.zeros(3)).item()
    assert F.smooth_l1_loss(x, np.zeros(3)).item() == pytest.approx((0.02 + 1.0 + 2.5) / 3)


def test_clip_grad_norm_edge_cases():
    p = torch.tensor([1.0, 2.0], requires_grad=True)
    assert torch.nn.utils.clip_grad_norm_([p], 1.0).item() == 0.0      # no grads at all
    p.grad = np.array([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="total norm"):
        torch.nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    p.grad = np.array([0.0, 0.0])
    assert torch.nn.utils.clip_grad_norm_(p, 1.0).item() == 0.0 and p.grad.tolist() == [0, 0]
    held = p.grad
    p.grad = np.array([30.0, 40.0])
    held = p.grad
    torch.nn.utils.clip_grad_norm_(p, 5.0)
    assert p.grad is held                                 # in place, as the name's _ says
    p.grad = np.array([3.0, 4.0], dtype=np.float32)
    total = torch.nn.utils.clip_grad_norm_(p, 1.0)
    assert total.dtype == np.float32 and p.grad.dtype == np.float32
    p.grad = np.zeros(2)
    assert torch.nn.utils.clip_grad_norm_(p, 1.0, norm_type=float("inf")).item() == 0.0
    p.grad = np.array([np.inf, 1.0])                # by default a non-finite norm is returned
    assert torch.nn.utils.clip_grad_norm_(p, 1.0).item() == np.inf
    p.grad = np.array([3.0, -4.0])                  # PyTorch converts with float(): "inf" works
    assert torch.nn.utils.clip_grad_norm_(p, 100, norm_type="inf").item() == 4.0
    torch.nn.utils.clip_grad_value_(p, torch.tensor(2.0))
    assert p.grad.tolist() == [2.0, -2.0]


# --------------------------------------------------------------------------- autograd.Function
class Legendre3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


def test_custom_function_gradcheck_and_gradgradcheck():
    x = torch.tensor([-0.9, -0.2, 0.4, 1.3], requires_grad=True)
    assert gradcheck(Legendre3.apply, x) and gradgradcheck(Legendre3.apply, x)
    y = Legendre3.apply(x)
    assert y.op == "Legendre3" and not y.is_leaf
    assert torch.autograd.Function is not torch.Function       # the engine's protocol stays


def test_custom_function_mistakes_are_explained():
    with pytest.raises(TypeError, match="must be a static method"):
        class NotStatic(torch.autograd.Function):
            def forward(ctx, x):
                return x

    class ReturnsArray(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.data * 2

    class TwoGradients(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g, g

    class SavesANumber(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(2.0)
            return x

    class NoBackward(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    x = torch.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="must return one Tensor"):
        ReturnsArray.apply(x)
    with pytest.raises(ValueError, match="TwoGradients.backward returned 2 gradient"):
        TwoGradients.apply(x).sum().backward()
    with pytest.raises(TypeError, match="save_for_backward takes Tensors"):
        SavesANumber.apply(x)
    with pytest.raises(NotImplementedError, match="backward"):
        NoBackward.apply(x).sum().backward()
    with pytest.raises(TypeError, match=r"call Legendre3.apply\(...\)"):
        Legendre3(x)
    with pytest.raises(NotImplementedError, match="forward"):
        type("NoForward", (torch.autograd.Function,), {}).apply(x)


def test_custom_function_ctx_needs_input_grad_and_non_differentiable_output():
    seen = {}

    class ArgMaxMask(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            seen["needs"] = ctx.needs_input_grad
            mask = (x == x.max()).float()
            ctx.mark_non_differentiable(mask)
            return mask

    x = torch.tensor([1.0, 3.0], requires_grad=True)
    mask = ArgMaxMask.apply(x, torch.tensor([1.0]))
    assert seen["needs"] == (True, False) and not mask.requires_grad
    assert mask.tolist() == [0.0, 1.0]


def test_saved_tensors_can_be_read_in_forward_and_without_a_graph():
    class Square(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            saved, = ctx.saved_tensors
            return saved * saved

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x * g

    x = torch.tensor([3.0])
    assert Square.apply(x).tolist() == [9.0] and not Square.apply(x).requires_grad


def test_set_grad_enabled_restores_the_mode_when_an_exception_leaves_the_block():
    with pytest.raises(ZeroDivisionError):
        with torch.set_grad_enabled(False) as bound:
            assert bound is None            # as PyTorch's: nothing to bind
            1 / 0
    assert torch.is_grad_enabled()


def test_dropout_accepts_both_ends_of_its_range():
    x = torch.ones(4)
    assert nn.Dropout(0.0)(x).tolist() == [1.0] * 4
    assert nn.Dropout(1.0)(x).tolist() == [0.0] * 4      # PyTorch: every unit dropped


def test_saved_tensors_is_empty_when_nothing_was_saved():
    class Twice(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            assert ctx.saved_tensors == ()
            return g * 2

    x = torch.ones(2, requires_grad=True)
    Twice.apply(x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_inference_mode_bare_decorator():
    @torch.inference_mode
    def evaluate(t):
        return t * 2, torch.is_grad_enabled()

    out, enabled = evaluate(torch.ones(1, requires_grad=True))
    assert not out.requires_grad and not enabled and torch.is_grad_enabled()


def test_custom_function_backward_may_return_arrays_and_numbers():
    class Double(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.data * 2          # an array is accepted too

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    Double.apply(x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    first, = torch.autograd.grad(Double.apply(x).sum(), [x], create_graph=True)
    assert first.tolist() == [2.0, 2.0]


# --------------------------------------------------------------------------- names
def test_a_missing_pytorch_name_says_so_and_never_guesses_another():
    import traceback
    with pytest.raises(AttributeError, match=r"no bmm \(PyTorch's torch.bmm\): use matmul"):
        torch.bmm
    try:
        torch.frobnicate
    except AttributeError as error:
        text = "".join(traceback.format_exception(error))
    assert "Did you mean" not in text and "'frobnicate'" in text
    try:
        torch.randperm
    except AttributeError as error:
        assert "Did you mean" not in "".join(traceback.format_exception(error))
    assert not hasattr(torch, "__nothing__")
    assert torch.rand is tinygrad_edu.tensors.factories.rand     # no longer missing at all


def test_dtype_names_do_not_leak_into_star_imports():
    namespace = {}
    exec("from tinygrad_edu import *", namespace)
    for builtin in ("float", "int", "bool", "sum", "max", "min", "abs", "pow"):
        assert builtin not in namespace
    assert namespace["float32"] == np.float32 and torch.float == np.float32
    assert torch.utils.data.DataLoader is tinygrad_edu.data.DataLoader


# --------------------------------------------------------------------------- found by mutation
# (runs over the nn files this round touched; the code itself is older)
def test_mlp_takes_any_iterable_of_sizes():
    model = nn.MLP(iter([2, 3, 1]))
    assert model.sizes == [2, 3, 1] and model(np.zeros((4, 2))).shape == (4, 1)


def test_a_module_attribute_set_to_something_else_is_no_longer_a_child():
    model = nn.Sequential(nn.Linear(2, 2))
    model.extra = nn.Linear(2, 2)
    model.extra = None
    assert len(model.parameters()) == 2 and list(dict(model.named_modules())) == ["", "0"]
    model.extra = nn.Linear(2, 2)
    del model.extra
    assert not hasattr(model, "extra") and len(model.parameters()) == 2


def test_linear_takes_the_default_dtype_when_none_is_given():
    torch.set_default_dtype(torch.float32)
    try:
        assert nn.Linear(2, 2).weight.dtype == np.float32
    finally:
        torch.set_default_dtype(torch.float64)
