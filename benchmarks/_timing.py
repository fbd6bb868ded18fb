"""The benchmarks' harness: every library in its own fresh process, processes alternated, medians.

A round starts one worker process per library (``_worker.py``), one after the other, the order
rotated every round; nothing else of ours runs meanwhile. Each process imports only its own
library, gets the thread count in OMP/OPENBLAS/MKL/NUMBA_NUM_THREADS and, below the machine's
core count, a CPU affinity of that many cores (the one limit JAX's thread pool obeys), runs the
workload's warm-up units, then times ``repeats`` units; its figure is their median, and the table
shows the median over the rounds. The machine's float32 matmul peak (NumPy's BLAS, same threads,
own process) is measured once per thread count, so that every figure can be read as a share of it.

``--busy`` measures robustness: every round runs each library twice, alone and beside one busy
process (a pure-Python loop, one core's worth), and reports the ratio.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "src"            # run glassnet from this checkout
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
RESULT_MARK = "@@result "               # the worker's result line (``_worker.py``)


def arguments(description: str, rounds: int = 5, threads=(1, 2), extra=None) -> argparse.Namespace:
    """The options every benchmark takes (``extra(parser)`` adds its own)."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=rounds, help=f"processes per library (default {rounds})")
    parser.add_argument("--threads", type=int, nargs="+", default=list(threads),
                        help=f"thread counts to run (default {' '.join(map(str, threads))})")
    parser.add_argument("--busy", action="store_true",
                        help="also time each library beside one busy process and report the slow-down")
    if extra:
        extra(parser)
    return parser.parse_args()


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def machine(threads: int) -> str:
    return (f"{cpu_model()}, {os.cpu_count()} cores, {threads} thread(s) per library, Python "
            f"{platform.python_version()}; load average (1, 5, 15 min) {load()}")


def _environment(threads: int) -> dict:
    env = {**os.environ, **{name: str(threads) for name in THREAD_VARIABLES}}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SOURCE), str(HERE), env.get("PYTHONPATH")]))
    return env


def _pin(threads: int):
    """Fewer threads than cores: the process may run on the last ``threads`` cores only."""
    cores = sorted(os.sched_getaffinity(0))
    if threads >= len(cores):
        return None
    return lambda: os.sched_setaffinity(0, cores[-threads:])


def run_process(args: list, threads: int) -> dict:
    """Run a Python script of this folder in a fresh process; its result line as a dict."""
    done = subprocess.run([sys.executable, *args], cwd=HERE, env=_environment(threads), preexec_fn=_pin(threads),
                          capture_output=True, text=True)
    results = [line for line in done.stdout.splitlines() if line.startswith(RESULT_MARK)]
    if done.returncode or not results:
        raise RuntimeError(f"benchmark process {' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-4000:]}")
    return json.loads(results[-1][len(RESULT_MARK):])


def run_worker(library: str, workload: str, options: dict, threads: int, repeats: int) -> dict:
    return run_process(["_worker.py", library, workload, json.dumps(options), str(repeats)], threads)


def matmul_peak(threads: int) -> float:
    """NumPy's float32 matmul FLOP/s on ``threads`` threads (2048², best of 5), in a fresh process."""
    return run_process(["-c", PEAK_SCRIPT], threads)["flops"]


PEAK_SCRIPT = """
import json, time
import numpy as np
a = np.random.default_rng(0).standard_normal((2048, 2048)).astype(np.float32)
times = []
for _ in range(6):  # the first one warms up
    start = time.perf_counter()
    a @ a
    times.append(time.perf_counter() - start)
print(MARK + json.dumps({"flops": 2 * 2048 ** 3 / min(times[1:])}))
""".replace("MARK", repr(RESULT_MARK))


class BusyProcess:
    """One process spinning a pure-Python loop (one core's worth of someone else's work)."""

    def __enter__(self):
        self.process = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        return self

    def __exit__(self, *exc):
        self.process.kill()
        self.process.wait()


def rounds(libraries: list, workload: str, options, threads: int, count: int, repeats: int = 3,
           busy: bool = False) -> dict:
    """{library: [one result per round]} (``[(alone, beside a busy process), ...]`` with ``busy``);
    a result is the worker's dict plus "rate": work per second, the median of its timed units.
    ``options``: the workload's keyword arguments, or a function of the library giving them."""
    results = {library: [] for library in libraries}
    for index in range(count):
        for library in libraries[index % len(libraries):] + libraries[:index % len(libraries)]:
            kwargs = options(library) if callable(options) else options
            alone = _rated(run_worker(library, workload, kwargs, threads, repeats))
            if busy:
                with BusyProcess():
                    beside = _rated(run_worker(library, workload, kwargs, threads, repeats))
                results[library].append((alone, beside))
            else:
                results[library].append(alone)
            print(f"  round {index + 1} {library}: {alone['work'] / alone['rate']:.3f} s per unit", file=sys.stderr,
                  flush=True)
    return results


def _rated(result: dict) -> dict:
    result["rate"] = result["work"] / statistics.median(result["seconds"])
    return result


def median_rate(results: list) -> float:
    return statistics.median(r["rate"] for r in results)


def report(title: str, results: dict, unit: str, threads: int, peak: float | None = None,
           flops: float | None = None, busy: bool = False, seconds: bool = False) -> dict:
    """Print, per library, the median over the rounds (and its range) of the rate (``unit``, e.g.
    "samples/s"; with ``seconds``, of the seconds per unit instead), glassnet's ratio to it, and
    the achieved FLOP/s as a share of the matmul ``peak`` (``flops`` per unit of work). With
    ``busy``, the rates alone and beside a busy process and their ratio. Returns the medians."""
    print(f"\n{title}\n{machine(threads)}")
    if peak:
        print(f"float32 matmul peak (NumPy, {threads} thread(s)): {peak / 1e9:.0f} GFLOP/s")
    if busy:
        return _report_busy(results, unit)
    values = {library: [1 / r["rate"] if seconds else r["rate"] for r in rs] for library, rs in results.items()}
    medians = {library: statistics.median(v) for library, v in values.items()}
    print("ratio: glassnet's time / its time (below 1: glassnet is faster)" if seconds else
          "ratio: glassnet's rate / its rate (above 1: glassnet is faster)")
    print(f"{'library':<14}{'version':<22}{unit:>14}{'range':>22}{'ratio':>9}{'GFLOP/s':>9}{'% peak':>8}{'rounds':>7}")
    for library, rs in results.items():
        ratio = medians["glassnet"] / medians[library] if "glassnet" in medians else float("nan")
        rate = 1 / medians[library] if seconds else medians[library]
        achieved = f"{'-':>9}{'-':>8}"
        if flops and peak:
            achieved = f"{rate * flops / 1e9:9.1f}{100 * rate * flops / peak:7.1f}%"
        spread = f"{min(values[library]):,.2f} - {max(values[library]):,.2f}"
        print(f"{library:<14}{rs[0]['version'][:21]:<22}{medians[library]:>14,.2f}{spread:>22}{ratio:>8.2f}x"
              f"{achieved}{len(rs):>7}")
    sys.stdout.flush()
    return medians


def _report_busy(results: dict, unit: str) -> dict:
    print(f"{'library':<14}{unit + ' alone':>20}{'beside a busy process':>24}{'kept':>8}")
    kept = {}
    for library, pairs in results.items():
        alone, beside = median_rate([a for a, _ in pairs]), median_rate([b for _, b in pairs])
        kept[library] = beside / alone
        print(f"{library:<14}{alone:>20,.1f}{beside:>24,.1f}{kept[library]:>7.0%}")
    sys.stdout.flush()
    return kept
