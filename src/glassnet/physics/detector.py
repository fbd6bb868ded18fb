"""A parametrized toy detector: energy smearing, b-tagging, acceptance thresholds, missing transverse momentum.

It turns parton-level particles (quarks, charged leptons, invisible particles) into reconstructed
objects, vectorized over events. What it simplifies relative to a real detector simulation (Geant4, or
even Delphes):

- a quark becomes exactly one jet along its direction (no parton shower, hadronization, jet clustering,
  out-of-cone losses, overlapping jets merging, pile-up, or initial/final-state radiation jets);
  a jet's mass is drawn as m = r · pT with r log-normal around 0.1 (what showering gives real jets);
- resolutions are Gaussian: jets σ_E/E = a/√E ⊕ c (E in GeV), leptons σ_pT/pT constant;
- b-tagging is a coin flip with efficiency ε_b for b quarks and a mistag rate for light quarks
  (no c-quark rate, no pT dependence);
- leptons are always isolated and identified inside the acceptance (no fakes, no τ leptons, no photons);
- missing transverse momentum = the invisible particles' pT sum, minus the mismeasurement of every visible
  object, plus Gaussian soft-term noise of σ = k √ΣE_T per component.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import kinematics as kin

LEPTON, B_QUARK, LIGHT_QUARK = 0, 1, 2


@dataclass(frozen=True)
class Detector:
    """The detector's parameters (energies in GeV); the defaults are round numbers near ATLAS/CMS's."""

    jet_stochastic: float = 0.5       # a in σ_E/E = a/√E ⊕ c
    jet_constant: float = 0.03        # c
    lepton_resolution: float = 0.02   # σ_pT/pT
    jet_pt_min: float = 25.0
    jet_eta_max: float = 2.5
    lepton_pt_min: float = 20.0
    lepton_eta_max: float = 2.5
    btag_efficiency: float = 0.70
    mistag_rate: float = 0.01
    jet_mass_ratio: float = 0.10      # median of m_jet / pT_jet
    jet_mass_spread: float = 0.40     # σ of ln(m_jet / pT_jet)
    met_soft_term: float = 0.5        # k in σ(MET_x) = k √ΣE_T, GeV^½

    def __post_init__(self):
        for name in ("btag_efficiency", "mistag_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"Detector.{name} must be a probability in [0, 1], got {getattr(self, name)}")
        for name, value in vars(self).items():
            if name not in ("btag_efficiency", "mistag_rate") and value < 0:
                raise ValueError(f"Detector.{name} must be >= 0, got {value}")


@dataclass
class Reconstructed:
    """Reconstructed candidates, one slot per parton: four-vectors (n, K, 4) in GeV, whether each passed
    the thresholds, whether each jet is b-tagged, and the missing transverse momentum (n, 2)."""

    momenta: np.ndarray
    accepted: np.ndarray
    btagged: np.ndarray
    met: np.ndarray


def simulate(detector: Detector, partons: np.ndarray, kinds: np.ndarray, invisible_pt: np.ndarray,
             rng: np.random.Generator) -> Reconstructed:
    """Reconstruct partons (n, K, 4) of kinds (K,) (LEPTON / B_QUARK / LIGHT_QUARK) given the invisible
    particles' summed transverse momentum (n, 2)."""
    n, k = partons.shape[:2]
    is_lepton = kinds == LEPTON
    pt, eta, phi = kin.pt(partons), kin.pseudorapidity(partons), kin.phi(partons)

    energy = partons[..., 0]
    jet_sigma = np.sqrt(detector.jet_stochastic ** 2 / np.maximum(energy, 1e-9) + detector.jet_constant ** 2)
    sigma = np.where(is_lepton, detector.lepton_resolution, jet_sigma)
    scale = np.maximum(1.0 + sigma * rng.standard_normal((n, k)), 0.0)
    pt_reco = pt * scale
    jet_mass = pt_reco * detector.jet_mass_ratio * np.exp(detector.jet_mass_spread * rng.standard_normal((n, k)))
    momenta = kin.from_pt_eta_phi_m(pt_reco, eta, phi, np.where(is_lepton, 0.0, jet_mass))

    pt_min = np.where(is_lepton, detector.lepton_pt_min, detector.jet_pt_min)
    eta_max = np.where(is_lepton, detector.lepton_eta_max, detector.jet_eta_max)
    accepted = (pt_reco > pt_min) & (np.abs(eta) < eta_max)

    tag_probability = np.select([kinds == B_QUARK, kinds == LIGHT_QUARK], [detector.btag_efficiency,
                                                                            detector.mistag_rate], 0.0)
    btagged = accepted & (rng.random((n, k)) < tag_probability)

    mismeasured = (momenta[..., 1:3] - partons[..., 1:3]).sum(axis=1)
    sum_et = pt_reco.sum(axis=1, keepdims=True)
    soft = detector.met_soft_term * np.sqrt(sum_et) * rng.standard_normal((n, 2))
    return Reconstructed(momenta, accepted, btagged, invisible_pt - mismeasured + soft)
