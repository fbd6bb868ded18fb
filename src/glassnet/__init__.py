"""glassnet — a see-through deep-learning toolkit: PyTorch's API on NumPy, readable line by line.

    import glassnet as gn
    net = gn.nn.Sequential(gn.nn.Linear(2, 8), gn.nn.Tanh(), gn.nn.Linear(8, 1))

Code written for PyTorch runs with ``import glassnet as torch`` (on the CPU): the tensor factories,
dtypes, math functions, ``nn``, ``optim``, ``utils.data``, ``autograd``, ``save``/``load`` and the
device API live at PyTorch's names.
"""
from .autograd import *  # noqa: F401,F403  (Tensor, tensor, zeros, float32, no_grad, sum, exp, ...)
from .autograd import (  # noqa: F401  (names a star import does not bring)
    METHODS_AS_FUNCTIONS, Generator, Size, Tensor, as_array, as_tensor, default_generator, device, dtype,
    finfo, get_default_dtype, get_rng_state, iinfo, initial_seed, manual_seed, seed, set_default_dtype,
    set_rng_state, legacy_types,
)
from . import autograd, nn, optim  # noqa: E402
from . import cuda, accelerator, backends  # noqa: E402  (the CPU-only device API)
from . import utils  # noqa: E402
from . import signal  # noqa: E402
from .interop.weights import load_torch_state_dict  # noqa: E402  (imports torch only when called)
from .io import load, save  # noqa: E402

__version__ = "0.1.0"
