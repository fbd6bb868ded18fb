"""glassnet.nn.kernels — the hot loops of the convolutional and recurrent layers in fast form (strided
views, fused GEMMs, time loops), each with a short reference beside it that the tests hold equal."""
