"""The film vocabulary of each language, compiled into a token trie, and the lexicons the parse reads.

Cinematography is a trade vocabulary (« travelling avant », « golden hour », « faible profondeur de
champ »): the parse cannot tell these apart, so they stay lists. Who, doing what and where is read
from the parse (:mod:`labs.grading.language.scene`), helped by the typed noun lexicons kept here.

Vocabulary files: ``labs/grading/vocab/<language>.json``, one per language::

    {
      "language": "fr",
      "stopwords": ["le", "la", ...],          # language detection
      "numbers": ["deux", "trois", ...],       # words that <num> matches, besides digits
      "inflections": [["s", ""], ["nt", ""]],  # suffix -> replacement tried on each prompt word
      "concepts": {"camera.pan": ["panoramique", "pano"], ...},
      "ignore": ["en train de", ...],          # phrases that must not match anything
      "details": ["verre", "<num> ans", ...],  # words that make a nearby subject "detailed"
      "directions": {"left": ["à gauche"], ...},
      "vague": ["cinématique", ...],
      "negations": ["pas de", "sans", ...],
      "negation_stops": ["mais", "dans", ...],
      "parameter_patterns": ["\\\\b(?:4k|1080p)\\\\b", ...],
      "syntax": {                              # lexicons of the parse-based reading
        "locative": ["dans", "devant", ...],   # prepositions that place something
        "surface_locative": ["sur", ...],      # place only with a known place noun
        "non_action_verbs": ["être", ...],     # verbs that describe no visible action
        "meta_nouns": ["vidéo", "caméra", ...],# the film itself, never the subject
        "body_parts": ["main", ...],           # never a setting
        "time_nouns": ["seconde", ...],        # never a setting
        "groups": ["foule", ...],              # subjects typed "group"
        "places": ["tribune", ...]             # place nouns beyond the setting concepts
      },
      "lexicons": {                            # word lists behind the « @concepts » of rules
        "minor": ["enfant", ...], "text_on_screen": [...], "alcohol": [...],
        "countries": [...], "institutions": [...]
      }
    }

A concept id is ``<group>.<name>``; the group gives the element key (``GROUP_KEYS``). A term is
plain words (accents, case, apostrophes and hyphens do not matter) plus two wildcards: ``<num>``
(digits or a number word) and ``<any>`` (any one word). List singular forms; plurals and the
inflections of the file are handled by the matcher. On equal length, a term with fewer wildcards and
fewer inflected words wins; the same term under two concepts keeps the first one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from labs.grading.language.normalise import fold

VOCAB_DIR = Path(__file__).resolve().parent.parent / "vocab"
LANGUAGES: tuple[str, ...] = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

# The element key each concept group counts for.
GROUP_KEYS: dict[str, str] = {
    "subject": "subject",
    "action": "action",
    "setting": "setting",
    "time": "time_weather",
    "weather": "time_weather",
    "season": "time_weather",
    "light": "lighting",
    "shot": "shot",
    "camera": "camera_movement",
    "lens": "lens",
    "style": "style",
    "colour": "style",
    "pacing": "pacing",
    "audio": "audio",
}
# Kinds of video (« pub », « tutoriel »): they say what the video is for, not how it looks, so they count
# for no element; listed so that they are not read as anything else.
UNCOUNTED_GROUPS = frozenset({"genre"})

_VARIANT_CACHE_SIZE = 50_000

# Combining accents (decomposed input) stay inside a word; they are dropped from the token text.
TOKEN_RE = re.compile(r"\d+|(?:[^\W\d_]|[\u0300-\u036f])+")
_COMBINING_MARKS = dict.fromkeys(range(0x300, 0x370))
NUM = "<num>"
ANY = "<any>"
_TERM_TOKEN_RE = re.compile(rf"{NUM}|{ANY}|{TOKEN_RE.pattern}")


@dataclass(frozen=True)
class Label:
    kind: str  # "concept" | "ignore" | "negation" | "vague" | "detail" | "direction"
    value: str  # concept id, or direction name


class _Node:
    __slots__ = ("children", "label")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.label: Label | None = None


@dataclass(frozen=True)
class WordToken:
    """A word of the folded text, as the vocabulary matcher splits it ("50mm" -> "50", "mm")."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Hit:
    label: Label
    first: int  # word indices, end exclusive
    last: int
    start: int  # character span in the normalised text
    end: int

    @property
    def group(self) -> str:
        return self.label.value.partition(".")[0] if self.label.kind == "concept" else ""


@dataclass(frozen=True)
class Syntax:
    locative: frozenset[str]
    surface_locative: frozenset[str]
    non_action_verbs: frozenset[str]
    meta_nouns: frozenset[str]
    body_parts: frozenset[str]
    time_nouns: frozenset[str]
    groups: frozenset[str]
    places: frozenset[str]


@dataclass
class Vocabulary:
    language: str
    stopwords: frozenset[str]
    numbers: frozenset[str]
    inflections: tuple[tuple[str, str], ...]
    negation_stops: frozenset[str]
    parameter_patterns: tuple[re.Pattern[str], ...]
    syntax: Syntax
    lexicons: dict[str, tuple[str, ...]] = field(default_factory=dict)
    root: _Node = field(default_factory=_Node)
    term_words: set[str] = field(default_factory=set)
    # Folded single-word terms and the concept they name, for typing a parsed noun by its lemma.
    word_concepts: dict[str, str] = field(default_factory=dict)
    _variants: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)

    def add(self, term: str, label: Label) -> None:
        words = [t.text for t in tokenise(fold(term), _TERM_TOKEN_RE)]
        if not words:
            raise ValueError(f"empty term for {label}")
        node = self.root
        for word in words:
            node = node.children.setdefault(word, _Node())
        if node.label is None:
            node.label = label
        self.term_words.update(w for w in words if w not in (NUM, ANY) and not w.isdigit())
        if label.kind == "concept" and len(words) == 1:
            self.word_concepts.setdefault(words[0], label.value)

    def variants(self, word: str) -> tuple[tuple[str, int], ...]:
        """The word and its de-inflected stems, each with a cost (0 for the word itself)."""
        cached = self._variants.get(word)
        if cached is None:
            stems = [(word, 0)]
            for suffix, replacement in self.inflections:
                if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                    stems.append((word[: len(word) - len(suffix)] + replacement, 1))
            if len(self._variants) >= _VARIANT_CACHE_SIZE:  # bounded: prompts bring endless new words
                self._variants.clear()
            cached = self._variants[word] = tuple(stems)
        return cached

    def concept_of(self, *words: str) -> str | None:
        """The concept a single folded word (or the first of its variants) names, if any."""
        for word in words:
            for variant, _cost in self.variants(word):
                concept = self.word_concepts.get(variant)
                if concept:
                    return concept
        return None

    def longest(self, words: Sequence[str], first: int) -> tuple[int, Label] | None:
        """The longest term starting at ``words[first]``: (end index, label)."""
        best: tuple[int, int, Label] | None = None  # (end, -cost, label)
        stack: list[tuple[_Node, int, int]] = [(self.root, first, 0)]
        while stack:
            node, index, cost = stack.pop()
            if node.label is not None and index > first and (best is None or (index, -cost) > best[:2]):
                best = (index, -cost, node.label)
            if index == len(words):
                continue
            word = words[index]
            children = node.children
            for stem, stem_cost in self.variants(word):
                child = children.get(stem)
                if child is not None:
                    stack.append((child, index + 1, cost + stem_cost))
            if word.isdigit() or word in self.numbers:
                child = children.get(NUM)
                if child is not None:
                    stack.append((child, index + 1, cost + 2))
            child = children.get(ANY)
            if child is not None and not word.isdigit():
                stack.append((child, index + 1, cost + 3))
        return None if best is None else (best[0], best[2])

    def scan(self, tokens: Sequence[WordToken]) -> list[Hit]:
        """Greedy left-to-right longest match over the words."""
        words = [token.text for token in tokens]
        hits: list[Hit] = []
        index = 0
        while index < len(words):
            found = self.longest(words, index)
            if found is None:
                index += 1
                continue
            end, label = found
            hits.append(Hit(label, index, end, tokens[index].start, tokens[end - 1].end))
            index = end
        return hits


def tokenise(folded: str, pattern: re.Pattern[str] = TOKEN_RE) -> list[WordToken]:
    if folded.isascii():
        return [WordToken(m.group(), m.start(), m.end()) for m in pattern.finditer(folded)]
    return [WordToken(m.group().translate(_COMBINING_MARKS), m.start(), m.end()) for m in pattern.finditer(folded)]


def _folded_set(words: Sequence[str]) -> frozenset[str]:
    return frozenset(fold(w) for w in words)


@cache
def load_vocabulary(language: str) -> Vocabulary:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported prompt language: {language!r}")
    data = json.loads((VOCAB_DIR / f"{language}.json").read_text(encoding="utf-8"))
    if data["language"] != language:
        raise ValueError(f"{language}.json declares language {data['language']!r}")
    syntax = data["syntax"]
    vocab = Vocabulary(
        language=language,
        stopwords=_folded_set(data["stopwords"]),
        numbers=_folded_set(data["numbers"]),
        inflections=tuple((suffix, replacement) for suffix, replacement in data["inflections"]),
        negation_stops=_folded_set(data["negation_stops"]),
        parameter_patterns=tuple(re.compile(p) for p in data["parameter_patterns"]),
        syntax=Syntax(**{name: _folded_set(syntax[name]) for name in Syntax.__dataclass_fields__}),
        lexicons={name: tuple(words) for name, words in data["lexicons"].items()},
    )
    # Concepts first: on a tie the first label registered for a term wins.
    for concept, terms in data["concepts"].items():
        group = concept.partition(".")[0]
        if group not in GROUP_KEYS and group not in UNCOUNTED_GROUPS:
            raise ValueError(f"{language}.json: concept {concept!r} has an unknown group")
        for term in terms:
            vocab.add(term, Label("concept", concept))
    for term in data["ignore"]:
        vocab.add(term, Label("ignore", ""))
    for term in data["negations"]:
        vocab.add(term, Label("negation", ""))
    for term in data["vague"]:
        vocab.add(term, Label("vague", ""))
    for term in data["details"]:
        vocab.add(term, Label("detail", ""))
    for direction, terms in data["directions"].items():
        for term in terms:
            vocab.add(term, Label("direction", direction))
    return vocab


def detect_language(prompt: str) -> str:
    """Return "fr" or "en" by counting each language's stop words (then vocabulary words); "fr" on a tie."""
    words = [token.text for token in tokenise(fold(prompt))]
    french, english = load_vocabulary("fr"), load_vocabulary("en")
    fr_score = sum(word in french.stopwords for word in words)
    en_score = sum(word in english.stopwords for word in words)
    if fr_score == en_score:
        fr_score = sum(word in french.term_words and word not in english.term_words for word in words)
        en_score = sum(word in english.term_words and word not in french.term_words for word in words)
    return "en" if en_score > fr_score else DEFAULT_LANGUAGE
