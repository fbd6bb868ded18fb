"""Names from older PyTorch code: ``FloatTensor(...)``, ``LongTensor``, ``autograd.Variable``.

``gn.FloatTensor([1, 2])`` makes a float32 tensor, ``gn.FloatTensor(2, 3)`` a zero-filled one of shape
(2, 3); ``isinstance(t, gn.FloatTensor)`` checks the dtype; ``t.type(gn.FloatTensor)`` converts.
"""
from __future__ import annotations

import numpy as np

from .dtypes import as_dtype
from .tensor import Tensor


class TensorType:
    """A legacy tensor type: a dtype that can be called to make tensors and used with isinstance."""

    def __init__(self, name: str, numpy_dtype, module: str = "glassnet"):
        self.__name__, self.dtype, self.module = name, as_dtype(numpy_dtype), module

    def __call__(self, *args, requires_grad: bool = False):
        if self.module != "glassnet":
            raise RuntimeError(f"{self.module}.{self.__name__}: glassnet runs on the CPU only "
                               f"(glassnet.cuda.is_available() is False)")
        return Tensor(*args, dtype=self.dtype, requires_grad=requires_grad)

    def __instancecheck__(self, obj) -> bool:
        return isinstance(obj, Tensor) and self.module == "glassnet" and obj.dtype == self.dtype

    def __repr__(self) -> str:
        return f"<class '{self.module}.{self.__name__}'>"


LEGACY_TYPES = {
    "FloatTensor": np.float32, "DoubleTensor": np.float64, "HalfTensor": np.float16,
    "LongTensor": np.int64, "IntTensor": np.int32, "ShortTensor": np.int16, "CharTensor": np.int8,
    "ByteTensor": np.uint8, "BoolTensor": np.bool_,
}


def legacy_types(module: str = "glassnet") -> dict:
    """{name: TensorType} for the CPU (``glassnet``) or, refusing to make tensors, for ``glassnet.cuda``."""
    return {name: TensorType(name, dtype, module) for name, dtype in LEGACY_TYPES.items()}


def Variable(data, requires_grad: bool = False, volatile: bool = False):  # noqa: N802  (PyTorch's name)
    """Old PyTorch's wrapper: today a Variable is just a Tensor (``requires_grad`` is set on it)."""
    tensor = data if isinstance(data, Tensor) else Tensor(data)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor
