"""glassnet.io — Saving and loading models and checkpoints (safetensors + JSON, never pickle).
Built on nn and optim."""
from .api import generator_states, load, load_checkpoint, save, save_checkpoint, set_generator_states
from .registry import ConfigError, build_module, module_config, register_module
from .safefile import FileFormatError
