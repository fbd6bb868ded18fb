"""Where the points are computed: in this process, in a pool of worker processes, or on a Dask cluster.

Every executor has the same three methods:
    check(source)                    SetupError if the source cannot run at all (before the first point)
    evaluate(source, names, points)  yields (index, observables, reason) as the points return, in any order
    close()
``PoolExecutor`` is the default and the safe one: each worker is a process of its own (``worker.py``),
given one point at a time, so the scan knows which point each worker runs and since when. A point that
runs past the source's timeout is ended by killing its worker; a worker that dies (a segfault,
``os._exit``, a kill from outside) is replaced, its point recorded as invalid with the reason (or, if
the worker was killed from outside, run again once on a new worker). Workers die with the scan (see
``worker.py``). ``SerialExecutor`` runs the source in this process: no timeout for a function, no
protection from a crash; for cheap functions and debugging.
"""
from __future__ import annotations

import collections
import json
import os
import selectors
import signal
import subprocess
import sys
import time

import numpy as np

from .cluster import start_cluster
from .evaluate import SetupError, as_source, describe_exit, evaluate_point, setup_problem

COMMAND_GRACE = 10.0      # seconds a worker gets beyond a program's own timeout (the program's kill comes first)
STARTUP_TIMEOUT = 120.0   # seconds a new worker may take to import glassnet and say it is ready
MAX_REPLY = 1_000_000     # bytes: a longer reply line is not from our worker code
RETRIED_SIGNALS = (signal.SIGKILL, signal.SIGTERM)  # a worker killed from outside: its point is run again once


class SerialExecutor:
    """Evaluate points one after the other in this process (cheap functions, debugging)."""

    def check(self, source) -> None:
        _raise_setup_problem(setup_problem(source))

    def evaluate(self, source, names, points):
        for i, params in enumerate(points):
            yield (i, *evaluate_point(source, names, params))

    def close(self) -> None:
        pass


def _raise_setup_problem(problem: str) -> None:
    if problem:
        raise SetupError(problem)


class _Worker:
    """One worker process, its pipes, and the task it runs (``index`` None when idle)."""

    def __init__(self):
        lifeline_read, self.lifeline = os.pipe()
        package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-m", "glassnet.physics.scan.worker", str(lifeline_read)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, pass_fds=(lifeline_read,), env=env,
            start_new_session=True)  # its own process group: a kill of the worker takes what its function started
        os.close(lifeline_read)
        self.buffer, self.index, self.task_id, self.timeout = b"", None, None, None
        self.ready, self.deadline = False, time.monotonic() + STARTUP_TIMEOUT
        self.send({"path": sys.path})

    def send(self, message: dict) -> bool:
        """Write one line to the worker; False if it is gone."""
        try:
            self.process.stdin.write((json.dumps(message) + "\n").encode())
            self.process.stdin.flush()
            return True
        except (BrokenPipeError, OSError):
            return False

    def start(self, index: int, task_id: int, message: dict, timeout: float | None) -> bool:
        """Send a task; its time runs from now, or from when a new worker is ready."""
        self.index, self.task_id, self.timeout = index, task_id, timeout
        if self.ready:
            self._start_clock()
        return self.send({"id": task_id, **message})

    def _start_clock(self) -> None:
        self.deadline = None if self.timeout is None else time.monotonic() + self.timeout

    def read(self):
        """After its pipe was readable: ('reply', dict), ('dead', why or None), or (None, None) for more to come."""
        chunk = os.read(self.process.stdout.fileno(), 65536)
        if not chunk:
            return "dead", None
        self.buffer += chunk
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            try:
                reply = json.loads(line)
            except ValueError:
                return "dead", "it sent an unreadable reply"
            if reply == {"ready": True} and not self.ready:
                self.ready = True
                self._start_clock()
            elif isinstance(reply, dict) and reply.get("id") == self.task_id:
                return "reply", reply   # (a reply of another id, e.g. from a forked child, is dropped)
        if len(self.buffer) > MAX_REPLY:
            return "dead", "it sent an unreadable reply"
        return None, None

    def end(self, why: str | None = None) -> str:
        """Make sure the worker and its process group are gone; the reason it ended."""
        if why is None:
            try:
                self.process.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                why = "it closed its reply pipe"
        self.kill()
        return why or f"the worker process died: {describe_exit(self.process.returncode)}"

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        self.close_pipes()

    def close_pipes(self) -> None:
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                pass
        if self.lifeline is not None:
            os.close(self.lifeline)
            self.lifeline = None

    @property
    def killed_from_outside(self) -> bool:
        return self.process.returncode is not None and -self.process.returncode in RETRIED_SIGNALS


class PoolExecutor:
    """A pool of ``workers`` worker processes (default: the machine's cores), started when needed."""

    def __init__(self, workers: int | None = None):
        self.size = max(1, workers or os.cpu_count() or 1)
        self.idle: list[_Worker] = []
        self.replaced = 0      # workers that died or were killed and had to be replaced
        self._task_ids = iter(range(1, 2 ** 62))

    def check(self, source) -> None:
        source = as_source(source)
        for _, reply, failure in self._run([{"check": source.spec()}], self._timeout(source)):
            _raise_setup_problem(f"checking {source!r}: {failure}" if failure else reply["problem"])

    def evaluate(self, source, names, points):
        source = as_source(source)
        spec, names = source.spec(), list(names)
        messages = [{"source": spec, "names": names, "params": params} for params in points]
        for i, reply, failure in self._run(messages, self._timeout(source)):
            if failure:
                yield i, np.full(len(names), np.nan), failure
            else:
                yield i, np.array(reply["values"], dtype=float), reply["reason"]

    @staticmethod
    def _timeout(source) -> float | None:
        timeout = getattr(source, "timeout", None)
        if timeout is None:
            return None
        return timeout + COMMAND_GRACE if hasattr(source, "argv") else timeout

    def _run(self, messages, timeout):
        """Send each message to an idle worker; yield (index, reply, "") or (index, None, failure)."""
        queue = collections.deque(enumerate(messages))
        tries = collections.Counter()
        busy: dict[int, _Worker] = {}
        selector = selectors.DefaultSelector()
        try:
            while queue or busy:
                while queue and len(busy) < self.size:
                    i, message = queue.popleft()
                    worker = self.idle.pop() if self.idle else _Worker()
                    if not worker.start(i, next(self._task_ids), message, timeout):
                        worker.end()
                        self.replaced += 1
                        queue.appendleft((i, message))   # an idle worker that had died: the point waits for the next
                        continue
                    tries[i] += 1
                    busy[worker.process.stdout.fileno()] = worker
                    selector.register(worker.process.stdout, selectors.EVENT_READ, worker)
                deadlines = [w.deadline for w in busy.values() if w.deadline is not None]
                wait = None if not deadlines else max(0.0, min(deadlines) - time.monotonic())
                for key, _ in selector.select(wait):
                    worker = key.data
                    kind, result = worker.read()
                    if kind is None:
                        continue
                    selector.unregister(key.fileobj)
                    del busy[key.fd]
                    if kind == "reply":
                        self.idle.append(worker)
                        yield worker.index, result, ""
                        continue
                    failure = worker.end(result)
                    self.replaced += 1
                    if worker.killed_from_outside and tries[worker.index] < 2:
                        queue.append((worker.index, messages[worker.index]))
                    else:
                        yield worker.index, None, failure
                now = time.monotonic()
                for fd, worker in list(busy.items()):
                    if worker.deadline is not None and now >= worker.deadline:
                        selector.unregister(worker.process.stdout)
                        del busy[fd]
                        worker.kill()
                        self.replaced += 1
                        yield worker.index, None, (f"timed out after {timeout:g} s" if worker.ready else
                                                   f"the worker process did not start within {STARTUP_TIMEOUT:g} s")
        finally:
            for worker in busy.values():  # points nobody will collect (the scan stopped): end them
                worker.kill()
            selector.close()

    def close(self) -> None:
        """End the idle workers (closing their lifelines ends them at once)."""
        for worker in self.idle:
            worker.close_pipes()
        for worker in self.idle:
            worker.kill()
        self.idle = []


class DaskExecutor:
    """A dask.distributed cluster: a ``Client`` you made, a scheduler address 'tcp://host:8786', or a
    cluster to start (a dict, see ``cluster.py``: a batch system's, or a local one). What this executor
    opens, it closes. The points run in the cluster's workers, which the cluster manages: a program's
    timeout holds there, a function's does not."""

    def __init__(self, client, timeout: float = 30.0):
        try:
            import distributed
        except ImportError:
            raise ImportError("a Dask scheduler needs dask.distributed: pip install 'glassnet[scan]'") from None
        self._distributed = distributed
        self.cluster = start_cluster(client) if isinstance(client, dict) else None
        if self.cluster is not None:
            client = self.cluster
        self.owns_client = not isinstance(client, distributed.Client)
        if self.owns_client:
            try:
                client = distributed.Client(client, timeout=timeout)
            except (OSError, TimeoutError) as error:
                raise ConnectionError(f"cannot reach the Dask scheduler at {client}: {error}") from None
        self.client = client

    def check(self, source) -> None:
        _raise_setup_problem(self.client.submit(setup_problem, source, pure=False).result())

    def evaluate(self, source, names, points):
        futures = {self.client.submit(evaluate_point, source, names, params, pure=False): i
                   for i, params in enumerate(points)}
        for future in self._distributed.as_completed(list(futures)):
            try:
                values, reason = future.result()
            except Exception as error:  # the cluster lost the task (e.g. its worker died each time it ran)
                values, reason = np.full(len(names), np.nan), f"Dask: {type(error).__name__}: {error}"[:200]
            yield futures[future], values, reason

    def close(self) -> None:
        if self.owns_client:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(workers: int | None = None, scheduler=None):
    """The executor for a scan: Dask if ``scheduler`` (an address, a Client or a cluster spec) is given,
    else in this process if ``workers == 0``, else a pool of ``workers`` processes."""
    if scheduler is not None:
        return DaskExecutor(scheduler)
    if workers == 0:
        return SerialExecutor()
    return PoolExecutor(workers)
