"""``glassnet events``: generate toy LHC events, train a stop-search classifier, compare the methods.

    glassnet events generate --process stop --m-stop 500 --m-neutralino 100 -n 100000 --out stop.h5
    glassnet events generate --process ttbar -n 100000 --out ttbar.h5
    glassnet events train --model mpnn --signal stop.h5 --background ttbar.h5 --out mpnn.safetensors
    glassnet events compare [--signal stop.h5 --background ttbar.h5] [--quick] --out-dir results/
    glassnet events scan --masses 400,600,800,1000 --out-dir results/
"""
from __future__ import annotations

import os
from dataclasses import replace

from . import UsageError

COMMANDS = ("generate", "train", "compare", "scan")


def register(subparsers) -> None:
    parser = subparsers.add_parser("events", help="toy LHC events and the event-graph stop search",
                                   description="Generate toy LHC events, train a stop-search classifier, compare the methods.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    gen = actions.add_parser("generate", help="generate events into an HDF5 file")
    gen.add_argument("--process", required=True, help="ttbar (background) or stop (signal)")
    _masses(gen)
    gen.add_argument("-n", type=int, default=100_000, help="number of events (default 100000)")
    gen.add_argument("--out", required=True, help="output HDF5 file")

    train = actions.add_parser("train", help="train one method and report its held-out performance")
    train.add_argument("--model", required=True, choices=("mpnn", "dnn", "bdt"))
    train.add_argument("--out", help="write the trained network's weights (safetensors; mpnn or dnn)")
    train.add_argument("--epochs", type=int, help="training epochs (networks)")

    compare = actions.add_parser("compare", help="train MPNN, DNN and BDT on the same events: table + ROC figure")
    compare.add_argument("--methods", default="mpnn,dnn,bdt", help="comma-separated (default mpnn,dnn,bdt)")

    scan = actions.add_parser("scan", help="compare the methods at several stop masses: table + figure")
    scan.add_argument("--masses", default="400,500,600,800,1000", help="stop masses in GeV, comma-separated")
    scan.add_argument("--methods", default="mpnn,dnn,bdt", help="comma-separated (default mpnn,dnn,bdt)")

    for sub in (train, compare):
        sub.add_argument("--signal", help="stop events file (default: generate them)")
        sub.add_argument("--background", help="ttbar events file (default: generate them)")
        _masses(sub)
    scan.add_argument("--m-neutralino", type=float, default=100.0, help="neutralino mass, GeV (default 100)")
    for sub in (train, compare, scan):
        sub.add_argument("-n", type=int, help="events per class to generate (default: 40000, quick: 3000)")
        sub.add_argument("--quick", action="store_true", help="small samples and short training (for tests)")
    for sub in (compare, scan):
        sub.add_argument("--out-dir", default=".", help="folder for the table and figure (default .)")
    for sub in (gen, train, compare, scan):
        sub.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        sub.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1: fastest for these "
                                                                 "small matrices on a shared machine)")
        sub.add_argument("--verbose", type=int, default=1, help="0 silences progress bars")
    parser.set_defaults(func=run)


def _masses(parser) -> None:
    parser.add_argument("--m-stop", type=float, default=500.0, help="stop mass, GeV (default 500)")
    parser.add_argument("--m-neutralino", type=float, default=100.0, help="neutralino mass, GeV (default 100)")


def run(args) -> int:
    from ..autograd import manual_seed
    from ..backends.threads import blas_threads
    from ..physics.eventfile import EventFileError
    manual_seed(args.seed)  # the networks' initial weights
    try:
        with blas_threads(args.threads):
            return {"generate": _generate, "train": _train, "compare": _compare, "scan": _scan}[args.action](args)
    except (EventFileError, FileNotFoundError) as error:
        raise UsageError(str(error)) from error


def _generate(args) -> int:
    from ..physics.eventfile import save_events
    from ..physics.events import generate
    try:
        sample = generate(args.process, args.n, m_stop=args.m_stop, m_neutralino=args.m_neutralino,
                          rng=args.seed, verbose=args.verbose)
    except ValueError as error:
        raise UsageError(str(error)) from error
    save_events(sample, args.out)
    print(f"wrote {len(sample)} {args.process} events to {args.out}")
    return 0


def _settings(args):
    from ..physics import search
    settings = search.QUICK if args.quick else search.FULL
    if args.n is not None:
        settings = replace(settings, n_events=args.n)
    if getattr(args, "epochs", None) is not None:
        settings = replace(settings, epochs=args.epochs)
    return settings


def _samples(args, settings):
    """The signal and background samples: from files if given, else generated."""
    from ..physics import search
    from ..physics.eventfile import load_events
    if bool(args.signal) != bool(args.background):
        raise UsageError("give both --signal and --background, or neither (to generate them)")
    if args.signal:
        signal, background = load_events(args.signal), load_events(args.background)
        if signal.meta.get("process") != "stop" or background.meta.get("process") != "ttbar":
            raise UsageError(f"--signal must hold stop events and --background ttbar events, got "
                             f"{signal.meta.get('process')!r} and {background.meta.get('process')!r}")
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


def _compare(args) -> int:
    from ..physics import plots, search
    methods, settings = _methods(args.methods), _settings(args)
    signal, background = _samples(args, settings)
    results = search.compare(signal, background, methods, settings, rng=args.seed,
                             verbose=args.verbose)
    m_stop, m_chi = signal.meta.get("m_stop"), signal.meta.get("m_neutralino")
    table = format_table({m: r for m, r in results.items() if m != "labels"})
    title = f"stop {m_stop:g} GeV, neutralino {m_chi:g} GeV vs t t̄ ({len(results['labels'])} test events)"
    os.makedirs(args.out_dir, exist_ok=True)
    figure = os.path.join(args.out_dir, "events_roc.png")
    plots.roc_figure(results, figure, title)
    _write_text(os.path.join(args.out_dir, "events_compare.md"), f"{title}\n\n{table}\n")
    print(f"{title}\n{table}\nwrote {figure}")
    return 0


def _scan(args) -> int:
    from ..physics import plots, search
    try:
        masses = [float(m) for m in args.masses.split(",")]
    except ValueError as error:
        raise UsageError(f"--masses must be comma-separated numbers, got {args.masses!r}") from error
    methods, settings = _methods(args.methods), _settings(args)
    try:
        scan = search.mass_scan(masses, args.m_neutralino, methods, settings, rng=args.seed,
                                verbose=args.verbose)
    except ValueError as error:
        raise UsageError(str(error)) from error
    lines = [f"## stop mass {m:g} GeV\n\n{format_table({k: r for k, r in res.items() if k != 'labels'})}"
             for m, res in scan.items()]
    os.makedirs(args.out_dir, exist_ok=True)
    figure = os.path.join(args.out_dir, "events_scan.png")
    plots.scan_figure(scan, figure, f"stop mass scan, neutralino {args.m_neutralino:g} GeV")
    _write_text(os.path.join(args.out_dir, "events_scan.md"), "\n\n".join(lines) + "\n")
    print("\n\n".join(lines) + f"\nwrote {figure}")
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

    from ..physics.eventfile import atomic_path
    with atomic_path(path) as temporary:
        save_file({k: v.copy() for k, v in model.state_dict().items()}, temporary,
                  metadata={"model": type(model).__name__})
