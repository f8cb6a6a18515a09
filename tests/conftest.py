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
collect_ignore_glob = ["reference/*"]
