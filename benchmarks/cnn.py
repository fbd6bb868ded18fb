"""LeNet-5 throughput and memory: glassnet vs PyTorch (CPU), 28×28 inputs, batch 64, float32.

Training: SGD (lr 0.01, momentum 0.9) on cross-entropy, N_BATCHES batches per round; forward-only:
the same batches under no_grad. Rounds are interleaved (glassnet, PyTorch, glassnet, ...) and the
medians compared. Both use the same number of threads: NumPy's BLAS threads (threadpoolctl),
glassnet's Numba kernels (``numba.set_num_threads``) and ``torch.set_num_threads`` get the same
value (--threads, default 1).

Peak memory of one training step, measured the same way for both in a fresh process each: the rise
of the resident set size (Linux VmHWM after resetting it via /proc/self/clear_refs, minus VmRSS
before the step), after two warm-up steps. For glassnet also tracemalloc's peak (NumPy reports
its allocations to tracemalloc; PyTorch's allocator does not, hence RSS for the comparison).

Run: PYTHONPATH=src python benchmarks/cnn.py [--rounds 7] [--threads 1]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import numpy as np

from _timing import interleaved, report

BATCH, N_BATCHES = 64, 20


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((BATCH * N_BATCHES, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, len(X))
    return X, y


def glassnet_runners(X, y):
    import glassnet as gn
    from glassnet.models import LeNet5
    gn.manual_seed(0)
    net = LeNet5()
    opt = gn.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

    def train_step(start):
        opt.zero_grad()
        loss = gn.nn.functional.cross_entropy(net(gn.Tensor(X[start:start + BATCH])), y[start:start + BATCH])
        loss.backward()
        opt.step()

    def train():
        for start in range(0, len(X), BATCH):
            train_step(start)

    def forward():
        with gn.no_grad():
            for start in range(0, len(X), BATCH):
                net(gn.Tensor(X[start:start + BATCH]))
    return train, forward, train_step


def torch_runners(X, y):
    import torch
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
        torch.nn.Linear(400, 120), torch.nn.ReLU(), torch.nn.Linear(120, 84), torch.nn.ReLU(),
        torch.nn.Linear(84, 10))
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def train_step(start):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(Xt[start:start + BATCH]), yt[start:start + BATCH])
        loss.backward()
        opt.step()

    def train():
        for start in range(0, len(X), BATCH):
            train_step(start)

    def forward():
        with torch.no_grad():
            for start in range(0, len(X), BATCH):
                net(Xt[start:start + BATCH])
    return train, forward, train_step


def set_threads(threads: int) -> None:
    """The same thread count for PyTorch, NumPy's BLAS and glassnet's Numba kernels."""
    import torch
    from threadpoolctl import threadpool_limits
    threadpool_limits(threads, user_api="blas")
    torch.set_num_threads(threads)
    try:
        import numba
        numba.set_num_threads(threads)
    except ImportError:  # glassnet then runs its NumPy kernels only
        pass


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def measure_memory(library: str) -> dict:
    """Peak memory of one training step (run in a fresh process whose malloc maps every block of
    64 kB or more separately and unmaps it when freed, so that the resident set follows the live
    arrays of both libraries; see ``memory_child``)."""
    import ctypes
    import gc
    import tracemalloc
    X, y = make_data()
    _, _, step = (glassnet_runners if library == "glassnet" else torch_runners)(X, y)
    step(0)
    step(0)
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)  # give the freed heap back to the system
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # reset the peak resident set size (VmHWM) to the current one
    before = _status_kb("VmRSS")
    tracemalloc.start()
    step(0)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result = {"rss_peak_rise_mb": (_status_kb("VmHWM") - before) / 1024}
    if library == "glassnet":
        result["tracemalloc_peak_mb"] = traced_peak / 2 ** 20
    return result


def memory_child_env() -> dict:
    """glibc's malloc: a fixed mmap threshold of 64 kB (the default one grows after frees, which
    would keep freed arrays resident and hide them from the RSS)."""
    return {**os.environ, "MALLOC_MMAP_THRESHOLD_": "65536", "MALLOC_TRIM_THRESHOLD_": "0"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--memory-of", choices=("glassnet", "pytorch"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    set_threads(args.threads)
    if args.memory_of:
        print(json.dumps(measure_memory(args.memory_of)))
        return
    X, y = make_data()
    g_train, g_forward, _ = glassnet_runners(X, y)
    t_train, t_forward, _ = torch_runners(X, y)
    title = f"LeNet-5, 28x28, batch {BATCH}, float32, {args.threads} thread(s) each"
    times = interleaved({"glassnet": g_train, "pytorch": t_train}, args.rounds)
    report(f"{title}: training (SGD momentum 0.9)", times, len(X), "samples/s", "pytorch")
    times = interleaved({"glassnet": g_forward, "pytorch": t_forward}, args.rounds)
    report(f"{title}: forward only", times, len(X), "samples/s", "pytorch")
    memory = {}
    for library in ("glassnet", "pytorch"):
        out = subprocess.run([sys.executable, __file__, "--memory-of", library, "--threads", str(args.threads)],
                             check=True, capture_output=True, text=True, env=memory_child_env()).stdout
        memory[library] = json.loads(out)
    print("\nPeak memory of one training step (rise of the resident set size, fresh process each):")
    for library, result in memory.items():
        extra = f"  (tracemalloc peak {result['tracemalloc_peak_mb']:.1f} MB)" if "tracemalloc_peak_mb" in result else ""
        print(f"{library:<12}{result['rss_peak_rise_mb']:>8.1f} MB{extra}")
    ratio = memory["glassnet"]["rss_peak_rise_mb"] / max(memory["pytorch"]["rss_peak_rise_mb"], 1e-9)
    print(f"glassnet / pytorch: {ratio:.2f}")


if __name__ == "__main__":
    main()
