"""ROOT event files (TTrees read and written with uproot): Delphes output and flat ntuples.

A ``Layout`` says which branch holds which quantity. ``DELPHES`` is Delphes' own (tree "Delphes",
branches Jet.PT, Jet.Eta, Jet.Phi, Jet.Mass, Jet.BTag, Electron.*, Muon.* with Charge, Photon.*,
MissingET.MET and MissingET.Phi); a flat ntuple is described by a mapping file the user writes, JSON:

    {"tree": "events",
     "jet":      {"pt": "jet_pt", "eta": "jet_eta", "phi": "jet_phi", "mass": "jet_m", "btag": "jet_btag"},
     "electron": {"pt": "el_pt",  "eta": "el_eta",  "phi": "el_phi",  "charge": "el_q"},
     "muon":     {"pt": "mu_pt",  "eta": "mu_eta",  "phi": "mu_phi",  "charge": "mu_q"},
     "photon":   {"pt": "ph_pt",  "eta": "ph_eta",  "phi": "ph_phi"},
     "met":      {"met": "met_et", "phi": "met_phi"}}

Each object kind is optional; each branch is a per-event list (vector<float>) or one number per event.
Energies are in GeV in the file (TeV inside glassnet); b-tag is bit 0 of an integer (Delphes' BTag) or
a 0/1 number. Reading makes ``EventSample`` chunks of ``step_size`` events in the toy's layout: the
leading leptons (electrons and muons together), photons and jets by pT (at most ``max_objects`` of
each), then the MET, real objects first; the high-level variables are computed from them. Writing
goes the other way (leptons are written as electrons, or muons if the layout has no electrons: an
``EventSample`` does not record the flavour).
Four-vectors use ``glassnet.physics.kinematics`` (why not the ``vector`` package: the few formulas
needed are already there, tested, on plain arrays, and one dependency fewer).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

import numpy as np

from . import kinematics as kin
from .eventfile import EventFileError, atomic_path
from .events import FEATURES, EventSample, high_level_variables

KINDS = {"jet": ("pt", "eta", "phi", "mass", "btag"), "electron": ("pt", "eta", "phi", "charge"),
         "muon": ("pt", "eta", "phi", "charge"), "photon": ("pt", "eta", "phi"), "met": ("met", "phi")}
MAX_OBJECTS = {"lepton": 1, "photon": 0, "jet": 4}  # the toy generator's layout: ℓ, four jets, MET
GEV_PER_TEV = 1e3
META_KEY = "glassnet_meta"
F = {name: FEATURES.index(name) for name in FEATURES}


@dataclass(frozen=True)
class Layout:
    """Which branch of ``tree`` holds each quantity: {kind: {quantity: branch}} (see the module doc)."""

    tree: str
    branches: dict

    def __post_init__(self):
        for kind, fields in self.branches.items():
            if kind not in KINDS:
                raise ValueError(f"unknown object kind {kind!r} in the layout; choose from {', '.join(KINDS)}")
            missing = [q for q in KINDS[kind] if q not in fields]
            if missing:
                raise ValueError(f"the layout's {kind!r} needs branches for {', '.join(missing)}")
        if "met" not in self.branches:
            raise ValueError("the layout needs the missing transverse momentum ('met': met, phi)")

    def names(self) -> list[str]:
        return [self.branches[kind][q] for kind in self.branches for q in KINDS[kind]]


DELPHES = Layout("Delphes", {
    "jet": {q: f"Jet.{b}" for q, b in zip(KINDS["jet"], ("PT", "Eta", "Phi", "Mass", "BTag"))},
    "electron": {q: f"Electron.{b}" for q, b in zip(KINDS["electron"], ("PT", "Eta", "Phi", "Charge"))},
    "muon": {q: f"Muon.{b}" for q, b in zip(KINDS["muon"], ("PT", "Eta", "Phi", "Charge"))},
    "photon": {q: f"Photon.{b}" for q, b in zip(KINDS["photon"], ("PT", "Eta", "Phi"))},
    "met": {"met": "MissingET.MET", "phi": "MissingET.Phi"}})


def load_layout(path) -> Layout:
    """A flat-ntuple layout from the user's JSON mapping file (a clear error naming what is wrong)."""
    try:
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
    except (OSError, ValueError) as error:
        raise EventFileError(f"mapping file {os.fspath(path)!r} is not readable JSON: {error}") from error
    if not isinstance(spec, dict) or not isinstance(spec.get("tree"), str):
        raise EventFileError(f"mapping file {os.fspath(path)!r} needs a \"tree\" name and one entry per object kind")
    try:
        return Layout(spec.pop("tree"), spec)
    except ValueError as error:
        raise EventFileError(f"mapping file {os.fspath(path)!r}: {error}") from error


def _uproot():
    try:
        import uproot
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise ImportError("ROOT files need uproot: pip install 'glassnet[physics]'") from error
    return uproot


# ----- reading -----
def _flat(array) -> tuple[np.ndarray, np.ndarray]:
    """(values, counts) of a branch read as awkward: a per-event list, or one number per event."""
    import awkward as ak
    if array.ndim == 1:
        values = ak.to_numpy(array)
        return values, np.ones(len(values), dtype=np.int64)
    return ak.to_numpy(ak.flatten(array)), ak.to_numpy(ak.num(array)).astype(np.int64)


def _objects_of(chunk, layout: Layout, kinds) -> dict:
    """The objects of ``kinds`` in one chunk, flattened: event number, pT, η, φ, mass, charge, b-tag, photon."""
    parts = []
    for kind in kinds:
        if kind not in layout.branches:
            continue
        fields = layout.branches[kind]
        pt, counts = _flat(chunk[fields["pt"]])
        columns = {"event": np.repeat(np.arange(len(counts)), counts), "pt": pt}
        for quantity in ("eta", "phi", "mass", "charge", "btag"):
            if quantity in fields:
                columns[quantity] = _flat(chunk[fields[quantity]])[0]
        if "btag" in columns:
            btag = columns["btag"]
            columns["btag"] = (btag.astype(np.int64) & 1) if np.issubdtype(btag.dtype, np.integer) else btag > 0.5
        columns["photon"], columns["jet"] = np.full(len(pt), kind == "photon"), np.full(len(pt), kind == "jet")
        parts.append(columns)
    names = ("event", "pt", "eta", "phi", "mass", "charge", "btag", "photon", "jet")
    return {name: np.concatenate([p.get(name, np.zeros(len(p["pt"]))) for p in parts]) if parts
            else np.zeros(0) for name in names}


def _padded_block(objects: dict, n_events: int, cap: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``cap`` leading objects (by pT) of each event: features (n, cap, 7), momenta (n, cap, 4) in
    TeV and a mask (n, cap); events with fewer objects are padded with zero rows."""
    order = np.lexsort((-objects["pt"], objects["event"]))  # by event, then decreasing pT
    event = objects["event"][order].astype(np.int64)
    counts = np.bincount(event, minlength=n_events)
    slot = np.arange(len(event)) - np.repeat(np.cumsum(counts) - counts, counts)
    keep = order[slot < cap]
    rows, slot = event[slot < cap], slot[slot < cap]
    pt = objects["pt"][keep] / GEV_PER_TEV
    p = kin.from_pt_eta_phi_m(pt, objects["eta"][keep], objects["phi"][keep], objects["mass"][keep] / GEV_PER_TEV)
    features = np.zeros((n_events, cap, len(FEATURES)))
    momenta = np.zeros((n_events, cap, 4))
    mask = np.zeros((n_events, cap), dtype=bool)
    is_jet = objects["jet"][keep].astype(bool)
    features[rows, slot, F["photon"]] = objects["photon"][keep]
    features[rows, slot, F["lepton_charge"]] = objects["charge"][keep]
    features[rows, slot, F["bjet"]] = np.where(is_jet, np.where(objects["btag"][keep] != 0, 1.0, -1.0), 0.0)
    features[rows, slot, F["pt"]], features[rows, slot, F["energy"]] = pt, p[:, 0]
    features[rows, slot, F["mass"]] = kin.mass(p)
    momenta[rows, slot], mask[rows, slot] = p, True
    return features, momenta, mask


def _met_block(chunk, layout: Layout, n_events: int):
    met, _ = _first_per_event(chunk[layout.branches["met"]["met"]], n_events)
    phi, _ = _first_per_event(chunk[layout.branches["met"]["phi"]], n_events)
    met = met / GEV_PER_TEV
    features = np.zeros((n_events, 1, len(FEATURES)))
    features[:, 0, F["met"]], features[:, 0, F["pt"]], features[:, 0, F["energy"]] = 1.0, met, met
    momenta = np.stack([met, met * np.cos(phi), met * np.sin(phi), np.zeros(n_events)], axis=-1)[:, None]
    return features, momenta, np.ones((n_events, 1), dtype=bool)


def _first_per_event(array, n_events: int):
    values, counts = _flat(array)
    if (counts != 1).any():
        raise EventFileError(f"the MET branch must hold one value per event, found {counts.min()}-{counts.max()}")
    return values.astype(np.float64), counts


def chunk_to_sample(chunk, layout: Layout, max_objects: dict = MAX_OBJECTS, meta: dict | None = None) -> EventSample:
    """One chunk of branches (awkward arrays by branch name) → an ``EventSample`` (see the module doc)."""
    n_events = len(chunk[layout.branches["met"]["met"]])
    blocks = [_padded_block(_objects_of(chunk, layout, kinds), n_events, max_objects.get(group, 0))
              for group, kinds in (("lepton", ("electron", "muon")), ("photon", ("photon",)), ("jet", ("jet",)))]
    blocks.append(_met_block(chunk, layout, n_events))
    features, momenta, mask = (np.concatenate(parts, axis=1) for parts in zip(*blocks))
    real_first = np.argsort(~mask, axis=1, kind="stable")  # padding rows last, as the toy's events
    features = np.take_along_axis(features, real_first[..., None], axis=1).astype(np.float32)
    momenta = np.take_along_axis(momenta, real_first[..., None], axis=1).astype(np.float32)
    mask = np.take_along_axis(mask, real_first, axis=1)
    return EventSample(features, momenta, mask, high_level_variables(features, momenta, mask), dict(meta or {}))


def _open_tree(path, layout: Layout):
    """(the tree, the glassnet meta stored beside it or {}), after checking every branch is there."""
    uproot = _uproot()
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"events file {path!r} does not exist")
    try:
        file = uproot.open(path)
        tree = file[layout.tree]
        meta = json.loads(str(file[META_KEY])) if META_KEY in file else {}
    except KeyError:
        raise EventFileError(f"ROOT file {path!r} has no tree {layout.tree!r}") from None
    except Exception as error:  # uproot raises many kinds for a corrupt file
        raise EventFileError(f"ROOT file {path!r} is not readable: {error}") from error
    missing = [name for name in layout.names() if name not in tree.keys()]
    if missing:
        raise EventFileError(f"ROOT file {path!r}: tree {layout.tree!r} has no branch {', '.join(missing)}")
    return tree, meta


def iterate_root(path, layout: Layout = DELPHES, step_size: int = 50_000, max_objects: dict = MAX_OBJECTS,
                 meta: dict | None = None):
    """``EventSample`` chunks of ``step_size`` events from a ROOT file (only one chunk in memory at a time)."""
    tree, stored = _open_tree(path, layout)
    meta = {**stored, **(meta or {})}
    for chunk in tree.iterate(layout.names(), step_size=int(step_size), library="ak"):
        yield chunk_to_sample(chunk, layout, max_objects, meta)


def root_info(path, layout: Layout = DELPHES) -> tuple[int, dict]:
    """(number of events, the glassnet meta stored in the file or {})."""
    tree, meta = _open_tree(path, layout)
    return int(tree.num_entries), meta


# ----- writing -----
def sample_to_branches(sample: EventSample, layout: Layout = DELPHES) -> dict:
    """An ``EventSample`` as {branch: per-event lists (awkward)} in GeV: leptons as electrons (as muons
    if the layout has no electrons)."""
    import awkward as ak
    objects, momenta, mask = sample.objects, sample.momenta.astype(np.float64), sample.mask
    p_gev = momenta * GEV_PER_TEV
    lepton = "electron" if "electron" in layout.branches else "muon"
    kinds = {"electron": np.zeros_like(mask), "muon": np.zeros_like(mask),  # the other flavour stays empty
             "jet": mask & (objects[..., F["bjet"]] != 0), "photon": mask & (objects[..., F["photon"]] == 1)}
    kinds[lepton] = mask & (objects[..., F["lepton_charge"]] != 0)
    values = {"pt": kin.pt(p_gev), "eta": kin.pseudorapidity(p_gev), "phi": kin.phi(p_gev), "mass": kin.mass(p_gev),
              "btag": (objects[..., F["bjet"]] == 1).astype(np.int32),
              "charge": objects[..., F["lepton_charge"]].astype(np.int32)}
    branches = {}
    for kind, selected in kinds.items():
        if kind not in layout.branches:
            continue
        counts = selected.sum(axis=1)
        for quantity in KINDS[kind]:
            flat = values[quantity][selected]
            branches[layout.branches[kind][quantity]] = ak.unflatten(
                flat.astype(np.int32 if quantity in ("btag", "charge") else np.float32), counts)
    is_met = mask & (objects[..., F["met"]] == 1)
    met = (p_gev * is_met[..., None]).sum(axis=1)
    met_values = {"met": met[:, 0].astype(np.float32), "phi": np.arctan2(met[:, 2], met[:, 1]).astype(np.float32)}
    for quantity, branch in layout.branches["met"].items():
        # Delphes keeps the MET as a list of one entry; a flat ntuple as one number
        one_each = np.ones(len(met), dtype=np.int64)
        branches[branch] = ak.unflatten(met_values[quantity], one_each) if "." in branch else met_values[quantity]
    return branches


def _grouped(branches: dict) -> dict:
    """Branches named "Record.Field" zipped into one record per prefix (so they share one counter
    "Record_size", as Delphes' do); others stay as they are."""
    import awkward as ak
    records, plain = {}, {}
    for name, array in branches.items():
        if "." in name:
            record, field = name.split(".", 1)
            records.setdefault(record, {})[field] = array
        else:
            plain[name] = array
    return {**plain, **{record: ak.zip(fields) for record, fields in records.items()}}


class RootWriter:
    """Write ``EventSample`` chunks into a TTree of ``layout``, one ``write`` at a time; the file appears
    at ``path`` only when the writer is closed without an error (atomic)."""

    def __init__(self, path, layout: Layout = DELPHES):
        self.path, self.layout, self.count = os.fspath(path), layout, 0
        self._atomic = atomic_path(self.path)
        self._file = _uproot().recreate(self._atomic.__enter__())
        self._tree = None

    def write(self, sample: EventSample) -> None:
        data = _grouped(sample_to_branches(sample, self.layout))
        if self._tree is None:
            self._file[META_KEY] = json.dumps(sample.meta)  # a TObjString: how the events were made
            self._tree = self._file.mktree(self.layout.tree, {k: getattr(v, "type", None) or v.dtype for k, v in data.items()},
                                           counter_name=lambda counted: f"{counted}_size",
                                           field_name=lambda outer, inner: f"{outer}.{inner}" if outer else inner)
        self._tree.extend(data)
        self.count += len(sample)

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        self._file.close()
        self._atomic.__exit__(kind, error, traceback)
        return False
