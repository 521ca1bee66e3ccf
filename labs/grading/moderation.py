"""An optional pre-check of prompts with OpenAI's omni-moderation endpoint (free of charge).

Configured by ``settings.MODERATION = {"api_key", "base_url", "model"}``;
without an API key there is no client and the app relies on its own policy
rules. Omni-moderation has no category for real people's likeness or for
copyrighted characters: those stay the policy module's job.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from labs.backends.http import HttpClient, HttpSettings

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "omni-moderation-latest"


@dataclass(frozen=True)
class ModerationResult:
    flagged: bool
    categories: list[str] = field(default_factory=list)  # names of the flagged categories, e.g. "violence/graphic"
    scores: dict[str, float] = field(default_factory=dict)


class ModerationClient:
    """``POST {base_url}/moderations``; transient failures raise :class:`TransientBackendError`."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        model: str = DEFAULT_MODEL,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
    ):
        self.model = model or DEFAULT_MODEL
        self.http = HttpClient(
            HttpSettings(
                base_url=(base_url or DEFAULT_BASE_URL).rstrip("/"),
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
            ),
            provider="moderation",
            auth_headers={"Authorization": f"Bearer {api_key}"},
            secrets=(api_key,),
        )

    def __repr__(self) -> str:
        return f"<ModerationClient model={self.model!r}>"

    def check(self, text: str) -> ModerationResult:
        payload = self.http.json("POST", "moderations", json={"model": self.model, "input": text})
        results = payload.get("results")
        if not isinstance(results, list) or not results or not isinstance(results[0], dict):
            raise self.http.malformed("results")
        result: dict[str, Any] = results[0]
        categories = result.get("categories") or {}
        scores = result.get("category_scores") or {}
        if (
            not isinstance(result.get("flagged"), bool)
            or not isinstance(categories, dict)
            or not isinstance(scores, dict)
        ):
            raise self.http.malformed("results[0]")
        return ModerationResult(
            flagged=result["flagged"],
            categories=sorted(name for name, hit in categories.items() if hit is True),
            scores={name: float(score) for name, score in scores.items() if isinstance(score, int | float)},
        )


_client_cache: dict[str, ModerationClient | None] = {}
_lock = threading.Lock()


def get_moderation_client() -> ModerationClient | None:
    """The client configured in ``settings.MODERATION``, or None when no API key is set."""
    with _lock:
        if "client" not in _client_cache:
            _client_cache["client"] = _build_client(getattr(settings, "MODERATION", None) or {})
        return _client_cache["client"]


def _build_client(configuration: dict[str, Any]) -> ModerationClient | None:
    api_key = str(configuration.get("api_key") or "")
    if not api_key:
        return None
    return ModerationClient(
        api_key=api_key,
        base_url=str(configuration.get("base_url") or DEFAULT_BASE_URL),
        model=str(configuration.get("model") or DEFAULT_MODEL),
        connect_timeout=float(configuration.get("connect_timeout", 5.0)),
        read_timeout=float(configuration.get("read_timeout", 10.0)),
    )


@receiver(setting_changed)
def _reset_on_setting_change(*, setting: str, **kwargs: Any) -> None:
    if setting == "MODERATION":
        with _lock:
            _client_cache.clear()
