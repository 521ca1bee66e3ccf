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
_IN_TEXT = re.compile(
    r"(?<![\w.\-])"
    r"(?:[A-Za-z]{1,2}(?:[ .+\-]|%20)?\d(?: ?\d){0,5}|\d{3}(?:[ .\-]?\d{3}){2})"
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
