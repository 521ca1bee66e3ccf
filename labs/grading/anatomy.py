"""Prompt anatomy: which elements of a good video prompt a text covers (French and English).

One pure function, :func:`parse_prompt`, serves the live coach (highlighting as the
learner types), the rubric grader and the simulator renderer. It finds concepts
(``camera.pan``, ``time.golden_hour``, ``colour.amber``...) with their spans in the
original prompt, and findings (vague words, negative phrasing, generation parameters
written into the prompt, several camera moves, length).

Matching works on normalised text (see :func:`normalise`: casefolded, accents stripped,
same length as the prompt, so spans map back 1:1), split into word tokens: digits and letters
form separate tokens ("50mm" -> "50", "mm"), apostrophes and hyphens separate words
("l'heure" -> "l", "heure"; "close-up" -> "close", "up"). Every term of the vocabulary
is compiled once into a token trie; at each position the longest term wins, so
"plan large" beats "plan" and "heure dorée" beats the colour "dorée".

Vocabulary files: ``labs/grading/vocab/<language>.json``, one per language::

    {
      "language": "fr",
      "stopwords": ["le", "la", ...],          # language detection
      "numbers": ["deux", "trois", ...],       # words that <num> matches, besides digits
      "inflections": [["s", ""], ["nt", ""]],  # suffix -> replacement tried on each prompt
                                               # word (plurals, verb endings); stems keep
                                               # at least 3 letters
      "concepts": {"camera.pan": ["panoramique", "pano"], ...},
      "ignore": ["en train de", ...],          # phrases that must not match anything
                                               # ("train" is not a vehicle there)
      "details": ["verre", "<num> ans", ...],  # words that make a nearby subject "detailed"
      "directions": {"left": ["à gauche"], ...},  # light.from_<dir> when next to lighting
      "vague": ["cinématique", ...],
      "negations": ["pas de", "sans", ...],    # cues of negative-only phrasing
      "negation_stops": ["mais", "dans", ...], # words that end the negated phrase
      "parameter_patterns": ["\\\\b(?:4k|1080p)\\\\b", ...]  # regexes on normalised text
    }

A concept id is ``<group>.<name>``; the group gives the element key (see
``GROUP_KEYS``), e.g. ``colour.*`` counts for "style", ``weather.*`` for "time_weather".
A term is plain words (accents, case, apostrophes and hyphens do not matter) plus two
wildcards: ``<num>`` (digits or a number word) and ``<any>`` (any one word). List
singular forms; plurals and the inflections of the file are handled by the matcher.
On equal length, a term with fewer wildcards and fewer inflected words wins; the same
term under two concepts keeps the first one.

Derived concepts, computed after matching:

- ``subject.detailed``: a detail word or a colour within a few words of a subject
  (the grader gives full credit for a detailed subject, half for a bare one);
- ``action.beats``: also given when a sequence word ("puis", "then") links two
  different actions (the vocabulary gives it for counts: "trois pas", "twice");
- ``light.from_<direction>``: a direction within a few words of a lighting term, in the
  same clause ("lumière douce venant de la fenêtre à gauche").
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

ELEMENT_KEYS: tuple[str, ...] = (
    "subject",
    "action",
    "setting",
    "time_weather",
    "lighting",
    "shot",
    "camera_movement",
    "lens",
    "style",
    "pacing",
    "audio",
)

ELEMENT_LABELS: dict[str, str] = {
    "subject": _("Sujet"),
    "action": _("Action"),
    "setting": _("Décor"),
    "time_weather": _("Moment et météo"),
    "lighting": _("Lumière"),
    "shot": _("Cadrage et angle"),
    "camera_movement": _("Mouvement de caméra"),
    "lens": _("Objectif et profondeur de champ"),
    "style": _("Style et palette"),
    "pacing": _("Rythme et timing"),
    "audio": _("Son et dialogue"),
}

ELEMENT_HINTS: dict[str, str] = {
    "subject": _("Nommez le sujet et donnez-lui deux ou trois détails distinctifs : âge, tenue, matière, couleur."),
    "action": _("Décrivez une action concrète découpée en temps : « fait trois pas, s'arrête, se retourne »."),
    "setting": _("Situez la scène : un lieu précis et quelques accessoires (« ruelle de la médina, étals d'épices »)."),
    "time_weather": _("Indiquez le moment et la météo : à l'aube, à l'heure dorée, de nuit, sous la pluie…"),
    "lighting": _(
        "Précisez la source, la qualité et la direction de la lumière : "
        "lumière douce venant de la fenêtre à gauche, contre-jour…"
    ),
    "shot": _("Choisissez un cadrage et un angle : gros plan, plan moyen, plan large, contre-plongée…"),
    "camera_movement": _(
        "Précisez un seul mouvement : travelling avant lent, panoramique, caméra à l'épaule ou plan fixe."
    ),
    "lens": _(
        "Indiquez l'objectif et la profondeur de champ : objectif 35 mm, grand angle, faible profondeur de champ…"
    ),
    "style": _(
        "Fixez le style et une palette de 3 à 5 couleurs : « style documentaire ; palette ambre, crème, brun »."
    ),
    "pacing": _("Donnez le rythme et le timing : ralenti, « puis », « dans la dernière seconde »…"),
    "audio": _("Ajoutez le son : une ambiance (bruit des vagues), une musique ou un court bloc « Dialogue : »."),
}

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

# Rigs describe how the camera is carried, not a move: "a handheld camera tracks..." is one move.
CAMERA_RIGS: frozenset[str] = frozenset({"camera.handheld", "camera.steadicam", "camera.drone"})

# A vague word is less of a problem when the prompt already gives these.
_TECHNICAL_KEYS: tuple[str, ...] = ("lighting", "lens", "shot")

_VARIANT_CACHE_SIZE = 50_000

MIN_WORDS = 8
MAX_WORDS = 250

_VOCAB_DIR = Path(__file__).resolve().parent / "vocab"
LANGUAGES: tuple[str, ...] = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

# Subject details are looked for this many tokens before and after the subject term.
_DETAIL_BEFORE = 3
_DETAIL_AFTER = 8
# A direction counts for lighting when fewer words than this separate it from a lighting term.
_DIRECTION_REACH = 5
# Words a negation cue may cover after itself ("pas de voitures garées").
_NEGATION_REACH = 3

# Combining accents (decomposed input) stay inside a word; they are dropped from the token text.
_TOKEN_RE = re.compile(r"\d+|(?:[^\W\d_]|[\u0300-\u036f])+")
_COMBINING_MARKS = dict.fromkeys(range(0x300, 0x370))
_NUM = "<num>"
_ANY = "<any>"
_TERM_TOKEN_RE = re.compile(rf"{_NUM}|{_ANY}|{_TOKEN_RE.pattern}")
_WORD_RE = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+(?:['’\-](?:[^\W_]|[\u0300-\u036f])+)*")
# Sentence and clause boundaries; a colon or point between digits ("16:9", "f/1.8") is not one.
_SENTENCE_BREAK_RE = re.compile(r"[.!?;:](?!\d)|\n")
_CLAUSE_BREAK_RE = re.compile(r"[.!?;:,](?!\d)|\n|[()«»\"]")


def _message(template: str, **params: Any) -> str:
    """A lazy message, translated then formatted when rendered (in the reader's language)."""
    return lazy(lambda: str(template) % params, str)()


_VAGUE_MESSAGE = _(
    "« %(text)s » ne dit pas au modèle quoi montrer. Remplacez-le par des détails concrets : "
    "source et direction de la lumière, objectif, cadrage, matières."
)
_VAGUE_GENTLE_MESSAGE = _(
    "« %(text)s » n'ajoute rien aux détails techniques déjà donnés : retirez-le ou remplacez-le par un détail visible."
)
_NEGATIVE_MESSAGE = _(
    "« %(text)s » dit seulement ce qu'il ne faut pas montrer. Décrivez plutôt ce que l'on doit voir "
    "(« rue déserte » plutôt que « pas de voitures »)."
)
_PARAMETER_MESSAGE = _(
    "« %(text)s » relève des paramètres de génération (durée, résolution, format d'image), pas du prompt. "
    "Réglez-le dans les paramètres et décrivez la scène ici."
)
_CAMERA_MOVES_MESSAGE = _(
    "Plusieurs mouvements de caméra (%(moves)s) : le modèle risque de les mélanger. Gardez un seul mouvement par plan."
)
_TOO_SHORT_MESSAGE = _(
    "Prompt très court (%(count)d mots) : ajoutez le sujet et ses détails, l'action, le décor, la lumière et le cadrage."
)
_TOO_LONG_MESSAGE = _(
    "Prompt très long (%(count)d mots) : au-delà de %(limit)d mots, le modèle néglige une partie des consignes. "
    "Gardez l'essentiel."
)


@dataclass(frozen=True)
class Match:
    key: str
    concept: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str
    message: str


@dataclass(frozen=True)
class PromptAnatomy:
    prompt: str
    language: str
    matches: tuple[Match, ...] = ()
    findings: tuple[Finding, ...] = ()

    def has(self, key: str) -> bool:
        return any(m.key == key for m in self.matches)

    def matches_for(self, key: str) -> tuple[Match, ...]:
        return tuple(m for m in self.matches if m.key == key)

    def concepts(self, key: str | None = None) -> list[str]:
        found = (m.concept for m in self.matches if key is None or m.key == key)
        return list(dict.fromkeys(found))

    @property
    def found_keys(self) -> list[str]:
        present = {m.key for m in self.matches}
        return [key for key in ELEMENT_KEYS if key in present]

    @property
    def missing_keys(self) -> list[str]:
        present = {m.key for m in self.matches}
        return [key for key in ELEMENT_KEYS if key not in present]

    def coverage(self) -> float:
        return len(self.found_keys) / len(ELEMENT_KEYS)

    def to_dict(self) -> dict[str, Any]:
        return {
            "prompt": self.prompt,
            "language": self.language,
            "matches": [
                {"key": m.key, "concept": m.concept, "start": m.start, "end": m.end, "text": m.text}
                for m in self.matches
            ],
            "findings": [
                {"kind": f.kind, "start": f.start, "end": f.end, "text": f.text, "message": str(f.message)}
                for f in self.findings
            ],
            "found_keys": self.found_keys,
            "missing_keys": self.missing_keys,
            "coverage": self.coverage(),
        }


# --- normalisation -----------------------------------------------------------------------

_APOSTROPHES = "’‘ʼ`´′"


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


def normalise(text: str) -> str:
    """Casefold and strip accents, keeping one character per character so spans map back 1:1.

    Decomposed accents (a letter followed by a combining mark) keep their mark, which the
    tokeniser then ignores.
    """
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(char) for char in text)


# --- vocabulary compilation ---------------------------------------------------------------


@dataclass(frozen=True)
class _Label:
    kind: str  # "concept" | "ignore" | "negation" | "vague" | "detail" | "direction"
    value: str  # concept id, or direction name


class _Node:
    __slots__ = ("children", "label")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.label: _Label | None = None


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class _Hit:
    label: _Label
    first: int  # token indices, end exclusive
    last: int
    start: int  # character span
    end: int


@dataclass
class _Vocab:
    language: str
    stopwords: frozenset[str]
    numbers: frozenset[str]
    inflections: tuple[tuple[str, str], ...]
    negation_stops: frozenset[str]
    parameter_patterns: tuple[re.Pattern[str], ...]
    root: _Node = field(default_factory=_Node)
    term_words: set[str] = field(default_factory=set)
    _variants: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)

    def add(self, term: str, label: _Label) -> None:
        words = [t.text for t in _tokenise(normalise(term), _TERM_TOKEN_RE)]
        if not words:
            raise ValueError(f"empty term for {label}")
        node = self.root
        for word in words:
            node = node.children.setdefault(word, _Node())
        if node.label is None:
            node.label = label
        self.term_words.update(w for w in words if w not in (_NUM, _ANY) and not w.isdigit())

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

    def longest(self, words: Sequence[str], first: int) -> tuple[int, _Label] | None:
        """The longest term starting at ``words[first]``: (end index, label)."""
        best: tuple[int, int, _Label] | None = None  # (end, -cost, label)
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
                child = children.get(_NUM)
                if child is not None:
                    stack.append((child, index + 1, cost + 2))
            child = children.get(_ANY)
            if child is not None and not word.isdigit():
                stack.append((child, index + 1, cost + 3))
        return None if best is None else (best[0], best[2])


def _tokenise(normalised: str, pattern: re.Pattern[str] = _TOKEN_RE) -> list[_Token]:
    if normalised.isascii():
        return [_Token(m.group(), m.start(), m.end()) for m in pattern.finditer(normalised)]
    return [_Token(m.group().translate(_COMBINING_MARKS), m.start(), m.end()) for m in pattern.finditer(normalised)]


@cache
def _load_vocab(language: str) -> _Vocab:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported prompt language: {language!r}")
    data = json.loads((_VOCAB_DIR / f"{language}.json").read_text(encoding="utf-8"))
    if data["language"] != language:
        raise ValueError(f"{language}.json declares language {data['language']!r}")
    vocab = _Vocab(
        language=language,
        stopwords=frozenset(normalise(w) for w in data["stopwords"]),
        numbers=frozenset(normalise(w) for w in data["numbers"]),
        inflections=tuple((suffix, replacement) for suffix, replacement in data["inflections"]),
        negation_stops=frozenset(normalise(w) for w in data["negation_stops"]),
        parameter_patterns=tuple(re.compile(p) for p in data["parameter_patterns"]),
    )
    # Concepts first: on a tie the first label registered for a term wins.
    for concept, terms in data["concepts"].items():
        group = concept.partition(".")[0]
        if group not in GROUP_KEYS:
            raise ValueError(f"{language}.json: concept {concept!r} has an unknown group")
        for term in terms:
            vocab.add(term, _Label("concept", concept))
    for term in data["ignore"]:
        vocab.add(term, _Label("ignore", ""))
    for term in data["negations"]:
        vocab.add(term, _Label("negation", ""))
    for term in data["vague"]:
        vocab.add(term, _Label("vague", ""))
    for term in data["details"]:
        vocab.add(term, _Label("detail", ""))
    for direction, terms in data["directions"].items():
        for term in terms:
            vocab.add(term, _Label("direction", direction))
    return vocab


# --- parsing -------------------------------------------------------------------------------


def detect_language(prompt: str) -> str:
    """Return "fr" or "en" by counting each language's stop words (then vocabulary words); "fr" on a tie."""
    words = [token.text for token in _tokenise(normalise(prompt))]
    french, english = _load_vocab("fr"), _load_vocab("en")
    fr_score = sum(word in french.stopwords for word in words)
    en_score = sum(word in english.stopwords for word in words)
    if fr_score == en_score:
        fr_score = sum(word in french.term_words and word not in english.term_words for word in words)
        en_score = sum(word in english.term_words and word not in french.term_words for word in words)
    return "en" if en_score > fr_score else DEFAULT_LANGUAGE


def parse_prompt(prompt: str, language: str | None = None) -> PromptAnatomy:
    """The elements and problems of a video prompt. ``language`` None means detect it."""
    language = language or detect_language(prompt)
    vocab = _load_vocab(language)
    if not prompt.strip():
        return PromptAnatomy(prompt=prompt, language=language)

    normalised = normalise(prompt)
    tokens = _tokenise(normalised)
    sentences = _segments(tokens, normalised, _SENTENCE_BREAK_RE)
    clauses = _segments(tokens, normalised, _CLAUSE_BREAK_RE)
    hits = _scan(vocab, tokens)

    negated, negation_findings = _negations(vocab, prompt, tokens, hits, clauses)
    hits = [hit for hit in hits if hit.label.kind == "negation" or not _covered(hit, negated)]
    concept_hits = [hit for hit in hits if hit.label.kind == "concept"]

    matches = [_match(prompt, hit.label.value, hit.start, hit.end) for hit in concept_hits]
    matches += _subject_details(prompt, hits, sentences)
    matches += _action_beats(prompt, concept_hits, sentences)
    matches += _light_directions(prompt, hits, clauses)
    matches.sort(key=lambda m: (m.start, m.end, m.key))

    found_keys = {m.key for m in matches}
    findings = negation_findings
    findings += _vague_findings(prompt, hits, gentle=any(key in found_keys for key in _TECHNICAL_KEYS))
    findings += _parameter_findings(vocab, prompt, normalised)
    findings += _camera_findings(prompt, matches)
    findings += _length_findings(prompt)
    findings.sort(key=lambda f: (f.start, f.end, f.kind))
    return PromptAnatomy(prompt=prompt, language=language, matches=tuple(matches), findings=tuple(findings))


def _scan(vocab: _Vocab, tokens: Sequence[_Token]) -> list[_Hit]:
    """Greedy left-to-right longest match over the tokens."""
    words = [token.text for token in tokens]
    hits: list[_Hit] = []
    index = 0
    while index < len(words):
        found = vocab.longest(words, index)
        if found is None:
            index += 1
            continue
        end, label = found
        hits.append(_Hit(label, index, end, tokens[index].start, tokens[end - 1].end))
        index = end
    return hits


def _segments(tokens: Sequence[_Token], normalised: str, pattern: re.Pattern[str]) -> list[int]:
    """The sentence (or clause) number of each token."""
    breaks = [m.start() for m in pattern.finditer(normalised)]
    numbers: list[int] = []
    segment = 0
    for token in tokens:
        while segment < len(breaks) and breaks[segment] < token.start:
            segment += 1
        numbers.append(segment)
    return numbers


def _covered(hit: _Hit, spans: Iterable[tuple[int, int]]) -> bool:
    return any(first <= hit.first and hit.last <= last for first, last in spans)


def _match(prompt: str, concept: str, start: int, end: int) -> Match:
    key = GROUP_KEYS[concept.partition(".")[0]]
    return Match(key=key, concept=concept, start=start, end=end, text=prompt[start:end])


def _finding(kind: str, prompt: str, start: int, end: int, template: str, **params: Any) -> Finding:
    text = prompt[start:end]
    return Finding(kind=kind, start=start, end=end, text=text, message=_message(template, text=text, **params))


def _negations(
    vocab: _Vocab, prompt: str, tokens: Sequence[_Token], hits: Sequence[_Hit], clauses: Sequence[int]
) -> tuple[list[tuple[int, int]], list[Finding]]:
    """Token spans said only negatively ("pas de voitures"), and a finding for each."""
    spans: list[tuple[int, int]] = []
    findings: list[Finding] = []
    for hit in hits:
        if hit.label.kind != "negation":
            continue
        end = hit.last
        while (
            end < len(tokens)
            and end < hit.last + _NEGATION_REACH
            and clauses[end] == clauses[hit.last - 1]
            and tokens[end].text not in vocab.negation_stops
        ):
            end += 1
        spans.append((hit.last, end))
        findings.append(_finding("negative_only", prompt, hit.start, tokens[end - 1].end, _NEGATIVE_MESSAGE))
    return spans, findings


def _group(hit: _Hit) -> str:
    return hit.label.value.partition(".")[0] if hit.label.kind == "concept" else ""


def _subject_details(prompt: str, hits: Sequence[_Hit], sentences: Sequence[int]) -> list[Match]:
    """``subject.detailed`` on each detail word or colour close to a subject, in the same sentence."""
    subjects = [hit for hit in hits if _group(hit) == "subject"]
    details = [hit for hit in hits if hit.label.kind == "detail" or _group(hit) == "colour"]
    spans: dict[tuple[int, int], None] = {}
    for subject in subjects:
        for detail in details:
            near = subject.first - _DETAIL_BEFORE <= detail.first < subject.last + _DETAIL_AFTER
            if near and sentences[detail.first] == sentences[subject.first]:
                spans[(detail.start, detail.end)] = None
    return [_match(prompt, "subject.detailed", start, end) for start, end in spans]


def _action_beats(prompt: str, concept_hits: Sequence[_Hit], sentences: Sequence[int]) -> list[Match]:
    """``action.beats`` on a sequence word ("puis", "then") between two different actions."""
    matches: list[Match] = []
    for position, hit in enumerate(concept_hits):
        if hit.label.value != "pacing.sequence":
            continue
        before = [h for h in concept_hits[:position] if _group(h) == "action" and h.label.value != "action.beats"]
        after = [h for h in concept_hits[position + 1 :] if _group(h) == "action" and h.label.value != "action.beats"]
        if not before or not after:
            continue
        previous, following = before[-1], after[0]
        linked = (
            sentences[hit.first] - 1 <= sentences[previous.first] and sentences[following.first] == sentences[hit.first]
        )
        # Two different verbs ("glisse, puis tombe"), even of one concept; not "marche, puis marche".
        different = normalise(prompt[previous.start : previous.end]) != normalise(
            prompt[following.start : following.end]
        )
        if linked and different:
            matches.append(_match(prompt, "action.beats", hit.start, hit.end))
    matches += _numbered_beats(prompt, concept_hits)
    return matches


# "1) ... 2) ..." or "1. ... 2. ...": actions written as numbered beats.
_BEAT_MARKER_RE = re.compile(r"(?:^|(?<=[\s:;]))([1-9])\s*[).]\s")


def _numbered_beats(prompt: str, concept_hits: Sequence[_Hit]) -> list[Match]:
    markers = list(_BEAT_MARKER_RE.finditer(prompt))
    actions = {h.label.value for h in concept_hits if _group(h) == "action" and h.label.value != "action.beats"}
    if len(markers) < 2 or len(actions) < 2:
        return []
    first = markers[0]
    return [_match(prompt, "action.beats", first.start(1), first.end(1) + 1)]


def _light_directions(prompt: str, hits: Sequence[_Hit], clauses: Sequence[int]) -> list[Match]:
    """``light.from_<direction>`` for a direction said right next to a lighting term, in the same clause."""
    lights = [hit for hit in hits if _group(hit) == "light"]
    matches: list[Match] = []
    for hit in hits:
        if hit.label.kind != "direction":
            continue
        if any(
            clauses[light.first] == clauses[hit.first]
            and max(hit.first - light.last, light.first - hit.last) < _DIRECTION_REACH
            for light in lights
        ):
            matches.append(_match(prompt, f"light.from_{hit.label.value}", hit.start, hit.end))
    return matches


def _vague_findings(prompt: str, hits: Sequence[_Hit], *, gentle: bool) -> list[Finding]:
    template = _VAGUE_GENTLE_MESSAGE if gentle else _VAGUE_MESSAGE
    return [_finding("vague", prompt, hit.start, hit.end, template) for hit in hits if hit.label.kind == "vague"]


def _parameter_findings(vocab: _Vocab, prompt: str, normalised: str) -> list[Finding]:
    spans = sorted((m.start(), m.end()) for p in vocab.parameter_patterns for m in p.finditer(normalised))
    findings: list[Finding] = []
    last_end = -1
    for start, end in spans:
        if start >= last_end and end > start:
            findings.append(_finding("parameter_in_prompt", prompt, start, end, _PARAMETER_MESSAGE))
            last_end = end
    return findings


def _camera_family(concept: str) -> str:
    for suffix in ("_in", "_out", "_up", "_down", "_left", "_right"):
        if concept.endswith(suffix):
            return concept[: -len(suffix)]
    return concept


def _camera_findings(prompt: str, matches: Sequence[Match]) -> list[Finding]:
    """One finding when the prompt asks for more than one camera move (rigs aside)."""
    moves = [m for m in matches if m.key == "camera_movement"]
    # A rig is compatible with any move, but not with a camera that must not move.
    static = any(m.concept == "camera.static" for m in moves)
    firsts: dict[str, Match] = {}
    for m in moves:
        if static or m.concept not in CAMERA_RIGS:
            firsts.setdefault(_camera_family(m.concept), m)
    if len(firsts) < 2:
        return []
    listed = ", ".join(f"« {m.text} »" for m in firsts.values())
    second = list(firsts.values())[1]
    return [_finding("multiple_camera_moves", prompt, second.start, second.end, _CAMERA_MOVES_MESSAGE, moves=listed)]


def _length_findings(prompt: str) -> list[Finding]:
    words = list(_WORD_RE.finditer(prompt))
    if not words:
        stripped = prompt.strip()
        start = prompt.index(stripped)
        return [_finding("too_short", prompt, start, start + len(stripped), _TOO_SHORT_MESSAGE, count=0)]
    if len(words) < MIN_WORDS:
        return [_finding("too_short", prompt, words[0].start(), words[-1].end(), _TOO_SHORT_MESSAGE, count=len(words))]
    if len(words) > MAX_WORDS:
        return [
            _finding(
                "too_long",
                prompt,
                words[MAX_WORDS].start(),
                words[-1].end(),
                _TOO_LONG_MESSAGE,
                count=len(words),
                limit=MAX_WORDS,
            )
        ]
    return []
