import numpy as np
import pytest

import glassnet as gn
from glassnet.data import DataLoader, Dataset, TensorDataset, random_split, train_val_test_split


class Squares(Dataset):
    """A dataset without arrays: read sample by sample."""

    def __len__(self):
        return 10

    def __getitem__(self, i):
        return np.array([i, i * i], dtype=np.float32), i % 2


def test_batches_cover_everything_once():
    X, y = np.arange(20, dtype=np.float32).reshape(10, 2), np.arange(10)
    loader = DataLoader(TensorDataset(X, y), batch_size=3, shuffle=True, rng=0)
    batches = list(loader)
    assert len(batches) == len(loader) == 4 and [len(b[1]) for b in batches] == [3, 3, 3, 1]
    seen = np.concatenate([b[1] for b in batches])
    assert sorted(seen) == list(range(10)) and not np.array_equal(seen, np.arange(10))
    for xb, yb in batches:
        np.testing.assert_array_equal(xb, X[yb])


def test_drop_last_and_no_shuffle_order():
    loader = DataLoader(TensorDataset(np.arange(10)), batch_size=4, drop_last=True)
    assert len(loader) == 2
    np.testing.assert_array_equal(np.concatenate([b[0] for b in loader]), np.arange(8))


def test_seeded_shuffle_is_reproducible_and_global_seed_works():
    ds = TensorDataset(np.arange(50))
    order = lambda loader: np.concatenate([b[0] for b in loader])  # noqa: E731
    np.testing.assert_array_equal(order(DataLoader(ds, 8, shuffle=True, rng=5)),
                                  order(DataLoader(ds, 8, shuffle=True, rng=5)))
    loader = DataLoader(ds, 8, shuffle=True, rng=5)
    assert not np.array_equal(order(loader), order(loader))  # a new order every epoch
    gn.manual_seed(1)
    first = order(DataLoader(ds, 8, shuffle=True))
    gn.manual_seed(1)
    np.testing.assert_array_equal(first, order(DataLoader(ds, 8, shuffle=True)))


def test_sample_by_sample_dataset_is_collated():
    xb, yb = next(iter(DataLoader(Squares(), batch_size=4)))
    np.testing.assert_array_equal(xb, [[0, 0], [1, 1], [2, 4], [3, 9]])
    np.testing.assert_array_equal(yb, [0, 1, 0, 1])


def test_bad_batch_size_and_lengths():
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(TensorDataset(np.arange(3)), batch_size=0)
    with pytest.raises(ValueError, match="different lengths"):
        TensorDataset(np.arange(3), np.arange(4))


def test_random_split_fractions_and_array_backed_subsets():
    ds = TensorDataset(np.arange(10), np.arange(10) * 2)
    a, b = random_split(ds, [0.7, 0.3], rng=0)
    assert len(a) == 7 and len(b) == 3
    assert set(a.tensors[0]) | set(b.tensors[0]) == set(range(10))
    np.testing.assert_array_equal(a.tensors[1], a.tensors[0] * 2)
    assert a[0][1] == 2 * a[0][0]
    with pytest.raises(ValueError, match="sum"):
        random_split(ds, [3, 3])


def test_train_val_test_split_stratified():
    X = np.arange(200).reshape(100, 2)
    y = np.array([0] * 80 + [1] * 20)
    X_tr, X_val, X_te, y_tr, y_val, y_te = train_val_test_split(X, y, val_size=0.2, test_size=0.1,
                                                                stratify=y, rng=0)
    assert (len(y_tr), len(y_val), len(y_te)) == (70, 20, 10)
    assert y_val.mean() == 0.2 and y_te.mean() == 0.2 and y_tr.mean() == 0.2
    np.testing.assert_array_equal(X_tr[:, 0] // 2, np.arange(100)[X_tr[:, 0] // 2])
    all_rows = np.concatenate([X_tr, X_val, X_te])[:, 0]
    assert sorted(all_rows) == list(range(0, 200, 2))
    np.testing.assert_array_equal(y[X_val[:, 0] // 2], y_val)
