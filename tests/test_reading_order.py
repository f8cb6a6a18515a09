"""The README's reading order is a promise: every import points to something earlier in it.

The order is read from the README itself (its "Reading order" list: the package paths it
links, in the order they first appear), the imports from the code (``ast``: relative and
absolute, at the top and inside functions). A module may import its own part of the package
and the parts before it; nothing else. And the only circle of imports may be the Tensor
engine's own (``Tensor`` ↔ ``Function`` ↔ ops), inside ``tensors/``.
"""
import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tinygrad_edu"
NOT_IN_THE_ORDER = {"__init__", "__main__", "bench"}   # the front door, the CLI, the benchmarks
INHERENT_CIRCLE = "tensors/"


def reading_order():
    """The parts of the package (``graph``, ``scalar``, ...), in the README's order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Reading order", 1)[1].split("\n## ", 1)[0]
    order = []
    for path in re.findall(r"\]\(tinygrad_edu/([^)]+)\)", section):
        part = path.split("/")[0].removesuffix(".py")
        if part not in order:
            order.append(part)
    return order


def _part(path):
    return path.relative_to(PACKAGE).with_suffix("").parts[0]


def _imports(path):
    """The modules of tinygrad_edu that ``path`` imports, as paths relative to the package
    (``tensors/ops/xp``), at the top or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = list(path.relative_to(PACKAGE).parent.parts)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if not (node.module or "").startswith("tinygrad_edu."):
                    continue
                base = node.module.split(".")[1:]
            else:
                base = (here[:len(here) - (node.level - 1)] if node.level > 1 else list(here))
                base = base + (node.module.split(".") if node.module else [])
            # "from . import xp" names a module; "from .tensor import Tensor" a name in one
            submodules = [_module("/".join(base + [alias.name])) for alias in node.names]
            found.update(m for m in submodules if m)
            if not all(submodules):
                found.add("/".join(base))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("tinygrad_edu."):
                    found.add("/".join(alias.name.split(".")[1:]))
    return {name for name in (_module(f) if "/" not in f or not f.endswith("__init__") else f
                              for f in found) if name}


def _module(dotted):
    """The package file a dotted path names (a module or a package's __init__), or None."""
    candidate = PACKAGE / dotted
    if candidate.with_suffix(".py").is_file():
        return dotted
    if (candidate / "__init__.py").is_file():
        return dotted + "/__init__" if dotted else "__init__"
    return None


def _modules():
    return {p.relative_to(PACKAGE).with_suffix("").as_posix(): p for p in PACKAGE.rglob("*.py")}


def test_every_import_points_up_the_readme_order():
    order = reading_order()
    wrong, unlisted = [], set()
    for name, path in sorted(_modules().items()):
        part = _part(path)
        if part in NOT_IN_THE_ORDER:
            continue
        if part not in order:
            unlisted.add(part)
            continue
        for target in _imports(path):
            other = target.split("/")[0]
            if other != part and (other not in order or order.index(other) > order.index(part)):
                wrong.append(f"{name} imports {target}, which the README lists after it")
    assert not unlisted, f"parts missing from the README's reading order: {sorted(unlisted)}"
    assert not wrong, "imports against the README's reading order:\n" + "\n".join(wrong)


def test_the_only_circle_of_imports_is_inside_the_tensor_engine():
    graph = {name: _imports(path) for name, path in _modules().items()}
    for circle in _circles(graph):
        outside = sorted(m for m in circle if not m.startswith(INHERENT_CIRCLE))
        assert not outside, f"a circle of imports reaches outside {INHERENT_CIRCLE}: {sorted(circle)}"


def _circles(graph):
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index, low, on_stack, stack, result, counter = {}, {}, set(), [], [], [0]
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]; counter[0] += 1
        stack.append(start); on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter[0]; counter[0] += 1
                    stack.append(child); on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop(); on_stack.discard(member); component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        result.append(component)
    return result


def test_the_checker_sees_what_it_must():
    """Relative, deferred and package imports are all found, the README's order is read,
    and a circle is found — or the tests above prove nothing."""
    assert reading_order()[:4] == ["graph", "random", "scalar", "fast"]
    assert "graph" in _imports(PACKAGE / "scalar" / "value.py")
    assert "autograd/__init__" in _imports(PACKAGE / "gradcheck.py")   # inside a function
    assert "tensors/ops/xp" in _imports(PACKAGE / "tensors" / "ops" / "unary.py")
    circles = _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
    assert circles == [{"a", "b", "c"}]
    engine = [c for c in _circles({n: _imports(p) for n, p in _modules().items()})]
    assert any("tensors/function" in c and "tensors/tensor" in c for c in engine)
