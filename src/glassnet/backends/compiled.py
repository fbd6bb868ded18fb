"""The one switch between glassnet's compiled fast paths and their NumPy references.

Every speed trick (fused recurrent loops, direct convolutions, the 2x2 max pool, the trees'
histograms, partitions, split search, binning and prediction) is a Numba-compiled twin of a NumPy
reference that the tests hold it equal to. The compiled twin runs when Numba is installed (the
``fast`` extra) and this switch is on; otherwise the NumPy code runs. As PyTorch's
``torch.backends.cudnn``::

    import glassnet.backends.compiled as compiled
    compiled.enabled = False                   # the NumPy references from now on
    with compiled.flags(enabled=False):        # ... or only inside the block
        model(x)
"""
from __future__ import annotations

import sys
from contextlib import contextmanager

try:
    import numba
except ImportError:  # glassnet then runs its NumPy code only
    numba = None

enabled = True


def is_available() -> bool:
    """Whether the compiled kernels can run (Numba is installed)."""
    return numba is not None


def active() -> bool:
    """Whether the compiled kernels run now: available and switched on."""
    return enabled and numba is not None


@contextmanager
def flags(enabled: bool = True):
    """Switch the compiled kernels on or off inside the block (and back as they were after it)."""
    switch = sys.modules[__name__]
    previous, switch.enabled = switch.enabled, bool(enabled)
    try:
        yield
    finally:
        switch.enabled = previous
