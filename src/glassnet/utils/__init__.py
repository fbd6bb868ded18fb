"""glassnet.utils — PyTorch's ``torch.utils`` names: ``utils.data`` (Dataset, DataLoader, samplers)."""
from . import data
