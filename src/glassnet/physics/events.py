"""A toy generator of one-lepton top-pair and stop-pair events at the LHC, vectorized with NumPy.

Processes (the search of Abdughani, Ren, Wu, Yang, JHEP 08 (2019) 055, in the lectures' "事例图" part):

- ``'ttbar'`` (background):  pp → t t̄,  t → b W,  one W → ℓν (ℓ = e, μ), the other W → q q̄'
- ``'stop'``  (signal):      pp → t̃ t̃*, t̃ → t χ̃⁰₁ (the neutralino is invisible), then the tops as above

Each event is generated in four vectorized steps, for all events of a chunk at once:

1. Hard process. The pair's invariant mass √ŝ is drawn from
   p(√ŝ) ∝ β^k · L(τ)/ŝ,  τ = ŝ/s,  β = √(1 - 4M²/ŝ),  L(τ) = (1 - √τ)^b / τ^a,
   a falling toy parton luminosity (a, b = 1, 12) times the threshold factor (k = 1 for t t̄ from gg
   (s-wave), k = 3 for scalar stops (p-wave)), by inverting its cumulative distribution on a grid.
   The pair's rapidity is y = y_max tanh(0.4 z), z ~ N(0, 1), y_max = ln(1/√τ); the production angle
   follows 1 + cos²θ* (t t̄) or sin²θ* (scalars), both inverted in closed form (Cardano).
2. Decays, each a two-body decay in the parent's rest frame followed by a boost
   (``kinematics.two_body_decay``): t̃ → t χ̃⁰, t → b W, W → two massless fermions.
3. The detector (``detector.simulate``): smearing, thresholds, b-tagging, missing transverse momentum.
4. Objects: the lepton, the jets ordered by pT and the MET, padded to ``MAX_OBJECTS`` with a mask,
   each with the lecture's seven features ``FEATURES``, in TeV; and high-level variables ``HIGH_LEVEL``.

What it simplifies relative to a real generator (MadGraph + Pythia) and detector simulation: leading-order
2 → 2 kinematics from a toy parton luminosity instead of parton distribution functions and matrix
elements; no initial- or final-state radiation (no extra jets, the pair has no transverse momentum), no
parton shower or hadronization, no underlying event or pile-up; on-shell tops and Ws (no widths); no spin
correlations (every decay isotropic in its rest frame); only the one-lepton (e, μ) channel, so
cross-sections must be multiplied by ``BR_SEMILEPTONIC``; and the detector's simplifications listed in
``detector``. Photons are never produced: the photon flag is always 0 but kept for the lecture's layout.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from ..autograd import get_rng
from . import kinematics as kin
from .detector import B_QUARK, LEPTON, LIGHT_QUARK, Detector, simulate

PROCESSES = ("ttbar", "stop")
M_TOP, M_W = 172.5, 80.4              # GeV
SQRT_S = 13000.0                      # GeV
BR_SEMILEPTONIC = 2 * (2 / 9) * (6 / 9)  # one W → eν or μν, the other → q q̄' (tree-level W branching)
FEATURES = ("photon", "lepton_charge", "bjet", "met", "pt", "energy", "mass")
HIGH_LEVEL = ("ht", "met", "lepton_pt", "n_jets", "n_bjets", "mt", "leading_jet_pt",
              "met_over_sqrt_ht", "min_dphi_met_jets")
N_JETS = 4
MAX_OBJECTS = 1 + N_JETS + 1          # lepton, four jets, MET
LUMINOSITY_A, LUMINOSITY_B = 1.0, 12.0
_GEV_TO_TEV = 1e-3


@dataclass
class EventSample:
    """Generated events, all arrays over the first axis (n events), energies in TeV.

    objects   (n, N, 7) float32: per object [photon, lepton charge, b-jet +1 / jet -1, MET, pT, E, m]
    momenta   (n, N, 4) float32: (E, px, py, pz); the MET object is (MET, MET_x, MET_y, 0)
    mask      (n, N) bool: True for real objects (first in each row); padded rows are all zero
    high_level (n, 9) float32: ``HIGH_LEVEL`` (pT sums and masses in TeV, MET/√HT in GeV^½, Δφ in rad)
    meta      the generation settings (process, masses in GeV, √s, seed)
    """

    objects: np.ndarray
    momenta: np.ndarray
    mask: np.ndarray
    high_level: np.ndarray
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.objects)

    def __getitem__(self, index) -> "EventSample":
        return EventSample(self.objects[index], self.momenta[index], self.mask[index],
                           self.high_level[index], dict(self.meta))


def concatenate(samples) -> EventSample:
    """One sample of all events of ``samples`` (same layout), with the first one's meta."""
    samples = list(samples)
    return EventSample(*(np.concatenate([getattr(s, name) for s in samples])
                         for name in ("objects", "momenta", "mask", "high_level")), meta=dict(samples[0].meta))


def check_process(process: str, m_stop: float, m_neutralino: float) -> None:
    """A clear error for an unknown process or a stop that cannot decay to t χ̃⁰."""
    if process not in PROCESSES:
        raise ValueError(f"unknown process {process!r}; choose one of {', '.join(PROCESSES)}")
    if process == "stop":
        if m_neutralino < 0:
            raise ValueError(f"the neutralino mass must be >= 0 GeV, got {m_neutralino:g}")
        if m_neutralino > m_stop - M_TOP:
            raise ValueError(f"stop → t χ̃⁰ is closed: m_neutralino = {m_neutralino:g} GeV > m_stop - m_top = "
                             f"{m_stop:g} - {M_TOP:g} = {m_stop - M_TOP:g} GeV")


def generate(process: str, n: int, *, m_stop: float = 500.0, m_neutralino: float = 100.0,
             sqrt_s: float = SQRT_S, detector: Detector | None = None, rng=None,
             chunk_size: int = 200_000, verbose: int = 1) -> EventSample:
    """Generate ``n`` events of ``process`` ('ttbar' or 'stop'; masses in GeV, ignored for 'ttbar').

    ``rng`` is a seed or a ``numpy.random.Generator`` (default: glassnet's global generator). Events are
    made ``chunk_size`` at a time (bounded memory), each chunk fully vectorized.
    """
    check_process(process, m_stop, m_neutralino)
    if int(n) != n or n < 1:
        raise ValueError(f"the number of events must be a positive integer, got {n}")
    mass = M_TOP if process == "ttbar" else m_stop
    if 2 * mass >= sqrt_s:
        raise ValueError(f"√s = {sqrt_s:g} GeV is below the pair threshold 2 × {mass:g} GeV")
    detector = detector or Detector()
    seed = rng if isinstance(rng, (int, np.integer)) else None
    rng = get_rng(rng)
    sizes = [min(chunk_size, n - start) for start in range(0, int(n), chunk_size)]
    chunks = [_generate_chunk(process, size, m_stop, m_neutralino, sqrt_s, detector, rng)
              for size in tqdm(sizes, desc=f"generating {process}", unit="chunk", disable=not verbose)]
    sample = EventSample(*(np.concatenate(parts) for parts in zip(*chunks)))
    sample.meta = {"process": process, "m_stop": float(m_stop) if process == "stop" else None,
                   "m_neutralino": float(m_neutralino) if process == "stop" else None,
                   "sqrt_s": float(sqrt_s), "seed": seed}
    return sample


# ----- step 1: the hard process -----
def sample_pair_mass(n: int, mass: float, wave: int, sqrt_s: float, rng, grid: int = 4096) -> np.ndarray:
    """√ŝ of a pair of particles of mass M: p(√ŝ) ∝ β^wave (1 - √τ)^b τ^-a / ŝ (see the module doc),
    drawn by inverting the cumulative distribution tabulated on a logarithmic grid."""
    roots = 2 * mass * np.exp(np.linspace(0.0, np.log(sqrt_s / (2 * mass)), grid))
    tau = (roots / sqrt_s) ** 2
    beta = np.sqrt(np.maximum(1.0 - (2 * mass / roots) ** 2, 0.0))
    density = beta ** wave * (1 - np.sqrt(tau)) ** LUMINOSITY_B * tau ** -LUMINOSITY_A / roots ** 2
    steps = 0.5 * (density[1:] + density[:-1]) * np.diff(roots)  # trapezoids
    cdf = np.concatenate([[0.0], np.cumsum(steps)])
    return np.interp(rng.random(n) * cdf[-1], cdf, roots)


def sample_cos_theta(n: int, shape: str, rng) -> np.ndarray:
    """cos θ* from 1 + cos²θ* ('vector': CDF (c³ + 3c + 4)/8) or 1 - cos²θ* ('scalar': CDF (3c - c³ + 2)/4),
    each CDF = u solved for c in closed form."""
    u = rng.random(n)
    if shape == "vector":  # c³ + 3c + (4 - 8u) = 0, Cardano: one real root
        half_q = 2.0 - 4.0 * u
        root = np.sqrt(half_q ** 2 + 1.0)
        return np.cbrt(-half_q + root) + np.cbrt(-half_q - root)
    return 2.0 * np.cos(np.arccos(1.0 - 2.0 * u) / 3.0 - 2.0 * np.pi / 3.0)  # c³ - 3c + (4u - 2) = 0


def produce_pair(n: int, mass: float, scalar: bool, sqrt_s: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """Four-vectors (n, 4) of the two particles of a pair produced in pp collisions (GeV)."""
    roots = sample_pair_mass(n, mass, 3 if scalar else 1, sqrt_s, rng)
    y_max = np.log(sqrt_s / roots)
    y = y_max * np.tanh(0.4 * rng.standard_normal(n))
    system = np.stack([roots * np.cosh(y), np.zeros(n), np.zeros(n), roots * np.sinh(y)], axis=-1)
    cos_theta = sample_cos_theta(n, "scalar" if scalar else "vector", rng)
    sin_theta, azimuth = np.sqrt(1.0 - cos_theta ** 2), rng.uniform(0.0, 2 * np.pi, n)
    axis = np.stack([sin_theta * np.cos(azimuth), sin_theta * np.sin(azimuth), cos_theta], axis=-1)
    return kin.two_body_decay(system, mass, mass, rng, directions=axis)


# ----- steps 2-4 -----
def _generate_chunk(process, n, m_stop, m_neutralino, sqrt_s, detector, rng):
    invisible = np.zeros((n, 2))
    if process == "stop":
        stop1, stop2 = produce_pair(n, m_stop, True, sqrt_s, rng)
        top1, chi1 = kin.two_body_decay(stop1, M_TOP, m_neutralino, rng)
        top2, chi2 = kin.two_body_decay(stop2, M_TOP, m_neutralino, rng)
        invisible += chi1[:, 1:3] + chi2[:, 1:3]
    else:
        top1, top2 = produce_pair(n, M_TOP, False, sqrt_s, rng)
    b1, w1 = kin.two_body_decay(top1, 0.0, M_W, rng)
    b2, w2 = kin.two_body_decay(top2, 0.0, M_W, rng)
    f1, f1bar = kin.two_body_decay(w1, 0.0, 0.0, rng)
    f2, f2bar = kin.two_body_decay(w2, 0.0, 0.0, rng)

    # which top decays leptonically: t → W⁺ → ℓ⁺ν gives charge +1, t̄ → ℓ⁻ν̄ charge -1
    first = (rng.random(n) < 0.5)[:, None]
    lepton, neutrino = np.where(first, f1, f2), np.where(first, f1bar, f2bar)
    quarks = np.where(first, f2, f1), np.where(first, f2bar, f1bar)
    b_leptonic, b_hadronic = np.where(first, b1, b2), np.where(first, b2, b1)
    charge = np.where(first[:, 0], 1.0, -1.0)
    invisible += neutrino[:, 1:3]

    partons = np.stack([lepton, b_leptonic, b_hadronic, *quarks], axis=1)
    kinds = np.array([LEPTON, B_QUARK, B_QUARK, LIGHT_QUARK, LIGHT_QUARK])
    reco = simulate(detector, partons, kinds, invisible, rng)
    return _objects(reco, kinds, charge)


def _objects(reco, kinds, charge):
    """Padded object arrays and high-level variables from reconstructed candidates."""
    n = len(charge)
    p = reco.momenta * _GEV_TO_TEV
    met = reco.met * _GEV_TO_TEV
    met_pt = np.hypot(met[:, 0], met[:, 1])
    is_jet = kinds != LEPTON
    candidate_pt = kin.pt(p)

    # candidate rows: the five partons' objects, then the MET; zeros where not accepted
    momenta = np.concatenate([p, np.stack([met_pt, met[:, 0], met[:, 1], np.zeros(n)], -1)[:, None]], axis=1)
    mask = np.concatenate([reco.accepted, np.ones((n, 1), bool)], axis=1)
    features = np.zeros((n, MAX_OBJECTS, len(FEATURES)))
    features[:, 0, 1] = charge
    features[:, 1:N_JETS + 1, 2] = np.where(reco.btagged[:, is_jet], 1.0, -1.0)
    features[:, -1, 3] = 1.0
    features[:, :, 4] = np.concatenate([candidate_pt, met_pt[:, None]], axis=1)
    features[:, :, 5] = momenta[..., 0]
    features[:, :-1, 6] = kin.mass(p)
    features[~mask] = 0.0
    momenta[~mask] = 0.0

    # order: lepton, jets by decreasing pT, MET, then the padding (a stable sort on a group key)
    group = np.concatenate([[0.0], np.ones(N_JETS), [2.0]])
    key = np.where(mask, group * 1e3 - np.where(group == 1, features[:, :, 4], 0.0), np.inf)
    order = np.argsort(key, axis=1, kind="stable")
    features = np.take_along_axis(features, order[:, :, None], axis=1)
    momenta = np.take_along_axis(momenta, order[:, :, None], axis=1)
    mask = np.take_along_axis(mask, order, axis=1)
    features, momenta = features.astype(np.float32), momenta.astype(np.float32)
    return features, momenta, mask, high_level_variables(features, momenta, mask)


def high_level_variables(objects: np.ndarray, momenta: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``HIGH_LEVEL`` (n, 9) float32 from padded objects (``EventSample``'s layout, TeV), over the objects
    kept: HT = Σ pT(jets), MET, pT(leading lepton), n_jets, n_b, m_T(leading lepton, MET),
    pT(leading jet), MET/√HT (GeV^½), min Δφ(MET, two leading jets) (π without jets)."""
    objects, momenta = objects.astype(np.float64), momenta.astype(np.float64)
    is_jet = mask & (objects[..., 2] != 0)
    is_lepton = mask & (objects[..., 1] != 0)
    is_met = mask & (objects[..., 3] == 1)
    pt = objects[..., 4]
    jet_pt = np.where(is_jet, pt, 0.0)
    ht = jet_pt.sum(axis=1)
    met = (momenta * is_met[..., None]).sum(axis=1)  # (MET, MET_x, MET_y, 0)
    lepton_row = np.argmax(np.where(is_lepton, pt, -1.0), axis=1)
    has_lepton = is_lepton.any(axis=1)
    lepton = np.take_along_axis(momenta, lepton_row[:, None, None], axis=1)[:, 0]
    lepton_pt = np.where(has_lepton, kin.pt(lepton), 0.0)
    mt = np.where(has_lepton, kin.transverse_mass(lepton, met[:, 1], met[:, 2]), 0.0)
    by_pt = np.argsort(-jet_pt, axis=1, kind="stable")[:, :2]
    leading_phi = np.take_along_axis(kin.phi(momenta), by_pt, axis=1)
    leading_ok = np.take_along_axis(is_jet, by_pt, axis=1)
    dphi = np.abs(kin.wrap_phi(leading_phi - np.arctan2(met[:, 2], met[:, 1])[:, None]))
    min_dphi = np.where(leading_ok, dphi, np.pi).min(axis=1)
    met_significance = met[:, 0] * 1e3 / np.sqrt(np.maximum(ht, 1e-6) * 1e3)  # GeV / √GeV
    n_bjets = (is_jet & (objects[..., 2] == 1)).sum(axis=1)
    return np.stack([ht, met[:, 0], lepton_pt, is_jet.sum(axis=1), n_bjets, mt, jet_pt.max(axis=1),
                     met_significance, min_dphi], axis=1).astype(np.float32)
