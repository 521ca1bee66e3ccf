"""The tool served by pytest-django's live server, driven by a real platform (tests/lti/platform.py)."""

from __future__ import annotations

import pytest

from tests.faults.conftest import fault_db, private_redis, stack  # noqa: F401 (the real worker stack)
from tests.lti.platform import Browser, Platform


@pytest.fixture
def platform(live_server):
    """A running platform, registered in the Academy like an administrator would (issuer, client, deployment)."""
    from lti.services.platforms import platform_save

    server = Platform(tool_base=live_server.url)
    server.start()
    server.registration = platform_save(
        name="Moodle de test", deployment_ids=[server.deployment_id], product="moodle", **server.registration_fields()
    )
    yield server
    server.stop()


@pytest.fixture
def browser():
    browser = Browser()
    yield browser
    browser.close()


@pytest.fixture
def another_browser():
    browser = Browser()
    yield browser
    browser.close()
