"""Rate limits kept in the cache: N hits per fixed window of S seconds.

The window is part of the cache key (``…:<window number>``), so it lasts
exactly S seconds whatever the cache backend does with expiry: the file
cache of the embedded run, for instance, resets a key's expiry to its
default on ``incr``, which made a key-with-expiry limiter behave as a
5-minute window that every refused try restarted. Refused hits are counted
in the window they fall in and never extend it, so the message can say
exactly when the next try is allowed.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def from_setting(cls, value: tuple[int, int]) -> Rate:
        count, seconds = value
        return cls(count=int(count), seconds=int(seconds))


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # whole seconds until the window ends (0 when allowed)


def hit(key: str, rate: Rate, *, now: float | None = None) -> Verdict:
    """Count one hit on ``key``; refuse it when the window already holds ``rate.count`` hits.

    When the cache is unreachable the hit is allowed (and logged): losing a
    learner's work or a password reset is worse than a moment without limit.
    """
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    window_end = (window + 1) * rate.seconds
    cache_key = f"ratelimit:{key}:{rate.seconds}:{window}"
    keep_for = math.ceil(window_end - now) + 1
    try:
        if cache.add(cache_key, 1, timeout=keep_for):
            used = 1
        else:
            try:
                used = cache.incr(cache_key)
            except ValueError:  # expired between add and incr
                cache.set(cache_key, 1, timeout=keep_for)
                used = 1
            # Some backends (file cache) reset the expiry on incr; it is only housekeeping here.
            cache.touch(cache_key, keep_for)
    except Exception:
        logger.warning("rate limit %s unavailable, hit allowed", key.split(":", 1)[0], exc_info=True)
        return Verdict(allowed=True)
    if used <= rate.count:
        return Verdict(allowed=True)
    return Verdict(allowed=False, retry_after=max(math.ceil(window_end - now), 1))
