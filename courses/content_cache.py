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
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
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


def cached(name: str, build: Callable[[], T], *parts: object) -> T:
    """``build()``, cached under ``name``, the content version and ``parts`` (values with a stable ``str``)."""
    key = content_key(name, *parts)
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = build()
        cache.set(key, value, timeout=TIMEOUT_SECONDS)
    return value


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


def connect_signals() -> None:
    from courses.models import Course, Lesson, Module, Step, Tag

    request_started.connect(_request_began, dispatch_uid="content-cache-request-started")
    request_finished.connect(_request_ended, dispatch_uid="content-cache-request-finished")
    watch(Course, Module, Step, Lesson, Tag)
    # Data migrations write through historical models, which send no post_save.
    post_migrate.connect(_on_migrate, dispatch_uid="content-cache-migrate")
    for through in (Course.tags.through, Course.co_trainers.through):
        m2m_changed.connect(_on_change, sender=through, dispatch_uid=f"content-cache-m2m-{through.__name__}")
