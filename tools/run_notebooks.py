"""Re-execute the course notebooks and refresh their committed outputs, in both languages.

    python tools/run_notebooks.py               # every notebook in demos/notebooks/ (+ ko/)
    python tools/run_notebooks.py 04 05         # only those whose name starts so
    python tools/run_notebooks.py --ko-only 01  # Korean prose changed: no execution at all

The source of each chapter is the jupytext "percent" file ``demos/notebooks/NN_name.py``
(plain Python, reviewable in a diff); the ``.ipynb`` beside it is generated from it here,
executed with nbclient in a fresh ``python3`` kernel, and written with its outputs so the
pictures render on any code host. ``tests/test_notebooks.py`` executes every notebook again
and fails when a committed ``.ipynb`` no longer matches its ``.py`` (cells or text outputs):
edit the ``.py``, then run this command.

The Korean edition of a chapter is ``demos/notebooks/ko/NN_name.py``: its own markdown, and
code cells byte-identical to the English ones, in the same order. A chapter is executed once
(the English); ``ko/NN_name.ipynb`` gets the Korean cells with the English run's outputs,
copied code cell by code cell. So nothing language-specific goes in a code cell.
``tests/test_notebooks_ko.py`` checks the code cells and the copied outputs without executing.

The kernel imports *this* checkout's ``tinygrad_edu`` (the repository root is put first on
its PYTHONPATH) and runs in ``demos/notebooks/`` so ``import _course`` works.
"""
import copy
import os
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "demos" / "notebooks"
KOREAN = NOTEBOOKS / "ko"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def sources(prefixes=()):
    """The notebook sources (``.py``), chapters in order, then the solutions."""
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py")) + [NOTEBOOKS / "solutions.py"]
    paths = [p for p in paths if p.exists()]
    if prefixes:
        paths = [p for p in paths if any(p.name.startswith(x) for x in prefixes)]
    return paths


def read_source(py_path):
    """The notebook a ``.py`` percent file describes (cells, no outputs)."""
    import jupytext
    nb = jupytext.read(py_path)
    nb.metadata.pop("jupytext", None)                 # the pairing lives in this script
    for i, cell in enumerate(nb.cells):               # stable ids: no noise in the diffs
        cell.id = f"cell-{i}"
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def kernel_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in
                                        env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env.pop("MPLBACKEND", None)                       # the kernel draws inline, not with Agg
    env["OPENBLAS_NUM_THREADS"] = env.get("OPENBLAS_NUM_THREADS", "1")
    return env


def execute(py_path, timeout=120):
    """Execute the notebook described by ``py_path``; returns the executed notebook.

    A cell that raises makes nbclient raise ``CellExecutionError`` naming the cell.
    """
    from nbclient import NotebookClient
    nb = read_source(py_path)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute(env=kernel_env())
    for cell in nb.cells:
        if cell.cell_type == "code":                  # widgets live only in a running kernel
            outputs = [o for o in cell.outputs if WIDGET_VIEW not in o.get("data", {})]
            cell.outputs = []
            for o in outputs:                         # one stream output per run of prints,
                last = cell.outputs[-1] if cell.outputs else None     # however it was flushed
                if (o.output_type == "stream" and last is not None
                        and last.output_type == "stream" and last.name == o.name):
                    last.text += o.text
                else:
                    cell.outputs.append(o)
    nb.metadata.pop("widgets", None)
    return nb


def text_outputs(nb):
    """What a reader sees as text, cell by cell: printed output, results, errors."""
    seen = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outs = []
        for o in cell.get("outputs", []):
            if o.output_type == "stream":
                outs.append((o.name, o.text))
            elif o.output_type in ("execute_result", "display_data"):
                data = o.get("data", {})
                if WIDGET_VIEW not in data:
                    outs.append(("data", data.get("text/plain", ""),
                                 "image/png" in data))
            elif o.output_type == "error":
                outs.append(("error", o.ename, o.evalue))
        # consecutive stream chunks are one text, however the kernel flushed them
        merged = []
        for o in outs:
            if merged and o[0] in ("stdout", "stderr") and merged[-1][0] == o[0]:
                merged[-1] = (o[0], merged[-1][1] + o[1])
            else:
                merged.append(o)
        seen.append(merged)
    return seen


def cell_sources(nb):
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def code_sources(nb):
    """The code cells' sources, exactly (the two editions must agree byte for byte)."""
    return [c.source for c in nb.cells if c.cell_type == "code"]


def korean_source(py_path):
    """``ko/NN_name.py`` for the English ``NN_name.py`` (it may not exist)."""
    return KOREAN / py_path.name


def code_mismatch(english, korean):
    """None when the two notebooks' code cells are identical, else what differs, in words."""
    a, b = code_sources(english), code_sources(korean)
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return (f"code cell {i} differs:\n  English: {x[:120]!r}\n  Korean:  {y[:120]!r}")
    if len(a) != len(b):
        return f"the English edition has {len(a)} code cells, the Korean {len(b)}"
    return None


def korean_edition(english_nb, ko_path):
    """The Korean notebook: the cells of ``ko_path`` with the executed English outputs.

    Raises ValueError naming the first code cell that differs (the editions share their code:
    copy the English cell into the Korean source, and put prose in markdown cells).
    """
    ko = read_source(ko_path)
    problem = code_mismatch(english_nb, ko)
    if problem:
        raise ValueError(f"{ko_path.parent.name}/{ko_path.name}: {problem}\nthe Korean edition "
                         f"must have the English code cells unchanged: copy them from "
                         f"{ko_path.parent.parent.name}/{ko_path.name}, and put Korean prose in "
                         f"markdown cells")
    english_code = [c for c in english_nb.cells if c.cell_type == "code"]
    korean_code = [c for c in ko.cells if c.cell_type == "code"]
    for en, kc in zip(english_code, korean_code):
        kc.outputs = copy.deepcopy(en.get("outputs", []))
        kc.execution_count = en.get("execution_count")
    return ko


def main(argv=None):
    import argparse

    import nbformat
    parser = argparse.ArgumentParser(
        description="Execute the course notebooks (English sources) and write both editions' "
                    ".ipynb files with the outputs.")
    parser.add_argument("prefixes", nargs="*",
                        help="only the notebooks whose name starts so, e.g. 04 or solutions")
    parser.add_argument("--ko-only", action="store_true",
                        help="do not execute: rebuild ko/*.ipynb from the committed English "
                             ".ipynb (after changing only Korean prose)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    total = 0.0
    for py_path in sources(tuple(args.prefixes)):
        ipynb = py_path.with_suffix(".ipynb")
        if args.ko_only:
            nb = nbformat.read(ipynb, as_version=4)
        else:
            start = time.perf_counter()
            nb = execute(py_path)
            seconds = time.perf_counter() - start
            total += seconds
            nbformat.write(nb, ipynb)
            print(f"{ipynb.relative_to(ROOT)}: {seconds:5.1f} s")
        ko_path = korean_source(py_path)
        if ko_path.exists():
            nbformat.write(korean_edition(nb, ko_path), ko_path.with_suffix(".ipynb"))
            print(f"{ko_path.with_suffix('.ipynb').relative_to(ROOT)}: outputs of the English run")
        else:
            print(f"{ko_path.relative_to(ROOT)} does not exist yet: no Korean edition written")
    if not args.ko_only:
        print(f"total {total:.1f} s")


if __name__ == "__main__":
    main()
