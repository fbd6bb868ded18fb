"""The hostile-input suite's one tool: run the code under attack in a child process with a timeout.

A case passes only if the child answers in time (a hang fails the test instead of freezing CI), is not
killed by a signal (a segfault or an abort fails it), and leaves no process behind (the child runs in
its own process group, which must be empty once it has exited). Tests get the ``hostile`` fixture:

    result = hostile.python("import glassnet as gn; gn.load('bad.safetensors')", cwd=tmp_path)
    result = hostile.glassnet("train", "--data", "t.csv", "--target", "y", "--out", "m.safetensors")
    server = hostile.spawn("playground", "--no-browser")   # long-running: hostile.wait_for_output(server, ...)
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

# the glassnet under attack: this checkout's, or another tree's (to see a case fail on older code)
SOURCE = Path(os.environ.get("GLASSNET_HOSTILE_SOURCE") or Path(__file__).resolve().parents[2] / "src")
DEFAULT_TIMEOUT = 60.0


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def last_line(self) -> str:
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else ""


def child_environment(extra: dict | None = None) -> dict:
    """This checkout's glassnet, one BLAS thread, nothing else from the parent's PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "PYTHON"))}
    env.update(PYTHONPATH=str(SOURCE), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONUNBUFFERED="1", **(extra or {}))
    return env


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of the group exists (e.g. being reaped)
        return True
    return True


def end_group(pgid: int) -> None:
    """Kill whatever is left of the child's process group (only that group: the child made it)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def assert_group_gone(pgid: int, what: str, grace: float = 5.0) -> None:
    deadline = time.monotonic() + grace
    while group_alive(pgid):
        if time.monotonic() > deadline:
            end_group(pgid)
            pytest.fail(f"{what} left processes behind (its process group was still alive {grace:.0f} s "
                        f"after it exited)")
        time.sleep(0.05)


def finished(process: subprocess.Popen, what: str, timeout: float) -> Result:
    """Wait for ``process``; fail the test on a hang, a signal death or processes left behind."""
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        end_group(process.pid)
        stdout, stderr = process.communicate()
        pytest.fail(f"{what} hung: no answer within {timeout:.0f} s\n--- stdout\n{(stdout or '')[-3000:]}\n"
                    f"--- stderr\n{(stderr or '')[-3000:]}")
    stdout, stderr = stdout or "", stderr or ""
    if hasattr(process, "logs"):  # a spawned process writes to files
        stdout, stderr = (path.read_text(errors="replace") for path in process.logs)
    if process.returncode < 0 and process.returncode not in (-signal.SIGTERM, -signal.SIGINT):
        pytest.fail(f"{what} crashed: killed by signal {-process.returncode}\n--- stderr\n{stderr[-3000:]}")
    assert_group_gone(process.pid, what)
    return Result(process.returncode, stdout, stderr)


def wait_for_output(process: subprocess.Popen, pattern: str, timeout: float = DEFAULT_TIMEOUT) -> str:
    """The first line of a spawned process' stdout that matches ``pattern`` (a regular expression)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in process.logs[0].read_text(errors="replace").splitlines():
            if re.search(pattern, line):
                return line
        if process.poll() is not None:
            break
        time.sleep(0.05)
    stdout, stderr = (path.read_text(errors="replace") for path in process.logs)
    pytest.fail(f"no line matching {pattern!r} within {timeout:.0f} s (exit code {process.poll()})\n"
                f"--- stdout\n{stdout[-3000:]}\n--- stderr\n{stderr[-3000:]}")


class Hostile:
    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.running: list[subprocess.Popen] = []

    def _start(self, argv: list[str], cwd, env: dict | None, stdin) -> subprocess.Popen:
        return subprocess.Popen(argv, cwd=str(cwd or self.cwd), env=child_environment(env), text=True,
                                stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)

    def python(self, code: str, timeout: float = DEFAULT_TIMEOUT, cwd=None, env=None) -> Result:
        """Run a Python snippet (dedented) in a fresh interpreter."""
        process = self._start([sys.executable, "-c", textwrap.dedent(code)], cwd, env, subprocess.DEVNULL)
        return finished(process, "the Python child", timeout)

    def glassnet(self, *args: str, timeout: float = DEFAULT_TIMEOUT, cwd=None, env=None) -> Result:
        """Run the ``glassnet`` command with ``args``."""
        process = self._start([sys.executable, "-m", "glassnet.cli", *map(str, args)], cwd, env, subprocess.DEVNULL)
        return finished(process, f"`glassnet {' '.join(map(str, args))}`", timeout)

    def spawn(self, *args: str, cwd=None, env=None) -> subprocess.Popen:
        """Start ``glassnet args`` and leave it running (its output goes to two files, read with
        ``wait_for_output``); the test stops it, or the fixture kills it at the end."""
        index = len(self.running)
        logs = (self.cwd / f"spawned-{index}.out", self.cwd / f"spawned-{index}.err")
        with open(logs[0], "w") as out, open(logs[1], "w") as err:
            process = subprocess.Popen([sys.executable, "-m", "glassnet.cli", *map(str, args)],
                                       cwd=str(cwd or self.cwd), env=child_environment(env), text=True,
                                       stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True)
        process.logs = logs
        self.running.append(process)
        return process

    def spawn_python(self, code: str, cwd=None, env=None) -> subprocess.Popen:
        """Start a Python snippet and leave it running (to be killed by the test, or by the fixture)."""
        process = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=str(cwd or self.cwd),
                                   env=child_environment(env), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.running.append(process)
        return process

    wait_for_output = staticmethod(wait_for_output)

    def stop(self, process: subprocess.Popen, sig=signal.SIGTERM, timeout: float = DEFAULT_TIMEOUT) -> Result:
        """Send ``sig`` to a spawned process and wait for it as for any other case."""
        process.send_signal(sig)
        return finished(process, f"the process stopped with signal {sig}", timeout)

    def close(self) -> None:
        for process in self.running:
            if process.poll() is None:
                end_group(process.pid)
                process.wait()


@pytest.fixture
def hostile(tmp_path):
    tool = Hostile(tmp_path)
    yield tool
    tool.close()
