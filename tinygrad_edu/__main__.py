"""The ``tinygrad-edu`` command (also ``python -m tinygrad_edu``): list and run the demos.

::

    tinygrad-edu list                       # every demo, one line each (also: no arguments)
    tinygrad-edu demo moons --quick         # run demos/01_moons.py for a few steps
    tinygrad-edu demo 15 --out pictures     # by number; other options go to the demo itself
    tinygrad-edu playground --out page.html # the optimizer playground: one HTML page

A demo is a script ``demos/NN_name.py`` with ``main(argv=None)``. Name it by ``name``
(``optimizer_race``), its number (``15``), the whole file stem (``15_optimizer_race``), or a
unique beginning of the name or of one of its words (``optim``, ``race``).

The demos are ordinary files in the repository's top-level ``demos/`` folder; an installed
package carries them as ``tinygrad_edu.demos`` (see ``pyproject.toml``). This is the only
module that imports a demo, and it does so only to run the one asked for.

Errors are one line on stderr, never a traceback, with the exit code saying what happened:
2 for a usage error or bad input (an unknown demo, ``--out`` naming a file or a folder you
cannot write, a negative ``--seed``), 1 when the file system fails during a run (a full disk),
130 after Ctrl-C, 141 when the reader of the output went away (``demo moons | head -1``).
A new command is a subparser in ``_parser`` and a function in ``COMMANDS``.
"""
import argparse
import ast
import errno
import importlib.util
import os
import re
import sys
import tempfile

_DEMO_FILE = re.compile(r"(\d+)_(\w+)\.py")


def demos_directory():
    """The folder holding the demo scripts: the installed ``tinygrad_edu.demos`` package, or
    ``demos/`` beside the package in a source checkout."""
    spec = importlib.util.find_spec("tinygrad_edu.demos")
    if spec is not None and spec.submodule_search_locations:
        return list(spec.submodule_search_locations)[0]
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "demos")


def find_demos():
    """``[(number, name, path)]`` for every ``NN_name.py`` in the demos folder, by number."""
    directory = demos_directory()
    found = []
    for filename in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
        match = _DEMO_FILE.fullmatch(filename)
        if match:
            found.append((match.group(1), match.group(2), os.path.join(directory, filename)))
    return sorted(found, key=lambda demo: (int(demo[0]), demo[1]))


def summary(path):
    """The first line of a demo's module docstring, read without running the demo."""
    with open(path, encoding="utf-8") as file:
        docstring = ast.get_docstring(ast.parse(file.read(), filename=path)) or ""
    return docstring.strip().splitlines()[0] if docstring.strip() else "(no description)"


def listing(demos):
    return "\n".join(f"  {number}_{name:<24} {summary(path)}" for number, name, path in demos)


def choose(query, demos):
    """The one demo ``query`` names, or a ``LookupError`` saying why none or several match.

    Tried in order, the first rule that matches anything decides: the exact name, number or
    file stem; a beginning of the name; a beginning of a later word of the name (``race`` for
    ``optimizer_race``). Two matches under the same rule are ambiguous.
    """
    wanted = query.strip().lower().replace("-", "_")
    if wanted.endswith(".py"):
        wanted = wanted[:-3]

    def exact(number, name):
        return wanted in (name, f"{number}_{name}") or (wanted.isdigit()
                                                        and int(wanted) == int(number))

    def later_word(name):
        words = name.split("_")
        return any("_".join(words[i:]).startswith(wanted) for i in range(1, len(words)))

    rules = [exact, lambda number, name: name.startswith(wanted),
             lambda number, name: later_word(name)]
    for rule in rules:
        matches = [demo for demo in demos if rule(demo[0], demo[1])]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            names = ", ".join(f"{n}_{name}" for n, name, _ in matches)
            raise LookupError(f"demo name {query!r} is ambiguous: it matches {names}")
    raise LookupError(f"no demo is called {query!r}")


def run_demo(path, argv):
    """Load the demo file as a module and call its ``main(argv)``; returns the exit code."""
    stem = os.path.splitext(os.path.basename(path))[0]
    module_name = f"tinygrad_edu.demos.{stem}"  # a digit-first name: loaded from its file
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # as import would: pickling, dataclasses need it
    spec.loader.exec_module(module)
    program = sys.argv[0]
    sys.argv[0] = f"tinygrad-edu demo {stem.split('_', 1)[1]}"  # the demo's usage line
    try:
        result = module.main(argv)
    finally:
        sys.argv[0] = program
    return result if isinstance(result, int) else 0


def write_playground_page(out):
    """``tinygrad-edu playground``: compute every run, write the page; returns the exit code.

    Where the page goes is checked first (the computing takes seconds): an existing file is
    replaced only if it is an earlier playground page you may write (never someone's other
    file), and the folder must exist and be writable. The page is written to a new file
    beside it and then moved into place.
    """
    import time

    from .viz.playground import is_playground_page, write_playground

    problem = _playground_out_problem(out)
    if os.path.isdir(out):
        out = os.path.join(out, "playground.html")
        problem = problem or _playground_out_problem(out)
    if problem:
        print(f"tinygrad-edu playground: {problem}", file=sys.stderr)
        return 2
    if os.path.exists(out) and not is_playground_page(out):
        print(f"{out} exists and is not a playground page: not replacing it. Choose another "
              f"name with --out FILE, or move that file away.", file=sys.stderr)
        return 2
    print("computing every optimizer run for every slider position (a few seconds) ...",
          flush=True)
    start = time.perf_counter()
    try:
        size = write_playground(out)
    except OSError as error:
        print(f"could not write {out}: {error.strerror or error}. Choose a folder you can "
              f"write to with --out FILE.", file=sys.stderr)
        return 1
    print(f"wrote {out} ({size / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s; open it "
          f"in a browser (no server needed): {os.path.abspath(out)}")
    return 0


def _playground_out_problem(out):
    """What is wrong with ``--out`` for the page (None if nothing), found before computing."""
    if not out:
        return "--out is empty; give a file name, e.g. --out playground.html"
    if out.endswith(("/", os.sep)) and not os.path.isdir(out):
        return (f"--out {out!r} names a folder (it ends with {out[-1]!r}) that does not "
                f"exist; create it first, or give a file name such as {out.rstrip('/' + os.sep)}"
                f".html")
    if os.path.isdir(out):
        return None   # the page goes inside: FOLDER/playground.html, checked next
    folder = os.path.dirname(os.path.abspath(out))
    if os.path.exists(folder) and not os.path.isdir(folder):
        return (f"cannot write {out}: {folder} is a file, not a folder. Choose another place "
                f"with --out FILE.")
    if not os.path.isdir(folder):
        return (f"cannot write {out}: the folder {folder} does not exist. Create it, or "
                f"choose another place with --out FILE.")
    if not os.access(folder, os.W_OK | os.X_OK):
        return (f"cannot write {out}: you may not write in the folder {folder}. Choose a "
                f"folder you own with --out FILE.")
    if os.path.exists(out) and not os.access(out, os.W_OK):
        return (f"cannot write {out}: the file is read-only for you. Change its permissions, "
                f"or choose another name with --out FILE.")
    try:   # the real test (root passes os.access everywhere): a nameless file, gone at once
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as error:
        return (f"cannot write {out}: {error.strerror or error} in the folder {folder}. "
                f"Choose another place with --out FILE.")
    return None


class UsageError(Exception):
    """Bad input on the command line: reported in one line, exit code 2."""


def check_demo_options(argv):
    """Check the options every demo shares before it starts (and spends minutes training).

    ``--out DIR`` must be a folder that exists or can be created, and that you may write;
    ``--seed N`` a whole number >= 0. Raises :class:`UsageError`; each demo parses the rest.
    """
    for option, value in _option_values(argv, ("--out", "--seed")):
        if option == "--seed":
            try:
                seed = int(value)
            except ValueError:
                seed = -1
            if seed < 0:
                raise UsageError(f"--seed must be a whole number >= 0, got {value!r}")
        else:
            _check_out_folder(value)


def _option_values(argv, names):
    """``(name, value)`` for each ``--name VALUE`` / ``--name=VALUE`` in ``argv``."""
    found = []
    for i, arg in enumerate(argv):
        name, equals, value = arg.partition("=")
        if name in names:
            if equals:
                found.append((name, value))
            elif i + 1 < len(argv):
                found.append((name, argv[i + 1]))
    return found


def _check_out_folder(out):
    if not out:
        raise UsageError("--out is empty; give a folder for the pictures, e.g. --out pictures "
                         "(it is created if missing)")
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"--out {out!r} is a file, not a folder; give a folder for the "
                         f"pictures (it is created if missing)")
    existing = os.path.abspath(out)
    while not os.path.exists(existing):   # the nearest part of the path that exists
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise UsageError(f"--out {out!r} cannot be created: {existing!r} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"--out {out!r}: you may not write in {existing!r}; choose a folder "
                         f"you own")


def _parser():
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="tinygrad-edu", description="List and run the tinygrad_edu demos.",
        epilog="Example: tinygrad-edu demo moons --quick --out pictures")
    parser.add_argument("--version", action="version", version=f"tinygrad_edu {__version__}")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("list", help="list the demos, one line each")
    demo = commands.add_parser(
        "demo", help="run one demo by name or number",
        description="Run one demo. Every option after NAME goes to the demo itself: "
                    "--out DIR (where pictures go), --quick (a few steps), --seed, and its own "
                    "(see: tinygrad-edu demo NAME --help).")
    demo.add_argument("name", help="e.g. moons, 01, 01_moons, or a unique beginning")
    demo.add_argument("args", nargs=argparse.REMAINDER, help="passed to the demo")
    playground = commands.add_parser(
        "playground", help="write the optimizer playground: one HTML page for a browser",
        description="Write one self-contained HTML page (no server, no network) where you "
                    "pick a landscape, an optimizer and its settings with sliders and see "
                    "the path and the loss. Every path is computed first, by this library.")
    playground.add_argument("--out", default="playground.html", metavar="FILE",
                            help="where to write the page (default: playground.html; "
                                 "a folder: FILE/playground.html)")
    return parser


def _demos():
    demos = find_demos()
    if not demos:
        print(f"no demos found in {demos_directory()}", file=sys.stderr)
    return demos


def list_command(options):
    demos = _demos()
    if not demos:
        return 1
    print("Demos (run one with: tinygrad-edu demo NAME [--out DIR] [--quick]):")
    print(listing(demos), flush=True)
    return 0


def demo_command(options):
    demos = _demos()
    if not demos:
        return 1
    try:
        number, name, path = choose(options.name, demos)
    except LookupError as error:
        raise UsageError(f"{error}. Choose one of:\n{listing(demos)}") from None
    check_demo_options(options.args)
    print(f"running demo {number}_{name} ({path})", flush=True)
    return run_demo(path, options.args)


def playground_command(options):
    return write_playground_page(options.out)


#: command name -> function(options) returning the exit code; None is no command.
COMMANDS = {None: list_command, "list": list_command, "demo": demo_command,
            "playground": playground_command}


def main(argv=None):
    """Entry point of ``tinygrad-edu`` and ``python -m tinygrad_edu``; returns the exit code."""
    options = _parser().parse_args(argv)   # argparse reports its own usage errors (exit 2)
    try:
        code = COMMANDS[options.command](options)
        sys.stdout.flush()  # here, not at exit, so that a closed pipe is caught below
        return code
    except UsageError as error:
        print(f"tinygrad-edu: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tinygrad-edu: interrupted (Ctrl-C)", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader stopped reading (`tinygrad-edu demo moons | head -1`): stop quietly.
        # Point stdout at /dev/null, so that flushing it at exit does not complain again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0 if options.command in (None, "list") else 141
    except OSError as error:
        if error.errno == errno.EPIPE:  # a pipe closed under a write that is not stdout's
            return 141
        print(f"tinygrad-edu: {error.strerror or error}"
              + (f": {error.filename!r}" if error.filename else ""), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
