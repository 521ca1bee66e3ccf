"""The cache rate limiter: fixed windows that last what they say, on every cache backend."""

from __future__ import annotations

import pytest

from academy.ratelimit import Rate, hit

CACHE_BACKENDS = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "file": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache"},
}


@pytest.fixture(params=sorted(CACHE_BACKENDS))
def cache_backend(request, settings, tmp_path):
    config = dict(CACHE_BACKENDS[request.param])
    if request.param == "file":
        config["LOCATION"] = str(tmp_path)
    settings.CACHES = {"default": config}
    return request.param


def test_the_window_allows_count_hits_then_says_how_long_to_wait(cache_backend):
    rate = Rate(count=3, seconds=60)
    verdicts = [hit("k", rate, now=1200.0 + n) for n in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert verdicts[-1].retry_after == 57


def test_refused_hits_do_not_extend_the_window(cache_backend):
    rate = Rate(count=1, seconds=3600)
    assert hit("k", rate, now=7200.0).allowed
    for minute in range(1, 60):
        assert not hit("k", rate, now=7200.0 + minute * 60).allowed
    assert hit("k", rate, now=7200.0 + 3600).allowed


def test_a_long_window_survives_the_backend_default_expiry(cache_backend, monkeypatch):
    # the file cache resets a key's expiry to the 5-minute default on incr: an hour must still be an hour
    import time

    rate = Rate(count=2, seconds=3600)
    clock = [36000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    assert hit("k", rate).allowed and hit("k", rate).allowed
    clock[0] += 1800
    assert not hit("k", rate).allowed


def test_keys_are_counted_apart(cache_backend):
    rate = Rate(count=1, seconds=60)
    assert hit("a", rate, now=60.0).allowed
    assert hit("b", rate, now=60.0).allowed
    assert not hit("a", rate, now=61.0).allowed


def test_an_unreachable_cache_allows_the_hit_and_says_so(monkeypatch):
    from django.core.cache import cache

    from academy import ratelimit

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    warnings = []
    monkeypatch.setattr(cache, "add", down)
    monkeypatch.setattr(ratelimit.logger, "warning", lambda message, *args, **kwargs: warnings.append(message % args))
    assert hit("labs-submit:7", Rate(count=0, seconds=60)).allowed
    assert warnings == ["rate limit labs-submit unavailable, hit allowed"]
