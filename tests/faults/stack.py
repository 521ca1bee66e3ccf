"""Real processes for fault tests: a private Redis and Celery worker processes.

Fault tests kill and restart these, so they never touch the Redis that the
rest of the suite (or a developer's machine) uses: each test gets its own
redis-server on a free port.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float, interval: float = 0.2, message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {message}")


class PrivateRedis:
    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--dir",
                str(self.workdir),
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.ping, timeout=10, message="redis to start")

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # appendonly keeps queued messages across the restart
            self.process.wait(timeout=10)
        self.process = None


class WorkerProcess:
    """``celery -A academy worker`` in its own process group, so SIGKILL takes all its children."""

    def __init__(self, env: dict[str, str], *, concurrency: int = 2, log: Path):
        self.env = env
        self.concurrency = concurrency
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "academy",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                str(self.concurrency),
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--queues",
                "default",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def ready(self) -> bool:
        return "ready." in self.log.read_text(errors="replace")

    def pool_processes(self) -> list[int]:
        """The pids of the worker's pool processes (its child processes)."""
        if not self.process or self.process.poll() is not None:
            return []
        # Any thread may fork (billiard's supervisor thread does): read every thread's children.
        tasks = Path(f"/proc/{self.process.pid}/task")
        return sorted({int(pid) for task in tasks.iterdir() for pid in (task / "children").read_text().split()})

    def kill_pool_processes(self) -> list[int]:
        """SIGKILL the pool processes only; the worker itself lives on and has to replace them."""
        killed = self.pool_processes()
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        return killed

    def kill(self) -> None:
        """SIGKILL the worker and its pool: nothing gets to clean up."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
