"""Regenerate tests/reference/nn_reference.npz: nn.functional values and gradients by PyTorch.

Run with torch installed (the test suite itself needs only numpy):

    /work/venv/bin/python tests/reference/make_nn_reference.py

Every case calls one ``torch.nn.functional`` function on float64 inputs, then back-propagates
a fixed random upstream gradient (ones for scalar outputs), so the stored input gradients
are full vector-Jacobian products, not just gradients of a sum. The file holds, per case:

* ``<case>/<input>`` — each input (float64, or int64 for class indices),
* ``<case>/out`` and ``<case>/upstream`` — the output and the gradient sent into it,
* ``<case>/grad_<input>`` — ∂(upstream · out)/∂input for every differentiable input,

and ``config``: a JSON string ``{case: {"fn", "inputs", "grad_inputs", "kwargs"}}`` that the
test reads its table from, so the table lives in one place.

It also stores one MLP case (keys ``mlp/...``): a ``torch.nn.Sequential`` of
Linear-ReLU-Linear-Tanh-Linear, its ``state_dict`` as arrays (``mlp/state/<key>``), an input
batch, the logits, the cross-entropy loss and the gradient of every parameter and of the input.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(20240601)


def normal(*shape, scale=1.0):
    return rng.standard_normal(shape) * scale


def labels(n, classes):
    return rng.integers(0, classes, size=n).astype(np.int64)


probs = rng.uniform(0.02, 0.98, size=(4, 3))
probs[0, :3] = [0.0, 1.0, 0.5]                 # the clamped ends: log(0) -> -100 in PyTorch
bce_target = rng.uniform(0, 1, size=(4, 3))
bce_target[0, :3] = [1.0, 0.0, 1.0]
bce_target[1] = [0.0, 1.0, 1.0]                # hard labels as well as soft ones

# case name -> (function name, {input name: array}, names of differentiable inputs, kwargs)
CASES = {
    "relu": ("relu", {"x": np.r_[normal(7), 0.0, -0.0]}, ["x"], {}),
    "tanh": ("tanh", {"x": np.r_[normal(6, scale=2), 30.0, -30.0]}, ["x"], {}),
    "sigmoid": ("sigmoid", {"x": np.r_[normal(6, scale=2), 50.0, -50.0, 800.0, -800.0]},
                ["x"], {}),
    "softmax_last": ("softmax", {"x": normal(3, 5)}, ["x"], {"dim": -1}),
    "softmax_first": ("softmax", {"x": normal(3, 5)}, ["x"], {"dim": 0}),
    "softmax_large": ("softmax", {"x": np.array([[1e4, 0.0, -1e4], [5.0, 5.0, 1e4]])},
                      ["x"], {"dim": -1}),
    "log_softmax_last": ("log_softmax", {"x": normal(3, 5)}, ["x"], {"dim": -1}),
    "log_softmax_first": ("log_softmax", {"x": normal(2, 3, 4)}, ["x"], {"dim": 1}),
    "log_softmax_large": ("log_softmax", {"x": np.array([[1e4, 0.0, -1e4], [5.0, 5.0, 1e4]])},
                          ["x"], {"dim": -1}),
    "linear": ("linear", {"x": normal(4, 3), "weight": normal(2, 3), "bias": normal(2)},
               ["x", "weight", "bias"], {}),
    "linear_nobias": ("linear", {"x": normal(2, 4, 3), "weight": normal(5, 3)},
                      ["x", "weight"], {}),
}
for reduction in ("mean", "sum", "none"):
    CASES[f"mse_loss_{reduction}"] = (
        "mse_loss", {"input": normal(4, 3), "target": normal(4, 3)}, ["input", "target"],
        {"reduction": reduction})
    CASES[f"cross_entropy_{reduction}"] = (
        "cross_entropy", {"logits": normal(6, 4, scale=2), "target": labels(6, 4)}, ["logits"],
        {"reduction": reduction})
    CASES[f"cross_entropy_large_{reduction}"] = (
        "cross_entropy", {"logits": np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]]),
                          "target": np.array([1, 1], dtype=np.int64)}, ["logits"],
        {"reduction": reduction})
    CASES[f"binary_cross_entropy_{reduction}"] = (
        "binary_cross_entropy", {"probs": probs, "target": bce_target}, ["probs", "target"],
        {"reduction": reduction})
    CASES[f"binary_cross_entropy_with_logits_{reduction}"] = (
        "binary_cross_entropy_with_logits",
        {"logits": np.r_[normal(6, scale=3), 100.0, -100.0, 800.0, -800.0],
         "target": np.r_[rng.uniform(0, 1, 6), 0.0, 1.0, 0.0, 1.0]}, ["logits", "target"],
        {"reduction": reduction})
CASES["cross_entropy_single"] = ("cross_entropy", {"logits": normal(5),
                                                   "target": np.array(3, dtype=np.int64)},
                                 ["logits"], {"reduction": "mean"})


# Class probabilities as the target (soft labels): a float target of the input's shape.
# Drawn from a generator of their own, so adding them left every earlier number unchanged.
soft_rng = np.random.default_rng(20261129)


def class_probabilities(*shape):
    weights = soft_rng.uniform(0.0, 1.0, size=shape)
    return weights / weights.sum(axis=-1, keepdims=True)


def soft_normal(*shape, scale=1.0):
    return soft_rng.standard_normal(shape) * scale


for reduction in ("mean", "sum", "none"):
    CASES[f"cross_entropy_probs_{reduction}"] = (
        "cross_entropy", {"logits": soft_normal(5, 4, scale=2),
                          "target": class_probabilities(5, 4)},
        ["logits", "target"], {"reduction": reduction})
unnormalised = soft_rng.uniform(0.0, 1.0, size=(3, 4))
unnormalised[0] = [1.0, 0.0, 0.0, 0.0]              # a one-hot row, as hard labels
CASES["cross_entropy_probs_unnormalised"] = (        # rows need not sum to 1 (PyTorch: no check)
    "cross_entropy", {"logits": soft_normal(3, 4), "target": unnormalised}, ["logits", "target"],
    {"reduction": "mean"})
CASES["cross_entropy_probs_single"] = (
    "cross_entropy", {"logits": soft_normal(6), "target": class_probabilities(6)},
    ["logits", "target"], {"reduction": "mean"})
CASES["cross_entropy_probs_large"] = (
    "cross_entropy", {"logits": np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]]),
                      "target": np.array([[0.2, 0.5, 0.3], [0.0, 1.0, 0.0]])},
    ["logits", "target"], {"reduction": "mean"})


def run_case(fn_name, inputs, grad_inputs, kwargs, draw=normal):
    tensors = {name: torch.tensor(value, requires_grad=name in grad_inputs)
               for name, value in inputs.items()}
    out = getattr(F, fn_name)(*tensors.values(), **kwargs)
    upstream = torch.ones_like(out) if out.ndim == 0 else torch.tensor(draw(*out.shape))
    out.backward(upstream)
    result = {"out": out.detach().numpy(), "upstream": upstream.numpy()}
    for name in grad_inputs:
        result[f"grad_{name}"] = tensors[name].grad.numpy()
    return result


def mlp_case():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 6),
                                torch.nn.Tanh(), torch.nn.Linear(6, 4))
    x = torch.tensor(normal(10, 3), requires_grad=True)
    target = torch.tensor(labels(10, 4))
    logits = model(x)
    loss = F.cross_entropy(logits, target)
    loss.backward()
    arrays = {"mlp/x": x.detach().numpy(), "mlp/target": target.numpy(),
              "mlp/logits": logits.detach().numpy(), "mlp/loss": loss.detach().numpy(),
              "mlp/grad_x": x.grad.numpy()}
    for key, value in model.state_dict().items():
        arrays[f"mlp/state/{key}"] = value.numpy()
    for key, param in model.named_parameters():
        arrays[f"mlp/grad/{key}"] = param.grad.numpy()
    return arrays


def main():
    arrays, config = {}, {}
    for case, (fn_name, inputs, grad_inputs, kwargs) in CASES.items():
        config[case] = {"fn": fn_name, "inputs": list(inputs), "grad_inputs": grad_inputs,
                        "kwargs": kwargs}
        for name, value in inputs.items():
            arrays[f"{case}/{name}"] = value
        draw = soft_normal if case.startswith("cross_entropy_probs") else normal
        for name, value in run_case(fn_name, inputs, grad_inputs, kwargs, draw).items():
            arrays[f"{case}/{name}"] = value
    arrays.update(mlp_case())
    arrays["config"] = np.array(json.dumps(config))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nn_reference.npz")
    np.savez_compressed(path, **arrays)
    print(f"wrote {len(CASES)} cases and the MLP case to {path} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
