"""Relativistic kinematics on arrays of four-vectors, vectorized over any leading axes.

A four-vector is the last axis of an array, ``p[..., :] = (E, px, py, pz)``, with the beam along z and
c = 1. Every function works on whole batches at once (shape ``(..., 4)``), so an event generator never
loops over events in Python.

    pT = √(px² + py²)          φ = atan2(py, px)          m² = E² - |p|²
    y  = ½ ln((E + pz)/(E - pz))   (rapidity: shifts by a constant under a boost along z)
    ΔR = √(Δy² + Δφ²),  Δφ wrapped into [-π, π]  (hence invariant under boosts along the beam)
"""
from __future__ import annotations

import numpy as np


def from_pt_eta_phi_m(pt, eta, phi, m) -> np.ndarray:
    """(E, px, py, pz) from transverse momentum, pseudorapidity η, azimuth φ and mass:
    px = pT cos φ, py = pT sin φ, pz = pT sinh η, E = √(|p|² + m²)."""
    pt, eta, phi, m = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (pt, eta, phi, m)))
    px, py, pz = pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)
    energy = np.sqrt(px * px + py * py + pz * pz + m * m)
    return np.stack([energy, px, py, pz], axis=-1)


def pt(p: np.ndarray) -> np.ndarray:
    """Transverse momentum √(px² + py²)."""
    return np.hypot(p[..., 1], p[..., 2])


def phi(p: np.ndarray) -> np.ndarray:
    """Azimuthal angle atan2(py, px) in (-π, π]."""
    return np.arctan2(p[..., 2], p[..., 1])


def mass(p: np.ndarray) -> np.ndarray:
    """Invariant mass √max(E² - |p|², 0) (rounding can make a massless vector's m² slightly negative)."""
    m2 = p[..., 0] ** 2 - (p[..., 1] ** 2 + p[..., 2] ** 2 + p[..., 3] ** 2)
    return np.sqrt(np.maximum(m2, 0.0))


def rapidity(p: np.ndarray) -> np.ndarray:
    """y = ½ ln((E + pz) / (E - pz)); 0 for a vector with E = 0 (a padded slot)."""
    energy, pz = p[..., 0], p[..., 3]
    with np.errstate(divide="ignore", invalid="ignore"):
        y = 0.5 * np.log((energy + pz) / (energy - pz))
    return np.where(energy > 0, y, 0.0)


def pseudorapidity(p: np.ndarray) -> np.ndarray:
    """η = asinh(pz / pT) = -ln tan(θ/2) (equal to y for massless particles)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.arcsinh(p[..., 3] / pt(p))
    return np.nan_to_num(eta)


def wrap_phi(dphi: np.ndarray) -> np.ndarray:
    """An angle difference mapped into [-π, π)."""
    return (dphi + np.pi) % (2 * np.pi) - np.pi


def boost(p: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Lorentz boost of p by velocity β (shape (..., 3), |β| < 1) — a frame in which a particle at rest
    in p's frame moves with velocity β:

        γ = 1/√(1 - β²),  β·p = βx px + βy py + βz pz
        E' = γ (E + β·p),   p' = p + ((γ - 1)(β·p)/β² + γE) β
    """
    beta = np.asarray(beta, dtype=p.dtype)
    b2 = np.sum(beta * beta, axis=-1)
    gamma = 1.0 / np.sqrt(1.0 - b2)
    bp = np.sum(beta * p[..., 1:], axis=-1)
    safe_b2 = np.where(b2 > 0, b2, 1.0)
    coefficient = np.where(b2 > 0, (gamma - 1.0) * bp / safe_b2, 0.0) + gamma * p[..., 0]
    energy = gamma * (p[..., 0] + bp)
    return np.concatenate([energy[..., None], p[..., 1:] + coefficient[..., None] * beta], axis=-1)


def boost_z(p: np.ndarray, beta_z) -> np.ndarray:
    """Boost along the beam axis by velocity β_z: rapidities shift by atanh(β_z), pT and φ stay."""
    beta_z = np.asarray(beta_z, dtype=p.dtype)
    zeros = np.zeros_like(beta_z)
    return boost(p, np.stack(np.broadcast_arrays(zeros, zeros, beta_z), axis=-1))


def velocity(p: np.ndarray) -> np.ndarray:
    """β = p⃗ / E of a massive four-vector: the boost that takes its rest frame to the lab."""
    return p[..., 1:] / p[..., :1]


def isotropic_directions(shape, rng: np.random.Generator) -> np.ndarray:
    """Unit vectors uniform on the sphere: cos θ ~ U(-1, 1), φ ~ U(0, 2π)."""
    cos_theta = rng.uniform(-1.0, 1.0, shape)
    sin_theta = np.sqrt(1.0 - cos_theta ** 2)
    azimuth = rng.uniform(0.0, 2 * np.pi, shape)
    return np.stack([sin_theta * np.cos(azimuth), sin_theta * np.sin(azimuth), cos_theta], axis=-1)


def two_body_momentum(m_parent, m1, m2) -> np.ndarray:
    """Daughter momentum in the parent's rest frame:
    p* = √[(M² - (m1 + m2)²)(M² - (m1 - m2)²)] / 2M  (the Källén function λ(M², m1², m2²)^½ / 2M)."""
    m_parent = np.asarray(m_parent, dtype=np.float64)
    lam = (m_parent ** 2 - (m1 + m2) ** 2) * (m_parent ** 2 - (m1 - m2) ** 2)
    closed = lam < -1e-9 * m_parent ** 4  # beyond rounding of a parent exactly at threshold
    if np.any(closed):
        worst = np.argmax(closed)
        raise ValueError(f"two-body decay is closed: parent mass {np.ravel(m_parent)[worst]:g} < daughters "
                         f"{np.ravel(np.broadcast_to(m1, np.shape(lam)))[worst]:g} + "
                         f"{np.ravel(np.broadcast_to(m2, np.shape(lam)))[worst]:g}")
    lam = np.maximum(lam, 0.0)
    return np.sqrt(lam) / (2.0 * m_parent)


def two_body_decay(parent: np.ndarray, m1, m2, rng: np.random.Generator,
                   directions: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Decay every parent four-vector into daughters of masses m1, m2.

    In the rest frame the daughters are back to back with momentum p* (``two_body_momentum``) along a
    direction n̂ (isotropic unless ``directions`` is given: no spin correlations), energies √(p*² + m²);
    then both are boosted with the parent's velocity β = p⃗/E. Masses may be arrays (one per parent).
    """
    m_parent = mass(parent)
    m1 = np.broadcast_to(np.asarray(m1, dtype=np.float64), m_parent.shape)
    m2 = np.broadcast_to(np.asarray(m2, dtype=np.float64), m_parent.shape)
    p_star = two_body_momentum(m_parent, m1, m2)[..., None]
    n = isotropic_directions(m_parent.shape, rng) if directions is None else directions
    rest1 = np.concatenate([np.sqrt(p_star ** 2 + m1[..., None] ** 2), p_star * n], axis=-1)
    rest2 = np.concatenate([np.sqrt(p_star ** 2 + m2[..., None] ** 2), -p_star * n], axis=-1)
    beta = velocity(parent)
    return boost(rest1, beta), boost(rest2, beta)


def delta_r(y: np.ndarray, azimuth: np.ndarray) -> np.ndarray:
    """Pairwise ΔR_ij = √((y_i - y_j)² + wrap(φ_i - φ_j)²) for (..., N) rapidities and azimuths,
    giving (..., N, N)."""
    dy = y[..., :, None] - y[..., None, :]
    dphi = wrap_phi(azimuth[..., :, None] - azimuth[..., None, :])
    return np.sqrt(dy * dy + dphi * dphi)


def delta_r_reference(y: np.ndarray, azimuth: np.ndarray) -> np.ndarray:
    """The same ΔR matrix for one event of N objects, with explicit loops (the readable reference)."""
    n = len(y)
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            dphi = (azimuth[i] - azimuth[j] + np.pi) % (2 * np.pi) - np.pi
            out[i, j] = np.sqrt((y[i] - y[j]) ** 2 + dphi ** 2)
    return out


def transverse_mass(p_visible: np.ndarray, met_x, met_y) -> np.ndarray:
    """m_T = √(2 pT^ℓ E_T^miss (1 - cos Δφ)) of a massless visible particle and the missing momentum;
    its endpoint is m_W for W → ℓν (the key variable of one-lepton stop searches)."""
    met = np.hypot(met_x, met_y)
    cos_dphi = (p_visible[..., 1] * met_x + p_visible[..., 2] * met_y) / np.maximum(pt(p_visible) * met, 1e-12)
    return np.sqrt(np.maximum(2.0 * pt(p_visible) * met * (1.0 - cos_dphi), 0.0))
