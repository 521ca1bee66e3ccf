"""Run the demo: migrate, seed, collect static files, then serve with a real worker.

Everything runs on the embedded default (SQLite and a file-system Celery
broker under var/), so nothing needs to be installed but Python packages.
Stop with Ctrl-C: the web server, the worker and its beat stop together.
"""

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
BIN = Path(sys.executable).parent


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

    worker = subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "academy",
            "worker",
            "--beat",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "--queues",
            "default",
        ],
        cwd=ROOT,
        env=env,
    )
    web = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "academy.wsgi",
            "--bind",
            f"127.0.0.1:{options.port}",
            "--workers",
            str(options.workers),
            "--threads",
            "4",
            "--access-logfile",
            "-",
        ],
        cwd=ROOT,
        env=env,
    )
    # `kill` (SIGTERM) stops the demo as cleanly as Ctrl-C: no orphaned worker or server.
    signal.signal(signal.SIGTERM, _stop_like_ctrl_c)
    print(f"\n  The Academy demo runs at http://127.0.0.1:{options.port}/  (Ctrl-C to stop)\n", flush=True)
    try:
        while worker.poll() is None and web.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for process in (web, worker):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (web, worker):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
