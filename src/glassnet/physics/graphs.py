"""Event graphs: every reconstructed object is a node, every pair of objects an edge carrying their
angular distance ΔR, expanded in Gaussian radial basis functions (the lectures' "事例图").

    nodes  x_i = [photon, lepton charge, b-jet ±1, MET, pT, E, m]   (B, N, 7), padded rows zero
    edges  ΔR_ij = √(Δy² + Δφ²)  with the rapidity y, so a boost along the beam leaves it unchanged;
           the MET has no rapidity, so an edge to the MET node is |Δφ| alone
    RBF    e_ijk = exp(-(ΔR_ij - μ_k)² / 2σ²),  μ_k = K centers evenly spaced on [0, r_max],
           σ = their spacing unless given; e_ij = 0 for i = j and for padded nodes (no edge).
           The default is the paper's: K = 21 centers on [0, 5], σ = 0.25.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import kinematics as kin
from .events import FEATURES, EventSample

MET_FLAG = FEATURES.index("met")


def delta_r_matrix(momenta: np.ndarray, is_met: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """ΔR_ij (B, N, N) for objects with four-vectors (B, N, 4); 0 on the diagonal and for padded nodes."""
    momenta = momenta.astype(np.float64)
    y, azimuth = kin.rapidity(momenta), kin.phi(momenta)
    met_pair = is_met[..., :, None] | is_met[..., None, :]
    dphi = np.abs(kin.wrap_phi(azimuth[..., :, None] - azimuth[..., None, :]))
    distance = np.where(met_pair, dphi, kin.delta_r(y, azimuth))  # the MET has no rapidity
    return (distance * edge_mask(mask)).astype(np.float32)


def edge_mask(mask: np.ndarray) -> np.ndarray:
    """(B, N, N): 1 where i ≠ j and both nodes are real objects."""
    n = mask.shape[-1]
    return (mask[..., :, None] & mask[..., None, :] & ~np.eye(n, dtype=bool)).astype(np.float32)


def gaussian_rbf(distance: np.ndarray, n_centers: int = 21, r_max: float = 5.0,
                 sigma: float | None = None) -> np.ndarray:
    """exp(-(d - μ_k)² / 2σ²) for K centers μ_k on [0, r_max], σ their spacing unless given: (...) → (..., K)."""
    if n_centers < 2:
        raise ValueError(f"gaussian_rbf needs at least 2 centers, got {n_centers}")
    centers = np.linspace(0.0, r_max, n_centers, dtype=np.float32)
    width = centers[1] - centers[0] if sigma is None else sigma
    if not width > 0:
        raise ValueError(f"gaussian_rbf needs a positive width, got sigma={width}")
    return np.exp(-((distance[..., None] - centers) ** 2) / (2 * width ** 2)).astype(np.float32)


@dataclass(frozen=True)
class Gaussians:
    """An RBF expansion of ΔR (``gaussian_rbf``'s settings); the defaults are the paper's."""

    n_centers: int = 21
    r_max: float = 5.0
    sigma: float | None = 0.25

    def __call__(self, distance: np.ndarray) -> np.ndarray:
        return gaussian_rbf(distance, self.n_centers, self.r_max, self.sigma)


@dataclass
class EventGraphs:
    """A batch of event graphs: nodes (B, N, F), mask (B, N) and ΔR (B, N, N). Edge features are expanded
    on demand by ``edges()`` (they are K times larger than ΔR)."""

    nodes: np.ndarray
    mask: np.ndarray
    distances: np.ndarray
    gaussians: Gaussians = Gaussians()

    def __len__(self) -> int:
        return len(self.nodes)

    def __getitem__(self, index) -> "EventGraphs":
        return EventGraphs(self.nodes[index], self.mask[index], self.distances[index], self.gaussians)

    def edges(self) -> np.ndarray:
        """Edge features (B, N, N, K): the RBF expansion of ΔR, zero where there is no edge."""
        return self.gaussians(self.distances) * edge_mask(self.mask)[..., None]


def event_graphs(sample: EventSample, gaussians: Gaussians = Gaussians()) -> EventGraphs:
    """The graphs of a sample's events."""
    is_met = sample.objects[..., MET_FLAG] == 1
    distances = delta_r_matrix(sample.momenta, is_met, sample.mask)
    return EventGraphs(sample.objects, sample.mask, distances, gaussians)
