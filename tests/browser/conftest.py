"""Browser fixtures: Debian's Chromium through Playwright, a live server and a real Celery worker.

The worker runs in a thread of the test process (``celery.contrib.testing``),
consuming from the configured broker: the file-system broker locally, Redis in
CI. Being in-process it reaches the same test database as the live server,
including SQLite's in-memory one, which no subprocess could open.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _unavailable

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
EXPECT_TIMEOUT_MS = 15_000


def chromium_path() -> str:
    return os.environ.get("PLAYWRIGHT_CHROMIUM", DEFAULT_CHROMIUM)


# Package scope: Playwright's running-loop mark must not outlive the browser tests.
@pytest.fixture(scope="package")
def _playwright() -> Iterator[Any]:
    path = chromium_path()
    if not Path(path).is_file() or not os.access(path, os.X_OK):
        _unavailable(f"Chromium is not installed at {path} (set PLAYWRIGHT_CHROMIUM to its path)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    from django.db import connections

    # Playwright's sync API leaves its event loop marked as running in this
    # thread. Django then (1) refuses ORM calls, which here are synchronous
    # anyway, and (2) looks connections up per async context, which would hand
    # the tests new connections instead of the test database's own: keep them.
    test_connections = {alias: connections[alias] for alias in connections}
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            for alias, connection in test_connections.items():
                connections[alias] = connection
            yield playwright
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(_playwright) -> Iterator[Any]:
    from playwright.sync_api import Error

    try:
        chromium = _playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    except Error as error:
        _unavailable(f"Chromium at {chromium_path()} does not start ({error.message.splitlines()[0]})")
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    yield chromium
    chromium.close()


# Data migrations whose rows the journeys need (funding schemes and dossier
# documents, policy rules). Both loaders are idempotent.
DATA_MIGRATIONS = [
    ("funding.migrations.0002_default_configuration", "load"),
    ("labs.migrations.0002_default_policy_rules", "load_default_rules"),
]


@pytest.fixture(autouse=True)
def _migration_data(transactional_db) -> None:
    """Reload what data migrations wrote, which an earlier live-server test's flush erased.

    (``serialized_rollback`` would do it too, but on PostgreSQL its reload collides
    with the content types that the flush of a non-serialized test recreated.)
    """
    from django.apps import apps

    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def page(browser, live_server) -> Iterator[Any]:
    """A fresh browser context (no cookies) on the live server, in French."""
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def celery_worker(live_server, tmp_path) -> Iterator[Any]:
    """A real Celery worker (solo pool, in a thread) consuming the configured broker."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun, task_prerun
    from django.db import connections

    from academy.celery import app

    shared = dict(live_server.thread.connections_override)  # SQLite in memory: one connection for all threads

    def use_test_connections(**_kwargs: Any) -> None:
        for alias, connection in shared.items():
            connections[alias] = connection

    def release_connections(**_kwargs: Any) -> None:
        # A PostgreSQL connection of the worker thread must not outlive the
        # test, or the test database cannot be flushed or dropped.
        for connection in connections.all(initialized_only=True):
            if connection.alias not in shared:
                connection.close()

    previous_options = app.conf.broker_transport_options
    if app.conf.broker_url.startswith("filesystem://"):
        # A private queue folder: no message left by another test is consumed here.
        queue = tmp_path / "broker"
        (queue / "processed").mkdir(parents=True)
        app.conf.broker_transport_options = {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "processed_folder": str(queue / "processed"),
            "store_processed": False,
            "polling_interval": 0.1,
        }
        _reset_pools(app)
    task_prerun.connect(use_test_connections, weak=False)
    task_postrun.connect(release_connections, weak=False)
    try:
        if not app.conf.broker_url.startswith("filesystem://"):
            app.control.purge()
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker
    finally:
        task_prerun.disconnect(use_test_connections)
        task_postrun.disconnect(release_connections)
        if app.conf.broker_transport_options is not previous_options:
            app.conf.broker_transport_options = previous_options
            _reset_pools(app)


def _reset_pools(app) -> None:
    """Drop pooled broker connections so the next publish uses the current options."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


class Screenshots:
    """Saves one PNG per journey step under test-artifacts/screenshots/<test name>/."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0

    def __call__(self, page, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def screenshot(request) -> Screenshots:
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return Screenshots(folder)
