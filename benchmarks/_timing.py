"""Shared helpers of the benchmarks: interleaved rounds, medians, a printed table with ratios."""
from __future__ import annotations

import os
import platform
import statistics
import time


def machine() -> str:
    import numpy as np
    blas = ""
    try:
        from threadpoolctl import threadpool_info
        info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if info:
            blas = f", {info[0].get('internal_api')} {info[0].get('num_threads')} threads"
    except ImportError:
        pass
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, NumPy {np.__version__}{blas}")


def interleaved(runners: dict, rounds: int, warmup: int = 1) -> dict:
    """Time each runner ``rounds`` times, one round of every runner after the other (so that
    machine noise hits all alike); returns name -> list of seconds."""
    for _ in range(warmup):
        for run in runners.values():
            run()
    times = {name: [] for name in runners}
    for _ in range(rounds):
        for name, run in runners.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return times


def report(title: str, times: dict, work: float, unit: str, reference: str) -> dict:
    """Print median throughput (work / median seconds) of each runner and its ratio to ``reference``."""
    rates = {name: work / statistics.median(ts) for name, ts in times.items()}
    print(f"\n{title}\n{machine()}")
    print(f"{'':<22}{unit:>16}{'ratio vs ' + reference:>20}{'rounds':>8}")
    for name, rate in rates.items():
        print(f"{name:<22}{rate:>16,.0f}{rate / rates[reference]:>20.2f}{len(times[name]):>8}")
    return rates
