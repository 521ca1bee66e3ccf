"""Sessions as Django's ``cached_db`` keeps them, read together with the keys every page needs next.

A signed-in page reads its session from the cache, then, a moment later, the few keys every page
reads (the course content version, ``courses.content_cache``). Each is a round trip to Redis; read
in one ``get_many`` they cost one. Apps register such keys with ``fetch_with_session(key, receive)``;
``receive(value)`` is called with the value found (or ``None``) in the request that loaded the session.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbSessionStore

_companions: dict[str, Callable[[object], None]] = {}


def fetch_with_session(key: str, receive: Callable[[object], None]) -> None:
    """Read ``key`` from the session cache in the same round trip as the session, and hand it over."""
    _companions[key] = receive


class SessionStore(CachedDbSessionStore):
    def load(self):
        if not _companions:
            return super().load()
        try:
            found = self._cache.get_many([self.cache_key, *_companions])
        except Exception:  # as Django's own load: a backend refusing the key resets the session
            return super().load()
        for key, receive in _companions.items():
            receive(found.get(key))
        data = found.get(self.cache_key)
        if data is None:
            return super().load()  # from the database, then cached, as Django does
        return data
