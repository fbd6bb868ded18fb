"""glassnet.data — Datasets, DataLoader, splits, and the bundled and generated data sets.
Built on the layers above it."""
