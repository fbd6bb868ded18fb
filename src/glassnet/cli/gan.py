"""``glassnet gan``: train a GAN on a 2-D distribution or the 8x8 digits, with figures and metrics."""
from __future__ import annotations


def register(subparsers) -> None:
    parser = subparsers.add_parser("gan", help="train a GAN (ring8, spiral or digits) and draw its samples")
    parser.add_argument("--data", default="ring8", help="ring8 | spiral | digits (default ring8)")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--generator-loss", default="non_saturating", help="non_saturating | minimax")
    parser.add_argument("--label-smoothing", type=float, default=0.0)
    parser.add_argument("--out", default="out/gan", help="folder for the figures")
    parser.add_argument("--verbose", type=int, default=1)
    parser.set_defaults(func=run)


def run(args) -> int:
    from ..models import generative_experiments as experiments
    from . import UsageError

    if args.epochs < 1:
        raise UsageError(f"--epochs must be at least 1, got {args.epochs}")
    if args.data not in ("ring8", "spiral", "digits"):
        raise UsageError(f"unknown data set '{args.data}' (choose ring8, spiral or digits)")
    if args.generator_loss not in ("non_saturating", "minimax"):
        raise UsageError(f"--generator-loss must be non_saturating or minimax, got '{args.generator_loss}'")
    if args.data == "digits":
        result = experiments.digits_generation("gan", args.epochs, args.seed, args.out, args.verbose)
        print(f"digit classifier's mean confidence: generated {result['confidence_generated']:.3f}, "
              f"real {result['confidence_real']:.3f}")
    else:
        result = experiments.gan_2d(args.data, args.epochs, seed=args.seed, out_dir=args.out, verbose=args.verbose,
                                    generator_loss=args.generator_loss, label_smoothing=args.label_smoothing)
        history, metrics = result["history"], result["metrics"]
        print(f"after {len(history['d_loss'])} epochs: D loss {history['d_loss'][-1]:.3f}, "
              f"G loss {history['g_loss'][-1]:.3f}, MMD² {metrics['mmd'][-1]:.4f}, "
              f"energy distance {metrics['energy'][-1]:.4f}"
              + (f", modes covered {metrics['modes'][-1]} of 8" if metrics["modes"] else ""))
        if result["stopped"]:
            print(f"training stopped early: {result['stopped']}")
    for path in result["figures"]:
        print(f"figure: {path}")
    return 1 if result.get("stopped") else 0
