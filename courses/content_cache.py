"""Course content cached per content version: what every learner of a course sees alike.

Modules, steps and the public part of a course page are the same for every learner and change only
when a trainer edits a course, so they are read from the cache (Redis in production) under a key
that holds the *content version*: one number, bumped by every write to courses, modules, steps, tags,
co-trainers or lessons. A bump makes every cached entry unreachable at once, so a page never shows
content older than the last edit; the entries left behind expire on their own.

The bump is wired to model signals (``connect_signals``, called by ``courses.apps``) rather than to
the authoring services alone: the admin, data migrations and other apps write these rows too, and a
missed path would show stale content. Bulk updates send no signal; the services that use them call
``bump_content_version`` themselves. A learner's progress is never cached here: pages overlay it on
the cached content at each request.

Each process also keeps the entries it has read (``_process_cache``, a bounded LRU): a hit then costs
neither a round trip to the cache server nor unpickling. This stays exact across processes because
keys carry the content version, which every request reads from the shared cache once: a bump by any
process makes every process's copies unreachable. Values are shared between requests and threads, so
readers must treat them as read-only.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import TypeVar

from asgiref.local import Local
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

logger = logging.getLogger(__name__)
VERSION_KEY = "courses:content-version"
TIMEOUT_SECONDS = 24 * 3600
T = TypeVar("T")
_MISSING = object()
# Within one request the version is read once (a page asks for it several times); outside requests
# (workers, commands) it is read every time.
_request = Local()


def _request_began(**kwargs) -> None:
    _request.in_request, _request.version = True, None


def _request_ended(**kwargs) -> None:
    _request.in_request, _request.version = False, None


def content_version() -> int:
    """The current content version; a fresh one (the clock, in nanoseconds) when the cache lost it."""
    remembered = getattr(_request, "version", None)
    if remembered is not None:
        return remembered
    version = cache.get(VERSION_KEY)
    if version is None:
        version = time.time_ns()
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY, version)
    if getattr(_request, "in_request", False):
        _request.version = version
    return version


def _bump() -> None:
    _request.version = None
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # absent: any fresh number differs from the ones used before
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def bump_content_version() -> None:
    """Make every cached piece of course content unreachable: now, and again once the transaction commits.

    The second bump covers a page read between the write and the commit, which would otherwise cache
    the old rows under the new version.
    """
    _bump()
    transaction.on_commit(_bump)


class ProcessCache:
    """A bounded, thread-safe LRU of this process's content entries (keys hold the content version)."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._entries: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, default: object = _MISSING) -> object:
        with self._lock:
            value = self._entries.get(key, _MISSING)
            if value is _MISSING:
                return default
            self._entries.move_to_end(key)
            return value

    def put(self, key, value: object) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


# Outlines, lessons, labs, catalogue pages and fragments of a few hundred courses: tens of megabytes.
_process_cache = ProcessCache(max_entries=4096)


def cached(name: str, build: Callable[[], T], *parts: object) -> T:
    """``build()``, cached under ``name``, the content version and ``parts`` (values with a stable ``str``).

    The value is shared with every other reader of this process: do not modify it.
    """
    return cached_at(content_key(name, *parts), build)


def cached_at(key: str, build: Callable[[], T]) -> T:
    """``build()`` cached under ``key``, a key made by ``content_key`` (read-only value, as for ``cached``)."""
    value = _process_cache.get(key)
    if value is _MISSING:
        value = cache.get(key, _MISSING)
        if value is _MISSING:
            value = build()
            cache.set(key, value, timeout=TIMEOUT_SECONDS)
        _process_cache.put(key, value)
    return value  # type: ignore[return-value]


def cached_many(keys: Iterable[str], build: Callable[[list[str]], dict[str, object]]) -> dict[str, object]:
    """``cached_at`` for several keys: one round trip to the cache server for those this process lacks,
    one call of ``build(missing keys)`` (returning a value per key) for those nobody has."""
    found = {key: _process_cache.get(key) for key in keys}
    wanted = [key for key, value in found.items() if value is _MISSING]
    if wanted:
        shared = cache.get_many(wanted)
        absent = [key for key in wanted if key not in shared]
        if absent:
            built = build(absent)
            cache.set_many(built, timeout=TIMEOUT_SECONDS)
            shared |= built
        for key in wanted:
            _process_cache.put(key, shared[key])
            found[key] = shared[key]
    return found


def content_key(name: str, *parts: object, version: int | None = None) -> str:
    """A cache key naming ``parts`` under the current content version (short: parts are hashed)."""
    digest = hashlib.blake2b("\x1f".join(str(p) for p in parts).encode(), digest_size=12).hexdigest()
    return f"courses:{name}:{content_version() if version is None else version}:{digest}"


def _on_change(sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # loading fixtures: nothing has been cached from these rows
    bump_content_version()


def _on_migrate(sender, **kwargs) -> None:
    try:
        _bump()
    except Exception:  # a cache out of reach must not stop a migration; its entries expire within a day
        logger.warning("content version not bumped after migrations: cache unreachable", exc_info=True)


def watch(*models) -> None:
    """Bump the content version whenever a row of these models is saved or deleted.

    Apps above courses (labs) watch the models they cache under the content version.
    """
    for model in models:
        label = model._meta.label
        post_save.connect(_on_change, sender=model, dispatch_uid=f"content-cache-save-{label}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"content-cache-delete-{label}")


def _received_with_session(version: object) -> None:
    # The version read in the session's round trip (academy.sessions): this request's, if it is one.
    if version is not None and getattr(_request, "in_request", False) and getattr(_request, "version", None) is None:
        _request.version = version


def connect_signals() -> None:
    from academy.sessions import fetch_with_session
    from courses.models import Course, Lesson, Module, Step, Tag

    fetch_with_session(VERSION_KEY, _received_with_session)

    request_started.connect(_request_began, dispatch_uid="content-cache-request-started")
    request_finished.connect(_request_ended, dispatch_uid="content-cache-request-finished")
    watch(Course, Module, Step, Lesson, Tag)
    # Data migrations write through historical models, which send no post_save.
    post_migrate.connect(_on_migrate, dispatch_uid="content-cache-migrate")
    for through in (Course.tags.through, Course.co_trainers.through):
        m2m_changed.connect(_on_change, sender=through, dispatch_uid=f"content-cache-m2m-{through.__name__}")
