"""Shared plumbing of the load benchmarks: a dedicated database, production-like settings, gunicorn.

Benchmarks are commands, not tests: they print one JSON document on stdout
and their progress on stderr. Each owns a PostgreSQL database of its own
(created when missing) so a run never touches the development or test data.
"""

from __future__ import annotations

import math
import os
import secrets
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = REPO_ROOT / "var" / "bench"
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.faults.stack import PrivateRedis, WorkerProcess, free_port, wait_until  # noqa: E402

__all__ = [
    "BENCH_VAR",
    "REPO_ROOT",
    "Gunicorn",
    "PrivateRedis",
    "WorkerProcess",
    "configure_environment",
    "ensure_database",
    "free_port",
    "log",
    "percentile",
    "setup_django",
    "wait_until",
]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _stable_secret_key(database_name: str) -> str:
    # Kept per database: personal data in it is encrypted with a key derived
    # from SECRET_KEY, so a re-run must use the same one.
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    path = BENCH_VAR / f"{database_name}.secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def configure_environment(database_name: str, *, var_dir: Path, **overrides: str) -> dict[str, str]:
    """Production settings (DEBUG off, real secret, PostgreSQL) for this process and its children.

    ``DATABASE_URL`` in the environment wins over the dedicated database name.
    Returns the environment to hand to child processes.
    """
    values = {
        "DJANGO_SETTINGS_MODULE": "academy.settings",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"postgres://postgres@127.0.0.1:5432/{database_name}",
        "DEBUG": "0",
        "SECRET_KEY": _stable_secret_key(database_name),
        "HTTPS": "0",
        "VAR_DIR": str(var_dir),
        "MEDIA_ROOT": str(var_dir / "media"),
        "STATIC_ROOT": str(var_dir / "static"),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        **overrides,
    }
    os.environ.update(values)
    return dict(os.environ)


def ensure_database(database_url: str, *, recreate: bool = False) -> bool:
    """Create the PostgreSQL database named in ``database_url`` if missing; True when it was created."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        dbname="postgres",
        user=parts.username or "postgres",
        password=parts.password or None,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            if recreate:
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    finally:
        admin.close()


def setup_django(*, migrate: bool = True) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    if migrate:
        call_command("migrate", verbosity=0, interactive=False)


class Gunicorn:
    """``gunicorn academy.wsgi`` (or another WSGI module) in its own process group."""

    def __init__(self, env: dict[str, str], *, workers: int, threads: int, wsgi: str = "academy.wsgi", log_path: Path):
        self.env = env
        self.workers = workers
        self.threads = threads
        self.wsgi = wsgi
        self.port = free_port()
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def command(self) -> list[str]:
        worker_class = "gthread" if self.threads > 1 else "sync"
        return [
            sys.executable,
            "-m",
            "gunicorn",
            self.wsgi,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--worker-class",
            worker_class,
            "--keep-alive",
            "5",
            "--log-level",
            "warning",
            "--chdir",
            str(REPO_ROOT),
        ]

    def start(self) -> None:
        handle = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command, cwd=REPO_ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        wait_until(self._answers, timeout=60, interval=0.3, message="gunicorn to answer")

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
        try:
            urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2)
        except urllib.error.HTTPError:
            return True  # it answered; the status is the page's business
        except OSError:
            return False
        return True

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
