"""CIN and CNSS numbers are masked in every log line (the app's, Celery's, gunicorn's access log) and on screen.

Whatever the funding validators accept as a CIN or a CNSS number is masked,
short CINs included; the on-screen mask shows at most two characters.
"""

from __future__ import annotations

import io
import logging
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from academy.identifiers import mask_for_display
from academy.logging import mask_personal_data
from funding.validators import validate_cin, validate_cnss

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "identifier",
    [
        "WW112233",
        "BE123456",
        "Q1234",
        "q1234",
        "A1",
        "ab12",
        "BE 123456",
        "BE-123456",
        "BE+123456",
        "BE%20123456",
        "BE 123 456",
        "Q 12",
        "be 1234",
        "q-12345",
    ],
)
def test_cin_shapes_the_app_accepts_are_masked_in_log_text(identifier: str):
    validate_cin(identifier.replace("%20", " ").replace("+", " "))  # the funding form accepts it
    line = f'GET /cours/catalogue/?q={identifier}&page=2 HTTP/1.1" 200'
    assert identifier not in mask_personal_data(line)
    assert "/cours/catalogue/?q=[masqué]&page=2" in mask_personal_data(line)


@pytest.mark.parametrize("identifier", ["123456789", "123 456 789", "123.456.789"])
def test_cnss_numbers_are_masked_in_log_text(identifier: str):
    validate_cnss(identifier)
    assert identifier not in mask_personal_data(f"cnss={identifier}")


def test_every_identifier_the_validators_accept_is_masked():
    rng = random.Random(2026)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for _ in range(2000):
        cin = "".join(rng.choices(letters, k=rng.randint(1, 2))) + str(rng.randint(0, 10 ** rng.randint(1, 6) - 1))
        try:
            validate_cin(cin)
        except ValidationError:
            continue
        for spelling in (cin, cin.lower()):
            assert spelling not in mask_personal_data(f"q={spelling}&x"), spelling


@pytest.mark.parametrize(
    "line",
    [
        "Task labs.tasks.grade_submission[550e8400-e29b-41d4-a716-446655440000] succeeded",
        "rendition written to submissions/videos/3f2a.mp4 (640x360, 24 fps)",
        "Task labs.tasks.sweep_stuck_submissions[17a26990] succeeded in 0.0028993549999540846s: {'requeued': 0}",
        "Retry in 5s: connection refused; attempt 2 of 3",
    ],
)
def test_log_lines_without_identifiers_keep_their_ids_and_file_names(line: str):
    assert mask_personal_data(line) == line


@pytest.mark.parametrize(
    ("value", "shown"),
    [("BE123456", "••••••56"), ("Q1234", "••••4"), ("123456789", "•••••••89"), ("A1", "••"), ("", "")],
)
def test_the_on_screen_mask_shows_at_most_two_characters(value: str, shown: str):
    assert mask_for_display(value) == shown
    assert sum(1 for char in mask_for_display(value) if char != "•") <= 2


# --- every log record is masked, whichever handler writes it ------------------------------------


@pytest.mark.parametrize("name", ["academy", "django.server", "celery.task", "gunicorn.access", "torch"])
def test_records_are_masked_when_created_whatever_the_logger(name: str):
    # given a logger with its own handler, as libraries (and gunicorn, and Celery) set up outside LOGGING
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger(f"{name}.masking-test")
    logger.addHandler(handler)
    logger.propagate, logger.disabled = False, False
    logger.setLevel(logging.INFO)  # whatever an earlier test did to its parents' levels
    try:
        # when a line carries identifiers, in its arguments and in an exception's traceback
        logger.warning("lookup q=%s cnss=%s", "Q1234", "123456789")
        try:
            raise ValueError("no participant with CIN WW112233")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    # then the handler wrote them masked
    written = stream.getvalue()
    assert "lookup q=[masqué] cnss=[masqué]" in written
    assert "no participant with CIN [masqué]" in written
    for secret in ("Q1234", "123456789", "WW112233"):
        assert secret not in written


def test_a_celery_worker_s_own_handlers_write_masked_lines(monkeypatch, capfd):
    # given the logging a Celery worker sets up when it starts (it replaces the root handlers)
    from celery.app.log import Logging
    from celery.utils.log import get_multiprocessing_logger

    from academy.celery import app

    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    monkeypatch.setattr(Logging, "_setup", False)
    monkeypatch.setattr(app.log, "already_setup", False)
    try:
        app.log.setup_logging_subsystem(loglevel="INFO", logfile=None, colorize=False, hostname="test@host")
        # when a task logs an identifier
        logging.getLogger("funding.tasks").warning("reminder for CIN %s", "Q1234")
    finally:
        for handler in root.handlers[:]:
            if handler not in saved_handlers:
                root.removeHandler(handler)
        for handler in saved_handlers:
            if handler not in root.handlers:
                root.addHandler(handler)
        root.setLevel(saved_level)
        for name in ("celery.task", "celery.redirected"):
            logging.getLogger(name).handlers.clear()
        get_multiprocessing_logger().handlers.clear()
    # then Celery's handler wrote it masked
    err = capfd.readouterr().err
    assert "reminder for CIN [masqué]" in err and "Q1234" not in err


# --- gunicorn's access log ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_gunicorn_access_log_masks_identifiers_in_query_strings(tmp_path):
    # given gunicorn started the way the demo, the image and docker-compose start it
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}},
        "DEBUG": "1",
        "HTTPS": "0",
        "VAR_DIR": str(tmp_path),
        "SECRET_KEY": "gunicorn-access-log-test-key-" + "x" * 40,
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "academy.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "1", "--access-logfile", "-"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # when a visitor's request carries CIN- and CNSS-shaped values in its query string
        url = f"http://127.0.0.1:{port}/healthz?q=WW112233&cin=Q1234&cnss=123456789"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url, timeout=5)  # noqa: S310 (a local server)
                break
            except urllib.error.HTTPError:
                break  # any answer is logged
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    # then the access log line is there, with the values masked
    access = [line for line in output.splitlines() if "GET /healthz" in line]
    assert access, output
    assert "q=[masqué]&cin=[masqué]&cnss=[masqué]" in access[0]
    for secret in ("WW112233", "Q1234", "123456789"):
        assert secret not in output
