"""Event files and graph batching: the figures issue 21 asks for (not a timed test).

    python benchmarks/events_io.py make --events 200000 --folder /tmp/events     # two Delphes-layout files
    python benchmarks/events_io.py read --folder /tmp/events [--rounds 5]
    python benchmarks/events_io.py memory --folder /tmp/events [--chunk 20000]
    python benchmarks/events_io.py batching [--events 10000]

read      glassnet's ROOT reader (``rootfile.iterate_root``: branches → padded EventSample chunks) against
          uproot alone reading the same branches into awkward arrays, each run in a fresh process,
          alternated, medians; wall and CPU seconds.
memory    peak memory above the baseline (after imports and the model) of (a) reading one chunk and
          training one pass over it, and (b) streaming both files through one epoch of training in chunks
          of the same size, each in a fresh process; peak resident memory (VmHWM, reset at the baseline)
          and the tracemalloc peak (NumPy and Python allocations).
batching  the paper's EventMPNN, forward and backward over events of 3-40 objects in batches of 500:
          the edge-list path (``GraphBatch.select`` + scatter) against the dense padded path (each batch
          padded to its largest event), same weights; batching cost included in both.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

CHILD = "--child"


def _run_child(*args) -> dict:
    out = subprocess.run([sys.executable, __file__, CHILD, *args], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# ----- make -----
def make(folder: str, n_events: int) -> None:
    from glassnet.physics.events import generate
    from glassnet.physics.rootfile import RootWriter
    os.makedirs(folder, exist_ok=True)
    for process, seed in (("stop", 0), ("ttbar", 1)):
        path = os.path.join(folder, f"{process}.root")
        with RootWriter(path) as writer:
            for start in range(0, n_events, 50_000):  # the writer makes baskets of 10,000 events
                writer.write(generate(process, min(50_000, n_events - start), rng=seed + start, verbose=0))
        print(f"wrote {n_events} {process} events to {path} ({os.path.getsize(path) / 1e6:.1f} MB)")


# ----- read -----
def read_child(path: str, reader: str, step: int) -> dict:
    from glassnet.physics import rootfile
    import uproot
    start, cpu = time.perf_counter(), time.process_time()
    n = 0
    if reader == "uproot":
        for chunk in uproot.open(path)["Delphes"].iterate(rootfile.DELPHES.names(), step_size=step, library="ak"):
            n += len(chunk)
    else:
        for chunk in rootfile.iterate_root(path, step_size=step, high_level=reader == "glassnet+high-level"):
            n += len(chunk)
    return {"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu, "events": n}


def read(folder: str, rounds: int, step: int) -> None:
    path = os.path.join(folder, "stop.root")
    readers = ("uproot", "glassnet", "glassnet+high-level")
    runs = {r: [] for r in readers}
    for _ in range(rounds):
        for reader in readers:
            runs[reader].append(_run_child("read", path, reader, str(step)))
    events = runs["uproot"][0]["events"]
    print(f"reading {events} events of {path} in chunks of {step}, {rounds} rounds alternated, fresh processes; "
          f"load average {os.getloadavg()[0]:.1f}")
    base = {k: statistics.median(r[k] for r in runs["uproot"]) for k in ("wall", "cpu")}
    for reader in readers:
        wall, cpu = (statistics.median(r[k] for r in runs[reader]) for k in ("wall", "cpu"))
        print(f"{reader:<22} wall {wall:6.2f} s ({events / wall:9,.0f} ev/s, {base['wall'] / wall:4.2f} of uproot's "
              f"speed)  CPU {cpu:6.2f} s ({base['cpu'] / cpu:4.2f} of uproot's)")


# ----- memory -----
def _status(key: str) -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(key)) * 1024


def memory_child(folder: str, mode: str, chunk: int) -> dict:
    import tracemalloc

    import numpy as np

    from glassnet import optim
    from glassnet.autograd import manual_seed
    from glassnet.models import EventMPNN
    from glassnet.backends.threads import blas_threads
    from glassnet.physics import search
    from glassnet.physics.graphs import event_graphs
    signal, background = os.path.join(folder, "stop.root"), os.path.join(folder, "ttbar.root")
    manual_seed(0)
    model = EventMPNN.from_paper()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak resident memory (VmHWM) to the current one
    baseline = _status("VmRSS:")
    tracemalloc.start()
    start = time.perf_counter()
    with blas_threads(1):
        if mode == "one-chunk":
            events, labels = next(search.labelled_chunks(signal, background, chunk, high_level=False))
            optimizer = optim.Adam(model.parameters(), lr=1e-3)
            search.train_epoch(model, optimizer, event_graphs(events), labels, 500, np.random.default_rng(0))
            n = len(labels)
        else:
            search.train_streaming(model, signal, background, epochs=1, step_size=chunk, batch_size=500, lr=1e-3,
                                   rng=0, verbose=0)
            n = None
    seconds = time.perf_counter() - start
    return {"rss_peak": _status("VmHWM:") - baseline, "traced_peak": tracemalloc.get_traced_memory()[1],
            "seconds": seconds, "events": n}


def memory(folder: str, chunk: int) -> None:
    one, stream = _run_child("memory", folder, "one-chunk", str(chunk)), _run_child("memory", folder, "stream", str(chunk))
    print(f"chunk of {chunk} events (half from each file); load average {os.getloadavg()[0]:.1f}")
    for name, key in (("peak resident memory above baseline", "rss_peak"), ("tracemalloc peak", "traced_peak")):
        print(f"{name:<38} one chunk {one[key] / 1e6:7.1f} MB   whole files streamed {stream[key] / 1e6:7.1f} MB"
              f"   ratio {stream[key] / one[key]:.2f}")
    print(f"training time: one chunk {one['seconds']:.1f} s, streamed epoch {stream['seconds']:.1f} s")


# ----- batching -----
def varied_events(n: int, rng, low: int = 3, high: int = 40):
    """n toy events of low-high objects: the seven features and four-vectors, padded to ``high``."""
    import numpy as np

    from glassnet.physics import kinematics as kin
    from glassnet.physics.events import EventSample
    sizes = rng.integers(low, high + 1, n)
    mask = np.arange(high) < sizes[:, None]
    pt, eta, phi = rng.exponential(0.05, (n, high)), rng.normal(0, 1.5, (n, high)), rng.uniform(-np.pi, np.pi, (n, high))
    momenta = kin.from_pt_eta_phi_m(pt, eta, phi, 0.1 * pt) * mask[..., None]
    objects = np.zeros((n, high, 7))
    objects[..., 2] = np.where(rng.random((n, high)) < 0.3, 1.0, -1.0)
    objects[..., 4], objects[..., 5], objects[..., 6] = pt, momenta[..., 0], 0.1 * pt
    objects *= mask[..., None]
    return EventSample(objects.astype(np.float32), momenta.astype(np.float32), mask, np.zeros((n, 0), np.float32))


def batching_child(path_kind: str, n: int, objects: str) -> dict:
    import numpy as np

    from glassnet.autograd import manual_seed
    from glassnet.models import EventMPNN
    from glassnet.nn import functional as F
    from glassnet.backends.threads import blas_threads
    from glassnet.physics.events import generate
    from glassnet.physics.graph_batch import event_graph_batch
    from glassnet.physics.graphs import event_graphs
    rng = np.random.default_rng(0)
    sample = varied_events(n, rng) if objects == "varied" else generate("stop", n, rng=0, verbose=0)
    labels = rng.integers(0, 2, n).astype(np.float32)
    manual_seed(0)
    model = EventMPNN.from_paper()
    dense, edge_list = event_graphs(sample), event_graph_batch(sample)
    best = float("inf")
    with blas_threads(1):
        for _ in range(3):
            start = time.perf_counter()
            for first in range(0, n, 500):
                rows = np.arange(first, min(first + 500, n))
                if path_kind == "dense":
                    part = dense[rows]
                    width = int(part.mask.sum(axis=1).max())  # pad this batch to its largest event only
                    scores = model(part.nodes[:, :width], part.edges()[:, :width, :width], part.mask[:, :width])
                else:
                    part = edge_list.select(rows)
                    scores = model(part.x, part.edge_index, part.edge_attr, part.batch)
                loss = F.binary_cross_entropy(scores, labels[rows])
                model.zero_grad()
                loss.backward()
            best = min(best, time.perf_counter() - start)
    return {"seconds": best, "nodes": int(sample.mask.sum()), "edges": int(edge_list.edge_index.shape[1])}


def batching(n: int) -> None:
    print(f"EventMPNN.from_paper(), forward + backward over {n} events in batches of 500, best of 3, fresh "
          f"processes; load average {os.getloadavg()[0]:.1f}")
    for objects in ("varied", "toy"):
        dense, edges = _run_child("batching", "dense", str(n), objects), _run_child("batching", "edges", str(n), objects)
        label = "3-40 objects (uniform)" if objects == "varied" else "the toy's events (<= 6 objects)"
        print(f"{label:<32} dense {dense['seconds']:6.2f} s   edge list {edges['seconds']:6.2f} s   "
              f"edge list / dense speed {dense['seconds'] / edges['seconds']:.2f}  ({edges['edges']:,} edges)")


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == CHILD:
        kind, *rest = argv[1:]
        if kind == "read":
            result = read_child(rest[0], rest[1], int(rest[2]))
        elif kind == "memory":
            result = memory_child(rest[0], rest[1], int(rest[2]))
        else:
            result = batching_child(rest[0], int(rest[1]), rest[2])
        print(json.dumps(result))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("part", choices=("make", "read", "memory", "batching"))
    parser.add_argument("--folder", default="events_benchmark", help="where the ROOT files are (default events_benchmark)")
    parser.add_argument("--events", type=int, help="events per file (make, default 200000) or to batch (default 10000)")
    parser.add_argument("--rounds", type=int, default=5, help="read: rounds of each reader (default 5)")
    parser.add_argument("--chunk", type=int, default=20_000, help="events per chunk (default 20000)")
    args = parser.parse_args(argv)
    if args.part == "make":
        make(args.folder, args.events or 200_000)
    elif args.part == "read":
        read(args.folder, args.rounds, args.chunk)
    elif args.part == "memory":
        memory(args.folder, args.chunk)
    else:
        batching(args.events or 10_000)


if __name__ == "__main__":
    main()
