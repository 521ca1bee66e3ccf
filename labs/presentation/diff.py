"""A word-level diff of two prompts, for the comparison page."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_DIFF_TOKENS = re.compile(r"\s+|[^\W_]+(?:['’\-][^\W_]+)*|.", re.S)


def word_diff(before: str, after: str) -> SafeString:
    """A word-level diff of two prompts: removed words in <del>, added ones in <ins>, all text escaped."""
    old, new = _DIFF_TOKENS.findall(before), _DIFF_TOKENS.findall(after)
    chunks: list[list[str]] = []  # [removed, added] for a change, [same] for equal text
    for op, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        if op == "equal":
            chunks.append([removed])
        elif len(chunks) >= 2 and len(chunks[-2]) == 2 and len(chunks[-1]) == 1 and not chunks[-1][0].strip():
            # Two changes separated by a space read as one: "<del>plan fixe</del>", not two fragments.
            space = chunks.pop()[0]
            chunks[-1][0] += space + removed
            chunks[-1][1] += space + added
        else:
            chunks.append([removed, added])
    html: list[str] = []
    for chunk in chunks:
        if len(chunk) == 1:
            html.append(str(escape(chunk[0])))
            continue
        if chunk[0]:
            html.append(f"<del>{escape(chunk[0])}</del>")
        if chunk[1]:
            html.append(f"<ins>{escape(chunk[1])}</ins>")
    return mark_safe("".join(html))  # noqa: S308 - both prompts are escaped piece by piece
