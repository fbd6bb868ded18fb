"""One library, one workload, one fresh process: ``python _worker.py LIBRARY WORKLOAD OPTIONS REPEATS``.

Started by ``_timing.py`` with the thread count already in the environment and the CPU affinity set.
Imports only ``runs/<LIBRARY>_runs.py`` (and through it that one library), builds the workload,
runs its warm-up units, then times REPEATS units and prints one JSON line (after RESULT_MARK):
the seconds of each unit, the work per unit, the library's version and the workload's extras.
"""
from __future__ import annotations

import importlib
import json
import sys
import time

RESULT_MARK = "@@result "


def main() -> None:
    library, workload, options, repeats = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4])
    runs = importlib.import_module(f"runs.{library}_runs")
    timed = getattr(runs, workload)(**options)
    for _ in range(timed.warmup):
        timed.run()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        timed.run()
        seconds.append(time.perf_counter() - start)
    extra = timed.extra() if timed.extra else {}
    print(RESULT_MARK + json.dumps({"seconds": seconds, "work": timed.work, "version": runs.VERSION, "extra": extra}),
          flush=True)


if __name__ == "__main__":
    main()
