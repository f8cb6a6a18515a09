"""Benchmarks: ``python -m tinygrad_edu.bench [section ...]`` prints a table per section.

Each section times tinygrad_edu beside an anchor (micrograd, a hand-written numpy network,
PyTorch) *in the same run*, so the ratios are comparable on a noisy machine. Anchors that are
not installed are skipped with a note. Speed is measured here, never in unit tests.
"""
import os
import statistics
import time

SECTIONS = ("scalar", "tensor", "optim")


def blas_threads():
    """The BLAS thread count numpy uses (threadpoolctl when installed, else the env vars)."""
    try:
        from threadpoolctl import threadpool_info
        counts = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
        if counts:
            return counts[0]
    except ImportError:   # no threadpoolctl: read the thread count from the environment
        pass
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(var):
            return int(os.environ[var])
    return os.cpu_count()


def median_time(fn, repeat=7, warmup=1):
    """Median wall time of ``fn()`` in seconds over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def print_table(title, header, rows):
    """Print rows (lists of str) under a header, columns aligned."""
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    print(f"\n## {title}\n")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |")
