"""glassnet.lab — The lectures' worked examples as runnable labs, and the HTML report of a tour.
Built on everything above it; ``labs()`` lists them, ``tour()`` runs them all."""
from .core import FAILED, PASSED, RAN, REGISTRY, WAITING, Lab, LabResult, Waiting, lab, require
from . import basics, regression, generalization, activations, optimizers, convolution  # noqa: E402,F401
from . import sequences, generative, physics  # noqa: E402,F401
from . import hebbian, boltzmann, transformer, visualization, convolution_variants, bptt  # noqa: E402,F401  (issue 22)
from .report import tour, write_report  # noqa: E402


def labs() -> list[Lab]:
    """Every registered lab, in lecture order."""
    return list(REGISTRY.values())


def get(name: str) -> Lab:
    if name not in REGISTRY:
        raise KeyError(f"no lab named {name!r}; `glassnet lab list` shows them all")
    return REGISTRY[name]
