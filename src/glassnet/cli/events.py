"""``glassnet events``: generate toy LHC events, read and write ROOT / HDF5 event files, train a stop-search
classifier, compare the methods.

    glassnet events generate --process stop --m-stop 500 -n 100000            # writes stop.h5
    glassnet events generate --process ttbar -n 100000 --out ttbar.root       # Delphes-layout ROOT
    glassnet events convert delphes_output.root events.h5 [--layout mapping.json]
    glassnet events train --model mpnn --signal stop.root --background ttbar.root --stream
    glassnet events compare                          # uses stop.h5 / ttbar.h5 just generated here, if any
    glassnet events compare --paper [--scheduler tcp://host:8786]     # the paper's mass-point comparison
    glassnet events scan --masses 400,600,800,1000
"""
from __future__ import annotations

import argparse
import glob
import os
import time
from dataclasses import replace

from . import UsageError

COMMANDS = ("generate", "convert", "train", "compare", "scan")
EVENT_FILE_PATTERNS = ("*.h5", "*.hdf5", "*.root")


class DefaultsShown(argparse.ArgumentDefaultsHelpFormatter):
    """Adds "(default: X)" to each option's help unless the help already says its default, or the option is
    a flag or required."""

    def _get_help_string(self, action):
        if "default" in (action.help or "") or action.nargs == 0 or action.required:
            return action.help
        return super()._get_help_string(action)


def register(subparsers) -> None:
    formatter = DefaultsShown
    parser = subparsers.add_parser("events", help="toy LHC events, event files and the event-graph stop search",
                                   description="Generate toy LHC events, read and write ROOT/HDF5 event files, "
                                               "train a stop-search classifier, compare the methods.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    gen = actions.add_parser("generate", help="generate events into an HDF5 or ROOT (Delphes layout) file",
                             formatter_class=formatter)
    gen.add_argument("--process", required=True, help="ttbar (background) or stop (signal)")
    _masses(gen)
    gen.add_argument("-n", type=int, default=100_000, help="number of events")
    gen.add_argument("--out", help="output file, .h5 or .root (default: <process>.h5 in this folder)")

    convert = actions.add_parser("convert", help="copy events between ROOT and HDF5, chunk by chunk",
                                 formatter_class=formatter)
    convert.add_argument("input", help="events file to read (.root, .h5)")
    convert.add_argument("output", help="events file to write (.root in Delphes layout, .h5)")

    train = actions.add_parser("train", help="train one method and report its held-out performance",
                               formatter_class=formatter)
    train.add_argument("--model", required=True, choices=("mpnn", "dnn", "bdt"), help="the method")
    train.add_argument("--out", help="write the trained network's weights here (safetensors; mpnn or dnn; "
                                     "default: not written)")
    train.add_argument("--epochs", type=int, help="training epochs (default: 15, quick: 6, stream: 1)")
    train.add_argument("--stream", action="store_true", help="read --signal/--background chunk by chunk while "
                                                             "training (files larger than memory; no held-out test)")

    compare = actions.add_parser("compare", help="train MPNN, DNN and BDT on the same events: table + figures",
                                 formatter_class=formatter)
    compare.add_argument("--methods", default="mpnn,dnn,bdt", help="comma-separated methods")
    compare.add_argument("--paper", action="store_true",
                         help="the paper's comparison: its network and training at every stop mass of --masses, "
                              "AUC, S/√B and the mass reach gained over the DNN")
    compare.add_argument("--masses", default=",".join(f"{m:g}" for m in _paper_masses()),
                         help="stop masses in GeV for --paper")

    scan = actions.add_parser("scan", help="compare the methods at several stop masses: table + figure",
                              formatter_class=formatter)
    scan.add_argument("--masses", default="400,500,600,800,1000", help="stop masses in GeV, comma-separated")
    scan.add_argument("--methods", default="mpnn,dnn,bdt", help="comma-separated methods")

    for sub in (train, compare):
        sub.add_argument("--signal", help="stop events file, .h5 or .root (default: the one stop file in this "
                                          "folder, else generate)")
        sub.add_argument("--background", help="t t̄ events file (default: the one ttbar file in this folder, "
                                              "else generate)")
        _masses(sub)
    scan.add_argument("--m-neutralino", type=float, default=100.0, help="neutralino mass, GeV")
    for sub in (compare, scan):
        sub.add_argument("--workers", type=int, default=0, help="mass points at once in local processes "
                                                                "(0: one after the other in this process)")
        sub.add_argument("--scheduler", help="run the mass points on a Dask cluster: a scheduler address "
                                             "tcp://host:8786 (default: none, run here; see `glassnet scan --help`)")
    for sub in (train, compare, scan):
        sub.add_argument("-n", type=int, help="events per class to generate (default: 40000, quick: 3000)")
        sub.add_argument("--quick", action="store_true", help="small samples and short training (for tests)")
    for sub, folder in ((compare, "events_compare"), (scan, "events_scan")):
        sub.add_argument("--out-dir", default=folder, help="folder for the tables and figures (made if missing)")
    for sub in (convert, train, compare):
        sub.add_argument("--layout", default="delphes", help="ROOT branch layout: 'delphes' or a JSON mapping file "
                                                             "for a flat ntuple (see glassnet.physics.rootfile)")
    for sub in (convert, train):
        sub.add_argument("--chunk-size", type=int, default=50_000, help="events read at a time")
    for sub in (gen, convert, train, compare, scan):
        sub.add_argument("--seed", type=int, default=0, help="random seed")
        sub.add_argument("--threads", type=int, default=1, help="BLAS threads (1 is fastest for these small "
                                                                "matrices on a shared machine)")
        sub.add_argument("--verbose", type=int, default=1, help="0 silences progress bars")
    parser.set_defaults(func=run)


def _paper_masses():
    from ..physics.search import PAPER_MASSES
    return PAPER_MASSES


def _masses(parser) -> None:
    parser.add_argument("--m-stop", type=float, default=500.0, help="stop mass, GeV")
    parser.add_argument("--m-neutralino", type=float, default=100.0, help="neutralino mass, GeV")


def run(args) -> int:
    from ..autograd import manual_seed
    from ..backends.threads import blas_threads
    from ..physics.eventfile import EventFileError
    manual_seed(args.seed)  # the networks' initial weights
    actions = {"generate": _generate, "convert": _convert, "train": _train, "compare": _compare, "scan": _scan}
    try:
        with blas_threads(args.threads):
            return actions[args.action](args)
    except (EventFileError, FileNotFoundError) as error:
        raise UsageError(str(error)) from error


def _layout(args):
    from ..physics import rootfile
    return rootfile.DELPHES if args.layout == "delphes" else rootfile.load_layout(args.layout)


def _generate(args) -> int:
    from ..physics.eventio import kind_of, open_writer
    from ..physics.events import generate
    out = args.out or f"{args.process}.h5"
    kind_of(out)
    try:
        sample = generate(args.process, args.n, m_stop=args.m_stop, m_neutralino=args.m_neutralino,
                          rng=args.seed, verbose=args.verbose)
    except ValueError as error:
        raise UsageError(str(error)) from error
    with open_writer(out) as writer:
        writer.write(sample)
    print(f"wrote {len(sample)} {args.process} events to {out}")
    return 0


def _convert(args) -> int:
    from ..physics.eventio import iterate_any, open_writer
    if os.path.abspath(args.input) == os.path.abspath(args.output):
        raise UsageError("the input and output files are the same file")
    with open_writer(args.output) as writer:
        for chunk in iterate_any(args.input, args.chunk_size, layout=_layout(args)):
            writer.write(chunk)
    print(f"wrote {writer.count} events from {args.input} to {args.output}")
    return 0


def _settings(args):
    from ..physics import search
    settings = search.QUICK if args.quick else search.PAPER if getattr(args, "paper", False) else search.FULL
    if args.n is not None:
        settings = replace(settings, n_events=args.n)
    if getattr(args, "epochs", None) is not None:
        settings = replace(settings, epochs=args.epochs)
    return settings


def find_event_files(folder: str = ".") -> dict:
    """{'stop': [...], 'ttbar': [...]}: the event files in ``folder`` whose stored meta names their process."""
    from ..physics.eventio import info
    found = {"stop": [], "ttbar": []}
    for path in sorted(p for pattern in EVENT_FILE_PATTERNS for p in glob.glob(os.path.join(folder, pattern))):
        try:
            process = info(path)[1].get("process")
        except Exception:  # not an events file: not ours to judge here
            continue
        if process in found:
            found[process].append(path)
    return found


def _event_paths(args) -> tuple[str | None, str | None]:
    """--signal / --background, or the one stop and one ttbar file in this folder, or (None, None)."""
    if bool(args.signal) != bool(args.background):
        raise UsageError("give both --signal and --background, or neither")
    if args.signal:
        return args.signal, args.background
    found = find_event_files()
    if not found["stop"] and not found["ttbar"]:
        return None, None
    if len(found["stop"]) != 1 or len(found["ttbar"]) != 1:
        raise UsageError(f"found stop files {found['stop'] or 'none'} and ttbar files {found['ttbar'] or 'none'} "
                         f"here; say which with --signal and --background")
    print(f"using the events files {found['stop'][0]} (signal) and {found['ttbar'][0]} (background)")
    return found["stop"][0], found["ttbar"][0]


def _samples(args, settings):
    """The signal and background samples: from files if given or found, else generated."""
    from ..physics import search
    from ..physics.eventio import read_any
    signal_path, background_path = _event_paths(args)
    if signal_path:
        layout = _layout(args)
        signal, background = read_any(signal_path, layout), read_any(background_path, layout)
        processes = signal.meta.get("process"), background.meta.get("process")
        if processes in (("ttbar", "stop"), ("ttbar", "ttbar"), ("stop", "stop")):
            raise UsageError(f"--signal must hold stop events and --background ttbar events, got "
                             f"{processes[0]!r} and {processes[1]!r}")
        return signal, background
    try:
        return search.generate_pair(args.m_stop, args.m_neutralino, settings.n_events, rng=args.seed,
                                    verbose=args.verbose)
    except ValueError as error:
        raise UsageError(str(error)) from error


def _methods(text: str) -> tuple:
    from ..physics.search import METHODS
    methods = tuple(m.strip() for m in text.split(",") if m.strip())
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        raise UsageError(f"unknown method(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(METHODS)}")
    return methods


def _train(args) -> int:
    from ..physics import search
    if args.out and args.model == "bdt":
        raise UsageError("--out saves network weights; it is not available for the BDT")
    if args.stream:
        return _train_streaming(args)
    settings = _settings(args)
    signal, background = _samples(args, settings)
    data = search.make_dataset(signal, background)
    train, test = search.split(len(data), settings.test_fraction, args.seed)
    try:
        model, scores = search.fit_and_score(args.model, data, train, test, settings, rng=args.seed,
                                             verbose=args.verbose)
    except search.MethodUnavailable as reason:
        print(f"{args.model}: {reason}")
        return 1
    m_stop = signal.meta.get("m_stop") or args.m_stop
    print(format_table({args.model: search.metrics(data.labels[test], scores, m_stop)}))
    if args.out:
        _save_weights(model, args.out)
        print(f"wrote the {type(model).__name__} weights to {args.out}")
    return 0


def _train_streaming(args) -> int:
    from ..models import EventDNN, EventMPNN
    from ..physics import search
    from ..physics.eventio import info
    if args.model == "bdt" or not (args.signal and args.background):
        raise UsageError("--stream trains a network (mpnn or dnn) on --signal and --background files")
    layout = _layout(args)
    n_events = info(args.signal, layout)[0] + info(args.background, layout)[0]
    model = EventMPNN.from_paper() if args.model == "mpnn" else EventDNN()
    start = time.perf_counter()
    history = search.train_streaming(model, args.signal, args.background, epochs=args.epochs or 1,
                                     step_size=args.chunk_size, batch_size=search.PAPER.batch_size,
                                     lr=search.PAPER.lr, rng=args.seed, verbose=args.verbose, layout=layout)
    seconds = time.perf_counter() - start
    print(f"trained {type(model).__name__} on {n_events} events in chunks of {args.chunk_size}: "
          f"loss per epoch {', '.join(f'{loss:.4f}' for loss in history)} ({seconds:.1f} s)")
    if args.out:
        _save_weights(model, args.out)
        print(f"wrote the {type(model).__name__} weights to {args.out}")
    return 0


def _compare(args) -> int:
    from ..physics import plots, search
    if args.paper:
        return _paper(args)
    methods, settings = _methods(args.methods), _settings(args)
    signal, background = _samples(args, settings)
    results = search.compare(signal, background, methods, settings, rng=args.seed,
                             verbose=args.verbose)
    m_stop, m_chi = signal.meta.get("m_stop") or args.m_stop, signal.meta.get("m_neutralino") or args.m_neutralino
    table = format_table({m: r for m, r in results.items() if m != "labels"})
    title = f"stop {m_stop:g} GeV, neutralino {m_chi:g} GeV vs t t̄ ({len(results['labels'])} test events)"
    os.makedirs(args.out_dir, exist_ok=True)
    figure = os.path.join(args.out_dir, "events_roc.png")
    plots.roc_figure(results, figure, title)
    _write_text(os.path.join(args.out_dir, "events_compare.md"), f"{title}\n\n{table}\n")
    print(f"{title}\n{table}\nwrote {figure} and events_compare.md in {args.out_dir}/")
    return 0


def _mass_list(text: str) -> list[float]:
    try:
        return [float(m) for m in text.split(",")]
    except ValueError as error:
        raise UsageError(f"--masses must be comma-separated numbers, got {text!r}") from error


def _run_scan(args, methods, settings, m_neutralino):
    from ..physics import search
    try:
        return search.mass_scan(_mass_list(args.masses), m_neutralino, methods, settings, seed=args.seed,
                                workers=args.workers, scheduler=args.scheduler, verbose=args.verbose)
    except ValueError as error:
        raise UsageError(str(error)) from error


def _paper(args) -> int:
    from ..physics import plots
    from ..physics.paper import paper_report
    settings = _settings(args)
    scan = _run_scan(args, ("mpnn", "dnn", "bdt"), settings, args.m_neutralino)
    os.makedirs(args.out_dir, exist_ok=True)
    figure = os.path.join(args.out_dir, "events_paper_reach.png")
    reach = plots.reach_figure(scan, figure, f"stop mass points, neutralino {args.m_neutralino:g} GeV")
    report = paper_report(scan, reach, settings, args.m_neutralino)
    _write_text(os.path.join(args.out_dir, "events_paper.md"), report)
    print(f"{report}\nwrote {figure} and events_paper.md in {args.out_dir}/")
    return 0


def _scan(args) -> int:
    from ..physics import plots
    scan = _run_scan(args, _methods(args.methods), _settings(args), args.m_neutralino)
    lines = [f"## stop mass {m:g} GeV\n\n{format_table({k: r for k, r in res.items() if k != 'labels'})}"
             for m, res in scan.items()]
    os.makedirs(args.out_dir, exist_ok=True)
    figure = os.path.join(args.out_dir, "events_scan.png")
    plots.scan_figure(scan, figure, f"stop mass scan, neutralino {args.m_neutralino:g} GeV")
    _write_text(os.path.join(args.out_dir, "events_scan.md"), "\n\n".join(lines) + "\n")
    print("\n\n".join(lines) + f"\nwrote {figure} and events_scan.md in {args.out_dir}/")
    return 0


def format_table(rows: dict) -> str:
    """A Markdown table of each method's metrics (or why it did not run)."""
    header = ("| method | AUC | ε_S at 1/ε_B = 10 | ε_S at 1/ε_B = 100 | S | B | S/√B |\n"
              "|---|---|---|---|---|---|---|")
    lines = [header]
    for method, r in rows.items():
        if "unavailable" in r:
            lines.append(f"| {method} | {r['unavailable']} | | | | | |")
        else:
            lines.append(f"| {method} | {r['auc']:.4f} | {r['eff_at_rej10']:.3f} | {r['eff_at_rej100']:.3f} | "
                         f"{r['signal']:.0f} | {r['background']:.0f} | {r['s_over_sqrt_b']:.1f} |")
    from ..physics.evaluation import LUMINOSITY
    lines.append(f"\nS, B: expected one-lepton events after the cut at 1/ε_B = 100 for {LUMINOSITY:g} fb⁻¹ at "
                 f"13 TeV (σ_tt̄ = 832 pb, σ_t̃t̃ NLO+NNLL; see glassnet.physics.evaluation).")
    return "\n".join(lines)


def _write_text(path: str, text: str) -> None:
    from ..physics.eventfile import atomic_path
    with atomic_path(path) as temporary, open(temporary, "w", encoding="utf-8") as f:
        f.write(text)


def _save_weights(model, path: str) -> None:
    """The network's state_dict as safetensors, with its class name in the metadata, atomically."""
    from safetensors.numpy import save_file

    from ..autograd import as_array
    from ..physics.eventfile import atomic_path
    with atomic_path(path) as temporary:
        save_file({k: as_array(v).copy() for k, v in model.state_dict().items()}, temporary,
                  metadata={"model": type(model).__name__})
