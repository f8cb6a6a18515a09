"""Regenerate the README's pictures in this folder with the demos' own commands.

    python demos/images/regenerate.py            # all of them (a few minutes)
    python demos/images/regenerate.py 15 21      # only these demos

Each demo runs as a learner would run it (``python demos/NN_name.py --out TMP ...``), at
80 dpi where it has a ``--dpi`` option; the chosen PNGs are then stored as 128-colour
(palette) PNGs, which keeps each file around 15-120 KB without visible loss on plots.
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEMOS = os.path.dirname(HERE)
ROOT = os.path.dirname(DEMOS)

# demo file -> (extra arguments, {file the demo writes: name stored here})
PICTURES = {
    "04_optimizers_mlp.py": (["--dpi", "80"], {"04_optimizers_loss.png": None}),
    "11_chain_rule_graph.py": (["--quick", "--rankdir", "TB"],
                               {"11_graph_after_backward.png": "11_chain_rule_graph.png"}),
    "12_numerical_vs_analytic.py": (["--dpi", "80"], {"12_numerical_vs_analytic.png": None}),
    "13_batch_vs_sgd.py": (["--dpi", "80"], {"13_batch_vs_sgd.png": None}),
    "14_learning_rate.py": (["--dpi", "80"], {"14_learning_rate.png": None}),
    "15_optimizer_race.py": (["--dpi", "80", "--no-gif"],
                             {"15_optimizer_race.png": None, "15_saddle_3d.png": None}),
    "16_local_minima.py": ([], {"16_local_minima.png": None}),
    "17_curvature.py": ([], {"17_curvature.png": None}),
    "19_optimizer_state.py": ([], {"19_optimizer_state.png": None}),
    "21_lr_schedules.py": (["--dpi", "80"], {"21_lr_schedules.png": None}),
    "22_transfer_learning.py": (["--dpi", "80"], {"22_transfer_learning.png": None}),
    "23_adaptive_insides.py": (["--dpi", "80"], {"23_adaptive_insides.png": None}),
    "24_saddles_in_high_dimensions.py": (["--dpi", "80"],
                                         {"24_saddles_in_high_dimensions.png": None}),
    "25_compile.py": (["--dpi", "80"], {"25_compile.png": None}),
    "26_cnn_digits.py": (["--dpi", "80"], {"26_cnn_digits.png": None}),
}


def store(source, target):
    """``source`` as a 128-colour PNG at ``target``."""
    from PIL import Image

    with Image.open(source) as image:
        # octree keeps the few saturated line colours; the default (median cut) spends the
        # palette on the background's greys and turns an orange path olive
        image.convert("RGB").quantize(colors=128, method=Image.Quantize.FASTOCTREE).save(
            target, optimize=True)


def main(argv=None):
    wanted = sys.argv[1:] if argv is None else argv
    environment = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH",
                                                                                 ""))
    for demo, (arguments, files) in PICTURES.items():
        if wanted and not any(demo.startswith(w) for w in wanted):
            continue
        with tempfile.TemporaryDirectory() as out:
            command = [sys.executable, os.path.join(DEMOS, demo), "--out", out] + arguments
            print("$", " ".join(command[1:]), flush=True)
            subprocess.run(command, check=True, env=environment, stdout=subprocess.DEVNULL)
            for written, stored in files.items():
                target = os.path.join(HERE, stored or written)
                store(os.path.join(out, written), target)
                print(f"  {os.path.relpath(target, ROOT)}: {os.path.getsize(target) // 1024} KB")


if __name__ == "__main__":
    main()
