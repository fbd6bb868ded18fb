"""glassnet.data — Datasets, DataLoader, splits, and the bundled and generated data sets.
Built on the layers above it."""
from .bundled import load_digits
from .dataset import Dataset, Subset, TensorDataset, random_split
from .files import DataFileError, load_csv, load_mnist, read_idx
from .loader import DataLoader, default_collate
from .split import train_val_test_split
from .synthetic import (
    make_blobs_multiclass, make_circle, make_gaussian, make_moons, make_multi_gaussian, make_polynomial,
    make_regression_plane, make_spiral, make_xor,
)
from .tables import BUG_LINE_TARGETS, BUG_NAMES, km_miles, ladybug_caterpillar, logic_gate, xor_table
