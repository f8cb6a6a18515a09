"""lr_range_test leaves every random generator it advances as it found it (issue 22 #17c):
the library's (an unseeded shuffle, Dropout, randn in the loss) and the loader's own, so
training after the test draws exactly what it would have drawn without it."""
import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import Tensor, nn
from tinygrad_edu.data import DataLoader, TensorDataset
from tinygrad_edu.optim import SGD, lr_range_test

F = nn.functional


def _setup(seed):
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((40, 3)), rng.standard_normal((40, 1))
    loader = DataLoader(TensorDataset(X, y), batch_size=8, shuffle=True, seed=seed)
    model = nn.Sequential(nn.Linear(3, 8), nn.Dropout(0.3), nn.ReLU(), nn.Linear(8, 1))
    return model, SGD(model.parameters(), lr=0.01), loader


def _noisy_mse(prediction, target):    # draws from the library's generator as well
    return F.mse_loss(prediction + 0.01 * Tensor.randn(*prediction.shape), target)


def _what_training_sees(loader):
    batches = [y.ravel().tolist() for _, y in loader]
    return batches, tinygrad_edu.random.generator().random(3).tolist()


@pytest.mark.parametrize("seed", [None, 5])
@pytest.mark.parametrize("num_iter", [3, 12])       # inside the first epoch, and past it
def test_every_generator_the_test_advances_is_put_back(seed, num_iter):
    tinygrad_edu.manual_seed(0)
    model, optimizer, loader = _setup(seed)
    expected = _what_training_sees(loader)

    tinygrad_edu.manual_seed(0)
    model, optimizer, loader = _setup(seed)
    rng_before, loader_before = tinygrad_edu.get_rng_state(), loader.state_dict()
    lr_range_test(model, optimizer, _noisy_mse, loader, start_lr=1e-4, end_lr=1e-2,
                  num_iter=num_iter)
    assert tinygrad_edu.get_rng_state() == rng_before
    after = loader.state_dict()
    assert after["epoch"] == loader_before["epoch"] and after["order"] is None
    assert _what_training_sees(loader) == expected


def test_put_back_also_when_the_loss_raises():
    model, optimizer, loader = _setup(None)
    rng_before, loader_before = tinygrad_edu.get_rng_state(), loader.state_dict()
    calls = []

    def failing(prediction, target):
        calls.append(1)
        if len(calls) == 3:
            raise ArithmeticError("boom")
        return _noisy_mse(prediction, target)

    with pytest.raises(ArithmeticError):
        lr_range_test(model, optimizer, failing, loader, num_iter=10)
    assert tinygrad_edu.get_rng_state() == rng_before
    assert loader.state_dict() == loader_before
