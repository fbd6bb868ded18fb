"""Recurrent training throughput: glassnet vs PyTorch (CPU), sequences per second.

A one-layer LSTM / GRU / RNN (input 32, hidden 128) reads sequences of 50 steps in batches of 64;
a linear head on the last output is trained with MSE and Adam. Both frameworks get the same
weights, data and thread count; rounds of the two are interleaved, and medians are reported.

    PYTHONPATH=src python benchmarks/rnn.py [--threads 1] [--rounds 7] [--steps 10]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=10, help="training steps per round")
    parser.add_argument("--models", default="LSTM,GRU,RNN")
    return parser.parse_args()


ARGS = parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402  (after the thread settings)
import torch  # noqa: E402

import glassnet as gn  # noqa: E402

INPUT, HIDDEN, STEPS, BATCH = 32, 128, 50, 64


def make_pair(kind: str):
    torch.manual_seed(0)
    t_rnn, t_head = getattr(torch.nn, kind)(INPUT, HIDDEN), torch.nn.Linear(HIDDEN, 1)
    g_rnn, g_head = getattr(gn.nn, kind)(INPUT, HIDDEN), gn.nn.Linear(HIDDEN, 1)
    g_rnn.load_state_dict({k: v.detach().numpy() for k, v in t_rnn.state_dict().items()})
    g_head.load_state_dict({k: v.detach().numpy() for k, v in t_head.state_dict().items()})
    return (t_rnn, t_head), (g_rnn, g_head)


def torch_round(rnn, head, opt, x, y, steps):
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    start = time.perf_counter()
    for _ in range(steps):
        opt.zero_grad()
        out, _ = rnn(x)
        loss = torch.nn.functional.mse_loss(head(out[-1]), y)
        loss.backward()
        opt.step()
    return time.perf_counter() - start


def glassnet_round(rnn, head, opt, x, y, steps):
    start = time.perf_counter()
    for _ in range(steps):
        opt.zero_grad()
        out, _ = rnn(x)
        loss = gn.nn.functional.mse_loss(head(out[-1]), y)
        loss.backward()
        opt.step()
    return time.perf_counter() - start


def main():
    torch.set_num_threads(ARGS.threads)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((STEPS, BATCH, INPUT)).astype(np.float32)
    y = rng.standard_normal((BATCH, 1)).astype(np.float32)
    print(f"{ARGS.threads} thread(s), {ARGS.rounds} rounds x {ARGS.steps} steps, "
          f"input {INPUT}, hidden {HIDDEN}, sequence {STEPS}, batch {BATCH}, Adam, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'model':6} {'glassnet seq/s':>15} {'PyTorch seq/s':>14} {'ratio':>6}")
    for kind in ARGS.models.split(","):
        (t_rnn, t_head), (g_rnn, g_head) = make_pair(kind)
        t_opt = torch.optim.Adam([*t_rnn.parameters(), *t_head.parameters()], lr=1e-3)
        g_opt = gn.optim.Adam([*g_rnn.parameters(), *g_head.parameters()], lr=1e-3)
        torch_round(t_rnn, t_head, t_opt, x, y, 2)  # warm-up
        glassnet_round(g_rnn, g_head, g_opt, x, y, 2)
        t_times, g_times = [], []
        for _ in range(ARGS.rounds):
            t_times.append(torch_round(t_rnn, t_head, t_opt, x, y, ARGS.steps))
            g_times.append(glassnet_round(g_rnn, g_head, g_opt, x, y, ARGS.steps))
        g_rate = BATCH * ARGS.steps / statistics.median(g_times)
        t_rate = BATCH * ARGS.steps / statistics.median(t_times)
        print(f"{kind:6} {g_rate:15.0f} {t_rate:14.0f} {g_rate / t_rate:5.2f}x   (load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
