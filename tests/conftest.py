"""Fixtures shared by the whole suite, notably the real-service gates.

A test that needs PostgreSQL, Redis or a Celery worker asks for the matching
fixture. When the service is absent it is skipped with the reason, unless
REQUIRE_SERVICES=1 (as in CI), where the same absence fails the test.
"""

import os

import freezegun
import pytest
from django.conf import settings

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"

# freeze_time walks every loaded module; the lazy modules of the optional GPU
# extra (loaded by the diffusers backend tests) import on attribute access.
freezegun.configure(extend_ignore_list=["torch", "transformers", "diffusers", "accelerate"])


def _unavailable(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def postgres_db(db):
    """The test database, which must be PostgreSQL."""
    from django.db import connection

    if connection.vendor != "postgresql":
        _unavailable(f"PostgreSQL is not configured (DATABASE_URL gives {connection.vendor})")
    return connection


@pytest.fixture(scope="session")
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    if not url:
        _unavailable("REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        _unavailable(f"Redis at {url} is unreachable ({error})")
    return url


@pytest.fixture(scope="session")
def redis_broker_url(redis_url):
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith(("redis://", "rediss://")):
        _unavailable(f"CELERY_BROKER_URL is not Redis ({broker.split(':')[0]})")
    return broker


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (rate limits, cached rules)."""
    from django.core.cache import cache

    cache.clear()
    yield


# --- content credentials: a demonstration signing CA made once per session (EC keys: milliseconds) ---


@pytest.fixture(scope="session")
def demo_ca(tmp_path_factory):
    from provenance.demo_ca import create_demo_ca

    return create_demo_ca(tmp_path_factory.mktemp("provenance-ca"), school_name="École de démonstration")


@pytest.fixture
def signing(settings, demo_ca):
    """Settings with a signing key, and the demo root as the verify page's trust anchor."""
    settings.PROVENANCE = {
        **settings.PROVENANCE,
        "SCHOOL_NAME": "École de démonstration",
        "SIGNING_CERT": str(demo_ca.signing_chain),
        "SIGNING_KEY": str(demo_ca.signing_key),
        "TRUST_ANCHORS": str(demo_ca.root_cert),
    }
    return demo_ca


@pytest.fixture
def no_signing(settings, tmp_path):
    settings.PROVENANCE = {
        **settings.PROVENANCE,
        "SIGNING_CERT": str(tmp_path / "missing.pem"),
        "SIGNING_KEY": str(tmp_path / "missing-key.pem"),
        "TRUST_ANCHORS": "",
    }
