"""glassnet.interop — Moving models to and from PyTorch and ONNX.
Optional extras; the core never imports torch or onnx."""
