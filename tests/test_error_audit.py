"""Errors that teach: one table through the public entry points of every area.

Each row feeds a wrong type, shape, dtype, domain or hyper-parameter and checks the two
things a learner needs: the exception type the contract promises (so ``except ValueError``
works) and a message that names the problem — the argument and the offending value or shape
(so the learner can fix it without reading our source). Areas keep their detailed error tests
in their own files; this is the cross-cutting audit.
"""
import pickle

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import CheckpointError, Function, Tensor, Value, nn, optim
from tinygrad_edu.data import (DataLoader, TensorDataset, make_blobs, make_moons,
                               make_spirals)
from tinygrad_edu.gradcheck import GradcheckError, gradcheck, numerical_gradient
from tinygrad_edu.landscapes import LANDSCAPES
from tinygrad_edu.nn import functional as F
from tinygrad_edu.optim import lr_scheduler as L


def params():
    return [Tensor(np.ones(2), requires_grad=True)]


def sgd():
    return optim.SGD(params(), lr=0.1)


class TripleBackward(Function):
    """forward 2x, backward claims 3: a wrong gradient for gradcheck to catch."""
    @staticmethod
    def forward(ctx, x):
        return 2 * x

    @staticmethod
    def backward(ctx, grad):
        return 3 * grad


class OneGradientForTwoInputs(Function):
    @staticmethod
    def forward(ctx, x, y):
        return x * y

    @staticmethod
    def backward(ctx, grad):
        return grad


def function_with_too_few_gradients():
    x, y = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2), requires_grad=True)
    OneGradientForTwoInputs.apply(x, y).sum().backward()


def optimizer_state_with_wrong_shape():
    opt = optim.Adam(params())
    opt.param_groups[0]["params"][0].grad = np.ones(2)
    opt.step()
    state = opt.state_dict()
    state["state"][0]["exp_avg"] = np.ones(3)
    optim.Adam(params()).load_state_dict(state)


def function_without_staticmethod():
    class Forgetful(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        def backward(ctx, grad):
            return grad


def in_place_change_before_backward():
    w = Tensor(np.ones(2), requires_grad=True)
    w.label = "w"
    loss = (w * w).sum()
    w.data += 1
    loss.backward()


def optimizer_step_before_backward():
    # (two layers: the second's weight is kept for backward; a lone layer on data keeps none)
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    opt = optim.SGD(model.parameters(), lr=0.1)
    for p in model.parameters():
        p.grad = np.ones_like(p.data)
    loss = model(np.ones((3, 2))).sum()
    opt.step()
    loss.backward()


def anomaly_in_forward():
    with tinygrad_edu.detect_anomaly():
        with np.errstate(over="ignore"):
            Tensor(np.array([1000.0])).exp()


def load_bytes(tmp_path, data):
    (tmp_path / "file.ckpt").write_bytes(data)
    return tinygrad_edu.load(tmp_path / "file.ckpt")


def load_plain_npz(tmp_path):
    with open(tmp_path / "plain.npz", "wb") as file:
        np.savez(file, w=np.ones(2))
    return tinygrad_edu.load(tmp_path / "plain.npz")


# (id, call — taking tmp_path when it needs files, exception type, substrings of the message)
def load_compressed_checkpoint(tmp_path):
    """A real checkpoint, re-zipped with deflate: save never compresses, so load refuses."""
    import zipfile
    tinygrad_edu.save({"w": np.ones(3)}, tmp_path / "c")
    with zipfile.ZipFile(tmp_path / "c") as source, \
            zipfile.ZipFile(tmp_path / "z.ckpt", "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
    tinygrad_edu.load(tmp_path / "z.ckpt")


def save_nested_too_deep(tmp_path):
    obj = 1
    for _ in range(400):
        obj = [obj]
    tinygrad_edu.save(obj, tmp_path / "c")


def save_over_a_read_only_file(tmp_path):
    """As a learner would (not root): save in a forked child running as 'nobody'; the
    child reports the exception's type and message, raised again here."""
    import builtins
    import os
    import tempfile
    folder = tempfile.mkdtemp()   # tmp_path is private to root
    os.chmod(folder, 0o777)
    path = os.path.join(folder, "ckpt.npz")
    try:
        tinygrad_edu.save({}, path)
        os.chmod(path, 0o444)
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                if os.geteuid() == 0:
                    os.setgid(65534)
                    os.setuid(65534)
                tinygrad_edu.save({"new": 1}, path)
                report = "None:saved"
            except BaseException as error:
                report = f"{type(error).__name__}:{error}"
            os.write(write_end, report.encode())
            os._exit(0)
        os.close(write_end)
        os.waitpid(pid, 0)
        name, message = os.read(read_end, 10000).decode().split(":", 1)
        os.close(read_end)
        raise getattr(builtins, name, RuntimeError)(message)
    finally:
        for name in os.listdir(folder):
            os.unlink(os.path.join(folder, name))
        os.rmdir(folder)


def adam_state_with(key, value):
    opt = optim.Adam(params())
    opt.param_groups[0]["params"][0].grad = np.ones(2)
    opt.step()
    sd = opt.state_dict()
    sd["state"][0][key] = value
    opt.load_state_dict(sd)


def nested_sequential_lr():
    opt = sgd()
    inner = L.SequentialLR(opt, [L.ExponentialLR(opt, 0.5)], milestones=[])
    L.SequentialLR(opt, [L.ExponentialLR(opt, 0.9), inner], milestones=[3])


AUDIT = [
    # --- scalar engine (§1)
    ("Value(str)", lambda: Value("a"), TypeError, ["real number", "str", "'a'"]),
    ("Value log 0", lambda: Value(0.0).log(), ValueError, ["log", "0"]),
    ("Value sqrt -1", lambda: Value(-1.0).sqrt(), ValueError, ["sqrt", "-1"]),
    ("Value / 0", lambda: Value(1.0) / 0, ValueError, ["division by zero"]),
    ("Value 0 ** -1", lambda: Value(0.0) ** -1, ValueError, ["0 ** -1"]),
    ("Value ** Value, base < 0", lambda: Value(-1.0) ** Value(2.0), ValueError,
     ["positive base", "-1"]),
    ("Value + str", lambda: Value(1.0) + "a", TypeError, ["Value", "str"]),
    # --- tensor engine (§2)
    ("Tensor(str)", lambda: Tensor("abc"), TypeError, ["real numbers", "<U3"]),
    ("Tensor(object)", lambda: Tensor([object()]), TypeError, ["real numbers", "object"]),
    ("broadcast mismatch", lambda: Tensor(np.ones((2, 3))) + Tensor(np.ones(4)), ValueError,
     ["(2, 3)", "(4,)", "broadcast"]),
    ("matmul mismatch", lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 2))), ValueError,
     ["MatMul", "(2, 3)", "(4, 2)"]),
    ("reshape size", lambda: Tensor(np.ones(6)).reshape(4, 2), ValueError,
     ["(6,)", "(4,2)"]),
    ("sum axis out of range", lambda: Tensor(np.ones(6)).sum(axis=3), ValueError,
     ["axis 3", "out of range"]),
    ("softmax axis out of range", lambda: F.softmax(np.ones(3), axis=2), ValueError,
     ["axis 2"]),
    ("backward of non-scalar", lambda: (Tensor(np.ones(3), requires_grad=True) * 2).backward(),
     ValueError, ["one-element", "(3,)"]),
    ("backward grad shape", lambda: (Tensor(np.ones(3), requires_grad=True) * 2)
     .backward(np.ones(4)), ValueError, ["(4,)", "(3,)"]),
    ("backward without requires_grad", lambda: Tensor(np.ones(1)).backward(), RuntimeError,
     ["requires_grad"]),
    ("item of 3 elements", lambda: Tensor(np.ones(3)).item(), ValueError, ["(3,)"]),
    ("len of 0-d", lambda: len(Tensor(1.0)), TypeError, ["0-d", ".item()"]),
    ("index out of bounds", lambda: Tensor(np.ones(3))[5], IndexError, ["5", "3"]),
    ("float Tensor index", lambda: Tensor(np.ones(3))[Tensor([0.9])], IndexError,
     ["floating-point index", "0.9", "integers", "bools"]),
    ("integer tensor requires grad", lambda: Tensor([0, 1], requires_grad=True), TypeError,
     ["int64", "floats", "dtype"]),
    ("mean of integers", lambda: Tensor([1, 2]).mean(), TypeError, ["mean", "int64", "dtype"]),
    ("iterating a 0-d tensor", lambda: sum(Tensor(3.0)), TypeError, ["0-d", ".item()"]),
    ("transpose dim out of range", lambda: Tensor(np.ones((2, 3))).transpose(0, 2), IndexError,
     ["transpose", "dim1=2", "[-2, 1]"]),
    ("permute with too few dims", lambda: Tensor(np.ones((2, 3))).permute(0), ValueError,
     ["permute", "2 dimensions", "(0,)"]),
    ("permute repeats a dim", lambda: Tensor(np.ones((2, 3))).permute(1, 1), ValueError,
     ["permute", "repeat", "[1]"]),
    ("flatten start_dim out of range", lambda: Tensor(np.ones((2, 3))).flatten(5), IndexError,
     ["flatten", "start_dim=5", "[-2, 1]"]),
    ("flatten reversed dims", lambda: Tensor(np.ones((2, 3))).flatten(1, 0), ValueError,
     ["flatten", "start_dim=1", "end_dim=0"]),
    ("Tensor.zeros(-1)", lambda: Tensor.zeros(-1), ValueError, ["negative"]),
    ("integer default dtype", lambda: tinygrad_edu.set_default_dtype(np.int32),
     TypeError, ["floating-point", "int32"]),
    ("anomaly: exp overflow", anomaly_in_forward, FloatingPointError, ["Exp", "inf"]),
    ("Function called like a class", lambda: TripleBackward(Tensor(np.ones(2))), TypeError,
     ["TripleBackward.apply("]),
    ("Function without @staticmethod", function_without_staticmethod, TypeError,
     ["Forgetful.backward", "add @staticmethod"]),
    ("in-place change before backward", in_place_change_before_backward, RuntimeError,
     ["Mul", "changed in place", "input 0", "(2,)", "'w'", "after backward()"]),
    ("optimizer.step() before backward", optimizer_step_before_backward, RuntimeError,
     ["Linear", "changed in place", "optimizer.step()"]),
    ("Function: wrong gradient count", function_with_too_few_gradients, ValueError,
     ["OneGradientForTwoInputs", "1 gradient", "2 input"]),
    # --- gradcheck (§3)
    ("gradcheck catches a wrong backward",
     lambda: gradcheck(TripleBackward.apply, Tensor(np.ones(2), requires_grad=True)),
     GradcheckError, ["analytic", "numerical", "abs err", "rel err"]),
    ("gradcheck with nothing to check", lambda: gradcheck(lambda x: x, Tensor(np.ones(2))),
     ValueError, ["requires_grad"]),
    ("numerical_gradient of a vector function",
     lambda: numerical_gradient(lambda x: x, np.ones(3)), ValueError,
     ["scalar", "(3,)", "numerical_jacobian"]),
    # --- nn (§4)
    ("Linear(0, 2)", lambda: nn.Linear(0, 2), ValueError, ["in_features", "0"]),
    ("Linear(2.5, 2)", lambda: nn.Linear(2.5, 2), ValueError, ["in_features", "2.5"]),
    ("Linear input shape", lambda: nn.Linear(3, 2)(np.ones((4, 5))), ValueError,
     ["(4, 5)", "(2, 3)"]),
    ("MLP([2])", lambda: nn.MLP([2]), ValueError, ["sizes", "[2]"]),
    ("MLP activation", lambda: nn.MLP([2, 3, 1], activation="gelu"), ValueError,
     ["activation", "'gelu'", "relu"]),
    ("Sequential(3)", lambda: nn.Sequential(3), TypeError, ["argument 0", "int", "Module"]),
    ("load_state_dict missing key",
     lambda: nn.Linear(2, 2).load_state_dict({"weight": np.ones((2, 2))}), KeyError,
     ["missing", "bias"]),
    ("load_state_dict extra key", lambda: nn.Linear(2, 2).load_state_dict(
        {"weight": np.ones((2, 2)), "bias": np.ones(2), "extra": np.ones(1)}), KeyError,
     ["unexpected", "extra"]),
    ("load_state_dict shape", lambda: nn.Linear(2, 2).load_state_dict(
        {"weight": np.ones((3, 2)), "bias": np.ones(2)}), ValueError,
     ["weight", "(2, 2)", "(3, 2)"]),
    ("mse_loss reduction", lambda: F.mse_loss(np.ones(3), np.ones(3), reduction="avg"),
     ValueError, ["reduction", "'avg'", "mean"]),
    ("cross_entropy float target",
     lambda: F.cross_entropy(np.ones((2, 3)), np.array([0.5, 1.0])), ValueError,
     ["class probabilities", "(2, 3)", "0.5", "pass integers"]),
    ("cross_entropy whole-number float indices",
     lambda: F.cross_entropy(np.ones((2, 3)), Tensor([0.0, 2.0])), ValueError,
     ["floating-point target", "(2,)", "pass integers"]),
    ("binary_cross_entropy target > 1",
     lambda: F.binary_cross_entropy(np.array([0.5]), np.array([2.0])), ValueError,
     ["target", "[0, 1]", "2."]),
    ("cross_entropy class out of range",
     lambda: F.cross_entropy(np.ones((2, 3)), np.array([0, 3])), ValueError, ["0..2", "3"]),
    ("cross_entropy target shape",
     lambda: F.cross_entropy(np.ones((2, 3)), np.array([0, 1, 2])), ValueError,
     ["(2, 3)", "(3,)"]),
    ("binary_cross_entropy probs > 1",
     lambda: F.binary_cross_entropy(np.array([1.5]), np.array([1.0])), ValueError,
     ["[0, 1]", "1.5", "with_logits"]),
    ("binary_cross_entropy shapes",
     lambda: F.binary_cross_entropy(np.array([0.5, 0.5]), np.array([1.0])), ValueError,
     ["(1,)", "(2,)"]),
    # --- optimizers (§5)
    ("SGD lr < 0", lambda: optim.SGD(params(), lr=-1), ValueError, ["lr", "-1"]),
    ("SGD momentum < 0", lambda: optim.SGD(params(), lr=0.1, momentum=-0.1), ValueError,
     ["momentum", "-0.1"]),
    ("SGD weight_decay < 0", lambda: optim.SGD(params(), lr=0.1, weight_decay=-0.1),
     ValueError, ["weight_decay", "-0.1"]),
    ("SGD nesterov without momentum", lambda: optim.SGD(params(), lr=0.1, nesterov=True),
     ValueError, ["nesterov", "momentum"]),
    ("SGD nesterov with dampening", lambda: optim.SGD(params(), lr=0.1, momentum=0.9,
                                                      dampening=0.1, nesterov=True),
     ValueError, ["nesterov", "dampening"]),
    ("Adam beta1 = 1", lambda: optim.Adam(params(), betas=(1.0, 0.9)), ValueError,
     ["betas[0]", "1.0"]),
    ("Adam beta2 < 0", lambda: optim.Adam(params(), betas=(0.9, -0.1)), ValueError,
     ["betas[1]", "-0.1"]),
    ("Adam eps < 0", lambda: optim.Adam(params(), eps=-1), ValueError, ["eps", "-1"]),
    ("Adam lr as str", lambda: optim.Adam(params(), lr="0.1"), TypeError, ["lr", "'0.1'"]),
    ("empty parameter list", lambda: optim.Adam([]), ValueError, ["empty", "parameters()"]),
    ("parameter given twice", lambda: optim.Adam(params() * 2), ValueError, ["twice"]),
    ("a single Tensor, not a list",
     lambda: optim.Adam(Tensor(np.ones(2), requires_grad=True)), TypeError,
     ["single Tensor", "[param]"]),
    ("floats instead of parameters", lambda: optim.Adam([1.0, 2.0]), TypeError,
     [".data", ".grad", "float"]),
    ("RMSprop alpha < 0", lambda: optim.RMSprop(params(), alpha=-0.1), ValueError,
     ["alpha", "-0.1"]),
    ("Adadelta rho > 1", lambda: optim.Adadelta(params(), rho=1.5), ValueError,
     ["rho", "1.5"]),
    ("Lion beta1 > 1", lambda: optim.Lion(params(), betas=(1.5, 0.9)), ValueError,
     ["betas[0]", "1.5"]),
    ("optimizer state_dict with no groups",
     lambda: optim.Adam(params()).load_state_dict({"state": {}, "param_groups": []}),
     ValueError, ["0 param group", "1"]),
    ("optimizer state of the wrong shape", optimizer_state_with_wrong_shape, ValueError,
     ["exp_avg", "(2,)", "(3,)"]),
    # --- schedulers (§6)
    ("optimizer state with step -1", lambda: adam_state_with("step", -1), ValueError,
     ["state[0]['step']", "whole number >= 0", "-1"]),
    ("optimizer state with step inf", lambda: adam_state_with("step", float("inf")),
     ValueError, ["state[0]['step']", "finite", "inf"]),
    ("optimizer state holding NaN", lambda: adam_state_with("exp_avg", np.full(2, np.nan)),
     ValueError, ["state[0]['exp_avg']", "NaN or inf", "diverged"]),
    ("optimizer state negative squares", lambda: adam_state_with("exp_avg_sq", -np.ones(2)),
     ValueError, ["state[0]['exp_avg_sq']", "negative"]),
    ("optim.AdaGrad (the posts' spelling)", lambda: optim.AdaGrad, AttributeError,
     ["'AdaGrad'", "optim.Adagrad"]),
    ("optim.RMSProp (the posts' spelling)", lambda: optim.RMSProp, AttributeError,
     ["'RMSProp'", "optim.RMSprop"]),
    ("SequentialLR inside a SequentialLR", nested_sequential_lr, ValueError,
     ["schedulers[1] is a SequentialLR", "one SequentialLR", "milestones"]),
    ("scheduler on a non-optimizer", lambda: L.StepLR(3, 2), TypeError, ["optimizer", "int"]),
    ("StepLR step_size 0", lambda: L.StepLR(sgd(), 0), ValueError, ["step_size", "0"]),
    ("CosineAnnealingLR T_max 0", lambda: L.CosineAnnealingLR(sgd(), 0), ValueError,
     ["T_max", "0"]),
    ("OneCycleLR without length", lambda: L.OneCycleLR(sgd(), max_lr=1.0), ValueError,
     ["total_steps", "steps_per_epoch"]),
    ("MultiStepLR unsorted", lambda: L.MultiStepLR(sgd(), [5, 2]), ValueError,
     ["milestones", "[5, 2]"]),
    ("LinearLR start_factor 0", lambda: L.LinearLR(sgd(), start_factor=0), ValueError,
     ["start_factor", "0"]),
    ("ReduceLROnPlateau mode", lambda: L.ReduceLROnPlateau(sgd(), mode="maximum"),
     ValueError, ["mode", "'maximum'"]),
    ("ReduceLROnPlateau factor", lambda: L.ReduceLROnPlateau(sgd(), factor=1.5), ValueError,
     ["factor", "1.5"]),
    ("scheduler state of another kind", lambda: L.StepLR(sgd(), 2).load_state_dict({"x": 1}),
     ValueError, ["StepLR", "missing keys"]),
    # --- data (§7)
    ("TensorDataset lengths", lambda: TensorDataset(np.ones((3, 2)), np.ones(4)), ValueError,
     ["first dimension", "(3, 2)", "(4,)"]),
    ("TensorDataset()", lambda: TensorDataset(), ValueError, ["at least one array"]),
    ("DataLoader batch_size 0", lambda: DataLoader(TensorDataset(np.ones(3)), batch_size=0),
     ValueError, ["batch_size", "0"]),
    ("DataLoader batch_size 1.5",
     lambda: DataLoader(TensorDataset(np.ones(3)), batch_size=1.5), ValueError,
     ["batch_size", "1.5"]),
    ("DataLoader seed -1", lambda: DataLoader(TensorDataset(np.ones(3)), seed=-1), ValueError,
     ["seed", "-1"]),
    ("DataLoader(5)", lambda: DataLoader(5), TypeError, ["dataset", "__len__", "int"]),
    ("DataLoader state of another size",
     lambda: DataLoader(TensorDataset(np.ones(4)), shuffle=True).load_state_dict(
         {"epoch": 1, "batches_done": 1, "order": np.arange(3), "generator": None}),
     ValueError, ["order", "4", "(3,)"]),
    ("DataLoader state with epoch -1",
     lambda: DataLoader(TensorDataset(np.ones(4))).load_state_dict(
         {"epoch": -1, "batches_done": 0, "order": None, "generator": None}),
     ValueError, ["'epoch'", "whole number >= 0", "-1"]),
    ("make_moons n_samples", lambda: make_moons(n_samples=-1), ValueError,
     ["n_samples", "-1"]),
    ("make_moons noise", lambda: make_moons(noise=-1), ValueError, ["noise", "-1"]),
    ("make_spirals n_classes", lambda: make_spirals(n_classes=0), ValueError,
     ["n_classes", "0"]),
    ("make_blobs std", lambda: make_blobs(std=-1), ValueError, ["std", "-1"]),
    # --- random
    ("manual_seed(-1)", lambda: tinygrad_edu.manual_seed(-1), ValueError, ["-1"]),
    ("set_rng_state(junk)", lambda: tinygrad_edu.set_rng_state({"a": 1}), ValueError,
     ["get_rng_state", "bit_generator"]),
    # --- save / load (§9)
    ("save a set", lambda tmp_path: tinygrad_edu.save({"s": {1}}, tmp_path / "c"), TypeError,
     ["obj['s']", "set"]),
    ("save a Tensor", lambda tmp_path: tinygrad_edu.save([Tensor(np.ones(2))], tmp_path / "c"),
     TypeError, ["obj[0]", "Tensor", "save its .data"]),
    ("save a Value", lambda tmp_path: tinygrad_edu.save({"v": Value(1.0)}, tmp_path / "c"),
     TypeError, ["obj['v']", "Value", "save its .data"]),
    ("save a Module", lambda tmp_path: tinygrad_edu.save(nn.Linear(2, 2), tmp_path / "c"),
     TypeError, ["obj", "Linear", ".state_dict()"]),
    ("save to a number", lambda: tinygrad_edu.save({}, 3), TypeError, ["path", "int"]),
    ("load a missing file", lambda tmp_path: tinygrad_edu.load(tmp_path / "nope"),
     FileNotFoundError, ["nope"]),
    ("load random bytes", lambda tmp_path: load_bytes(tmp_path, b"hello world"),
     CheckpointError, ["file.ckpt", "zip"]),
    ("load a pickle", lambda tmp_path: load_bytes(tmp_path, pickle.dumps([1])),
     CheckpointError, ["file.ckpt", "pickle"]),
    ("load a plain npz", load_plain_npz, CheckpointError, ["plain.npz", "np.load"]),
    ("load a truncated checkpoint", lambda tmp_path: load_bytes(tmp_path, b"PK\x03\x04" * 5),
     CheckpointError, ["file.ckpt"]),
    ("load a compressed member (zip bomb)", load_compressed_checkpoint, CheckpointError,
     ["z.ckpt", "compressed", "zip bomb"]),
    ("save nested too deep", save_nested_too_deep, TypeError,
     ["nested more than 300 containers deep", "flatten"]),
    ("save over a read-only file", save_over_a_read_only_file, PermissionError,
     ["read-only", "open(path, 'wb')", "ckpt.npz"]),
]


@pytest.mark.parametrize("call, error, fragments", [row[1:] for row in AUDIT],
                         ids=[row[0] for row in AUDIT])
def test_bad_input_raises_the_contracted_type_with_a_message_naming_the_problem(
        call, error, fragments, tmp_path):
    needs_folder = call.__code__.co_argcount == 1
    with pytest.raises(error) as info:
        call(tmp_path) if needs_folder else call()
    message = str(info.value)
    missing = [fragment for fragment in fragments if fragment not in message]
    assert not missing, f"message {message!r} does not mention {missing}"


def test_checkpoint_and_state_dict_errors_are_value_errors_so_one_except_catches_them():
    assert issubclass(CheckpointError, ValueError)
    assert issubclass(GradcheckError, AssertionError)
    with pytest.raises(ValueError):      # a missing key is also a ValueError (contract §4)
        nn.Linear(2, 2).load_state_dict({"weight": np.ones((2, 2))})


# --- pictures (§10): only where the optional packages are installed
VIZ = [
    ("draw_graph(3)", "graphviz", lambda viz: viz.draw_graph(3), TypeError,
     ["Value or a Tensor", "int"]),
    ("draw_graph rankdir", "graphviz", lambda viz: viz.draw_graph(Value(1.0), rankdir="XY"),
     ValueError, ["rankdir", "'XY'"]),
    ("plot_trajectories shape", "matplotlib", lambda viz: viz.plot_trajectories(
        LANDSCAPES["saddle"], [np.ones((3, 3))]), ValueError,
     ["(steps + 1, 2)", "(3, 3)"]),
    ("plot_decision_boundary X", "matplotlib", lambda viz: viz.plot_decision_boundary(
        nn.MLP([2, 2]), np.ones((3, 3)), np.zeros(3)), ValueError, ["(n, 2)", "(3, 3)"]),
]


@pytest.mark.parametrize("package, call, error, fragments", [row[1:] for row in VIZ],
                         ids=[row[0] for row in VIZ])
def test_viz_bad_input_messages(package, call, error, fragments):
    pytest.importorskip(package)
    import tinygrad_edu.viz as viz
    with pytest.raises(error) as info:
        call(viz)
    missing = [fragment for fragment in fragments if fragment not in str(info.value)]
    assert not missing, f"message {str(info.value)!r} does not mention {missing}"
