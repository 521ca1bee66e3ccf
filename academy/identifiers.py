"""Moroccan personal identifiers: what they look like, and how they are hidden.

One definition serves the funding validators, the log filter and error
reports (every CIN- or CNSS-shaped token of a log line is hidden) and the
on-screen mask. A CIN is one or two letters then 1 to 6 digits (older cards
have short numbers); a CNSS affiliation number is nine digits.
"""

from __future__ import annotations

import re

# Canonical forms, as stored: upper case, no separators.
CIN_RE = re.compile(r"[A-Z]{1,2}\d{1,6}")
CNSS_RE = re.compile(r"\d{9}")

# The same shapes as typed in free text or a URL: any case, a space (or "+", "%20"),
# dot or hyphen between letters and digits, spaces between digits, a CNSS number in groups of three.
# A token glued to a word, a dot (file extensions: mp4) or a hyphen (UUIDs) is left alone.
# Letters set apart from a short number are a CIN only in capitals (« Q 12 »): in lower case
# they are words of the log line itself (Celery's « succeeded in 0.02s », « retry in 5 s »).
_SEPARATOR = r"(?:[ .+\-]|%20)"
_IN_TEXT = re.compile(
    r"(?<![\w.\-])"
    r"(?:[A-Za-z]{1,2}\d(?: ?\d){0,5}"  # glued: BE123456, q1234
    rf"|[A-Z]{{1,2}}{_SEPARATOR}\d(?: ?\d){{0,5}}"  # set apart, capitals: BE 123456, Q 12
    rf"|[A-Za-z]{{1,2}}{_SEPARATOR}\d(?: ?\d){{3,5}}"  # set apart, any case, four digits or more: be 1234
    r"|\d{3}(?:[ .\-]?\d{3}){2})"  # CNSS: 123456789, 123 456 789
    r"(?![\w\-])"
)
LOG_MASK = "[masqué]"


def mask_in_text(text: str) -> str:
    """``text`` with every CIN- or CNSS-shaped token replaced by ``[masqué]``."""
    return _IN_TEXT.sub(LOG_MASK, text)


def mask_for_display(value: str) -> str:
    """``BE123456`` → ``••••••56``: at most two characters, never more than a third of the value."""
    visible = min(2, len(value) // 3)
    return "•" * (len(value) - visible) + value[len(value) - visible :]
