"""glassnet.interop — moving models to and from PyTorch and ONNX (``pip install 'glassnet[interop]'``).
The core never imports torch or onnx; this package does, when its functions are called."""
from .onnx_export import register_onnx_converter, to_onnx, verify_onnx
from .torch_bridge import from_torch, register_twin, to_torch
from .weights import load_torch_state_dict
