"""``python -m tinygrad_edu.bench --plot DIR --quick`` runs and writes its four pictures."""
import os
import subprocess
import sys

from PIL import Image


def test_plot_quick_writes_the_four_pictures(tmp_path):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, "-m", "tinygrad_edu.bench", "--plot",
                             str(tmp_path), "--quick"], env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    names = ("tensor_growth.png", "compile_growth.png", "scalar_growth.png", "adam_growth.png")
    for name in names:
        with Image.open(tmp_path / name) as image:
            assert image.size[0] > 400 and image.size[1] > 300
        assert f"wrote {tmp_path / name}" in result.stdout
    assert "machine:" in result.stdout


def test_quick_without_plot_is_refused():
    result = subprocess.run([sys.executable, "-m", "tinygrad_edu.bench", "--quick"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "--plot" in result.stderr


def test_the_phases_of_a_step_are_the_step_and_the_bookkeeping_table_has_its_columns(capsys):
    from tinygrad_edu.bench import tensor as bench
    forward, forward_backward, step = bench.tinygrad_phases(4, sizes=(6, 5, 4, 3))
    whole = bench.tinygrad_step_fn(4, sizes=(6, 5, 4, 3))
    assert forward().item() == whole()              # the same model, data and loss
    step()                                          # one SGD update, as the whole step did
    assert forward().item() == whole()
    bench.bookkeeping_table(batch=4, steps=(3, 2))
    lines = capsys.readouterr().out.splitlines()
    assert "| network" in lines[3] and "difference |" in lines[3]
    assert lines[5].startswith("| 4-4-4-2, batch 2") and lines[6].startswith("| 784-256-128-10")


def test_each_engine_process_gets_the_thread_counts_and_the_heap_padding(monkeypatch):
    import json
    import subprocess
    from tinygrad_edu.bench import tensor as bench
    seen = []

    def run(command, env, **kwargs):
        seen.append(env)
        return subprocess.CompletedProcess(command, 0, stdout=json.dumps({"32": [1.0]}) + "\n")

    monkeypatch.setattr(bench.subprocess, "run", run)
    monkeypatch.delenv("MALLOC_TOP_PAD_", raising=False)
    assert bench._run_worker("numpy by hand", 2) == {32: [1.0]}
    env = seen[-1]
    assert env["OPENBLAS_NUM_THREADS"] == env["OMP_NUM_THREADS"] == env["MKL_NUM_THREADS"] == "2"
    assert env["MALLOC_TOP_PAD_"] == str(64 << 20)
    monkeypatch.setenv("MALLOC_TOP_PAD_", "123")          # the user's own setting wins
    bench._run_worker("numpy by hand", 1)
    assert seen[-1]["MALLOC_TOP_PAD_"] == "123" and seen[-1]["OPENBLAS_NUM_THREADS"] == "1"
