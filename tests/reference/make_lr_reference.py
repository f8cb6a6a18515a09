"""Regenerate tests/reference/lr_reference.json: learning-rate sequences from PyTorch's schedulers.

Run from the repository root (needs torch):

    python tests/reference/make_lr_reference.py

Each case describes an optimizer (its param groups' learning rates), one scheduler (or a
chain of them) and a number of steps. The script runs PyTorch's usual loop

    for _ in range(steps): optimizer.step(); scheduler.step()

and records, after construction and after every step, each group's ``lr`` (and, for
OneCycleLR, its ``momentum`` or ``betas[0]``). The JSON keeps the case description next to
the numbers, so tests/test_lr_scheduler.py builds the same thing with tinygrad_edu and
compares. Lambdas cannot be stored, so LambdaLR cases name them; the same names are
defined in the test (``LAMBDAS``) and here.
"""
import json
import math
import os
import warnings

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lr_reference.json")

LAMBDAS = {
    "warmup10": lambda epoch: min(1.0, (epoch + 1) / 10),
    "exp97": lambda epoch: 0.97 ** epoch,
    "poly60": lambda epoch: (1 - epoch / 60) ** 0.9,
}


def case(name, scheduler, kwargs, steps, group_lrs=(0.1,), optimizer="SGD", opt_kwargs=None,
         **extra):
    return dict(name=name, scheduler=scheduler, kwargs=kwargs, steps=steps,
                group_lrs=list(group_lrs), optimizer=optimizer, opt_kwargs=opt_kwargs or {},
                **extra)


# A metrics sequence with plateaus, small (sub-threshold) improvements and a rise: enough to
# exercise patience, threshold, cooldown and min_lr in both directions.
_metric_walk = [1.0, 0.9, 0.85, 0.85, 0.8499, 0.86, 0.87, 0.84, 0.84, 0.84, 0.839, 0.9, 0.95,
                0.95, 0.7, 0.7, 0.7, 0.71, 0.72, 0.69, 0.69, 0.69, 0.69, 0.6, 0.6, 0.6, 0.6,
                0.61, 0.62, 0.63, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
METRICS_MIN = _metric_walk
METRICS_MAX = [2.0 - m for m in _metric_walk]

CASES = [
    # --- LambdaLR
    case("lambda_warmup", "LambdaLR", {"lr_lambda": "warmup10"}, 30),
    case("lambda_per_group", "LambdaLR", {"lr_lambda": ["exp97", "poly60"]}, 50,
         group_lrs=(0.1, 0.02)),
    case("lambda_resume", "LambdaLR", {"lr_lambda": "exp97", "last_epoch": 9}, 30,
         group_lrs=(0.05,), current_lrs=(0.05,)),
    # --- StepLR
    case("step_default_gamma", "StepLR", {"step_size": 7}, 40),
    case("step_two_groups", "StepLR", {"step_size": 3, "gamma": 0.5}, 40, group_lrs=(0.1, 0.01)),
    case("step_growth", "StepLR", {"step_size": 5, "gamma": 2.0}, 30, group_lrs=(1e-3,)),
    case("step_resume", "StepLR", {"step_size": 4, "gamma": 0.5, "last_epoch": 10}, 30,
         group_lrs=(0.1, 0.2), current_lrs=(0.0125, 0.025)),
    # --- MultiStepLR
    case("multistep", "MultiStepLR", {"milestones": [5, 12, 20]}, 30),
    case("multistep_repeated", "MultiStepLR", {"milestones": [3, 3, 10], "gamma": 0.5}, 30,
         group_lrs=(0.3, 0.03)),
    case("multistep_resume", "MultiStepLR", {"milestones": [5, 15], "gamma": 0.2,
                                             "last_epoch": 7}, 30,
         group_lrs=(0.1,), current_lrs=(0.02,)),
    # --- ExponentialLR
    case("exponential", "ExponentialLR", {"gamma": 0.9}, 50),
    case("exponential_groups", "ExponentialLR", {"gamma": 0.95}, 60, group_lrs=(0.1, 1.0, 3e-4)),
    case("exponential_resume", "ExponentialLR", {"gamma": 0.8, "last_epoch": 4}, 30,
         group_lrs=(0.1,), current_lrs=(0.04096,)),
    # --- CosineAnnealingLR (the recursive form, including going past T_max)
    case("cosine", "CosineAnnealingLR", {"T_max": 20}, 60),
    case("cosine_eta_min_groups", "CosineAnnealingLR", {"T_max": 15, "eta_min": 1e-3}, 70,
         group_lrs=(0.1, 0.05)),
    case("cosine_long", "CosineAnnealingLR", {"T_max": 100, "eta_min": 0.0}, 100,
         group_lrs=(0.5,)),
    case("cosine_resume", "CosineAnnealingLR", {"T_max": 30, "eta_min": 0.01, "last_epoch": 5},
         40, group_lrs=(0.1,), current_lrs=(0.09,)),
    # --- LinearLR
    case("linear_default", "LinearLR", {}, 20),
    case("linear_decay_groups", "LinearLR", {"start_factor": 1.0, "end_factor": 0.1,
                                             "total_iters": 25}, 40, group_lrs=(0.1, 0.3)),
    case("linear_warmup", "LinearLR", {"start_factor": 0.01, "total_iters": 10}, 30,
         group_lrs=(0.5,)),
    case("linear_resume", "LinearLR", {"start_factor": 0.25, "total_iters": 12,
                                       "last_epoch": 3}, 30,
         group_lrs=(0.2,), current_lrs=(0.0875,)),
    # --- OneCycleLR
    case("onecycle_sgd_cos", "OneCycleLR", {"max_lr": 0.1, "total_steps": 50}, 50,
         opt_kwargs={"momentum": 0.9}, group_lrs=(0.01,)),
    case("onecycle_sgd_linear_groups", "OneCycleLR",
         {"max_lr": [0.1, 0.5], "total_steps": 40, "anneal_strategy": "linear",
          "pct_start": 0.25, "base_momentum": [0.8, 0.85], "max_momentum": 0.9,
          "div_factor": 10.0, "final_div_factor": 100.0}, 40,
         opt_kwargs={"momentum": 0.9}, group_lrs=(0.01, 0.01)),
    case("onecycle_adam_three_phase", "OneCycleLR",
         {"max_lr": 0.01, "epochs": 6, "steps_per_epoch": 8, "three_phase": True}, 48,
         optimizer="Adam", group_lrs=(1e-3,)),
    case("onecycle_adam_no_momentum", "OneCycleLR",
         {"max_lr": 0.003, "total_steps": 30, "cycle_momentum": False, "pct_start": 0.5}, 30,
         optimizer="Adam", group_lrs=(1e-3,)),
    # --- SequentialLR (a warm-up then a decay, and three pieces)
    case("sequential_warmup_cosine", "SequentialLR", {"milestones": [5]}, 40,
         children=[{"scheduler": "LinearLR", "kwargs": {"start_factor": 0.1, "total_iters": 5}},
                   {"scheduler": "CosineAnnealingLR", "kwargs": {"T_max": 35}}]),
    case("sequential_three", "SequentialLR", {"milestones": [4, 15]}, 40,
         group_lrs=(0.1, 0.4),
         children=[{"scheduler": "LinearLR", "kwargs": {"start_factor": 0.25, "total_iters": 4}},
                   {"scheduler": "ExponentialLR", "kwargs": {"gamma": 0.9}},
                   {"scheduler": "StepLR", "kwargs": {"step_size": 5, "gamma": 0.5}}]),
    # later children restarted by their closed forms (eta_min and start_factor not trivial)
    case("sequential_restarts_cosine_and_linear", "SequentialLR", {"milestones": [3, 12]}, 30,
         group_lrs=(0.1, 0.4),
         children=[{"scheduler": "ExponentialLR", "kwargs": {"gamma": 0.8}},
                   {"scheduler": "CosineAnnealingLR", "kwargs": {"T_max": 6, "eta_min": 0.01}},
                   {"scheduler": "LinearLR", "kwargs": {"start_factor": 0.5, "end_factor": 0.9,
                                                        "total_iters": 8}}]),
    # the flat form of a SequentialLR nested in another (nesting is refused: PyTorch's own
    # rates for it are wrong), a warm-up and a decay, then StepLR from epoch 5
    case("sequential_flat_form_of_nested", "SequentialLR", {"milestones": [2, 5]}, 12,
         children=[{"scheduler": "LinearLR", "kwargs": {"start_factor": 0.25, "total_iters": 2}},
                   {"scheduler": "ExponentialLR", "kwargs": {"gamma": 0.5}},
                   {"scheduler": "StepLR", "kwargs": {"step_size": 2, "gamma": 0.1}}]),
    case("sequential_multistep_lambda", "SequentialLR", {"milestones": [10]}, 30,
         children=[{"scheduler": "MultiStepLR", "kwargs": {"milestones": [3, 6]}},
                   {"scheduler": "LambdaLR", "kwargs": {"lr_lambda": "exp97"}}]),
    # --- two chainable schedulers stepping the same optimizer
    case("chained_exponential_step", "chain", {}, 30,
         children=[{"scheduler": "ExponentialLR", "kwargs": {"gamma": 0.95}},
                   {"scheduler": "StepLR", "kwargs": {"step_size": 6, "gamma": 0.5}}]),
    # --- ReduceLROnPlateau: lr after each step(metric)
    case("plateau_min_rel", "ReduceLROnPlateau", {"patience": 2}, len(METRICS_MIN),
         metrics=METRICS_MIN),
    case("plateau_min_abs_cooldown", "ReduceLROnPlateau",
         {"mode": "min", "factor": 0.5, "patience": 1, "threshold": 0.005,
          "threshold_mode": "abs", "cooldown": 2}, len(METRICS_MIN), metrics=METRICS_MIN,
         group_lrs=(0.1, 0.01)),
    case("plateau_max_rel_minlr", "ReduceLROnPlateau",
         {"mode": "max", "factor": 0.5, "patience": 0, "threshold": 0.01, "min_lr": [0.02, 0.0]},
         len(METRICS_MAX), metrics=METRICS_MAX, group_lrs=(0.1, 0.1)),
    case("plateau_max_abs_eps", "ReduceLROnPlateau",
         {"mode": "max", "factor": 0.3, "patience": 1, "threshold": 0.0, "threshold_mode": "abs",
          "min_lr": 1e-3, "eps": 5e-4}, len(METRICS_MAX), metrics=METRICS_MAX),
]


def _with_lambdas(kwargs):
    kwargs = dict(kwargs)
    if "lr_lambda" in kwargs:
        names = kwargs["lr_lambda"]
        kwargs["lr_lambda"] = ([LAMBDAS[n] for n in names] if isinstance(names, list)
                               else LAMBDAS[names])
    return kwargs


def _make(cls_name, optimizer, kwargs):
    return getattr(torch.optim.lr_scheduler, cls_name)(optimizer, **_with_lambdas(kwargs))


def _momentum(optimizer):
    if "betas" in optimizer.defaults:
        return [g["betas"][0] for g in optimizer.param_groups]
    return [g.get("momentum", 0.0) for g in optimizer.param_groups]


def run(c):
    params = [torch.nn.Parameter(torch.zeros(2)) for _ in c["group_lrs"]]
    groups = [{"params": [p], "lr": lr} for p, lr in zip(params, c["group_lrs"])]
    optimizer = getattr(torch.optim, c["optimizer"])(groups, **c["opt_kwargs"])
    if "current_lrs" in c:  # resuming: the optimizer holds initial_lr and the current lr
        for group, lr in zip(optimizer.param_groups, c["current_lrs"]):
            group["initial_lr"] = group["lr"]
            group["lr"] = lr

    if c["scheduler"] == "chain":
        schedulers = [_make(ch["scheduler"], optimizer, ch["kwargs"]) for ch in c["children"]]
    elif c["scheduler"] == "SequentialLR":
        children = [_make(ch["scheduler"], optimizer, ch["kwargs"]) for ch in c["children"]]
        schedulers = [torch.optim.lr_scheduler.SequentialLR(optimizer, children, **c["kwargs"])]
    else:
        schedulers = [_make(c["scheduler"], optimizer, c["kwargs"])]

    record = {"lrs": [[g["lr"] for g in optimizer.param_groups]],
              "last_lr": [list(schedulers[-1].get_last_lr())]}
    if c["scheduler"] == "OneCycleLR":
        record["momentum"] = [_momentum(optimizer)]
    for i in range(c["steps"]):
        optimizer.step()
        for s in schedulers:
            if c["scheduler"] == "ReduceLROnPlateau":
                s.step(c["metrics"][i])
            else:
                s.step()
        record["lrs"].append([g["lr"] for g in optimizer.param_groups])
        record["last_lr"].append(list(schedulers[-1].get_last_lr()))
        if "momentum" in record:
            record["momentum"].append(_momentum(optimizer))
    if c["scheduler"] == "OneCycleLR":
        # last_epoch may reach total_steps (the final point of the schedule); one more raises.
        try:
            optimizer.step()
            schedulers[0].step()
            record["raises_on_next_step"] = False
        except ValueError:
            record["raises_on_next_step"] = True
    return record


def main():
    warnings.simplefilter("ignore")  # torch warns about the deprecated pattern in no case here
    out = {"torch_version": torch.__version__, "cases": []}
    for c in CASES:
        result = run(c)
        assert all(math.isfinite(lr) for row in result["lrs"] for lr in row), c["name"]
        out["cases"].append({**c, **result})
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
    print(f"wrote {len(out['cases'])} cases to {OUT}")


if __name__ == "__main__":
    main()
