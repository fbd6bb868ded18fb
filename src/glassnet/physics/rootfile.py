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
from .eventfile import AtomicWriter, EventFileError
from .events import FEATURES, EventSample, high_level_variables

KINDS = {"jet": ("pt", "eta", "phi", "mass", "btag"), "electron": ("pt", "eta", "phi", "charge"),
         "muon": ("pt", "eta", "phi", "charge"), "photon": ("pt", "eta", "phi"), "met": ("met", "phi")}
MAX_OBJECTS = {"lepton": 1, "photon": 0, "jet": 4}  # the toy generator's layout: ℓ, four jets, MET
QUANTITIES = ("pt", "eta", "phi", "mass", "charge", "btag")
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
    layout = array.layout
    if isinstance(layout, ak.contents.NumpyArray):
        return layout.data, np.ones(len(layout), dtype=np.int64)
    if isinstance(layout, ak.contents.ListOffsetArray) and isinstance(layout.content, ak.contents.NumpyArray):
        offsets = layout.offsets.data  # what uproot returns: read the buffers without copying them
        return layout.content.data[offsets[0]:offsets[-1]], np.diff(offsets).astype(np.int64)
    return ak.to_numpy(ak.flatten(array)), ak.to_numpy(ak.num(array)).astype(np.int64)


def _group(chunk, layout: Layout, kinds, n_events: int, cap: int) -> tuple[dict, np.ndarray]:
    """The objects of ``kinds`` (e.g. electrons and muons) in one chunk, flattened in event order with at
    most ``cap`` per event, the leading ones by pT: ({pt, eta, phi, mass, charge, btag}, counts per event)."""
    parts = []
    for kind in kinds:
        if kind in layout.branches:
            fields = layout.branches[kind]
            pt, counts = _flat(chunk[fields["pt"]])
            if len(pt):  # (an empty kind need not be merged)
                none = np.zeros(len(pt), np.float32)  # a quantity the kind does not have (a lepton's mass)
                parts.append(({q: _flat(chunk[fields[q]])[0] if q in fields else none for q in QUANTITIES}, counts))
    if not parts or cap == 0:
        return {q: np.zeros(0, np.float32) for q in QUANTITIES}, np.zeros(n_events, np.int64)
    counts = sum(c for _, c in parts)
    objects = parts[0][0] if len(parts) == 1 else {q: np.concatenate([p[q] for p, _ in parts]) for q in QUANTITIES}
    event = np.concatenate([np.repeat(np.arange(n_events), c) for _, c in parts]) if len(parts) > 1 else None
    if event is not None or not _by_decreasing_pt(objects["pt"], counts):
        # several kinds to merge, or a file whose lists are not by decreasing pT (Delphes' are)
        event = np.repeat(np.arange(n_events), counts) if event is None else event
        order = np.lexsort((-objects["pt"], event))
        objects = {q: values[order] for q, values in objects.items()}
    if counts.max(initial=0) > cap:
        rank = np.arange(len(objects["pt"])) - np.repeat(np.cumsum(counts) - counts, counts)
        objects = {q: values[rank < cap] for q, values in objects.items()}
        counts = np.minimum(counts, cap)
    return objects, counts


def _by_decreasing_pt(pt: np.ndarray, counts: np.ndarray) -> bool:
    """Whether pT never increases inside an event's list."""
    starts_a_list = np.zeros(len(pt), dtype=bool)
    starts_a_list[(np.cumsum(counts) - counts)[counts > 0]] = True
    rises = np.flatnonzero(pt[1:] > pt[:-1]) + 1  # where pT goes up: fine only where an event's list starts
    return bool(starts_a_list[rises].all())


WIDTH = len(FEATURES) + 4  # a row: the seven features, then the four-vector (E, px, py, pz)
P = len(FEATURES)          # where the four-vector starts


def _object_rows(objects: dict, group: str) -> np.ndarray:
    """Each object's row (k, 11): seven features, then (E, px, py, pz), in TeV, in float32 (the file's
    precision): px = pT cos φ, py = pT sin φ, pz = pT sinh η, E = √((pT cosh η)² + m²)."""
    pt = objects["pt"].astype(np.float32) / np.float32(GEV_PER_TEV)
    mass = objects["mass"].astype(np.float32) / np.float32(GEV_PER_TEV)
    eta, phi = objects["eta"].astype(np.float32, copy=False), objects["phi"].astype(np.float32, copy=False)
    exp_eta = np.exp(eta)
    rows = np.zeros((len(pt), WIDTH), dtype=np.float32)
    rows[:, P + 1], rows[:, P + 2], rows[:, P + 3] = pt * np.cos(phi), pt * np.sin(phi), pt * 0.5 * (exp_eta - 1 / exp_eta)
    rows[:, P] = np.sqrt((pt * 0.5 * (exp_eta + 1 / exp_eta)) ** 2 + mass * mass)
    if group == "photon":
        rows[:, F["photon"]] = 1.0
    elif group == "lepton":
        rows[:, F["lepton_charge"]] = objects["charge"]
    else:  # b-tag: bit 0 of an integer (Delphes' BTag), or a 0/1 number
        btag = objects["btag"]
        tagged = (btag.astype(np.int64) & 1) != 0 if np.issubdtype(btag.dtype, np.integer) else btag > 0.5
        rows[:, F["bjet"]] = np.where(tagged, 1.0, -1.0)
    rows[:, F["pt"]], rows[:, F["energy"]], rows[:, F["mass"]] = pt, rows[:, P], mass
    return rows


def _met_rows(chunk, layout: Layout) -> np.ndarray:
    """The MET object's row of every event (n, 11): its features, then (MET, MET_x, MET_y, 0), in TeV."""
    met = _one_per_event(chunk[layout.branches["met"]["met"]]).astype(np.float32) / np.float32(GEV_PER_TEV)
    phi = _one_per_event(chunk[layout.branches["met"]["phi"]]).astype(np.float32)
    rows = np.zeros((len(met), WIDTH), dtype=np.float32)
    rows[:, F["met"]], rows[:, F["pt"]], rows[:, F["energy"]] = 1.0, met, met
    rows[:, P], rows[:, P + 1], rows[:, P + 2] = met, met * np.cos(phi), met * np.sin(phi)
    return rows


def _one_per_event(array) -> np.ndarray:
    values, counts = _flat(array)
    if (counts != 1).any():
        raise EventFileError(f"the MET branch must hold one value per event, found {counts.min()}-{counts.max()}")
    return values


GROUPS = (("lepton", ("electron", "muon")), ("photon", ("photon",)), ("jet", ("jet",)))


def chunk_to_sample(chunk, layout: Layout, max_objects: dict = MAX_OBJECTS, meta: dict | None = None,
                    high_level: bool = True) -> EventSample:
    """One chunk of branches (awkward arrays by branch name) → an ``EventSample`` (see the module doc).
    Each object goes straight to its row: after the real objects of the groups before it in its event.
    ``high_level=False`` skips the high-level variables (an (n, 0) array): the networks do not read them."""
    n_events = len(chunk[layout.branches["met"]["met"]])
    n_rows = sum(max_objects.get(group, 0) for group, _ in GROUPS) + 1
    table = np.zeros((n_events * n_rows, WIDTH), dtype=np.float32)  # row event · N + r: features | four-vector
    first_free = np.arange(n_events, dtype=np.int64) * n_rows     # each event's next free row
    for group, kinds in GROUPS:
        objects, counts = _group(chunk, layout, kinds, n_events, max_objects.get(group, 0))
        # the k-th object of an event goes to that event's first free row + k
        table[np.arange(counts.sum()) + np.repeat(first_free - (np.cumsum(counts) - counts), counts)] = \
            _object_rows(objects, group)
        first_free += counts
    table[first_free] = _met_rows(chunk, layout)
    table = table.reshape(n_events, n_rows, WIDTH)
    features, momenta = table[..., :P], table[..., P:]  # views of one buffer: one scatter fills both
    mask = np.arange(n_rows) <= (first_free - np.arange(n_events) * n_rows)[:, None]  # real rows come first
    extra = high_level_variables(features, momenta, mask) if high_level else np.zeros((n_events, 0), np.float32)
    return EventSample(features, momenta, mask, extra, dict(meta or {}))


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
                 meta: dict | None = None, high_level: bool = True):
    """``EventSample`` chunks of ``step_size`` events from a ROOT file (only one chunk in memory at a time);
    ``high_level=False`` leaves out the high-level variables (faster, for the networks)."""
    tree, stored = _open_tree(path, layout)
    meta = {**stored, **(meta or {})}
    for chunk in tree.iterate(layout.names(), step_size=int(step_size), library="ak"):
        yield chunk_to_sample(chunk, layout, max_objects, meta, high_level)


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


class RootWriter(AtomicWriter):
    """Write ``EventSample`` chunks into a TTree of ``layout``, one ``write`` at a time, in baskets of at
    most ``basket_events`` events (readers decompress a basket at a time); the file appears at ``path``
    only when the writer is closed without an error (atomic)."""

    def __init__(self, path, layout: Layout = DELPHES, basket_events: int = 10_000):
        self.layout, self.basket_events, self._tree = layout, basket_events, None
        super().__init__(path)

    def open_file(self, temporary: str):
        return _uproot().recreate(temporary)

    def write(self, sample: EventSample) -> None:
        for start in range(0, len(sample), self.basket_events):
            self._write_basket(sample[start:start + self.basket_events])

    def _write_basket(self, sample: EventSample) -> None:
        data = _grouped(sample_to_branches(sample, self.layout))
        if self._tree is None:
            self._file[META_KEY] = json.dumps(sample.meta)  # a TObjString: how the events were made
            types = {k: getattr(v, "type", None) or v.dtype for k, v in data.items()}
            self._tree = self._file.mktree(self.layout.tree, types, counter_name=lambda counted: f"{counted}_size",
                                           field_name=lambda outer, inner: f"{outer}.{inner}" if outer else inner)
        self._tree.extend(data)
        self.count += len(sample)
