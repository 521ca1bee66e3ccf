"""Production refuses insecure settings, and is clean under `check --deploy`."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env_overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("secret_key", "reason"),
    [
        ("", "SECRET_KEY is not set"),
        ("django-insecure-abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop", "development default"),
        ("short-key", "at least 50 characters"),
    ],
)
def test_production_refuses_to_start_with_an_insecure_secret_key(secret_key, reason, tmp_path):
    # given DEBUG off and a missing or weak key
    # when Django starts
    result = run_manage("check", DEBUG="0", SECRET_KEY=secret_key, VAR_DIR=str(tmp_path))
    # then it stops and says why
    assert result.returncode != 0
    assert "Refusing to start with DEBUG off" in result.stderr
    assert reason in result.stderr


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        HTTPS="1",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="academy.example.ma",
        VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_celery_defaults_are_safe_for_long_tasks():
    from django.conf import settings

    from academy.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert app.conf.task_time_limit < settings.CELERY_BROKER_VISIBILITY_TIMEOUT
    assert "sweep-stuck-submissions" in app.conf.beat_schedule
