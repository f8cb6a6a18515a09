"""Where ``tinygrad-edu playground --out`` writes (issue 22 #16 and its unclear errors):
nothing of the user's is overwritten or removed, a bad path is reported before the
seconds of computing, and no message names a temporary file."""
import os
import shutil
import tempfile

import pytest

from tinygrad_edu.__main__ import main
from tinygrad_edu.viz import playground as pg

from test_cli_errors import main_as_nobody

TINY = {"saddle": (4, {"SGD": [0.01]})}


@pytest.fixture
def tiny_page(monkeypatch):
    """The command computes the tiny grid instead of the full one (a fraction of a second)."""
    data = pg.playground_data(grids=TINY)
    monkeypatch.setattr(pg, "playground_data", lambda *args, **kwargs: data)
    return data


def test_a_users_file_named_like_the_old_partial_file_is_left_alone(tmp_path, tiny_page,
                                                                     capsys):
    notes = tmp_path / "page.html.partial"
    notes.write_text("notes")
    assert main(["playground", "--out", str(tmp_path / "page.html")]) == 0
    assert notes.read_text() == "notes"
    assert sorted(os.listdir(tmp_path)) == ["page.html", "page.html.partial"]
    assert pg.is_playground_page(str(tmp_path / "page.html"))


def test_write_playground_leaves_every_other_file_and_no_temporary_behind(tmp_path):
    others = {name: name.upper() for name in ("p.html.partial", ".p.html.tmp", "p.html~")}
    for name, text in others.items():
        (tmp_path / name).write_text(text)
    pg.write_playground(str(tmp_path / "p.html"), data=pg.playground_data(grids=TINY))
    assert sorted(os.listdir(tmp_path)) == sorted([*others, "p.html"])
    assert all((tmp_path / name).read_text() == text for name, text in others.items())
    assert os.stat(tmp_path / "p.html").st_mode & 0o777 == 0o666 & ~_umask()


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_failed_write_keeps_the_old_page_and_names_the_users_path(tmp_path, monkeypatch):
    page = tmp_path / "page.html"
    pg.write_playground(str(page), data=pg.playground_data(grids=TINY))
    before = page.read_bytes()

    def disk_full(*args):
        raise OSError(28, "No space left on device", str(args[0]))

    monkeypatch.setattr(pg.os, "replace", disk_full)
    with pytest.raises(OSError) as info:
        pg.write_playground(str(page), data=pg.playground_data(grids=TINY))
    assert info.value.filename == str(page) and ".tmp" not in str(info.value)
    assert page.read_bytes() == before and os.listdir(tmp_path) == ["page.html"]


def test_a_symlink_is_written_through(tmp_path):
    target = tmp_path / "real.html"
    link = tmp_path / "link.html"
    link.symlink_to(target)
    pg.write_playground(str(link), data=pg.playground_data(grids=TINY))
    assert link.is_symlink() and pg.is_playground_page(str(target))


@pytest.mark.parametrize("out, words", [
    ("", "--out is empty"),
    ("{tmp}/newdir/", "names a folder (it ends with '/') that does not exist"),
    ("{tmp}/no/such/page.html", "does not exist"),
])
def test_a_bad_out_is_reported_at_once_without_computing(out, words, tmp_path, capsys):
    assert main(["playground", "--out", out.format(tmp=tmp_path)]) == 2
    captured = capsys.readouterr()
    assert words in captured.err and "computing" not in captured.out
    assert len(captured.err.strip().splitlines()) == 1
    assert os.listdir(tmp_path) == []


def test_a_folder_out_still_gets_playground_html_inside(tmp_path, tiny_page, capsys):
    assert main(["playground", "--out", str(tmp_path) + os.sep]) == 0
    assert os.listdir(tmp_path) == ["playground.html"]


def test_a_folder_the_system_refuses_is_reported_before_computing(capsys):
    assert main(["playground", "--out", "/proc/page.html"]) == 2   # even root may not
    captured = capsys.readouterr()
    assert "cannot write /proc/page.html" in captured.err and "computing" not in captured.out


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="runs the command as 'nobody', which needs root")
def test_read_only_folder_or_page_is_reported_before_computing():
    folder = tempfile.mkdtemp()                  # owned by root; nobody may look, not write
    try:
        os.chmod(folder, 0o755)
        pg.write_playground(os.path.join(folder, "old.html"),
                            data=pg.playground_data(grids=TINY))
        code, stderr = main_as_nobody(["playground", "--out", os.path.join(folder, "new.html")])
        assert code == 2 and "may not write in the folder" in stderr, stderr
        os.chmod(folder, 0o777)
        os.chmod(os.path.join(folder, "old.html"), 0o644)   # the page itself: read-only
        code, stderr = main_as_nobody(["playground", "--out", os.path.join(folder, "old.html")])
        assert code == 2 and "read-only" in stderr, stderr
        assert os.listdir(folder) == ["old.html"]
    finally:
        shutil.rmtree(folder)


def test_a_page_inside_a_file_says_that_it_is_a_file(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["playground", "--out", str(tmp_path / "notes.txt" / "page.html")]) == 2
    captured = capsys.readouterr()
    assert "notes.txt is a file, not a folder" in captured.err
    assert "computing" not in captured.out and (tmp_path / "notes.txt").read_text() == "mine"


def test_a_demo_with_an_empty_out_is_refused_before_it_trains(capsys):
    assert main(["demo", "moons", "--quick", "--out", ""]) == 2
    captured = capsys.readouterr()
    assert "--out is empty" in captured.err and "running demo" not in captured.out


def test_a_read_only_page_is_reported_before_computing_in_process(tmp_path, monkeypatch,
                                                                   capsys):
    """The same check as above without a forked child (root passes os.access everywhere)."""
    import tinygrad_edu.__main__ as cli
    page = tmp_path / "page.html"
    pg.write_playground(str(page), data=pg.playground_data(grids=TINY))
    real_access = os.access
    monkeypatch.setattr(cli.os, "access",
                        lambda path, mode, **kw: False if str(path) == str(page)
                        else real_access(path, mode, **kw))
    assert main(["playground", "--out", str(page)]) == 2
    captured = capsys.readouterr()
    assert "the file is read-only for you" in captured.err and "computing" not in captured.out


def test_a_write_that_fails_after_computing_exits_1_naming_the_page(tmp_path, tiny_page,
                                                                    monkeypatch, capsys):
    def disk_full(path, data=None):
        raise OSError(28, "No space left on device", path)

    monkeypatch.setattr(pg, "write_playground", disk_full)
    assert main(["playground", "--out", str(tmp_path / "page.html")]) == 1
    err = capsys.readouterr().err
    assert f"could not write {tmp_path / 'page.html'}: No space left on device" in err


@pytest.mark.parametrize("raised, code, words", [
    (KeyboardInterrupt(), 130, "interrupted (Ctrl-C)"),
    (OSError(28, "No space left on device", "pictures/x.png"), 1,
     "No space left on device: 'pictures/x.png'"),
])
def test_main_turns_interrupts_and_file_system_errors_into_exit_codes(raised, code, words,
                                                                      monkeypatch, capsys):
    import tinygrad_edu.__main__ as cli

    def failing(options):
        raise raised

    monkeypatch.setitem(cli.COMMANDS, "list", failing)
    assert main(["list"]) == code
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1


def test_without_demos_list_and_demo_say_where_they_looked_and_exit_1(monkeypatch, capsys):
    import tinygrad_edu.__main__ as cli
    monkeypatch.setattr(cli, "find_demos", lambda: [])
    assert main(["list"]) == 1
    assert main(["demo", "moons"]) == 1
    err = capsys.readouterr().err
    assert err.count(f"no demos found in {cli.demos_directory()}") == 2


def test_a_folder_out_is_judged_by_the_folder_itself_not_its_parent(tmp_path, tiny_page,
                                                                    monkeypatch, capsys):
    import tinygrad_edu.__main__ as cli
    site = tmp_path / "site"
    site.mkdir()
    real_access = os.access
    monkeypatch.setattr(cli.os, "access",            # the parent is read-only, site is not
                        lambda path, mode, **kw: False if str(path) == str(tmp_path)
                        else real_access(path, mode, **kw))
    assert main(["playground", "--out", str(site)]) == 0
    assert os.listdir(site) == ["playground.html"]


def test_seed_zero_is_a_valid_seed_and_list_prints_its_heading(capsys):
    import tinygrad_edu.__main__ as cli
    cli.check_demo_options(["--seed", "0", "--out=pictures"])
    assert main(["list"]) == 0
    assert capsys.readouterr().out.startswith("Demos (run one with: tinygrad-edu demo NAME")


def test_running_a_demo_puts_sys_argv_back(tmp_path):
    import sys
    import tinygrad_edu.__main__ as cli
    script = tmp_path / "99_probe.py"
    script.write_text("import sys\nseen = []\ndef main(argv=None):\n"
                      "    seen.append((sys.argv[0], argv))\n    return 3\n")
    before = sys.argv[0]
    assert cli.run_demo(str(script), ["--quick"]) == 3
    module = sys.modules.pop("tinygrad_edu.demos.99_probe")
    assert module.seen == [("tinygrad-edu demo probe", ["--quick"])]
    assert sys.argv[0] == before
