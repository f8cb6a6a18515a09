"""Regenerate tests/reference/optim_reference.npz: optimizer trajectories computed by PyTorch.

Run with torch, adabelief-pytorch==0.2.1 and lion-pytorch installed (the test suite itself
needs only numpy):

    pip install torch adabelief-pytorch==0.2.1 lion-pytorch tabulate colorama
    python tests/reference/make_optim_reference.py

Every case optimizes the same four float64 parameters, shapes (2, 3), (4,), () and (1,),
from the same start, feeding the same random gradient sequence as ``.grad`` at each of
STEPS steps (so the update rule alone is under test). Parameter 1 gets ``grad = None`` on
the steps listed in ``skip_steps``, so it is skipped there and its step count lags. The
gradients differ in scale per parameter (0.1 to 10) so that eps and the adaptive scalings
matter.

The torch classes run on their single-tensor path (``foreach=False``), the readable code
our rules follow. AdaBelief is ``adabelief_pytorch.AdaBelief`` (rectify=False,
amsgrad=False, fixed_decay=False; its ``weight_decouple`` is our
``decoupled_weight_decay``), Lion is ``lion_pytorch.Lion``.

The file holds:

* ``init/<i>`` — the start of parameter i; ``grads/<i>`` — shape (STEPS,) + its shape;
* ``<case>/traj`` — all four parameters after each step, flattened and concatenated
  (12 numbers a row), shape (STEPS + 1, 12), row 0 = the start;
* ``<case>/state`` — the optimizer's final per-parameter state, flattened and concatenated
  in the order of the case's ``state_layout``: a list of ``[param index, key, size]``
  (``step`` and ``mu_product`` are numbers of size 1), to check state names and values;
* ``config`` — JSON: ``{"steps", "shapes", "skip_steps", "cases": {case: {"optimizer",
  "kwargs", "groups", "state_layout"}}}``; ``groups`` is null (one group of all four) or a
  list of ``{"params": [indices], **overrides}``. The tests read their table from it.

Few, packed arrays keep the file small (each npz member costs a zip header).
"""
import contextlib
import io
import json
import os

import numpy as np
import torch

torch.set_default_dtype(torch.float64)   # also makes PyTorch's step/mu_product float64
STEPS = 50
SHAPES = [(2, 3), (4,), (), (1,)]
SCALES = [1.0, 10.0, 0.1, 3.0]
SKIP_STEPS = [3, 10, 17, 24, 31, 38, 45]   # parameter 1 has no gradient here
SEED = 20240607

CASES = {
    # name: (optimizer, kwargs, groups)
    "sgd": ("SGD", {"lr": 0.05}, None),
    "sgd_default": ("SGD", {}, None),
    "sgd_momentum": ("SGD", {"lr": 0.05, "momentum": 0.9}, None),
    "sgd_dampening": ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5}, None),
    # dampening 1: the buffer stays the first gradient, (1 − τ)·g adds nothing
    "sgd_dampening_one": ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 1.0}, None),
    "sgd_nesterov": ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}, None),
    "sgd_weight_decay": ("SGD", {"lr": 0.05, "weight_decay": 0.1}, None),
    "sgd_maximize": ("SGD", {"lr": 0.05, "maximize": True}, None),
    "sgd_all": ("SGD", {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.05, "nesterov": True,
                        "maximize": True}, None),
    "sgd_groups": ("SGD", {"lr": 0.05, "momentum": 0.9},
                   [{"params": [0, 2]}, {"params": [1, 3], "lr": 0.01, "momentum": 0.0,
                                         "weight_decay": 0.2}]),
    "adagrad": ("Adagrad", {}, None),
    "adagrad_lr_decay": ("Adagrad", {"lr": 0.1, "lr_decay": 0.05}, None),
    "adagrad_weight_decay": ("Adagrad", {"lr": 0.1, "weight_decay": 0.1}, None),
    "adagrad_initial_acc": ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5}, None),
    "adagrad_eps": ("Adagrad", {"lr": 0.1, "eps": 1e-2}, None),
    "adagrad_maximize": ("Adagrad", {"lr": 0.1, "maximize": True}, None),
    "adagrad_groups": ("Adagrad", {"lr": 0.1},
                       [{"params": [0, 1]}, {"params": [2, 3], "lr": 0.3, "lr_decay": 0.1}]),
    "rmsprop": ("RMSprop", {}, None),
    "rmsprop_alpha": ("RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-3}, None),
    "rmsprop_centered": ("RMSprop", {"lr": 0.01, "centered": True}, None),
    "rmsprop_momentum": ("RMSprop", {"lr": 0.01, "momentum": 0.9}, None),
    "rmsprop_centered_momentum": ("RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True},
                                  None),
    "rmsprop_weight_decay": ("RMSprop", {"lr": 0.01, "weight_decay": 0.1}, None),
    "rmsprop_maximize": ("RMSprop", {"lr": 0.01, "maximize": True}, None),
    "rmsprop_groups": ("RMSprop", {"lr": 0.01},
                       [{"params": [0, 1], "centered": True},
                        {"params": [2, 3], "momentum": 0.9, "alpha": 0.9}]),
    "adadelta": ("Adadelta", {}, None),
    "adadelta_rho": ("Adadelta", {"lr": 0.5, "rho": 0.5, "eps": 1e-3}, None),
    "adadelta_weight_decay": ("Adadelta", {"weight_decay": 0.1}, None),
    "adadelta_maximize": ("Adadelta", {"maximize": True}, None),
    # rho 1 (the closed end of its range): the averages stay 0, so this is plain SGD
    "adadelta_rho_one": ("Adadelta", {"lr": 0.5, "rho": 1.0}, None),
    "adam": ("Adam", {}, None),
    "adam_lr": ("Adam", {"lr": 0.05}, None),
    "adam_amsgrad": ("Adam", {"lr": 0.05, "amsgrad": True}, None),
    "adam_weight_decay": ("Adam", {"lr": 0.05, "weight_decay": 0.1}, None),
    "adam_decay_one": ("Adam", {"lr": 0.05, "weight_decay": 1.0}, None),   # g + 1·θ
    "adam_decoupled": ("Adam", {"lr": 0.05, "weight_decay": 0.1,
                                "decoupled_weight_decay": True}, None),
    "adam_maximize": ("Adam", {"lr": 0.05, "maximize": True}, None),
    "adam_betas_eps": ("Adam", {"lr": 0.05, "betas": (0.5, 0.9), "eps": 1e-3}, None),
    "adam_all": ("Adam", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1, "maximize": True},
                 None),
    "adam_groups": ("Adam", {"lr": 0.05},
                    [{"params": [0, 1], "amsgrad": True},
                     {"params": [2, 3], "lr": 0.01, "betas": (0.8, 0.99)}]),
    "adamw": ("AdamW", {}, None),
    "adamw_weight_decay": ("AdamW", {"lr": 0.05, "weight_decay": 0.5}, None),
    "adamw_decay_one": ("AdamW", {"lr": 0.05, "weight_decay": 1.0}, None),  # θ·(1 − γ)
    "adamw_amsgrad": ("AdamW", {"lr": 0.05, "amsgrad": True}, None),
    "adamw_maximize": ("AdamW", {"lr": 0.05, "weight_decay": 0.3, "maximize": True}, None),
    "adamax": ("Adamax", {}, None),
    "adamax_weight_decay": ("Adamax", {"lr": 0.05, "weight_decay": 0.1}, None),
    "adamax_maximize": ("Adamax", {"lr": 0.05, "maximize": True}, None),
    "adamax_betas_eps": ("Adamax", {"lr": 0.05, "betas": (0.5, 0.9), "eps": 1e-2}, None),
    "nadam": ("NAdam", {}, None),
    "nadam_weight_decay": ("NAdam", {"lr": 0.05, "weight_decay": 0.1}, None),
    "nadam_decoupled": ("NAdam", {"lr": 0.05, "weight_decay": 0.1,
                                  "decoupled_weight_decay": True}, None),
    "nadam_decoupled_one": ("NAdam", {"lr": 0.05, "weight_decay": 1.0,
                                      "decoupled_weight_decay": True}, None),
    "nadam_momentum_decay": ("NAdam", {"lr": 0.05, "momentum_decay": 0.1,
                                       "betas": (0.8, 0.99)}, None),
    "nadam_maximize": ("NAdam", {"lr": 0.05, "maximize": True}, None),
    "radam": ("RAdam", {}, None),
    "radam_weight_decay": ("RAdam", {"lr": 0.05, "weight_decay": 0.1}, None),
    "radam_decoupled": ("RAdam", {"lr": 0.05, "weight_decay": 0.1,
                                  "decoupled_weight_decay": True}, None),
    "radam_betas": ("RAdam", {"lr": 0.05, "betas": (0.5, 0.9), "eps": 1e-3}, None),
    "radam_maximize": ("RAdam", {"lr": 0.05, "maximize": True}, None),
    "adabelief": ("AdaBelief", {}, None),
    "adabelief_lr": ("AdaBelief", {"lr": 0.05, "eps": 1e-8}, None),
    "adabelief_decoupled": ("AdaBelief", {"lr": 0.05, "weight_decay": 0.1}, None),
    "adabelief_l2": ("AdaBelief", {"lr": 0.05, "weight_decay": 0.1,
                                   "decoupled_weight_decay": False}, None),
    "adabelief_groups": ("AdaBelief", {"lr": 0.05},
                         [{"params": [0, 1]}, {"params": [2, 3], "lr": 0.01,
                                               "betas": (0.5, 0.9)}]),
    "lion": ("Lion", {}, None),
    "lion_lr": ("Lion", {"lr": 0.01}, None),
    "lion_weight_decay": ("Lion", {"lr": 0.01, "weight_decay": 0.5}, None),
    "lion_betas": ("Lion", {"lr": 0.01, "betas": (0.5, 0.9)}, None),
}


def make_torch_optimizer(name, params, kwargs):
    if name == "AdaBelief":
        from adabelief_pytorch import AdaBelief
        kwargs = dict(kwargs)
        kwargs["weight_decouple"] = kwargs.pop("decoupled_weight_decay", True)
        with contextlib.redirect_stdout(io.StringIO()):      # it prints a change log
            return AdaBelief(params, rectify=False, amsgrad=False, fixed_decay=False,
                             print_change_log=False, **kwargs)
    if name == "Lion":
        from lion_pytorch import Lion
        return Lion(params, **kwargs)
    return getattr(torch.optim, name)(params, foreach=False, **kwargs)


def run_case(name, kwargs, groups, init, grads):
    params = [torch.tensor(x, requires_grad=True) for x in init]
    if groups is None:
        spec = params
    else:
        spec = [{**{k: v for k, v in g.items() if k != "params"},
                 "params": [params[i] for i in g["params"]]} for g in groups]
    opt = make_torch_optimizer(name, spec, kwargs)
    traj = [np.concatenate([x.ravel() for x in init])]
    for t in range(STEPS):
        for i, p in enumerate(params):
            skip = i == 1 and t in SKIP_STEPS
            p.grad = None if skip else torch.tensor(grads[i][t])
        opt.step()
        traj.append(np.concatenate([p.detach().numpy().ravel() for p in params]))
    layout, values = [], []
    for i, p in enumerate(params):
        for key, value in opt.state[p].items():
            value = value.detach().numpy() if torch.is_tensor(value) else np.asarray(value)
            layout.append([i, key, int(value.size)])
            values.append(np.asarray(value, dtype=np.float64).ravel())
    return np.stack(traj), layout, np.concatenate(values) if values else np.zeros(0)


def main():
    rng = np.random.default_rng(SEED)
    init = [rng.standard_normal(s) for s in SHAPES]
    grads = [rng.standard_normal((STEPS,) + s) * scale for s, scale in zip(SHAPES, SCALES)]
    grads[0][5] = 0.0                              # a step with an all-zero gradient
    arrays = {}
    for i, (x, g) in enumerate(zip(init, grads)):
        arrays[f"init/{i}"], arrays[f"grads/{i}"] = x, g
    config = {"steps": STEPS, "shapes": SHAPES, "skip_steps": SKIP_STEPS, "cases": {}}
    for case, (name, kwargs, groups) in CASES.items():
        traj, layout, state = run_case(name, kwargs, groups, init, grads)
        arrays[f"{case}/traj"], arrays[f"{case}/state"] = traj, state
        config["cases"][case] = {"optimizer": name, "kwargs": kwargs, "groups": groups,
                                 "state_layout": layout}
    arrays["config"] = np.array(json.dumps(config))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optim_reference.npz")
    np.savez_compressed(path, **arrays)
    print(f"wrote {len(CASES)} cases to {path} ({os.path.getsize(path) / 1024:.0f} KiB), "
          f"torch {torch.__version__}")


if __name__ == "__main__":
    main()
