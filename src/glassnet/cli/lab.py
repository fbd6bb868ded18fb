"""``glassnet lab list`` and ``glassnet lab run NAME [--param value ...] [--out DIR]``: one lecture lab at a time."""
from __future__ import annotations

import argparse

from . import UsageError


def register(subparsers) -> None:
    parser = subparsers.add_parser("lab", help="list the lecture labs or run one of them")
    commands = parser.add_subparsers(dest="lab_command", metavar="{list,run}")
    commands.add_parser("list", help="list every lab with its lecture and parameters")
    run_parser = commands.add_parser("run", help="run one lab: glassnet lab run NAME [--param value ...]")
    run_parser.add_argument("name")
    run_parser.add_argument("--out", default=None, help="output folder (default: glassnet-lab/NAME)")
    run_parser.add_argument("--quick", action="store_true", help="the short version used by the tour's --quick")
    run_parser.add_argument("params", nargs=argparse.REMAINDER, help="--param value pairs of the lab")
    parser.set_defaults(func=run)


def take_options(args) -> list[str]:
    """argparse leaves everything after NAME in ``args.params``: pick ``--out DIR`` and ``--quick`` from there."""
    words, rest = list(args.params), []
    while words:
        word = words.pop(0)
        if word == "--quick":
            args.quick = True
        elif word == "--out":
            if not words:
                raise UsageError("--out needs a folder")
            args.out = words.pop(0)
        else:
            rest.append(word)
    return rest


def parse_params(lab, words: list[str]) -> dict:
    """``--name value`` pairs, each converted to the type of the lab's default value."""
    defaults, params = lab.defaults, {}
    if len(words) % 2:
        raise UsageError(f"parameters come in pairs '--name value', got: {' '.join(words)}")
    for flag, text in zip(words[::2], words[1::2]):
        name = flag.removeprefix("--").replace("-", "_")
        if not flag.startswith("--") or name not in defaults:
            known = ", ".join(f"--{p}" for p in defaults) or "none"
            raise UsageError(f"lab {lab.name!r} has no parameter {flag!r} (its parameters: {known})")
        kind = type(defaults[name])
        try:
            params[name] = (text.lower() in ("1", "true", "yes")) if kind is bool else kind(text)
        except ValueError:
            raise UsageError(f"--{name} expects a {kind.__name__}, got {text!r}") from None
    return params


def run(args) -> int:
    from .. import lab as lab_package
    from ..lab.report import summary_table

    if args.lab_command == "list":
        for lab in lab_package.labs():
            params = " ".join(f"[--{p} {d}]" for p, d in lab.defaults.items())
            print(f"{lab.name:<24} {lab.title}\n{'':<24} lecture: {lab.source}"
                  + (f"\n{'':<24} {params}" if params else ""))
        return 0
    if args.lab_command != "run":
        raise UsageError("say 'glassnet lab list' or 'glassnet lab run NAME'")
    try:
        lab = lab_package.get(args.name)
    except KeyError as error:
        raise UsageError(error.args[0]) from None
    params = parse_params(lab, take_options(args))
    result = lab.run(args.out or f"glassnet-lab/{lab.name}", quick=args.quick, **params)
    print(f"{lab.title}\nlecture: {lab.source}\n")
    for n in result.numbers:
        lecture = "" if n.expected is None else f"   lecture {n.shown(n.expected)}  " + ("✔" if n.passed else "✘")
        print(f"  {n.name}: {n.shown(n.value) if n.expected is not None else f'{n.value:.6g}'}{lecture}")
    for c in result.checks:
        print(f"  {'✔' if c.passed else '✘'} {c.statement}  ({c.detail})")
    if result.text:
        print("\n" + result.text)
    if result.error:
        print("\n" + result.error)
    for path in result.figures:
        print(f"figure: {path}")
    print("\n" + summary_table([result]))
    return 1 if result.status == lab_package.FAILED else 0
