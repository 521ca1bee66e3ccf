"""Marks on a prompt: the anatomy's elements, the evidence of graded criteria, the words a policy refused.

Every piece of the learner's text is HTML-escaped; only our own <mark> tags
are added.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from labs.models import Criterion, Submission
from labs.presentation.criteria import CriterionRow
from labs.presentation.policy import PolicyReason


@dataclass(frozen=True)
class Span:
    """A stretch of the prompt to mark: ``css`` names its element (or problem), ``title`` explains it."""

    start: int
    end: int
    css: str
    title: str
    finding: bool = False


def highlight(text: str, spans: Iterable[Span]) -> SafeString:
    """The text, HTML-escaped, with <mark> around the spans.

    Spans may overlap (a detailed subject contains a colour): the text is cut at
    every span boundary and each piece takes the class of the innermost element
    covering it, plus ``has-finding`` when a problem covers it too.
    """
    spans = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    bounds = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    pieces: list[tuple[str, str, str]] = []  # (css, title, text)
    for start, end in pairwise(bounds):
        covering = [s for s in spans if s.start <= start and end <= s.end]
        elements = [s for s in covering if not s.finding]
        css_classes = []
        if elements:
            css_classes.append(min(elements, key=lambda s: s.end - s.start).css)
        if any(s.finding for s in covering):
            css_classes.append("has-finding")
        title = " · ".join(dict.fromkeys(str(s.title) for s in covering))
        css = " ".join(css_classes)
        if pieces and pieces[-1][:2] == (css, title):
            pieces[-1] = (css, title, pieces[-1][2] + text[start:end])
        else:
            pieces.append((css, title, text[start:end]))
    html = []
    for css, title, piece in pieces:
        if css:
            html.append(f'<mark class="{escape(css)}" title="{escape(title)}">{escape(piece)}</mark>')
        else:
            html.append(str(escape(piece)))
    return mark_safe("".join(html))  # noqa: S308 - every piece of user text above is escaped


def evidence_spans(submission: Submission, rows: Sequence[CriterionRow]) -> list[Span]:
    """Where each visible, scored criterion found its evidence in the prompt (hidden ones give nothing away)."""
    shown = {row.key: row for row in rows if not row.hidden}
    spans = []
    for item in (submission.result or {}).get("criteria", []):
        row = shown.get(item.get("key", ""))
        missed = float(item.get("score") or 0) <= 0 and item.get("kind") != Criterion.Kind.MUST_NOT_MENTION
        if row is None or missed:
            continue
        spans += [Span(int(start), int(end), row.css, row.label) for start, end in item.get("spans", [])]
    return spans


def policy_spans(submission: Submission, reasons: Sequence[PolicyReason]) -> list[Span]:
    """The words of a blocked prompt that the ethics gate refused, titled with the rule."""
    findings = (submission.result or {}).get("policy", {}).get("findings", [])
    return [
        Span(finding["start"], finding["end"], "policy-term", str(reason.label))
        for finding, reason in zip(findings, reasons, strict=False)
        if "start" in finding and "end" in finding
    ]
