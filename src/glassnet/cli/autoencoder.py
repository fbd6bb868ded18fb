"""``glassnet autoencoder``: train a (denoising) auto-encoder on the 8x8 digits, with figures."""
from __future__ import annotations


def register(subparsers) -> None:
    parser = subparsers.add_parser("autoencoder", help="train an auto-encoder on the digits and draw it")
    parser.add_argument("--data", default="digits", help="digits (the bundled 8x8 digits)")
    parser.add_argument("--bottleneck", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--denoise", choices=("gaussian", "masking"), help="train a denoising auto-encoder")
    parser.add_argument("--noise-level", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="out/autoencoder", help="folder for the figures")
    parser.add_argument("--verbose", type=int, default=1)
    parser.set_defaults(func=run)


def run(args) -> int:
    from ..models import generative_experiments as experiments
    from . import UsageError

    if args.data != "digits":
        raise UsageError(f"unknown data set '{args.data}' (the auto-encoder command trains on 'digits')")
    if args.epochs < 1 or args.bottleneck < 1:
        raise UsageError(f"--epochs and --bottleneck must be at least 1, got {args.epochs} and {args.bottleneck}")
    if args.denoise:
        result = experiments.denoising(args.denoise, args.noise_level, args.epochs, args.seed, args.out, args.verbose)
        print(f"PSNR of held-out digits: noisy {result['psnr_noisy']:.2f} dB, "
              f"denoised {result['psnr_denoised']:.2f} dB")
    else:
        sizes = sorted({args.bottleneck, 2, 8, 32})
        result = experiments.bottleneck_sweep(sizes, args.epochs, args.seed, args.out, args.verbose)
        for size, error in zip(result["bottlenecks"], result["errors"]):
            print(f"bottleneck {size:>3}: held-out reconstruction MSE {error:.4f}")
        if args.bottleneck == 2:
            result["figures"] += experiments.latent_space(args.epochs, args.seed, args.out, args.verbose)["figures"]
    for path in result["figures"]:
        print(f"figure: {path}")
    return 0
