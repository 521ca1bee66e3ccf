"""academy.sessions: Django's cached_db sessions, read with their companion keys in one round trip."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from academy import sessions

pytestmark = pytest.mark.django_db


@pytest.fixture
def companion():
    received = []
    saved = dict(sessions._companions)
    sessions.fetch_with_session("test:companion", received.append)
    yield received
    sessions._companions.clear()
    sessions._companions.update(saved)


def test_the_session_and_its_companions_come_back_together(companion):
    store = sessions.SessionStore()
    store["answer"] = 42
    store.create()
    cache.set("test:companion", "hello")

    loaded = sessions.SessionStore(store.session_key)

    assert loaded["answer"] == 42
    assert companion == ["hello"]


def test_a_session_the_cache_lost_is_read_from_the_database(companion):
    store = sessions.SessionStore()
    store["answer"] = 42
    store.create()
    cache.clear()

    loaded = sessions.SessionStore(store.session_key)

    assert loaded["answer"] == 42
    assert companion == [None]
    assert cache.get(loaded.cache_key) == {"answer": 42}  # cached again, as Django does


def test_a_signed_in_page_takes_the_content_version_from_the_sessions_round_trip(client, django_user_model):
    from courses import content_cache

    user = django_user_model.objects.create_user(email="lecteur@example.com", password="x-Secret-2026")
    client.force_login(user)
    content_cache.content_version()  # the shared version exists
    cache.incr(content_cache.VERSION_KEY)
    alone, together, inside = [], [], []
    original_get, original_get_many = cache.get, cache.get_many

    def counting_get(key, *args, **kwargs):
        if not inside:  # LocMemCache's get_many is a loop over get: only count the gets of their own
            alone.append(key)
        return original_get(key, *args, **kwargs)

    def counting_get_many(keys, *args, **kwargs):
        together.append(list(keys))
        inside.append(True)
        try:
            return original_get_many(keys, *args, **kwargs)
        finally:
            inside.pop()

    cache.get, cache.get_many = counting_get, counting_get_many
    try:
        assert client.get("/cours/catalogue/").status_code == 200
    finally:
        del cache.get, cache.get_many
    assert content_cache.VERSION_KEY not in alone
    assert any(content_cache.VERSION_KEY in keys and len(keys) == 2 for keys in together)
