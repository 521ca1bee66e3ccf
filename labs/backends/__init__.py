"""The registry of video-generation backends, configured like Django's CACHES.

``settings.VIDEO_BACKENDS`` maps an alias to a dotted class path and its
OPTIONS::

    VIDEO_BACKENDS = {
        "default": {"BACKEND": "labs.backends.simulator.SimulatorBackend", "OPTIONS": {}},
        "runway": {"BACKEND": "labs.backends.runway.RunwayBackend", "OPTIONS": {"api_key": "..."}},
    }

Backend modules are imported only when their alias is first used, so an
optional backend whose dependency is missing (diffusers, torch) never
breaks the others. Instances are cached per alias, per process; the cache is
dropped whenever a test overrides ``VIDEO_BACKENDS``.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from labs.backends.base import BackendError, VideoBackend

logger = logging.getLogger(__name__)

DEFAULT_ALIAS = "default"

_instances: dict[str, VideoBackend] = {}
_lock = threading.Lock()


class UnknownBackend(BackendError):
    """The alias is not configured, or its class cannot be loaded."""

    code = "unknown_backend"


def _configuration() -> dict[str, dict[str, Any]]:
    return getattr(settings, "VIDEO_BACKENDS", None) or {}


def _backend_class(alias: str) -> type[VideoBackend]:
    configuration = _configuration()
    if alias not in configuration:
        known = ", ".join(sorted(configuration)) or "none"
        raise UnknownBackend(f"No video backend named {alias!r} in settings.VIDEO_BACKENDS (configured: {known}).")
    dotted_path = configuration[alias].get("BACKEND", "")
    try:
        backend_class = import_string(dotted_path)
    except ImportError as exc:
        raise UnknownBackend(f"Video backend {alias!r}: cannot import {dotted_path!r} ({exc}).") from exc
    if not (isinstance(backend_class, type) and issubclass(backend_class, VideoBackend)):
        raise UnknownBackend(f"Video backend {alias!r}: {dotted_path!r} is not a VideoBackend subclass.")
    return backend_class


def get_backend(alias: str = DEFAULT_ALIAS) -> VideoBackend:
    """The configured backend for ``alias``, built once per process."""
    backend = _instances.get(alias)
    if backend is not None:
        return backend
    with _lock:
        backend = _instances.get(alias)
        if backend is None:
            backend_class = _backend_class(alias)
            options = dict(_configuration()[alias].get("OPTIONS") or {})
            backend = backend_class(alias=alias, **options)
            _instances[alias] = backend
    return backend


def describe_backend(alias: str) -> str:
    """What renders with ``alias``, for people: the backend's label and its configured model ("" if unknown)."""
    try:
        backend_class = _backend_class(alias)
    except UnknownBackend:
        return ""
    model = (_configuration()[alias].get("OPTIONS") or {}).get("model") or getattr(backend_class, "default_model", "")
    return f"{backend_class.label} — {model}" if model else str(backend_class.label)


def backend_choices() -> list[tuple[str, str]]:
    """``(alias, label)`` pairs for a trainer's form: every backend that can be loaded, with its model."""
    choices = []
    for alias in _configuration():
        description = describe_backend(alias)
        if not description:
            logger.warning("Video backend %r is configured but cannot be loaded; it is not offered.", alias)
            continue
        choices.append((alias, description))
    return choices


def reset_backends() -> None:
    """Forget the cached instances (the next ``get_backend`` builds them again)."""
    with _lock:
        _instances.clear()


@receiver(setting_changed)
def _reset_on_setting_change(*, setting: str, **kwargs: Any) -> None:
    if setting == "VIDEO_BACKENDS":
        reset_backends()


__all__ = ["DEFAULT_ALIAS", "UnknownBackend", "backend_choices", "describe_backend", "get_backend", "reset_backends"]
