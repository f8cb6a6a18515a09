"""The command line never answers with a traceback (issue 9, row 15): one line on stderr,
exit code 2 for bad input, 130 after Ctrl-C, 141 when the reader of the output went away."""
import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from tinygrad_edu.__main__ import main

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def command(*args):
    return [sys.executable, "-m", "tinygrad_edu", *args]


def child_env():
    return {**os.environ, "PYTHONPATH": REPO + os.pathsep + os.environ.get("PYTHONPATH", ""),
            "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg"}


def sigint_as_usual():
    # A shell running the suite in the background ignores SIGINT, and children inherit
    # that; Python only turns SIGINT into KeyboardInterrupt when it is not ignored.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def assert_one_line(stderr, *fragments):
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    for fragment in fragments:
        assert fragment in stderr, stderr


def test_out_naming_a_file_is_a_usage_error(tmp_path, capsys):
    a_file = tmp_path / "pictures.png"
    a_file.write_bytes(b"not a folder")
    for out in (str(a_file), str(a_file / "inside")):
        assert main(["demo", "moons", "--quick", "--out", out]) == 2
        captured = capsys.readouterr()
        assert_one_line(captured.err, "--out", "is a file")
        assert "running demo" not in captured.out   # refused before the demo starts
    assert a_file.read_bytes() == b"not a folder"


@pytest.mark.parametrize("seed", [["--seed", "-1"], ["--seed=-3"], ["--seed", "one"]])
def test_a_negative_or_non_integer_seed_is_a_usage_error(seed, tmp_path, capsys):
    assert main(["demo", "moons", "--quick", "--out", str(tmp_path), *seed]) == 2
    assert_one_line(capsys.readouterr().err, "--seed must be a whole number >= 0")


def test_an_unknown_demo_exits_2_without_a_traceback(capsys):
    assert main(["demo", "no_such_demo"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("tinygrad-edu: no demo is called")


def main_as_nobody(argv):
    """``main(argv)`` in a forked child running as 'nobody' (the suite runs as root, who
    may write anywhere; a learner is not root): returns (exit code, stderr)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 3
        try:
            os.setgid(65534)
            os.setuid(65534)
            sys.stderr = os.fdopen(write_end, "w")
            sys.stdout = open(os.devnull, "w")
            code = main(argv)
            sys.stderr.flush()
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        stderr = pipe.read()
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), stderr


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="runs the command as 'nobody', which needs root")
def test_out_in_a_folder_you_may_not_write_is_a_usage_error():
    folder = tempfile.mkdtemp()          # owned by root
    try:
        os.chmod(folder, 0o755)          # nobody may look, not write
        code, stderr = main_as_nobody(["demo", "moons", "--quick", "--out",
                                       os.path.join(folder, "pictures")])
        assert code == 2, stderr
        assert_one_line(stderr, "may not write", folder)
        assert os.listdir(folder) == []
    finally:
        os.rmdir(folder)


def test_a_closed_pipe_stops_the_demo_quietly(tmp_path):
    """`tinygrad-edu demo moons | head -1`: the reader leaves after one line."""
    process = subprocess.Popen(command("demo", "moons", "--quick", "--out", str(tmp_path)),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env())
    first = process.stdout.readline()
    process.stdout.close()                # what `head -1` does after its line
    stderr = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=120) == 141
    assert first.startswith(b"running demo 01_moons")
    assert stderr == ""


def test_ctrl_c_exits_130_with_one_line(tmp_path):
    process = subprocess.Popen(
        command("demo", "moons", "--steps", "1000000", "--out", str(tmp_path)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env(),
        preexec_fn=sigint_as_usual)
    try:
        assert process.stdout.readline().startswith(b"running demo")
        time.sleep(1.0)                    # the demo is importing or training by now
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130
    assert stderr.decode() == "tinygrad-edu: interrupted (Ctrl-C)\n"
