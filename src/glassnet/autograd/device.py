"""The device API of PyTorch, for a library that runs on the CPU only.

``gn.device("cpu")`` is the one device tensors live on. A device of another type can be named (code
often builds ``device("cuda" if cuda.is_available() else "cpu")``), but moving a tensor there is a
clear error instead of a silent fallback.
"""
from __future__ import annotations


class device:  # noqa: N801  (PyTorch's name)
    """``gn.device("cpu")``, ``gn.device("cuda", 0)`` or ``gn.device("cuda:0")``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index: int | None = None):  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        if not isinstance(type, str):
            raise TypeError(f"device() expects a string such as 'cpu', got {type!r}")
        if ":" in type:
            type, _, number = type.partition(":")
            if not number.isdigit():
                raise RuntimeError(f"invalid device string: '{type}:{number}'")
            index = int(number)
        self.type, self.index = type, index

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        return f"device(type='{self.type}'" + ("" if self.index is None else f", index={self.index}") + ")"


CPU = device("cpu")


def check_device(value) -> None:
    """Accept None, 'cpu' or a CPU device; anything else gets an error saying why."""
    if value is None:
        return
    if isinstance(value, int) and not isinstance(value, bool):
        value = device("cuda", value)  # PyTorch reads a bare number as a CUDA device index
    where = value if isinstance(value, device) else device(value)
    if where.type != "cpu":
        raise RuntimeError(f"glassnet runs on the CPU only: there is no '{where}' device "
                           f"(glassnet.cuda.is_available() is False; use device='cpu')")
