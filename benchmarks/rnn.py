"""Recurrent training throughput: glassnet vs PyTorch vs JAX (jit), each in its own process.

A one-layer LSTM / GRU / RNN (input 32, hidden 128) reads sequences of 50 steps in batches of 64;
a linear head on the last output is trained with MSE and Adam (lr 1e-3), float32. A timed unit is
10 training steps (JAX: ``jax.jit`` over the whole step, the time loop a ``lax.scan``).

    python benchmarks/rnn.py [--rounds 5] [--threads 1 2] [--models LSTM GRU RNN] [--busy]
"""
from __future__ import annotations

from _timing import arguments, matmul_peak, report, rounds
from workloads import RNN_BATCH, RNN_GATES, RNN_HIDDEN, RNN_INPUT, RNN_STEPS, rnn_flops

LIBRARIES = ["glassnet", "torch", "jax"]


def main():
    def options(parser):
        parser.add_argument("--models", nargs="+", default=list(RNN_GATES), choices=list(RNN_GATES))
        parser.add_argument("--libraries", nargs="+", default=LIBRARIES, choices=LIBRARIES)
    args = arguments(__doc__, extra=options)
    for threads in args.threads:
        peak = matmul_peak(threads)
        for kind in args.models:
            results = rounds(args.libraries, "recurrent", {"kind": kind}, threads, args.rounds, busy=args.busy)
            report(f"{kind} (input {RNN_INPUT}, hidden {RNN_HIDDEN}, {RNN_STEPS} steps, batch {RNN_BATCH}), Adam: "
                   f"training", results, "sequences/s", threads, peak, rnn_flops(kind), busy=args.busy)


if __name__ == "__main__":
    main()
