"""The README's reading order is a promise: each step imports only what the README says it uses.

If this fails, a module started importing something new: either move the import (the package
reads bottom-up) or update both the README's "Reading order" and ALLOWED below, saying why.
"""
import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "tinygrad_edu"

# top-level part of tinygrad_edu -> the parts it may import (its own part always allowed)
ALLOWED = {
    "random": set(),
    "autograd": set(),
    "scalar": {"autograd", "random"},            # step 1 (value.py reads the walker of step 2)
    "gradcheck": {"autograd", "scalar"},         # step 3
    "tensor": {"autograd", "random", "ops", "tensor_shape", "tensor_compare"},  # step 4
    "tensor_shape": set(),                       # step 4: PyTorch's shape methods (a mixin)
    "tensor_compare": {"tensor_shape", "ops"},   # step 4: comparisons, argmax, clamp (a mixin)
    "factories": {"tensor", "ops", "tensor_shape"},  # step 4: torch.zeros, cat, where, ...
    "function": {"autograd", "tensor"},
    "ops": {"function"},
    "nn": {"tensor", "function", "random", "ops"},   # step 5 (ops: product_form for Linear)
    "optim": {"autograd", "fast"},               # step 6 (fast: the rules' fast path)
    "fast": set(),                               # speed behind one door: numpy only
    "data": {"random", "tensor"},                # step 7 (Tensor datasets yield Tensors)
    "landscapes": {"scalar"},
    "serialization": set(),
    "viz": {"autograd", "scalar", "landscapes", "optim"},  # viz/playground.py runs the races
}
NOT_IN_THE_ORDER = {"__init__", "__main__", "bench"}   # the front door, the CLI, the benchmarks
# Step 8, second derivatives: files of autograd/ read after both engines, which they drive.
ALLOWED["second_order"] = {"autograd", "scalar", "tensor"}
SECOND_ORDER = {"autograd/gradients", "autograd/functional"}


def _part(path):
    rel = path.relative_to(PACKAGE).with_suffix("")
    return "second_order" if rel.as_posix() in SECOND_ORDER else rel.parts[0]


def _imported_parts(path):
    """Parts of tinygrad_edu that ``path`` imports, at the top or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = path.relative_to(PACKAGE).parent.parts          # package of this module
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if node.module and node.module.startswith("tinygrad_edu."):
                    found.add(node.module.split(".")[1])
                continue
            base = list(here[:len(here) - (node.level - 1)]) if node.level > 1 else list(here)
            target = base + (node.module.split(".") if node.module else [])
            if target:
                found.add(target[0])
            else:                                            # "from . import x" at the top
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("tinygrad_edu."):
                    found.add(alias.name.split(".")[1])
    return found


def test_every_module_imports_only_what_the_reading_order_allows():
    wrong = []
    seen_parts = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        part = _part(path)
        if part in NOT_IN_THE_ORDER:
            continue
        seen_parts.add(part)
        assert part in ALLOWED, f"{path.relative_to(PACKAGE)}: not in the README's reading order"
        extra = _imported_parts(path) - ALLOWED[part] - {part}
        if extra:
            wrong.append(f"{path.relative_to(PACKAGE)} imports {sorted(extra)}")
    assert not wrong, "imports against the README's reading order:\n" + "\n".join(wrong)
    assert seen_parts == set(ALLOWED), set(ALLOWED) ^ seen_parts


def test_the_checker_sees_relative_and_deferred_imports():
    # value.py imports the walker with "from ..autograd import ..."; gradcheck imports Value
    # inside a function: both must be found, or the test above proves nothing.
    assert "autograd" in _imported_parts(PACKAGE / "scalar" / "value.py")
    assert "scalar" in _imported_parts(PACKAGE / "gradcheck.py")
    assert {"ops", "random"} <= _imported_parts(PACKAGE / "tensor.py")
