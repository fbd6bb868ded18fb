"""glassnet.nn.kernels — the hot loops of the convolutional layers, in fast NumPy form (strided views,
one GEMM per layer), each with a short loop-based reference beside it that the tests hold equal."""
