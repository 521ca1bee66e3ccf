"""The real stack for fault tests: PostgreSQL, a private Redis or the file-system broker, Celery worker processes."""

from __future__ import annotations

import os
import time
from decimal import Decimal

import pytest

from tests.conftest import _unavailable
from tests.faults.stack import PrivateRedis, WorkerProcess

# Short deadlines so the sweeper and Redis redelivery act within a test run.
FAULT_ENV = {
    "LAB_QUEUED_DEADLINE_SECONDS": "90",
    "LAB_RUNNING_DEADLINE_SECONDS": "20",
    "LAB_RETRY_BACKOFF_SECONDS": "0.2",
    "CELERY_BROKER_VISIBILITY_TIMEOUT": "15",
    "LAB_SUBMISSION_RATE_COUNT": "1000",
}


@pytest.fixture
def fault_db(transactional_db):
    """Committed data on PostgreSQL, so worker processes see it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        _unavailable(f"fault tests need PostgreSQL (DATABASE_URL gives {connection.vendor})")
    return connection


@pytest.fixture
def private_redis(tmp_path):
    if not PrivateRedis.available():
        _unavailable("redis-server is not installed")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def _broker_settings(broker: str, tmp_path, private_redis) -> tuple[str, str | None, dict]:
    """(URL, transport class, transport options) for this process, matching what the workers' settings compute."""
    if broker == "filesystem":
        folders = tmp_path / "var" / "broker"
        for sub in ("queue", "processed", "control"):
            (folders / sub).mkdir(parents=True, exist_ok=True)
        options = {
            "data_folder_in": str(folders / "queue"),
            "data_folder_out": str(folders / "queue"),
            "processed_folder": str(folders / "processed"),
            "control_folder": str(folders / "control"),
            "store_processed": False,
        }
        return "filesystem://", "academy.filesystem_transport:Transport", options
    return private_redis.url, None, {"visibility_timeout": 15}


@pytest.fixture
def stack(request, fault_db, private_redis, tmp_path, settings, monkeypatch):
    """Point this process and the workers at the broker and the test database.

    The broker is a private Redis (production), or the folders of the embedded
    run with ``@pytest.mark.parametrize("stack", ["filesystem"], indirect=True)``.
    """
    from academy.celery import app

    broker = getattr(request, "param", "redis")

    db = settings.DATABASES["default"]
    database_url = f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    broker_url, transport, options = _broker_settings(broker, tmp_path, private_redis)
    env = {
        **os.environ,
        **FAULT_ENV,
        "DJANGO_SETTINGS_MODULE": "academy.settings_test",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "REDIS_URL": private_redis.url.rsplit("/", 1)[0] + "/1",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "VAR_DIR": str(tmp_path / "var"),
        "PYTHONUNBUFFERED": "1",
    }
    for key, value in FAULT_ENV.items():
        setattr(settings, key, float(value) if "BACKOFF" in key else int(value))
    settings.LAB_SUBMISSION_RATE = (1000, 60)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_BROKER_URL = broker_url
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
    # Celery reads CELERY_BROKER_URL from the environment first; drop pooled connections to the old broker.
    monkeypatch.setenv("CELERY_BROKER_URL", broker_url)
    previous = (app.conf.broker_transport_options, app.conf.broker_transport)
    app.conf.broker_transport_options = options
    app.conf.broker_transport = transport
    _reset_pools(app)

    class Stack:
        redis = private_redis
        environment = env
        workers: list[WorkerProcess] = []

        def worker(self, concurrency: int = 2) -> WorkerProcess:
            process = WorkerProcess(env, concurrency=concurrency, log=tmp_path / "worker.log")
            self.workers.append(process)
            return process

    yield Stack()
    for process in Stack.workers:
        process.stop()
    monkeypatch.delenv("CELERY_BROKER_URL")
    app.conf.broker_transport_options, app.conf.broker_transport = previous
    _reset_pools(app)


def _reset_pools(app) -> None:
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


def make_lab(*, slug: str = "fault-lab", backend_alias: str = "default"):
    from courses.models import Step
    from labs.models import Criterion, Lab
    from tests.factories import StepFactory

    step = StepFactory(kind=Step.Kind.LAB, title="Labo de résistance")
    lab = Lab.objects.create(
        step=step,
        slug=slug,
        brief="…",
        duration_s=Decimal("1"),
        aspect_ratio=Lab.AspectRatio.SQUARE,
        backend_alias=backend_alias,
        pass_mark=50,
        max_attempts=5,
        budget_generations_per_learner=0,
    )
    Criterion.objects.create(lab=lab, kind="anatomy", element="subject", weight=50)
    Criterion.objects.create(lab=lab, kind="policy", weight=50)
    return lab


def wait_for_terminal(ids, *, timeout: float, sweep_every: float = 5.0) -> dict[str, int]:
    """Wait until every submission is terminal, running the sweeper as beat would."""
    from labs.models import Submission
    from labs.tasks import sweep_stuck_submissions

    deadline = time.monotonic() + timeout
    next_sweep = time.monotonic() + sweep_every
    while time.monotonic() < deadline:
        remaining = Submission.objects.filter(pk__in=ids).exclude(state__in=Submission.TERMINAL_STATES).count()
        if remaining == 0:
            break
        if time.monotonic() >= next_sweep:
            sweep_stuck_submissions()
            next_sweep = time.monotonic() + sweep_every
        time.sleep(0.5)
    states = {}
    for state in Submission.objects.filter(pk__in=ids).values_list("state", flat=True):
        states[state] = states.get(state, 0) + 1
    return states
