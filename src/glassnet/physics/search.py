"""The stop search end to end: signal and background samples → train the three methods → compare.

Methods (each trained on the same events, scored on the same held-out events):

- ``'mpnn'``: ``models.EventMPNN`` on the event graphs (objects + ΔR edges), Adam on the binary
  cross-entropy of its averaged node votes;
- ``'dnn'``: ``models.EventDNN`` on the flattened padded object features (no angles), same training;
- ``'bdt'``: ``glassnet.trees.GradientBoostingClassifier`` on the high-level variables.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from .. import optim
from ..autograd import get_rng, no_grad
from ..models import EventDNN, EventMPNN
from ..nn import functional as F
from ..backends.threads import blas_threads
from . import evaluation
from .events import EventSample, check_process, concatenate, generate
from .graphs import EventGraphs, event_graphs

METHODS = ("mpnn", "dnn", "bdt")


class MethodUnavailable(RuntimeError):
    """A method whose implementation is not installed or not written yet."""


@dataclass(frozen=True)
class Settings:
    """Sizes and training settings of a comparison; ``QUICK`` for tests, ``FULL`` for the benchmark."""

    n_events: int = 40_000            # per class
    test_fraction: float = 0.3
    epochs: int = 15
    batch_size: int = 256
    lr: float = 3e-3
    bdt_trees: int = 200
    bdt_depth: int = 4


FULL = Settings()
QUICK = Settings(n_events=3000, epochs=6, batch_size=128, bdt_trees=40, bdt_depth=3)
# the paper's training (EventMPNN.PAPER_TRAINING: Adam, learning rate 1e-3, batches of 500) for both networks
PAPER = Settings(epochs=25, batch_size=EventMPNN.PAPER_TRAINING["batch_size"], lr=EventMPNN.PAPER_TRAINING["lr"])
PAPER_MASSES = (400.0, 500.0, 600.0, 700.0, 800.0, 1000.0)


@dataclass
class Dataset:
    """Signal and background events together: graphs, high-level variables, labels (1 = signal)."""

    graphs: EventGraphs
    high_level: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)


def make_dataset(signal: EventSample, background: EventSample) -> Dataset:
    """Join two samples, checking they have the same layout (a clear error for mismatched files)."""
    for name in ("objects", "high_level"):
        a, b = getattr(signal, name).shape[1:], getattr(background, name).shape[1:]
        if a != b:
            raise ValueError(f"signal and background events do not match: {name} per event {a} vs {b}")
    if signal.meta.get("process") == background.meta.get("process") == "ttbar":
        raise ValueError("both samples are 'ttbar' background: the signal sample must be 'stop'")
    joined = concatenate([signal, background])
    return Dataset(event_graphs(joined), joined.high_level, class_labels(len(signal), len(background)))


def class_labels(n_signal: int, n_background: int) -> np.ndarray:
    return np.r_[np.ones(n_signal), np.zeros(n_background)].astype(np.float32)


def split(n: int, test_fraction: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """Shuffled train and test indices."""
    order = get_rng(rng).permutation(n)
    n_test = int(round(n * test_fraction))
    return order[n_test:], order[:n_test]


# ----- the networks -----
def _network_inputs(model, graphs: EventGraphs) -> tuple:
    return (graphs.nodes, graphs.edges(), graphs.mask) if isinstance(model, EventMPNN) else (graphs.nodes,)


def train_epoch(model, optimizer, graphs: EventGraphs, labels: np.ndarray, batch_size: int, rng) -> float:
    """One pass over the events in a random order, one Adam step per batch; the mean loss."""
    order, total = rng.permutation(len(labels)), 0.0
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        loss = F.binary_cross_entropy(model(*_network_inputs(model, graphs[batch])), labels[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(batch)
    return total / len(order)


def train_network(model, graphs: EventGraphs, labels: np.ndarray, epochs: int, batch_size: int = 256,
                  lr: float = 3e-3, rng=None, verbose: int = 1) -> list[float]:
    """Minimize the binary cross-entropy of ``model``'s scores with Adam; the mean loss of each epoch."""
    rng = get_rng(rng)
    optimizer = optim.Adam(model.parameters(), lr=lr)
    model.train()
    return [train_epoch(model, optimizer, graphs, labels, batch_size, rng)
            for _ in tqdm(range(epochs), desc=f"training {type(model).__name__}", disable=not verbose)]


def predict_network(model, graphs: EventGraphs, batch_size: int = 4096) -> np.ndarray:
    """Scores of all events, in batches, without building a graph for backpropagation."""
    model.eval()
    with no_grad():
        return np.concatenate([model(*_network_inputs(model, graphs[start:start + batch_size])).numpy()
                               for start in range(0, len(graphs), batch_size)])


def bdt_classifier(settings: Settings):
    """The BDT from ``glassnet.trees``, or ``MethodUnavailable`` saying what it waits for."""
    try:
        from ..trees import GradientBoostingClassifier
    except ImportError as error:
        raise MethodUnavailable("the BDT waits for the BDT issue: glassnet.trees has no "
                                "GradientBoostingClassifier yet") from error
    return GradientBoostingClassifier(n_estimators=settings.bdt_trees, max_depth=settings.bdt_depth,
                                      learning_rate=0.1)


def fit_and_score(method: str, data: Dataset, train: np.ndarray, test: np.ndarray, settings: Settings,
                  rng=None, verbose: int = 1):
    """Train ``method`` on the ``train`` events; return (the fitted model, its scores on ``test``)."""
    if method == "bdt":
        model = bdt_classifier(settings)
        model.fit(data.high_level[train], data.labels[train].astype(int))
        return model, model.predict_proba(data.high_level[test])[:, 1]
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    model = EventMPNN() if method == "mpnn" else EventDNN(in_features=int(np.prod(data.graphs.nodes.shape[1:])))
    train_network(model, data.graphs[train], data.labels[train], settings.epochs, settings.batch_size,
                  settings.lr, rng=rng, verbose=verbose)
    return model, predict_network(model, data.graphs[test])


def metrics(labels: np.ndarray, scores: np.ndarray, m_stop: float) -> dict:
    """AUC, signal efficiency at background rejection 10 and 100, and S/√B at rejection 100."""
    return {"auc": evaluation.roc_auc(labels, scores),
            "eff_at_rej10": evaluation.signal_efficiency_at_rejection(labels, scores, 10),
            "eff_at_rej100": evaluation.signal_efficiency_at_rejection(labels, scores, 100),
            **evaluation.significance(labels, scores, m_stop, rejection=100)}


def compare(signal: EventSample, background: EventSample, methods=METHODS, settings: Settings = FULL,
            rng=None, verbose: int = 1) -> dict:
    """Train every method on the same split; {method: {'scores', metric...} or {'unavailable': reason}},
    plus 'labels' (the test labels). ``rng`` splits and shuffles; the networks' initial weights come
    from glassnet's global generator (``gn.manual_seed``)."""
    rng = get_rng(rng)
    data = make_dataset(signal, background)
    train, test = split(len(data), settings.test_fraction, rng)
    m_stop = signal.meta.get("m_stop") or 500.0
    results = {"labels": data.labels[test]}
    for method in methods:
        try:
            _, scores = fit_and_score(method, data, train, test, settings, rng=rng, verbose=verbose)
        except MethodUnavailable as reason:
            results[method] = {"unavailable": str(reason)}
            continue
        results[method] = {"scores": scores, **metrics(data.labels[test], scores, m_stop)}
    return results


def generate_pair(m_stop: float, m_neutralino: float, n: int, rng=None, verbose: int = 1):
    """A stop sample and a t t̄ sample of n events each."""
    rng = get_rng(rng)
    return (generate("stop", n, m_stop=m_stop, m_neutralino=m_neutralino, rng=rng, verbose=verbose),
            generate("ttbar", n, rng=rng, verbose=verbose))


def mass_point(m_stop: float, m_neutralino: float, methods, settings: Settings, seed: int) -> dict:
    """``compare`` at one stop mass on fresh samples, everything drawn from ``seed`` (weights included), so
    that a point gives the same result wherever it runs (in this process, a pool or a Dask worker)."""
    from ..autograd import manual_seed
    manual_seed(seed)
    rng = np.random.default_rng(seed)
    with blas_threads(1):
        signal, background = generate_pair(m_stop, m_neutralino, settings.n_events, rng, verbose=0)
        return compare(signal, background, methods, settings, rng=rng, verbose=0)


def mass_scan(masses, m_neutralino: float = 100.0, methods=METHODS, settings: Settings = QUICK,
              seed: int = 0, workers: int | None = 0, scheduler=None, verbose: int = 1) -> dict:
    """``mass_point`` at each stop mass (GeV): {m_stop: results}. The points run in this process
    (``workers=0``), a local process pool (``workers`` processes) or on a Dask cluster (``scheduler``:
    an address or a ``distributed.Client``, connected through the parameter scan's ``DaskExecutor``)."""
    masses = [float(m) for m in masses]
    for m_stop in masses:  # fail before any training, not in a worker
        check_process("stop", m_stop, m_neutralino)
        evaluation.stop_cross_section(m_stop)
    tasks = [(m_stop, m_neutralino, tuple(methods), settings, seed + k) for k, m_stop in enumerate(masses)]
    results = _run_tasks(tasks, workers, scheduler)
    scan = {}
    for k, result in tqdm(results, total=len(tasks), desc="mass points", disable=not verbose):
        scan[masses[k]] = result
    return dict(sorted(scan.items()))


def _run_tasks(tasks, workers, scheduler):
    """(index, mass_point(*task)) as each finishes: on the Dask cluster the parameter scan connects to
    (its ``DaskExecutor``), in a local process pool, or here one after the other."""
    if scheduler is not None:
        from distributed import as_completed

        from .scan.executors import DaskExecutor
        executor = DaskExecutor(scheduler)
        try:
            futures = {executor.client.submit(mass_point, *task, pure=False): k for k, task in enumerate(tasks)}
            for future in as_completed(list(futures)):
                yield futures[future], future.result()
        finally:
            executor.close()
    elif workers:
        import concurrent.futures
        with concurrent.futures.ProcessPoolExecutor(workers) as pool:
            futures = {pool.submit(mass_point, *task): k for k, task in enumerate(tasks)}
            for future in concurrent.futures.as_completed(futures):
                yield futures[future], future.result()
    else:
        for k, task in enumerate(tasks):
            yield k, mass_point(*task)


# ----- streaming: files larger than memory -----
def labelled_chunks(signal_path, background_path, step_size: int, **read_options):
    """(events, labels) chunks of about ``step_size`` events, half from each file, read one chunk at a
    time (``eventio.iterate_any``); when one file ends, the other's chunks come alone."""
    from itertools import zip_longest

    from .eventio import iterate_any
    signal = iterate_any(signal_path, max(step_size // 2, 1), **read_options)
    background = iterate_any(background_path, max(step_size // 2, 1), **read_options)
    for s, b in zip_longest(signal, background):
        parts = [part for part in (s, b) if part is not None]
        yield concatenate(parts), class_labels(len(s) if s is not None else 0, len(b) if b is not None else 0)


def train_streaming(model, signal_path, background_path, epochs: int = 1, step_size: int = 50_000,
                    batch_size: int = 500, lr: float = 1e-3, rng=None, verbose: int = 1, **read_options) -> list[float]:
    """Train a network on two event files chunk by chunk: only one chunk of events (and its graphs) is in
    memory at a time, so the files may be larger than memory. Events are shuffled within each chunk.
    The mean loss of each epoch. ROOT files are read without the high-level variables (networks do not
    use them) unless ``read_options`` say otherwise."""
    rng = get_rng(rng)
    optimizer = optim.Adam(model.parameters(), lr=lr)
    model.train()
    read_options = {"high_level": False, **read_options}
    history = []
    for epoch in range(epochs):
        total = count = 0
        chunks = labelled_chunks(signal_path, background_path, step_size, **read_options)
        for events, labels in tqdm(chunks, desc=f"epoch {epoch + 1}/{epochs}", unit="chunk", disable=not verbose):
            loss = train_epoch(model, optimizer, event_graphs(events), labels, batch_size, rng)
            total, count = total + loss * len(labels), count + len(labels)
        history.append(total / max(count, 1))
    return history
