"""The demo runner supervises its processes: a dead worker is started again, the web server keeps serving."""

from __future__ import annotations

import io
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from demo.run import ROOT, Supervisor
from tests.faults.stack import wait_until

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
CRASHER = [sys.executable, "-c", "raise SystemExit(3)"]


@pytest.fixture
def console() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def supervisor(console):
    running = Supervisor(
        {"Celery worker": SLEEPER, "web server": SLEEPER}, cwd=ROOT, env=dict(os.environ), out=console, backoff=(0.2,)
    )
    running.start()
    yield running
    running.stop(timeout=5)


def test_a_killed_worker_is_started_again_while_the_web_server_keeps_running(supervisor, console):
    # given the worker and the web server running
    worker, web = supervisor.pid("Celery worker"), supervisor.pid("web server")
    # when the worker is killed
    os.kill(worker, signal.SIGKILL)

    def restarted() -> bool:
        supervisor.check()
        return supervisor.pid("Celery worker") not in (None, worker)

    # then it is started again after the back-off, and the web server was never touched
    wait_until(restarted, timeout=10, interval=0.05, message="the worker to be started again")
    assert supervisor.pid("web server") == web
    # and the console says what happened
    said = console.getvalue()
    assert "Celery worker stopped (killed by SIGKILL): starting it again in 0.2 s" in said
    assert "the web server keeps running" in said
    assert f"Celery worker started again (pid {supervisor.pid('Celery worker')})" in said


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper counts as dead)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


def test_the_children_of_a_killed_worker_die_with_it(console, tmp_path):
    # given a worker with a child of its own (like its pool processes and its embedded beat)
    child_pid_file = tmp_path / "child.pid"
    parent = (
        "import subprocess, sys, time; "
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
        f"open({str(child_pid_file)!r}, 'w').write(str(child.pid)); time.sleep(120)"
    )
    supervisor = Supervisor(
        {"Celery worker": [sys.executable, "-c", parent]}, cwd=ROOT, env=dict(os.environ), out=console, backoff=(60.0,)
    )
    supervisor.start()
    try:
        wait_until(lambda: child_pid_file.exists() and child_pid_file.read_text(), timeout=10, message="the child")
        child = int(child_pid_file.read_text())
        # when the worker is killed and the supervisor notices
        os.kill(supervisor.pid("Celery worker"), signal.SIGKILL)
        wait_until(lambda: (supervisor.check() or True) and supervisor.programs[0].restart_at, timeout=10, message="")
        # then its child is gone too: no orphan left running beside the restarted worker
        wait_until(lambda: not _alive(child), timeout=10, message="the orphan to be killed")
    finally:
        supervisor.stop(timeout=5)


def test_a_process_that_keeps_dying_is_restarted_with_a_growing_back_off(console):
    # given a worker that dies at once, every time, and a clock the test moves
    now = [1000.0]
    crashing = Supervisor(
        {"Celery worker": CRASHER},
        cwd=ROOT,
        env=dict(os.environ),
        out=console,
        clock=lambda: now[0],
        backoff=(1.0, 2.0, 4.0),
    )
    crashing.start()
    delays = []
    for _ in range(4):
        crashing.programs[0].process.wait(timeout=10)
        crashing.check()  # notices the death, schedules the restart
        program = crashing.programs[0]
        delays.append(program.restart_at - now[0])
        now[0] = program.restart_at
        crashing.check()  # the back-off is over: starts it again
    crashing.stop(timeout=5)
    # then each restart waits longer, up to the last back-off
    assert delays == [1.0, 2.0, 4.0, 4.0]
    assert console.getvalue().count("Celery worker stopped (exit code 3)") == 4


def test_a_process_that_ran_a_while_starts_again_from_the_shortest_back_off(console):
    now = [0.0]
    supervisor = Supervisor(
        {"Celery worker": CRASHER},
        cwd=ROOT,
        env=dict(os.environ),
        out=console,
        clock=lambda: now[0],
        backoff=(1.0, 2.0, 4.0),
        stable_after=60.0,
    )
    supervisor.start()
    program = supervisor.programs[0]
    program.deaths = 2  # it had died twice in a row before
    program.process.wait(timeout=10)
    now[0] = 61.0  # but this run lasted more than a minute
    supervisor.check()
    supervisor.stop(timeout=5)
    assert program.restart_at - now[0] == 1.0


def test_stopping_the_supervisor_stops_every_process(supervisor):
    pids = [supervisor.pid("Celery worker"), supervisor.pid("web server")]
    supervisor.stop(timeout=5)
    time.sleep(0.1)
    assert [program.process.poll() for program in supervisor.programs] == [-signal.SIGTERM, -signal.SIGTERM]
    assert all(pids)
