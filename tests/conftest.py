"""Shared test configuration."""
import os

import numpy as np
import pytest

# Matplotlib must never try to open a window in tests.
os.environ.setdefault("MPLBACKEND", "Agg")

REFERENCE_DIR = os.path.join(os.path.dirname(__file__), "reference")


@pytest.fixture
def reference_dir():
    return REFERENCE_DIR


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the same library RNG state, so failures reproduce."""
    import tinygrad_edu
    tinygrad_edu.manual_seed(0)
    np.random.seed(0)
    yield

# The reference generators in tests/reference/ need PyTorch; they are scripts, not tests.
# So are the PyTorch-tutorial scripts in tests/port/ (run by test_port.py).
collect_ignore_glob = ["reference/*", "port/*"]

# On CI (CI=true) property tests draw the same examples on every run, so a red build always
# reproduces; locally they explore new examples each run. No test has a time deadline: the
# machine is shared and noisy, and speed is measured by `python -m tinygrad_edu.bench`.
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
