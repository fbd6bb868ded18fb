"""One worker process of a scan's pool: ``python -m glassnet.physics.scan.worker LIFELINE_FD``.

It reads tasks from standard input and answers on standard output, one JSON object a line:
    {"path": [...]}                                      first line: the scan's sys.path → {"ready": true}
    {"id": 7, "source": {...}, "names": [...], "params": {...}}   → {"id": 7, "values": [...], "reason": ""}
    {"id": 0, "check": {...}}                            → {"id": 0, "problem": ""}
The scan process sends a task only to an idle worker, and does the timing: a point that runs too long
is ended by killing the worker. The user's function runs here, so whatever it does (hang, crash,
os._exit, sys.exit, print) costs at most this process: prints go to standard error, since standard
output carries the answers.

Dying with the scan: the scan holds the write end of the LIFELINE pipe and never writes to it. When
the scan ends in any way, even kill -9, the operating system closes that end, a thread here reads end
of file, kills the programs this worker started (each in its own process group) and then its own
process group. A pipe closing is the one signal of a parent's death that Linux and macOS both give
without polling; Linux's prctl(PR_SET_PDEATHSIG) exists on Linux alone and would kill this worker
before it could take its programs down.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import threading

from .evaluate import RUNNING_GROUPS, evaluate_point, exception_reason, one_line, setup_problem, source_from_spec


def die_with_the_scan(lifeline: int) -> None:
    """Block until the scan's end of the lifeline closes, then kill this worker and all it started."""
    while os.read(lifeline, 1):
        pass
    for group in list(RUNNING_GROUPS):
        try:
            os.killpg(group, signal.SIGKILL)
        except OSError:
            pass
    os.killpg(0, signal.SIGKILL)


def answer(task: dict, sources: dict) -> dict:
    """The reply to one task; whatever the user's code raises becomes the point's reason."""
    key = json.dumps(task.get("check") or task["source"], sort_keys=True)
    if key not in sources:
        sources[key] = source_from_spec(json.loads(key))
    if "check" in task:
        return {"id": task["id"], "problem": setup_problem(sources[key])}
    try:
        values, reason = evaluate_point(sources[key], task["names"], task["params"])
    except BaseException as error:  # noqa: BLE001 — even a KeyboardInterrupt raised by the function
        values, reason = [float("nan")] * len(task["names"]), one_line(exception_reason(error))
    return {"id": task["id"], "values": [float(v) for v in values], "reason": reason}


def main() -> None:
    lifeline = int(sys.argv[1])
    tasks = os.fdopen(os.dup(0), "r", encoding="utf-8")
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(2, 1)  # the function's prints go to standard error, not into the replies
    threading.Thread(target=die_with_the_scan, args=(lifeline,), daemon=True).start()
    sys.path[:] = json.loads(tasks.readline())["path"]
    sources = {}
    try:
        replies.write(json.dumps({"ready": True}) + "\n")
        replies.flush()
        for line in tasks:
            replies.write(json.dumps(answer(json.loads(line), sources)) + "\n")
            replies.flush()
    except BrokenPipeError:  # the scan is gone: the lifeline thread is ending this process
        os._exit(0)


if __name__ == "__main__":
    main()
