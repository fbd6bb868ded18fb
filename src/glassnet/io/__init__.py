"""glassnet.io — Saving and loading models and checkpoints (safetensors + JSON, never pickle).
Built on nn and optim."""
