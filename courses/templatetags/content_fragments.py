"""Fragments rendered once per distinct content, not once per request.

``{% contentcache "name" part part… %}…{% endcontentcache %}`` caches what it encloses under the
content version (``courses.content_cache``), the language, a digest of the template's source (an
edited template never serves an old fragment), the fragment's name and the values of its parts.
The parts must name everything the fragment shows apart from course content: a fragment that shows
a learner's state takes that state as a part. Never put a CSRF token or a message inside one.
``only_if=<value>`` as the last bit caches only when the value is true (searches are too varied to
be worth a cache entry each). ``local`` keeps the fragment in this process only, for fragments that
depend on the code as deployed (the coach's reading of a prompt) rather than on course content:
a new release starts with empty process caches, while the shared cache outlives it.

``{% cached_outline %}…{% endcached_outline %}`` is the outline's own: rendering an outline (dozens
of steps, each with its badges) is most of a course or lesson page's work, yet learners with the
same progress in the same version of a course see the same fragment. Its parts are the outline's
``cache_key`` (every step's state, score and URL: ``courses.selectors.learning.Outline``) and the
options of the include (``linkable``, ``compact``, ``current``, ``oob``). An outline without a
``cache_key`` (an authoring preview) is rendered every time.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from courses import content_cache

register = template.Library()


@lru_cache(maxsize=64)
def _source_digest(origin_name: str) -> str:
    try:
        return hashlib.blake2b(Path(origin_name).read_bytes(), digest_size=8).hexdigest()
    except OSError:
        return "unknown"


_local_fragments = content_cache.ProcessCache(max_entries=2048)


def _render_cached(
    node: template.Node, context: template.Context, name: str, parts: tuple, *, local: bool = False
) -> str:
    origin = node.origin.name if node.origin else ""
    key = content_cache.content_key("fragment", name, get_language(), _source_digest(origin), *parts)
    if local:
        html = _local_fragments.get(key, None)
        if html is None:
            html = str(node.nodelist.render(context))
            _local_fragments.put(key, html)
    else:
        html = content_cache.cached_at(key, lambda: str(node.nodelist.render(context)))
    return mark_safe(html)  # noqa: S308 (the template's own output, escaped when it was rendered)


class ContentCacheNode(template.Node):
    def __init__(self, name, parts: list, only_if, local: bool, nodelist: template.NodeList):
        self.name, self.parts, self.only_if, self.local, self.nodelist = name, parts, only_if, local, nodelist

    def render(self, context: template.Context) -> str:
        if self.only_if is not None and not self.only_if.resolve(context):
            return self.nodelist.render(context)
        parts = tuple(part.resolve(context) for part in self.parts)
        return _render_cached(self, context, str(self.name.resolve(context)), parts, local=self.local)


@register.tag("contentcache")
def contentcache(parser, token) -> ContentCacheNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% contentcache %} needs a fragment name")
    only_if = None
    if bits[-1].startswith("only_if="):
        only_if = parser.compile_filter(bits.pop().removeprefix("only_if="))
    local = bits[-1] == "local"
    if local:
        bits.pop()
    nodelist = parser.parse(("endcontentcache",))
    parser.delete_first_token()
    parts = [parser.compile_filter(bit) for bit in bits[2:]]
    return ContentCacheNode(parser.compile_filter(bits[1]), parts, only_if, local, nodelist)


class CachedOutlineNode(template.Node):
    def __init__(self, nodelist: template.NodeList):
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        outline_key = getattr(context.get("outline"), "cache_key", "")
        if not outline_key:
            return self.nodelist.render(context)
        current = context.get("current")
        parts = (
            outline_key,
            bool(context.get("linkable")),
            bool(context.get("compact")),
            getattr(current, "pk", None),
            bool(context.get("oob")),
        )
        return _render_cached(self, context, "outline", parts)


@register.tag("cached_outline")
def cached_outline(parser, token) -> CachedOutlineNode:
    nodelist = parser.parse(("endcached_outline",))
    parser.delete_first_token()
    return CachedOutlineNode(nodelist)
