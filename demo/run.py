"""Run the demo: migrate, seed, collect static files, then serve with a real worker.

Everything runs on the embedded default (SQLite and a file-system Celery
broker under var/), so nothing needs to be installed but Python packages.
The runner supervises the web server and the worker: if one of them dies it
says so and starts it again after a short back-off, while the other keeps
running. Stop with Ctrl-C (or SIGTERM): both stop together.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
BIN = Path(sys.executable).parent

# Seconds before restarting a process that died: doubled at each consecutive death, up to the last value.
BACKOFF_SECONDS = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
# A process that ran this long before dying starts again from the first back-off.
STABLE_AFTER_SECONDS = 60.0


def demo_environment(port: int = 8000) -> dict[str, str]:
    VAR.mkdir(exist_ok=True)
    key_file = VAR / "demo-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        HTTPS="0",
        SECRET_KEY=key_file.read_text().strip(),
        ALLOWED_HOSTS=env.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]"),
        EMAIL_URL="consolemail://",
        SITE_URL=env.get("SITE_URL", f"http://127.0.0.1:{port}"),
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def how_it_ended(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


@dataclass
class Program:
    """A supervised process: how to start it, and its restart bookkeeping."""

    name: str
    command: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    deaths: int = 0  # consecutive deaths, each before STABLE_AFTER_SECONDS
    restart_at: float | None = None


class Supervisor:
    """Keeps the demo's processes running: one that dies is started again after a short back-off."""

    def __init__(
        self,
        programs: dict[str, list[str]],
        *,
        cwd: Path,
        env: dict[str, str],
        out: TextIO = sys.stdout,
        clock: Callable[[], float] = time.monotonic,
        backoff: tuple[float, ...] = BACKOFF_SECONDS,
        stable_after: float = STABLE_AFTER_SECONDS,
    ):
        self.programs = [Program(name, command) for name, command in programs.items()]
        self.cwd, self.env, self.out, self.clock = cwd, env, out, clock
        self.backoff, self.stable_after = backoff, stable_after

    def _say(self, message: str) -> None:
        print(f"  [demo] {message}", file=self.out, flush=True)

    def _start(self, program: Program) -> None:
        # Its own process group: the worker's pool and embedded beat go with it when it dies or stops.
        program.process = subprocess.Popen(program.command, cwd=self.cwd, env=self.env, start_new_session=True)
        program.started_at = self.clock()
        program.restart_at = None

    @staticmethod
    def _signal_group(process: subprocess.Popen, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):  # nothing of the group is left
            os.killpg(process.pid, signum)

    def start(self) -> None:
        for program in self.programs:
            self._start(program)

    def check(self) -> None:
        """Notice processes that died, and start again those whose back-off is over."""
        now = self.clock()
        for program in self.programs:
            if program.restart_at is not None:
                if now >= program.restart_at:
                    self._start(program)
                    self._say(f"{program.name} started again (pid {program.process.pid}).")
                continue
            returncode = program.process.poll()
            if returncode is None:
                continue
            # Its children (pool processes, the embedded beat) would live on as orphans, twice the beat.
            self._signal_group(program.process, signal.SIGKILL)
            if now - program.started_at >= self.stable_after:
                program.deaths = 0
            delay = self.backoff[min(program.deaths, len(self.backoff) - 1)]
            program.deaths += 1
            program.restart_at = now + delay
            others = [p.name for p in self.programs if p is not program]
            keeps = f"; the {' and the '.join(others)} keep{'s' if len(others) == 1 else ''} running" if others else ""
            self._say(f"{program.name} stopped ({how_it_ended(returncode)}): starting it again in {delay:g} s{keeps}.")

    def pid(self, name: str) -> int | None:
        program = next(p for p in self.programs if p.name == name)
        return program.process.pid if program.process and program.process.poll() is None else None

    def stop(self, timeout: float = 15.0) -> None:
        started = [p.process for p in self.programs if p.process is not None]
        for process in started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # the leader stops its own children cleanly
        for process in started:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=timeout)
            self._signal_group(process, signal.SIGKILL)  # whatever did not stop in time


def _stop_like_ctrl_c(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    options = parser.parse_args()

    env = demo_environment(options.port)
    manage(env, "migrate", "--noinput")
    # A local demonstration CA signs the content credentials of demo videos (created once, under var/).
    manage(env, "provenance_demo_ca")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    manage(env, "seed_demo")

    worker = [str(BIN / "celery"), "-A", "academy", "worker", "--beat", "--loglevel", "INFO"]
    worker += ["--concurrency", "2", "--queues", "default"]
    web = [str(BIN / "gunicorn"), "academy.wsgi", "--bind", f"127.0.0.1:{options.port}"]
    web += ["--workers", str(options.workers), "--threads", "4", "--access-logfile", "-"]
    supervisor = Supervisor({"Celery worker": worker, "web server": web}, cwd=ROOT, env=env)
    supervisor.start()
    # `kill` (SIGTERM) stops the demo as cleanly as Ctrl-C: no orphaned worker or server.
    signal.signal(signal.SIGTERM, _stop_like_ctrl_c)
    print(f"\n  The Academy demo runs at http://127.0.0.1:{options.port}/  (Ctrl-C to stop)\n", flush=True)
    try:
        while True:
            supervisor.check()
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        supervisor.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
