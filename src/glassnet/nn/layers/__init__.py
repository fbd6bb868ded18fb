"""The layers of glassnet.nn, grouped by kind (dense, activations, losses, ...)."""
