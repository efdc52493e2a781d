"""Helpers for the hostile-input suite: run the real command in a child with bounded memory.

The fuzz profiles are registered here: ``ci`` (bounded, the default) and ``long`` (chosen with
``FTDATA_FUZZ=long`` or ``--hypothesis-profile=long``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=100, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.function_scoped_fixture])
settings.register_profile("long", max_examples=5000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.function_scoped_fixture])

#: Address space for a child ftdata process: a leak of one hostile input (a 50 MB line held
#: several times over, a gigabyte gzip bomb held whole) cannot fit in it.
MEMORY_LIMIT = 1 << 30
#: Wall-clock bound for one command, far above what any of them needs: a hang fails the test.
TIME_LIMIT = 300


def fuzz_settings() -> settings:
    """The profile a fuzz test runs under: ``long`` on demand, ``ci`` otherwise."""
    wanted = os.environ.get("FTDATA_FUZZ") or settings.get_current_profile_name()
    return settings.get_profile("long" if wanted == "long" else "ci")


@dataclass(frozen=True)
class Run:
    """The outcome of one ``ftdata`` command."""

    code: int
    stdout: str
    stderr: str
    max_rss: int  # bytes, the child's peak resident set


#: Runs the command from a small process, capped, and writes the command's own peak resident
#: set to a file. The peak recorded for a child of the test process would include the test
#: process's pages (exec records the peak of the address space it replaces), which in a full
#: run is hundreds of megabytes; a child of this small process starts from a few.
_MEASURE = """
import os, resource, sys
limit, report, *command = sys.argv[1:]
pid = os.fork()
if pid == 0:
    resource.setrlimit(resource.RLIMIT_AS, (int(limit), int(limit)))
    os.execv(command[0], command)
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as stream:
    stream.write(str(usage.ru_maxrss * 1024))
code = os.waitstatus_to_exitcode(status)
if code < 0:
    os.kill(os.getpid(), -code)
sys.exit(code)
"""


def ftdata(*args: str | os.PathLike[str], cwd: Path) -> Run:
    """Run ``ftdata ARGS`` in a child process (address space capped) and collect everything.

    The command's own peak resident set is measured by a small parent (:data:`_MEASURE`); a
    command still running after :data:`TIME_LIMIT` is killed with its parent, and the test
    fails.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryDirectory() as scratch:
        report = os.path.join(scratch, "max_rss")
        command = [sys.executable, "-m", "ftdata", *(os.fspath(arg) for arg in args)]
        process = subprocess.Popen(
            [sys.executable, "-c", _MEASURE, str(MEMORY_LIMIT), report, *command], cwd=cwd,
            stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True,
            env={**os.environ, "FTDATA_DEBUG": "", "COLUMNS": "120"})
        timer = threading.Timer(TIME_LIMIT, lambda: os.killpg(process.pid, 9))
        timer.start()
        try:
            process.wait()
        finally:
            timer.cancel()
        assert process.returncode != -9, f"ftdata {args} ran over {TIME_LIMIT} s"
        with open(report, encoding="ascii") as stream:
            max_rss = int(stream.read())
        out.seek(0)
        err.seek(0)
        return Run(process.returncode, out.read().decode("utf-8", errors="replace"),
                   err.read().decode("utf-8", errors="replace"), max_rss)


def assert_clean_exit(run: Run, allowed: tuple[int, ...] = (0, 1, 2)) -> None:
    """No traceback, no crash; a usage error is one line on stderr."""
    assert "Traceback" not in run.stderr, run.stderr[-2000:]
    assert "internal error" not in run.stderr, run.stderr[-2000:]
    assert run.code in allowed, (run.code, run.stderr[-2000:])
    if run.code == 2:
        lines = [line for line in run.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("ftdata: error: "), run.stderr
