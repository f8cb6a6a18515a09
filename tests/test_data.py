"""Synthetic data sets, TensorDataset and DataLoader (contract §7)."""
import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu.data import (DataLoader, TensorDataset, make_blobs, make_linear_regression,
                               make_moons, make_spirals)

CLASSIFICATION = [
    ("moons", lambda **kw: make_moons(**kw), 100, 2),
    ("spirals", lambda **kw: make_spirals(**kw), 300, 3),
    ("blobs", lambda **kw: make_blobs(**kw), 300, 3),
]


# --------------------------------------------------------------------------- generators
@pytest.mark.parametrize("name, make, n, n_classes", CLASSIFICATION)
def test_classification_sets_shapes_dtypes_and_balanced_labels(name, make, n, n_classes):
    X, y = make(seed=1)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == n_classes and counts.max() - counts.min() <= 1
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("name, make, n, n_classes", CLASSIFICATION)
def test_integer_seed_is_reproducible_and_independent_of_global_generator(name, make, n,
                                                                          n_classes):
    X1, y1 = make(seed=3)
    tinygrad_edu.manual_seed(123)
    tinygrad_edu.random.generator().random(17)       # disturb the library's generator
    X2, y2 = make(seed=3)
    X3, _ = make(seed=4)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name, make, n, n_classes", CLASSIFICATION)
def test_seed_none_follows_manual_seed(name, make, n, n_classes):
    tinygrad_edu.manual_seed(7)
    X1, _ = make()
    X2, _ = make()                                   # generator advanced: different draw
    tinygrad_edu.manual_seed(7)
    X3, _ = make()
    assert np.array_equal(X1, X3) and not np.array_equal(X1, X2)


def test_make_moons_matches_the_scikit_learn_definition_without_noise():
    X, y = make_moons(n_samples=7, noise=0.0)
    n_out, n_in = 3, 4                               # sklearn: n_out = n // 2
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    expected = np.r_[np.c_[np.cos(t_out), np.sin(t_out)],
                     np.c_[1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5]]
    np.testing.assert_allclose(X, expected, atol=1e-15)
    assert y.tolist() == [0] * 3 + [1] * 4


def test_make_moons_noise_has_the_requested_standard_deviation():
    clean, _ = make_moons(n_samples=4000, noise=0.0)
    noisy, _ = make_moons(n_samples=4000, noise=0.3, seed=0)
    assert abs((noisy - clean).std() - 0.3) < 0.01


def test_make_spirals_radius_and_angle_follow_the_documented_formula():
    X, y = make_spirals(n_samples=30, n_classes=3, noise=0.0)
    r = np.linalg.norm(X, axis=1)
    for k in range(3):
        np.testing.assert_allclose(r[y == k], np.linspace(0, 1, 10), atol=1e-12)
        theta = 4 * k + 4 * np.linspace(0, 1, 10)
        np.testing.assert_allclose(X[y == k], np.c_[r[y == k] * np.sin(theta),
                                                    r[y == k] * np.cos(theta)], atol=1e-12)


def test_make_blobs_clusters_sit_around_their_centers():
    centers = np.array([[0.0, 0.0, 0.0], [10.0, -5.0, 2.0]])
    X, y = make_blobs(n_samples=2000, centers=centers, std=0.5, seed=0)
    assert X.shape == (2000, 3)
    for k in range(2):
        np.testing.assert_allclose(X[y == k].mean(axis=0), centers[k], atol=0.08)  # 5 std errors
        np.testing.assert_allclose(X[y == k].std(axis=0), 0.5, atol=0.05)
    X, _ = make_blobs(n_samples=30, centers=4, std=0.0, seed=0)
    assert np.all(np.abs(X) <= 10)                  # drawn centres lie in [-10, 10]^2


def test_make_linear_regression_returns_the_true_coefficients():
    X, y, coef = make_linear_regression(n_samples=50, n_features=3, noise=0.0, seed=0)
    assert X.shape == (50, 3) and y.shape == (50,) and y.dtype == np.float64
    assert coef.weight.shape == (3,) and isinstance(coef.bias, float)
    np.testing.assert_allclose(y, X @ coef.weight + coef.bias, atol=1e-12)
    # with noise, least squares recovers them
    X, y, (w, b) = make_linear_regression(n_samples=5000, n_features=2, noise=0.1, seed=1)
    solution = np.linalg.lstsq(np.c_[X, np.ones(len(X))], y, rcond=None)[0]
    np.testing.assert_allclose(solution, np.r_[w, b], atol=0.01)
    assert abs((y - X @ w - b).std() - 0.1) < 0.01


@pytest.mark.parametrize("call, words", [
    (lambda: make_moons(n_samples=1), ["n_samples", "1"]),
    (lambda: make_moons(noise=-0.1), ["noise", "-0.1"]),
    (lambda: make_moons(seed=-1), ["seed", "-1"]),
    (lambda: make_moons(seed=1.5), ["seed", "1.5"]),
    (lambda: make_spirals(n_classes=0), ["n_classes", "0"]),
    (lambda: make_spirals(n_samples=2, n_classes=3), ["n_samples", "2", "3"]),
    (lambda: make_blobs(centers=np.zeros(3)), ["centers", "(3,)"]),
    (lambda: make_blobs(std=float("nan")), ["std", "nan"]),
    (lambda: make_linear_regression(n_features=0), ["n_features", "0"]),
    (lambda: make_linear_regression(n_samples=2.5), ["n_samples", "2.5"]),
])
def test_bad_arguments_raise_value_error_naming_them(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for word in words:
        assert word in str(info.value)


# --------------------------------------------------------------------------- TensorDataset
def test_tensor_dataset_indexes_rows_of_every_array():
    X, y = np.arange(12.0).reshape(4, 3), np.array([3, 1, 2, 0])
    ds = TensorDataset(X, y)
    assert len(ds) == 4
    x1, y1 = ds[2]
    assert x1.tolist() == [6.0, 7.0, 8.0] and y1 == 2
    xs, ys = ds[np.array([3, 0])]
    assert xs.tolist() == [[9.0, 10.0, 11.0], [0.0, 1.0, 2.0]] and ys.tolist() == [0, 3]


def test_tensor_dataset_rejects_mismatched_lengths_naming_the_shapes():
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(5,\)"):
        TensorDataset(np.zeros((4, 3)), np.zeros(5))
    with pytest.raises(ValueError):
        TensorDataset()
    with pytest.raises(ValueError, match="scalar"):
        TensorDataset(np.float64(3.0))


def test_tensor_dataset_accepts_lists_and_objects_with_numpy():
    class FakeTensor:
        def numpy(self):
            return np.array([[1.0], [2.0]])
    ds = TensorDataset(FakeTensor(), [5, 6])
    assert [a.tolist() for a in ds[1]] == [[2.0], 6]


# --------------------------------------------------------------------------- DataLoader
def _dataset(n=10):
    return TensorDataset(np.arange(n, dtype=np.float64)[:, None] * np.ones(2), np.arange(n))


@pytest.mark.parametrize("n, batch_size, drop_last, expected_sizes", [
    (10, 3, False, [3, 3, 3, 1]),
    (10, 3, True, [3, 3, 3]),
    (10, 5, False, [5, 5]),
    (10, 5, True, [5, 5]),
    (10, 10, False, [10]),      # full batch
    (10, 1, False, [1] * 10),   # SGD
    (3, 5, False, [3]),
    (3, 5, True, []),
])
def test_len_and_batch_sizes(n, batch_size, drop_last, expected_sizes):
    loader = DataLoader(_dataset(n), batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(expected_sizes) == len(batches)
    assert [len(b[0]) for b in batches] == expected_sizes
    for x, y in batches:
        assert isinstance(x, np.ndarray) and isinstance(y, np.ndarray)
        assert x.shape[1:] == (2,) and np.array_equal(x[:, 0], y)   # rows stay paired


def test_without_shuffle_order_is_the_data_set_order():
    ys = np.concatenate([y for _, y in DataLoader(_dataset(10), batch_size=4)])
    assert ys.tolist() == list(range(10))


@pytest.mark.parametrize("seed", [None, 5])
def test_shuffle_visits_every_sample_once_and_changes_order_each_epoch(seed):
    loader = DataLoader(_dataset(50), batch_size=7, shuffle=True, seed=seed)
    orders = []
    for _ in range(3):
        ys = np.concatenate([y for _, y in loader])
        assert sorted(ys.tolist()) == list(range(50))
        orders.append(ys.tolist())
    assert orders[0] != list(range(50))
    assert orders[0] != orders[1] != orders[2] != orders[0]


def _epochs(loader, count):
    return [np.concatenate([y for _, y in loader]).tolist() for _ in range(count)]


def test_seeded_loader_is_reproducible_and_ignores_global_generator():
    a = _epochs(DataLoader(_dataset(20), batch_size=4, shuffle=True, seed=1), 3)
    tinygrad_edu.manual_seed(99)
    b = _epochs(DataLoader(_dataset(20), batch_size=4, shuffle=True, seed=1), 3)
    c = _epochs(DataLoader(_dataset(20), batch_size=4, shuffle=True, seed=2), 3)
    assert a == b and a != c


def test_unseeded_loader_draws_each_epoch_from_the_library_generator_at_iteration_start():
    loader = DataLoader(_dataset(20), batch_size=4, shuffle=True)
    tinygrad_edu.manual_seed(3)
    first = _epochs(loader, 2)
    tinygrad_edu.manual_seed(3)
    assert _epochs(loader, 2) == first
    # the order is drawn when iter() is called, from the generator's state at that moment
    state = tinygrad_edu.get_rng_state()
    expected = tinygrad_edu.random.generator().permutation(20)
    tinygrad_edu.set_rng_state(state)
    iterator = iter(loader)
    tinygrad_edu.random.generator().random(5)        # drawn after iter(): must not matter
    assert np.concatenate([y for _, y in iterator]).tolist() == expected.tolist()


@pytest.mark.parametrize("seed", [None, 11])
@pytest.mark.parametrize("stop_after", [0, 2, 4])     # batches of epoch 2 consumed at save
def test_state_dict_resume_continues_the_same_batches(seed, stop_after):
    def run(loader, epochs):
        return [y.tolist() for _ in range(epochs) for _, y in loader]

    tinygrad_edu.manual_seed(0)
    reference = run(DataLoader(_dataset(10), batch_size=3, shuffle=True, seed=seed), 4)

    tinygrad_edu.manual_seed(0)
    loader = DataLoader(_dataset(10), batch_size=3, shuffle=True, seed=seed)
    seen = run(loader, 1)
    iterator = iter(loader)
    seen += [next(iterator)[1].tolist() for _ in range(stop_after)]
    checkpoint = loader.state_dict(), tinygrad_edu.get_rng_state()
    del iterator, loader

    tinygrad_edu.manual_seed(1234)                   # the new process starts elsewhere
    resumed = DataLoader(_dataset(10), batch_size=3, shuffle=True, seed=seed)
    resumed.load_state_dict(checkpoint[0])
    tinygrad_edu.set_rng_state(checkpoint[1])
    if stop_after < 4:                               # 4 = all of epoch 2 was consumed
        seen += [y.tolist() for _, y in resumed]     # rest of epoch 2
    seen += run(resumed, 2)
    assert seen == reference
    assert resumed.epoch == 4


def test_state_dict_is_plain_data_and_bad_states_change_nothing():
    loader = DataLoader(_dataset(10), batch_size=3, shuffle=True, seed=0)
    iterator = iter(loader)
    next(iterator)
    state = loader.state_dict()
    assert state["epoch"] == 1 and state["batches_done"] == 1
    assert state["order"].dtype.kind == "i"
    assert all(isinstance(v, (str, int)) for v in state["generator"].values())
    before = loader.state_dict()
    bad_states = [
        {**state, "order": np.arange(9)},
        {**state, "order": np.zeros(10, dtype=np.int64)},
        {**state, "batches_done": 99},
        {**state, "generator": None},
        {**state, "generator": {"bit_generator": "MT19937"}},
        {k: v for k, v in state.items() if k != "epoch"},
    ]
    for bad in bad_states:
        with pytest.raises(ValueError):
            loader.load_state_dict(bad)
        after = loader.state_dict()
        assert after["generator"] == before["generator"]
        assert after["epoch"] == before["epoch"] and np.array_equal(after["order"], before["order"])
    with pytest.raises(ValueError, match="seed"):
        DataLoader(_dataset(10), shuffle=True).load_state_dict(state)


def test_generic_dataset_batches_are_stacked_field_by_field():
    class Squares:
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.array([i, i * i], dtype=np.float64), i % 2

    x, y = next(iter(DataLoader(Squares(), batch_size=5)))
    assert x.shape == (5, 2) and x[:, 1].tolist() == [0, 1, 4, 9, 16]
    assert y.tolist() == [0, 1, 0, 1, 0]


@pytest.mark.parametrize("kwargs, word", [
    ({"batch_size": 0}, "batch_size"),
    ({"batch_size": 2.0}, "batch_size"),
    ({"seed": -3}, "seed"),
])
def test_loader_bad_arguments(kwargs, word):
    with pytest.raises(ValueError, match=word):
        DataLoader(_dataset(4), **kwargs)
    with pytest.raises(TypeError, match="__len__"):
        DataLoader(42)


# --------------------------------------------------------------------------- properties
from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 40), batch_size=st.integers(1, 45), drop_last=st.booleans(),
       shuffle=st.booleans(), seed=st.one_of(st.none(), st.integers(0, 2 ** 32)))
def test_every_epoch_covers_the_data_set_as_len_promises(n, batch_size, drop_last, shuffle,
                                                         seed):
    loader = DataLoader(_dataset(n), batch_size=batch_size, shuffle=shuffle,
                        drop_last=drop_last, seed=seed)
    for _ in range(2):
        batches = [y for _, y in loader]
        assert len(batches) == len(loader)
        assert all(len(b) == batch_size for b in batches[:-1])
        seen = np.concatenate(batches).tolist() if batches else []
        assert len(seen) == len(set(seen))                  # no sample twice
        if drop_last:
            assert len(seen) == (n // batch_size) * batch_size
        else:
            assert sorted(seen) == list(range(n))           # every sample once


def test_loader_state_survives_a_checkpoint_file(tmp_path):
    loader = DataLoader(_dataset(20), batch_size=6, shuffle=True, seed=8)
    iterator = iter(loader)
    next(iterator)
    tinygrad_edu.save({"loader": loader.state_dict()}, str(tmp_path / "ckpt.npz"))
    expected = [y.tolist() for _, y in iterator] + [y.tolist() for _, y in loader]
    resumed = DataLoader(_dataset(20), batch_size=6, shuffle=True, seed=8)
    resumed.load_state_dict(tinygrad_edu.load(str(tmp_path / "ckpt.npz"))["loader"])
    assert [y.tolist() for _, y in resumed] + [y.tolist() for _, y in resumed] == expected


def test_a_loader_reads_as_its_settings():
    loader = DataLoader(TensorDataset(tinygrad_edu.Tensor(np.zeros((5, 2)))), batch_size=2,
                        shuffle=True, seed=4)
    assert repr(loader) == ("DataLoader(5 samples, batch_size=2, shuffle=True, drop_last=False, "
                            "seed=4)")
