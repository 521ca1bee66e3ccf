"""Trainer-written Markdown to safe HTML, for lessons and course texts.

Markdown lets authors write raw HTML, so the rendered HTML is cleaned with an
allow-list (nh3) before it reaches a page: no scripts, styles, frames, forms,
event handlers or style attributes; links only to http(s), mailto or our own
relative URLs; images only from our own relative URLs or https.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import markdown as markdown_lib
import nh3
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "dl", "dt", "em", "figcaption",
        "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre",
        "s", "small", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u",
        "ul",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
}

URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})

# Tags whose text must disappear with them (not be shown as plain text).
CLEAN_CONTENT_TAGS: frozenset[str] = frozenset({"script", "style", "iframe", "object", "embed", "template", "textarea"})

_MARKDOWN_EXTENSIONS = ["tables", "fenced_code", "sane_lists"]
_MARKDOWN_CONFIG = {"tables": {"use_align_attribute": True}}


def _is_allowed_image_source(value: str) -> bool:
    """Our own pages (``/cours/images/…``) or https; never data:, http: or protocol-relative URLs."""
    value = value.strip()
    if value.startswith("//"):
        return False
    if value.startswith("/"):
        return True
    return value.lower().startswith("https://")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not _is_allowed_image_source(value):
        return None
    return value


_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(CLEAN_CONTENT_TAGS),
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_filter_attribute,
    url_schemes=set(URL_SCHEMES),
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def render_markdown(text: str) -> SafeString:
    """Render Markdown written by a trainer to HTML that is safe to include in a page.

    Results are cached by a hash of the text: the same text always renders
    the same HTML, so an edit simply misses the cache. Each process also keeps
    the texts it rendered last (course descriptions and lab briefs are read on
    every visit of their pages).
    """
    if not text:
        return mark_safe("")  # noqa: S308 - empty string
    return mark_safe(_remembered_html(text))  # noqa: S308 - sanitised by the allow-list above


@lru_cache(maxsize=512)
def _remembered_html(text: str) -> str:
    key = f"markdown:v1:{hashlib.sha256(text.encode('utf-8')).hexdigest()}"
    html = cache.get(key)
    if html is None:
        html = _render(text)
        cache.set(key, html, timeout=_CACHE_SECONDS)
    return html


_CACHE_SECONDS = 24 * 3600


def _render(text: str) -> str:
    html = markdown_lib.markdown(text, extensions=_MARKDOWN_EXTENSIONS, extension_configs=_MARKDOWN_CONFIG)
    return _cleaner.clean(html)
