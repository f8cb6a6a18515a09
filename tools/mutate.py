"""Mutation testing for tinygrad_edu: do the tests notice when the code is changed?

A *mutant* is a copy of the code with one small change: an operator swapped (``+`` for
``-``), a comparison shifted (``<`` for ``<=``), a constant changed (``0`` to ``1``,
``True`` to ``False``), a ``not`` or a unary minus dropped, ``and``/``or`` swapped, or one
statement deleted. A mutant is *killed* when some test fails on it; one that *survives*
points at behaviour no test pins down (or at an equivalent mutant: a change that cannot
alter any result, listed with the reason in ``tools/equivalent_mutants.txt``).

Usage (from the repository root; needs ``coverage``: ``pip install coverage``)::

    nice python tools/mutate.py                      # every module below, 30 mutants each
    python tools/mutate.py optim/lr_finder.py ops/   # only these files / folders
    python tools/mutate.py --list optim/sgd.py       # the sampled mutants, without running

How it stays fast enough for a laptop (about 20-30 minutes for everything on one core):

* sampling: at most ``--per-file`` (30) mutants per file, drawn with a seeded generator
  (``--seed``), so two runs on the same code test the same mutants;
* test selection: the whole suite is run once under ``coverage`` with one context per test,
  which gives, for every line, the tests that execute it. A mutant runs only those tests
  (``-x``: stopping at the first failure). A mutated line that no test executes survives
  without running anything ("not covered");
* no interpreter start-up per mutant: numpy, pytest and hypothesis are imported once and
  each mutant's tests run in a forked child, with a timeout (an endless loop counts as
  killed).

Everything runs in a temporary copy of the repository; the working tree is never changed.
It is a developer tool and does not run in CI (the tests it led to do). See tools/README.md.
"""
import argparse
import ast
import concurrent.futures
import hashlib
import json
import os
import queue
import random
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "tinygrad_edu"
# The modules measured by default (paths inside the package; a folder means its .py files).
# The engine's files: both engines, the walk, autograd, nn, the loader, optimizers, checkpoints.
DEFAULT_TARGETS = ["scalar/value.py", "graph.py", "tensors/", "tensors/ops/", "autograd/",
                   "fast/", "gradcheck.py", "nn/", "optim/", "data/loader.py", "serialization.py"]
EQUIVALENTS = os.path.join(ROOT, "tools", "equivalent_mutants.txt")
CACHE = os.path.join(ROOT, ".mutate-cache")
SEPARATOR = " ≡ "      # key ≡ why, in the equivalents file


# --------------------------------------------------------------------------- mutants
@dataclass
class Mutant:
    path: str            # inside the package, e.g. "optim/sgd.py"
    key: str             # stable name: path::function: before -> after (#n)
    lines: tuple         # the lines of the original that the change touches
    scope: tuple         # the lines of the innermost def/class around it (or the module)
    start: tuple         # (line, byte column) of the replaced segment
    end: tuple
    replacement: str     # the text put in its place


_BINOPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
           ast.FloorDiv: ast.Div, ast.Mod: ast.FloorDiv, ast.Pow: ast.Mult,
           ast.MatMult: ast.Mult, ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd,
           ast.LShift: ast.RShift, ast.RShift: ast.LShift}
_COMPARES = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
             ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
             ast.In: ast.NotIn, ast.NotIn: ast.In}
_DELETABLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Return, ast.Raise,
              ast.Assert, ast.Delete, ast.Break, ast.Continue)


def _short(text, limit=90):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


class _Finder(ast.NodeVisitor):
    """Walks one module and records every mutation it can make."""

    def __init__(self, path):
        self.path = path
        self.scope = []
        self.found = []      # (qualname, node, before, after, replacement)
        self.skip = set()    # ids of nodes never mutated (docstrings, f-strings, annotations)

    # scopes, for the keys
    def _scoped(self, node):
        self.scope.append(node.name)
        self._skip_docstring(node)
        for decorator in getattr(node, "decorator_list", []):
            self._skip_all(decorator)
        if getattr(node, "returns", None) is not None:
            self._skip_all(node.returns)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped

    def visit_Module(self, node):
        self._skip_docstring(node)
        self.generic_visit(node)

    def _skip_docstring(self, node):
        body = getattr(node, "body", [])
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            self._skip_all(body[0])

    def _skip_all(self, node):
        for child in ast.walk(node):
            self.skip.add(id(child))

    def _add(self, node, before_node, after_node, replacement):
        qualname = ".".join(self.scope) or "<module>"
        self.found.append((qualname, node, ast.unparse(before_node), ast.unparse(after_node),
                           replacement))

    def generic_visit(self, node):
        if isinstance(node, (ast.JoinedStr, ast.Import, ast.ImportFrom, ast.arg)):
            return     # messages, imports and annotations: nothing to compute
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return
        if id(node) not in self.skip:
            self._mutate(node)
        super().generic_visit(node)

    def _mutate(self, node):
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            new = ast.BinOp(node.left, _BINOPS[type(node.op)](), node.right)
            self._add(node, node, new, f"({ast.unparse(new)})")
        elif isinstance(node, ast.AugAssign) and type(node.op) in _BINOPS:
            new = ast.AugAssign(node.target, _BINOPS[type(node.op)](), node.value)
            self._add(node, node, new, ast.unparse(new))
        elif isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in _COMPARES:
                    ops = list(node.ops)
                    ops[i] = _COMPARES[type(op)]()
                    new = ast.Compare(node.left, ops, node.comparators)
                    self._add(node, node, new, f"({ast.unparse(new)})")
        elif isinstance(node, ast.BoolOp):
            new = ast.BoolOp(ast.Or() if isinstance(node.op, ast.And) else ast.And(), node.values)
            self._add(node, node, new, f"({ast.unparse(new)})")
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
            self._add(node, node, node.operand, f"({ast.unparse(node.operand)})")
        elif isinstance(node, ast.Constant) and not isinstance(node.value, (str, bytes)) \
                and node.value is not None and node.value is not Ellipsis:
            value = node.value
            if isinstance(value, bool):
                new_value = not value
            elif isinstance(value, (int, float)):
                new_value = value + 1
            else:
                return
            new = ast.Constant(new_value)
            self._add(node, node, new, f"({ast.unparse(new)})")
        if isinstance(node, _DELETABLE) and not (isinstance(node, ast.Expr)
                                                 and isinstance(node.value, ast.Constant)):
            self._add(node, node, ast.Pass(), "pass")


def mutants_of(path):
    """Every mutant of one package file (path inside the package), in source order."""
    source = open(os.path.join(ROOT, PACKAGE, path), encoding="utf-8").read()
    tree = ast.parse(source)
    finder = _Finder(path)
    finder.visit(tree)
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    scopes = [node for node in ast.walk(tree)
              if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    n_lines = source.count("\n") + 1
    mutants, seen = [], {}
    for qualname, node, before, after, replacement in finder.found:
        around = [s for s in scopes if s.lineno <= node.lineno <= s.end_lineno]
        scope = max(around, key=lambda s: s.lineno) if around else None
        scope_lines = (tuple(range(scope.lineno, scope.end_lineno + 1)) if scope
                       else tuple(range(1, n_lines + 1)))
        if isinstance(node, ast.Constant):
            # a bare number says little: name it by the expression around it when short,
            # else by its line inside the function (so keys survive edits elsewhere)
            parent = parents.get(id(node))
            old = node.value
            context = ast.unparse(parent) if parent is not None else ""
            if isinstance(parent, (ast.BinOp, ast.Compare, ast.UnaryOp, ast.BoolOp, ast.keyword,
                                   ast.Assign, ast.AugAssign, ast.Return)) and len(context) <= 70:
                node.value = not old if isinstance(old, bool) else old + 1
                before, after = context, ast.unparse(parent)
                node.value = old
            elif _default_of(node, parents) is None:
                where = node.lineno - (scope.lineno if scope else 0)
                before = f"{before} (line {where})"
        argument = _default_of(node, parents)
        if argument is not None:   # a default value: name the argument
            before, after = f"{argument}={before}", f"{argument}={after}"
        base = f"{path}::{qualname}: {_short(before)} -> {_short(after)}"
        seen[base] = seen.get(base, 0) + 1
        key = base if seen[base] == 1 else f"{base} #{seen[base]}"
        mutants.append(Mutant(path, key, tuple(range(node.lineno, node.end_lineno + 1)),
                              scope_lines,
                              (node.lineno, node.col_offset),
                              (node.end_lineno, node.end_col_offset), replacement))
    return mutants


def _default_of(node, parents):
    """The argument name when ``node`` is (part of) a default value, else None."""
    child, parent = node, parents.get(id(node))
    while isinstance(parent, (ast.UnaryOp, ast.BinOp)):
        child, parent = parent, parents.get(id(parent))
    if not isinstance(parent, ast.arguments):
        return None
    positional = parent.posonlyargs + parent.args
    named = list(zip(positional[len(positional) - len(parent.defaults):], parent.defaults))
    named += list(zip(parent.kwonlyargs, parent.kw_defaults))
    return next(arg.arg for arg, default in named if default is child)


def apply(source_bytes, mutant):
    """The source with the mutant's segment replaced (columns are UTF-8 byte offsets)."""
    lines = source_bytes.split(b"\n")
    (l1, c1), (l2, c2) = mutant.start, mutant.end
    head = b"\n".join(lines[:l1 - 1] + [lines[l1 - 1][:c1]])
    tail = b"\n".join([lines[l2 - 1][c2:]] + lines[l2:])
    return head + mutant.replacement.encode("utf-8") + tail


def sample(mutants, per_file, seed, path):
    rng = random.Random(f"{seed}:{path}")     # a str seed is hashed the same on every run
    chosen = mutants if len(mutants) <= per_file else rng.sample(mutants, per_file)
    return sorted(chosen, key=lambda m: (m.start, m.key))


def read_equivalents():
    """{key: why} from tools/equivalent_mutants.txt."""
    found = {}
    if not os.path.exists(EQUIVALENTS):
        return found
    for number, line in enumerate(open(EQUIVALENTS, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        if SEPARATOR not in line:
            sys.exit(f"{EQUIVALENTS}:{number}: expected 'key{SEPARATOR}why', got {line!r}")
        key, why = line.split(SEPARATOR, 1)
        found[key.strip()] = why.strip()
    return found


def target_files(targets):
    files = []
    for target in targets:
        full = os.path.join(ROOT, PACKAGE, target)
        if os.path.isdir(full):
            files += sorted(os.path.join(target, f).replace(os.sep, "/")
                            for f in os.listdir(full) if f.endswith(".py"))
        elif os.path.isfile(full):
            files.append(target)
        else:
            sys.exit(f"mutate.py: no such module or folder in {PACKAGE}/: {target}")
    return files


# --------------------------------------------------------------------------- running tests
def _copy_repository(into, source=ROOT):
    def ignore(folder, names):
        return [n for n in names if n in (".git", "__pycache__", ".hypothesis", ".pytest_cache",
                                          ".mutate-cache", ".benchmarks", "out")
                or n.startswith(".slot")]
    shutil.copytree(source, into, ignore=ignore, dirs_exist_ok=True)


def _in_child(work, function, timeout):
    """Run function() in a forked child inside ``work``; return (exit code, seconds).
    The exit code is None when the child was stopped at the timeout."""
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:   # the child
        code = 3
        try:
            os.setpgid(0, 0)     # its own process group: a timeout also stops its subprocesses
            os.environ["PYTHONPATH"] = work    # subprocesses started by tests import this copy
            os.chdir(work)
            sys.path.insert(0, work)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            code = function()
        finally:
            os._exit(code if isinstance(code, int) else 3)
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), time.monotonic() - started
        if time.monotonic() - started > timeout:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            return None, time.monotonic() - started
        time.sleep(0.02)


def _pytest(args, plugins=()):
    import pytest
    return int(pytest.main(["-p", "no:cacheprovider", "-q", *args], plugins=list(plugins)))


class _PerTestCoverage:
    """pytest plugin: one coverage context per test (its node id), and each test's time."""

    def __init__(self, cov):
        self.cov = cov
        self.durations = {}
        self.failed = []

    def pytest_runtest_setup(self, item):
        self.cov.switch_context(item.nodeid)

    def pytest_runtest_logreport(self, report):
        self.durations[report.nodeid] = self.durations.get(report.nodeid, 0.0) + report.duration
        if report.failed:
            self.failed.append(report.nodeid)


def _fingerprint(files):
    digest = hashlib.sha256()
    for folder in (PACKAGE, "tests", "demos"):
        for base, dirs, names in sorted(os.walk(os.path.join(ROOT, folder))):
            dirs.sort()
            for name in sorted(names):
                if name.endswith((".py", ".json", ".npz")):
                    full = os.path.join(base, name)
                    digest.update(full.encode() + open(full, "rb").read())
    digest.update(json.dumps(files).encode())
    return digest.hexdigest()[:16]


def line_tests(work, files):
    """{path: {line: [node ids]}} and {node id: seconds}, from one covered run of the suite
    (cached in .mutate-cache/ until the code or the tests change)."""
    os.makedirs(CACHE, exist_ok=True)
    cache = os.path.join(CACHE, f"coverage-{_fingerprint(files)}.json")
    if os.path.exists(cache):
        data = json.load(open(cache))
        return data["lines"], data["durations"]
    out = os.path.join(work, ".coverage-map.json")

    def covered_run():
        import coverage
        cov = coverage.Coverage(data_file=None, include=[os.path.join(work, PACKAGE, f)
                                                         for f in files])
        plugin = _PerTestCoverage(cov)
        cov.start()
        code = _pytest([], plugins=[plugin])
        cov.stop()
        data = cov.get_data()
        lines = {}
        for f in files:
            by_line = data.contexts_by_lineno(os.path.join(work, PACKAGE, f))
            lines[f] = {str(n): sorted(c for c in ctx if c) for n, ctx in by_line.items()}
        json.dump({"lines": lines, "durations": plugin.durations, "failed": plugin.failed,
                   "code": code}, open(out, "w"))
        return 0

    print("running the whole suite once under coverage (one context per test)...", flush=True)
    code, seconds = _in_child(work, covered_run, timeout=3600)
    if code != 0 or not os.path.exists(out):
        sys.exit("mutate.py: the covered run of the suite crashed")
    data = json.load(open(out))
    if data["failed"] or data["code"] != 0:
        sys.exit(f"mutate.py: the suite must pass before mutating; failing: {data['failed'][:5]}")
    print(f"  done in {seconds:.0f} s", flush=True)
    json.dump(data, open(cache, "w"))
    return data["lines"], data["durations"]


def _latest_line_tests(work, files):
    """The newest cached coverage map, even if the tests changed since (for --recheck: the
    new tests come in through --also); a fresh covered run if there is none."""
    caches = sorted((os.path.join(CACHE, n) for n in os.listdir(CACHE)) if os.path.isdir(CACHE)
                    else [], key=os.path.getmtime)
    if not caches:
        return line_tests(work, files)
    data = json.load(open(caches[-1]))
    return data["lines"], data["durations"]


def run_mutant(work, mutant, tests, durations):
    """'killed', 'timeout' or 'survived' (the selected tests all passed on the mutant)."""
    target = os.path.join(work, PACKAGE, mutant.path)
    original = open(target, "rb").read()
    mutated = apply(original, mutant)
    try:
        compile(mutated, target, "exec")
    except SyntaxError:
        return "invalid"
    with open(target, "wb") as f:
        f.write(mutated)
    try:
        budget = 30 + 10 * sum(durations.get(t, 1.0) for t in tests)
        code, _ = _in_child(work, lambda: _pytest(["-x", *tests]), timeout=budget)
    finally:
        with open(target, "wb") as f:
            f.write(original)
    if code is None:
        return "timeout"
    if code in (4, 5):   # a usage error or no test collected: a bug of this tool, not a kill
        return "error"
    return "survived" if code == 0 else "killed"


def _tests_for(mutant, by_line, durations):
    """The tests that execute the mutated lines, fastest first (so a kill comes early).

    Lines run only at import time (module constants, default arguments, class bodies) have
    no test of their own: they get the tests of the function (or class, or module) around
    them."""
    tests = {t for n in mutant.lines for t in by_line.get(str(n), [])}
    if not tests and any(str(n) in by_line for n in mutant.lines):
        tests = {t for n in mutant.scope for t in by_line.get(str(n), [])}
        if not tests:
            tests = {t for ts in by_line.values() for t in ts}
    return sorted(tests, key=lambda t: (durations.get(t, 0.0), t))


# --------------------------------------------------------------------------- main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", default=DEFAULT_TARGETS,
                        help=f"files or folders inside {PACKAGE}/ (default: "
                             f"{' '.join(DEFAULT_TARGETS)})")
    parser.add_argument("--per-file", type=int, default=30, help="mutants sampled per file")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sampling")
    parser.add_argument("--jobs", type=int, default=1,
                        help="mutants run at once (each in its own copy); 1 on a shared machine")
    parser.add_argument("--list", action="store_true", help="list the sampled mutants and stop")
    parser.add_argument("--json", help="also write every result to this file")
    parser.add_argument("--recheck", metavar="RESULTS.json",
                        help="re-run only the survivors of an earlier --json run (the other "
                             "mutants keep their result), with the latest coverage map")
    parser.add_argument("--also", nargs="+", default=[], metavar="TEST",
                        help="tests to run for every mutant besides those selected by coverage "
                             "(e.g. a new test file, with --recheck)")
    args = parser.parse_args(argv)

    files = target_files(args.targets)
    equivalents = read_equivalents()
    chosen, total = {}, 0
    for f in files:
        everything = mutants_of(f)
        total += len(everything)
        chosen[f] = sample(everything, args.per_file, args.seed, f)
        known = {m.key for m in everything}
        stale = [k for k in equivalents if k.startswith(f + "::") and k not in known]
        for k in stale:
            print(f"note: equivalent mutant no longer exists (update {EQUIVALENTS}): {k}")
    n_chosen = sum(len(v) for v in chosen.values())
    print(f"{n_chosen} mutants sampled (seed {args.seed}, at most {args.per_file} per file) "
          f"from {total} in {len(files)} files")
    if args.list:
        for f in files:
            for m in chosen[f]:
                mark = "  [equivalent]" if m.key in equivalents else ""
                print(f"{m.key}  (line {m.start[0]}){mark}")
        return 0

    os.environ.update(CI="true", OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg",
                      PYTHONDONTWRITEBYTECODE="1")
    sys.dont_write_bytecode = True
    import numpy  # noqa: F401  (imported once, before forking: each child starts warm)
    import pytest  # noqa: F401
    import hypothesis  # noqa: F401

    results, started = [], time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tinygrad-edu-mutants-") as work:
        _copy_repository(work)
        # one covered run serves every selection: it maps all the default modules
        mapped = sorted(set(target_files(DEFAULT_TARGETS)) | set(files))
        earlier = {}
        if args.recheck:
            earlier = {r["key"]: r for r in json.load(open(args.recheck))}
            lines, durations = _latest_line_tests(work, mapped)
        else:
            lines, durations = line_tests(work, mapped)
        # --jobs copies of the repository, one mutant at a time in each
        slots = queue.Queue()
        slots.put(work)
        for i in range(1, args.jobs):
            copy = os.path.join(work, f".slot{i}")
            _copy_repository(copy, source=work)
            slots.put(copy)

        def run(f, m, tests):
            slot = slots.get()
            try:
                return run_mutant(slot, m, tests, durations)
            finally:
                slots.put(slot)

        pending = {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for f in files:
                for m in chosen[f]:
                    before = earlier.get(m.key)
                    if m.key in equivalents:
                        results.append(_result(f, m, "equivalent", 0))
                    elif before is not None and before["status"] in ("killed", "timeout"):
                        results.append(_result(f, m, before["status"], before["tests"]))
                    else:
                        tests = _tests_for(m, lines.get(f, {}), durations)
                        tests += [t for t in args.also if t not in tests]
                        if not tests:
                            results.append(_result(f, m, "not covered", 0))
                            _say(results[-1])
                        else:
                            pending[pool.submit(run, f, m, tests)] = (f, m, len(tests))
            for done, future in enumerate(concurrent.futures.as_completed(pending), 1):
                f, m, n_tests = pending[future]
                results.append(_result(f, m, future.result(), n_tests))
                _say(results[-1])
                if done % 25 == 0:
                    print(f"  {done}/{len(pending)} run ({time.monotonic() - started:.0f} s)",
                          flush=True)
                if args.json:
                    json.dump(results, open(args.json, "w"), indent=1, ensure_ascii=False)
    results.sort(key=lambda r: (files.index(r["file"]), r["line"], r["key"]))
    _report(results, files)
    if args.json:
        json.dump(results, open(args.json, "w"), indent=1, ensure_ascii=False)
    return 0


def _result(f, m, status, n_tests):
    return {"file": f, "key": m.key, "line": m.start[0], "status": status, "tests": n_tests}


def _say(result):
    if result["status"] in ("survived", "not covered", "error"):
        print(f"  SURVIVED ({result['status']}, {result['tests']} tests): {result['key']}  "
              f"[line {result['line']}]", flush=True)


def _report(results, files):
    print("\n| module | mutants | equivalent | killed | survived | score |")
    print("|---|---:|---:|---:|---:|---:|")
    totals = [0, 0, 0, 0]
    for f in files:
        rows = [r for r in results if r["file"] == f]
        equivalent = sum(r["status"] == "equivalent" for r in rows)
        killed = sum(r["status"] in ("killed", "timeout") for r in rows)
        survived = sum(r["status"] in ("survived", "not covered") for r in rows)
        invalid = sum(r["status"] == "invalid" for r in rows)
        counted = len(rows) - invalid
        for i, v in enumerate((counted, equivalent, killed, survived)):
            totals[i] += v
        if counted:
            score = killed / max(counted - equivalent, 1)
            print(f"| {f} | {counted} | {equivalent} | {killed} | {survived} | {score:.1%} |")
    counted, equivalent, killed, survived = totals
    print(f"| **total** | {counted} | {equivalent} | {killed} | {survived} | "
          f"**{killed / max(counted - equivalent, 1):.1%}** |")


if __name__ == "__main__":
    sys.exit(main())
