"""Data: synthetic data sets, ``TensorDataset`` and the batching ``DataLoader``."""
from .datasets import (LinearCoefficients, TensorDataset, make_blobs, make_linear_regression,
                       make_moons, make_spirals)
from .loader import DataLoader

__all__ = ["make_moons", "make_spirals", "make_blobs", "make_linear_regression",
           "LinearCoefficients", "TensorDataset", "DataLoader"]
