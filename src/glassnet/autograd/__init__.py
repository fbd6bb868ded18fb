"""glassnet.autograd — Tensor, Function and the reverse-mode engine (NumPy only).
Also dtypes, the CPU device, random generators, the tensor factories and functions, no_grad, gradcheck.

``glassnet.autograd.Function`` is PyTorch's custom-function API (forward/backward on Tensors);
glassnet's own ops subclass the array-level ``glassnet.autograd.function.Function``.
"""
from .tensor import Size, Tensor, as_array, as_tensor  # first: the op modules it loads build on Tensor
from .custom_function import Function, FunctionCtx
from .device import device
from .dtypes import (
    bool, cdouble, cfloat, complex64, complex128, double, dtype, finfo, float, float16, float32, float64,
    get_default_dtype, half, iinfo, int, int8, int16, int32, int64, is_floating_point, long, promote_types,
    set_default_dtype, short, uint8,
)
from .factories import (
    arange, bernoulli, empty, empty_like, eye, from_numpy, full, full_like, linspace, logspace, multinomial,
    normal, ones, ones_like, poisson, rand, rand_like, randint, randint_like, randn, randn_like, randperm,
    tensor, zeros, zeros_like,
)
from .grad_mode import (
    detect_anomaly, enable_grad, inference_mode, is_grad_enabled, no_grad, set_detect_anomaly,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck
from .graph import backward, grad
from .legacy import Variable, legacy_types
from .random import (
    Generator, default_generator, get_rng, get_rng_state, initial_seed, manual_seed, seed, set_rng_state,
)
from .tensor_functions import *  # noqa: F401,F403  (gn.sum, gn.exp, gn.cat, gn.einsum, ...)
from .tensor_functions import METHODS_AS_FUNCTIONS

globals().update(legacy_types())  # FloatTensor, LongTensor, ...
