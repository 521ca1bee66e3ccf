"""``reverse()`` remembered per process: a page builds dozens of links, each the same on every request.

Django's ``reverse`` walks the resolver, quotes and joins on every call (about 30 µs here); a page
with its layout, an outline and a few cards asks for 20 to 60 of them. What it returns depends only
on the view name, the arguments, the URLconf in force, the script prefix and the active language
(translated paths), so all of these are the key. Only plain arguments (``str`` and ``int``) are
remembered; anything else (a model instance, a lazy string) is reversed as usual. The memo is
emptied when a setting it depends on changes (tests override ``ROOT_URLCONF``).

``{% url %}`` in every template uses it (``academy.templatetags.memo_url``, a builtin), and so do
the hot paths that build links in Python (outlines, model URLs).
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse
from django.utils.translation import get_language

_PLAIN = (str, int)


@lru_cache(maxsize=8192)
def _remembered(urlconf, prefix: str, language: str | None, viewname: str, args: tuple, kwargs: tuple, app) -> str:
    del prefix, language  # part of the key only: reverse reads them from the thread's state
    return django_reverse(viewname, urlconf=urlconf, args=args or None, kwargs=dict(kwargs) or None, current_app=app)


def reverse(viewname, urlconf=None, args=None, kwargs=None, current_app=None) -> str:
    """``django.urls.reverse``, remembered when the view is named by a string and the arguments are plain."""
    args = tuple(args or ())
    items = tuple(sorted((kwargs or {}).items()))
    plain = (
        isinstance(viewname, str)
        and all(type(a) in _PLAIN for a in args)
        and all(type(v) in _PLAIN for _, v in items)
        and (current_app is None or isinstance(current_app, str))
    )
    if not plain:
        return django_reverse(viewname, urlconf=urlconf, args=args, kwargs=kwargs, current_app=current_app)
    urlconf = urlconf or get_urlconf() or settings.ROOT_URLCONF
    return _remembered(urlconf, get_script_prefix(), get_language(), viewname, args, items, current_app)


def forget() -> None:
    _remembered.cache_clear()


def _on_setting_changed(setting: str, **kwargs) -> None:
    if setting in {"ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE", "FORCE_SCRIPT_NAME"}:
        forget()


setting_changed.connect(_on_setting_changed, dispatch_uid="academy-urls-memo")
