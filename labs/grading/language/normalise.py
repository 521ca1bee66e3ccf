"""Text normalisation that defeats spelling tricks while spans still point into the learner's text.

A prompt is checked on its normalised form, where a name hidden behind invisible or look-alike
characters reads as the name again:

1. format characters are dropped (zero-width space and joiners, soft hyphen, word joiner, byte-order
   mark, bidirectional controls, variation selectors, Hangul fillers);
2. each grapheme (a base character and its combining marks) goes through NFKC, so fullwidth letters,
   ligatures and styled mathematical letters become plain ones;
3. letters of other scripts that look like Latin letters (Cyrillic « е », Greek « ο ») are mapped to the
   Latin letter they imitate, from Unicode's confusables table (TR39's skeleton, letters only);
   Typographic apostrophes become straight ones (the parser's French rules expect « l' »).
4. letters spaced out with one repeated separator (« H a k i m i », « H.a.k.i.m.i ») are joined;
5. digits written inside a word in place of letters (« H4k1m1 »), or as the last letter of a capitalised
   word (« Ronald0 »), are read as those letters.

Case and accents are kept (the parser and the entity recogniser need them); :func:`fold` removes them
for matching, one character for one character.

:class:`NormalisedText` keeps, for every character of the normalised text, the span of the original
text it came from, so a finding on the normalised text is highlighted where the learner typed it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from confusable_homoglyphs.confusables import confusables_data

# Invisible characters that are not in Unicode's "format" category but render as nothing.
_INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u3164\uffa0")
_VARIATION_SELECTORS = re.compile(r"[\ufe00-\ufe0f]|[\U000e0100-\U000e01ef]")

# Four or more single letters with the same separator between them: « H a k i m i », « D-E-E-P ».
_SPACED_LETTERS_RE = re.compile(r"(?<![^\W\d_])[^\W\d_]([ .\-_*·•|/]{1,2})(?:[^\W\d_]\1){2,}[^\W\d_](?![^\W\d_])")

_THREE_SPACED_LETTERS_RE = re.compile(r"(?<![^\W\d_])[^\W\d_] [^\W\d_] [^\W\d_](?![^\W\d_])")

# Digits standing for letters, only inside a word that has letters on both sides of a digit.
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
# A word where a stand-in sits between letters (« M3ssi », « n@zis », « 0b4m4 »); « 50mm », « h264 » or « 4K »
# have no letter on both sides of a digit and stay as they are.
_LEET_WORD_RE = re.compile(r"(?<![\w@$])[013457@$]?[^\W\d_]+(?:[013457@$]+[^\W\d_]+)+[013457@$]?(?![\w@$])")
# A capitalised word of four letters or more ending in one stand-in (« Ronald0 », « Shakir4 »): a name's
# last letter; « Windows7 », « iPhone15 », « S3 » or « Top5 » stay as they are.
_LEET_NAME_END_RE = re.compile(r"(?<![\w@$])[A-Z][^\W\d_]{3,}[0134](?![\w@$])")

_APOSTROPHES = "’‘ʼ`´′"


@dataclass(frozen=True)
class NormalisedText:
    """The normalised text and, for each of its characters, the original span it comes from."""

    original: str
    text: str
    starts: tuple[int, ...]  # original start of each normalised character
    ends: tuple[int, ...]  # original end (exclusive) of each normalised character

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that the normalised span [start, end) comes from."""
        if end <= start:
            position = self.starts[start] if start < len(self.starts) else len(self.original)
            return position, position
        return self.starts[start], self.ends[end - 1]

    @property
    def changed(self) -> bool:
        return self.text != self.original


@cache
def _dictionary_words() -> frozenset[str]:
    from labs.grading.language.pipelines import common_words  # the dictionaries import this module

    return common_words()


@cache
def _latin_lookalike(char: str) -> str | None:
    """The Latin letter ``char`` imitates, if it is a letter of another script that has one."""
    if not char.isalpha() or char.isascii():
        return None
    name = unicodedata.name(char, "")
    if name.startswith("LATIN"):
        return None
    for candidate in confusables_data.get(char, ()):
        target = candidate["c"]
        if len(target) == 1 and target.isascii() and target.isalpha():
            return target
    return None


def _graphemes(text: str) -> list[tuple[int, int]]:
    """Spans of a base character and the combining marks that follow it."""
    spans: list[tuple[int, int]] = []
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or not unicodedata.combining(text[index]):
            spans.append((start, index))
            start = index
    return spans


def _is_invisible(char: str) -> bool:
    return unicodedata.category(char) == "Cf" or char in _INVISIBLE or bool(_VARIATION_SELECTORS.match(char))


def normalise_text(original: str) -> NormalisedText:
    """Normalise ``original`` (see the module docstring); spans map back through the result."""
    if (
        original.isascii()
        and "`" not in original
        and not _SPACED_LETTERS_RE.search(original)
        and not _THREE_SPACED_LETTERS_RE.search(original)
        and not _LEET_WORD_RE.search(original)
        and not _LEET_NAME_END_RE.search(original)
    ):
        n = len(original)
        return NormalisedText(original, original, tuple(range(n)), tuple(range(1, n + 1)))

    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    visible = [(i, c) for i, c in enumerate(original) if not _is_invisible(c)]
    # Graphemes over the visible characters: a mark after a dropped character joins the previous base.
    kept = "".join(c for _i, c in visible)
    for first, last in _graphemes(kept):
        cluster = kept[first:last]
        span_start, span_end = visible[first][0], visible[last - 1][0] + 1
        folded = unicodedata.normalize("NFKC", cluster)
        for char in folded:
            chars.append("'" if char in _APOSTROPHES else _latin_lookalike(char) or char)
            starts.append(span_start)
            ends.append(span_end)
    text = "".join(chars)

    # Joining spaced-out letters drops the separators; three letters only when they spell a word (« n u e »,
    # not « y a à »).
    drop: set[int] = set()
    for match in _THREE_SPACED_LETTERS_RE.finditer(text):
        if fold(match.group().replace(" ", "")) in _dictionary_words():
            drop.update((match.start() + 1, match.start() + 3))
    for match in _SPACED_LETTERS_RE.finditer(text):
        separator_length = len(match.group(1))
        index = match.start() + 1
        while index < match.end():
            drop.update(range(index, index + separator_length))
            index += separator_length + 1
    if drop:
        chars = [c for i, c in enumerate(chars) if i not in drop]
        starts = [s for i, s in enumerate(starts) if i not in drop]
        ends = [e for i, e in enumerate(ends) if i not in drop]
        text = "".join(chars)

    for match in _LEET_WORD_RE.finditer(text):
        for index in range(match.start(), match.end()):
            if chars[index] in _LEET:
                chars[index] = _LEET[chars[index]]
    for match in _LEET_NAME_END_RE.finditer(text):
        chars[match.end() - 1] = _LEET[chars[match.end() - 1]]
    text = "".join(chars)
    return NormalisedText(original, text, tuple(starts), tuple(ends))


@cache
def _fold_char(char: str) -> str:
    """One character, casefolded and stripped of accents, or unchanged if that would change its length."""
    if char in _APOSTROPHES:
        return "'"
    folded = char.casefold()
    if len(folded) != 1:
        folded = char.lower()
        if len(folded) != 1:
            return char
    base = unicodedata.normalize("NFD", folded)[0]
    return base if base.isascii() or unicodedata.category(base)[0] == "L" else folded


def fold(text: str) -> str:
    """Casefold and strip accents, one character for one character, so spans stay valid.

    Decomposed accents (a letter followed by a combining mark) keep their mark; tokenisers ignore it.
    """
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(char) for char in text)
