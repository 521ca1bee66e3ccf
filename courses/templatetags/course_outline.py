"""``{% cached_outline %}…{% endcached_outline %}``: the outline fragment, rendered once per distinct outline.

Rendering an outline (dozens of steps, each with its state badges) is most of a course or lesson
page's server time, yet learners with the same progress in the same version of a course see the same
fragment. The key holds the outline's ``cache_key`` (content version, course, every step's state,
score and URL: ``courses.selectors.learning.Outline``), the options of the include (``linkable``,
``compact``, ``current``, ``oob``), the language and a digest of the template's source, so an edited
template never serves an old fragment. An outline without a ``cache_key`` (an authoring preview) is
rendered every time.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from django import template
from django.core.cache import cache
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from courses.content_cache import TIMEOUT_SECONDS

register = template.Library()


@lru_cache(maxsize=32)
def _source_digest(origin_name: str) -> str:
    try:
        return hashlib.blake2b(Path(origin_name).read_bytes(), digest_size=8).hexdigest()
    except OSError:
        return "unknown"


class CachedOutlineNode(template.Node):
    def __init__(self, nodelist: template.NodeList):
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        outline_key = getattr(context.get("outline"), "cache_key", "")
        if not outline_key:
            return self.nodelist.render(context)
        current = context.get("current")
        options = (
            bool(context.get("linkable")),
            bool(context.get("compact")),
            getattr(current, "pk", None),
            bool(context.get("oob")),
            get_language(),
            _source_digest(self.origin.name if self.origin else ""),
        )
        key = f"{outline_key}:" + ":".join(str(option) for option in options)
        html = cache.get(key)
        if html is None:
            html = self.nodelist.render(context)
            cache.set(key, str(html), timeout=TIMEOUT_SECONDS)
        return mark_safe(html)  # noqa: S308 (the template's own output, escaped when it was rendered)


@register.tag("cached_outline")
def cached_outline(parser, token) -> CachedOutlineNode:
    nodelist = parser.parse(("endcached_outline",))
    parser.delete_first_token()
    return CachedOutlineNode(nodelist)
