"""Template filters of the community pages."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.safestring import SafeString

from community.forms import format_timecode
from courses.api import render_markdown

register = template.Library()


@register.filter
def timecode(seconds: Decimal | float | None) -> str:
    """12.5 → « 0:12.5 »: how a moment of a video is written on the timeline."""
    return format_timecode(seconds)


@register.filter
def markdown(text: str) -> SafeString:
    """A discussion message as HTML, cleaned by the lessons' sanitiser."""
    return render_markdown(text or "")


@register.filter
def level_of(review, criterion_id: int):
    """The score a review gave one criterion (None when absent), from its prefetched scores."""
    return next((score for score in review.scores.all() if score.criterion_id == criterion_id), None)


@register.simple_tag
def usefulness_choices() -> list[tuple[int, str]]:
    """The 1–5 usefulness scale as (value, label), for the rating form of a review."""
    from community.forms import RateForm

    return list(RateForm.base_fields["usefulness"].choices)
