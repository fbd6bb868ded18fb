"""``glassnet tour [--quick] [--out DIR]``: run every lecture lab and write one HTML report."""
from __future__ import annotations

from . import UsageError


def register(subparsers) -> None:
    parser = subparsers.add_parser("tour", help="run every lecture lab and write an HTML report")
    parser.add_argument("--quick", action="store_true", help="short versions of the labs (a few minutes)")
    parser.add_argument("--out", default="glassnet-tour", help="output folder (default: glassnet-tour)")
    parser.add_argument("--only", default=None, help="comma-separated lab names to run (default: all)")
    parser.add_argument("--verbose", type=int, default=1, help="0 silences the progress bar")
    parser.set_defaults(func=run)


def run(args) -> int:
    from ..lab import FAILED, labs, tour
    from ..lab.report import summary_table

    names = None
    if args.only:
        names = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = sorted(set(names) - {lab.name for lab in labs()})
        if unknown:
            raise UsageError(f"no lab named {unknown[0]!r}; `glassnet lab list` shows them all")
    results = tour(args.out, quick=args.quick, names=names, verbose=args.verbose)
    print(summary_table(results))
    print(f"\nreport: {args.out}/report.html")
    return 1 if any(r.status == FAILED for r in results) else 0
