"""Hot kernels of glassnet.nn: fused implementations beside their short loop-based references."""
