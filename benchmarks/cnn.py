"""LeNet-5 training throughput: glassnet vs PyTorch vs JAX (jit), each in its own process.

glassnet's ``models.LeNet5`` (conv 5x5 -> 6, max pool 2, ReLU, conv 5x5 -> 16, max pool 2, ReLU,
400-120-84-10) and the same layers in PyTorch and JAX (``jax.jit`` over the whole training step),
28x28 inputs, batch 64, SGD (lr 0.01, momentum 0.9), cross-entropy, float32; a timed unit is 20
batches.

    python benchmarks/cnn.py [--rounds 5] [--threads 1 2] [--busy] [--libraries glassnet torch]
"""
from __future__ import annotations

from _timing import arguments, matmul_peak, report, rounds
from workloads import LENET_BATCH, lenet_flops

LIBRARIES = ["glassnet", "torch", "jax"]


def main():
    args = arguments(__doc__, extra=lambda p: p.add_argument("--libraries", nargs="+", default=LIBRARIES,
                                                            choices=LIBRARIES))
    for threads in args.threads:
        results = rounds(args.libraries, "lenet", {}, threads, args.rounds, busy=args.busy)
        report(f"LeNet-5, 28x28, batch {LENET_BATCH}, SGD momentum, float32: training", results, "samples/s",
               threads, matmul_peak(threads), lenet_flops(), busy=args.busy)


if __name__ == "__main__":
    main()
