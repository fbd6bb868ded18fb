"""MLP training throughput: glassnet vs PyTorch vs JAX (jit) vs scikit-learn, each in its own process.

784-256-128-10 ReLU network, Adam (lr 1e-3), cross-entropy, batch 128, float32, random data; a timed
unit is one pass over 50 batches (JAX: ``jax.jit`` over the whole training step, optax's Adam).

    python benchmarks/mlp.py [--rounds 5] [--threads 1 2] [--busy] [--libraries glassnet torch]
"""
from __future__ import annotations

from _timing import arguments, matmul_peak, report, rounds
from workloads import MLP_BATCH, MLP_SIZES, mlp_flops

LIBRARIES = ["glassnet", "torch", "jax", "sklearn"]


def main():
    args = arguments(__doc__, extra=lambda p: p.add_argument("--libraries", nargs="+", default=LIBRARIES,
                                                            choices=LIBRARIES))
    for threads in args.threads:
        results = rounds(args.libraries, "mlp", {}, threads, args.rounds, busy=args.busy)
        title = f"MLP {'-'.join(map(str, MLP_SIZES))}, Adam, batch {MLP_BATCH}, float32: training"
        report(title, results, "samples/s", threads, matmul_peak(threads), mlp_flops(), busy=args.busy)


if __name__ == "__main__":
    main()
