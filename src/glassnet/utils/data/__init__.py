"""glassnet.utils.data — as ``torch.utils.data``: Dataset, TensorDataset, Subset, random_split,
DataLoader and default_collate."""
from ...data.dataset import Dataset, Subset, TensorDataset, random_split
from ...data.loader import DataLoader, default_collate
