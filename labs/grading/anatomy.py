"""Prompt anatomy: which elements of a good video prompt a text covers (French and English).

One pure function, :func:`parse_prompt`, serves the live coach (highlighting as the learner
types), the rubric grader and the simulator. It returns the elements found, each with its span in
the learner's original text (``camera.pan``, ``time.golden_hour``, ``subject.product``...), the
main subject and its type, and findings (vague words, negative phrasing, generation parameters
written into the prompt, several camera moves, length).

Two readings are combined (see ``labs/grading/language/``):

- the **parse** (spaCy: tokens, lemmas, parts of speech, dependencies, entities, on text
  normalised against spelling tricks) decides the subject (the head of the main noun phrase,
  typed), the actions (verbs and their objects; two different actions are beats) and the
  settings (locative phrases);
- the **film vocabulary** (``labs/grading/vocab/<language>.json``, compiled into a token trie
  where the longest term wins) finds the trade terms the parse cannot tell apart: shot sizes
  and angles, camera moves, lenses, light, time and weather, style and palette, rhythm, sound.

Derived concepts:

- ``subject.detailed``: a detail word, a colour or an age in the subject's phrase, or next to
  another subject word (full credit for a detailed subject, partial for a bare one);
- ``action.beats``: two different actions, a count of steps (« trois pas ») or numbered beats;
- ``light.from_<direction>``: a direction next to a lighting term, in the same clause.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from labs.grading.language.analysis import Analysis, analyse
from labs.grading.language.normalise import NormalisedText, fold
from labs.grading.language.scene import SUBJECT_KINDS, Phrase, SceneReading, read_scene
from labs.grading.language.vocabulary import (
    DEFAULT_LANGUAGE,
    GROUP_KEYS,
    LANGUAGES,
    Hit,
    Vocabulary,
    WordToken,
    detect_language,
    load_vocabulary,
    tokenise,
)

# Re-exported: callers fold text for matching through the anatomy module.
normalise = fold

__all__ = [
    "CAMERA_RIGS",
    "DEFAULT_LANGUAGE",
    "ELEMENT_HINTS",
    "ELEMENT_KEYS",
    "ELEMENT_LABELS",
    "GROUP_KEYS",
    "LANGUAGES",
    "SUBJECT_DETAIL_HINTS",
    "SUBJECT_KIND_LABELS",
    "Finding",
    "Match",
    "PromptAnatomy",
    "SubjectSummary",
    "detect_language",
    "normalise",
    "parse_prompt",
]

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
    "subject": _("Nommez le sujet et donnez-lui deux ou trois détails distinctifs : âge, tenue, matière, couleur."),
    "action": _("Décrivez une action concrète découpée en temps : « fait trois pas, s'arrête, se retourne »."),
    "setting": _("Situez la scène : un lieu précis et quelques accessoires (« ruelle de la médina, étals d'épices »)."),
    "time_weather": _("Indiquez le moment et la météo : à l'aube, à l'heure dorée, de nuit, sous la pluie…"),
    "lighting": _(
        "Précisez la source, la qualité et la direction de la lumière : "
        "lumière douce venant de la fenêtre à gauche, contre-jour…"
    ),
    "shot": _("Choisissez un cadrage et un angle : gros plan, plan moyen, plan large, contre-plongée…"),
    "camera_movement": _(
        "Précisez un seul mouvement : travelling avant lent, panoramique, caméra à l'épaule ou plan fixe."
    ),
    "lens": _(
        "Indiquez l'objectif et la profondeur de champ : objectif 35 mm, grand angle, faible profondeur de champ…"
    ),
    "style": _(
        "Fixez le style et une palette de 3 à 5 couleurs : « style documentaire ; palette ambre, crème, brun »."
    ),
    "pacing": _("Donnez le rythme et le timing : ralenti, « puis », « dans la dernière seconde »…"),
    "audio": _("Ajoutez le son : une ambiance (bruit des vagues), une musique ou un court bloc « Dialogue : »."),
}

# What makes each kind of subject distinct on screen, for the coach and the rubric.
SUBJECT_DETAIL_HINTS: dict[str, str] = {
    "person": _("âge, tenue, coiffure, expression"),
    "character": _("silhouette, costume, couleurs, expression"),
    "group": _("nombre, tenues, attitude, ce qui les rassemble"),
    "product": _("matière, couleur, taille, finition"),
    "object": _("matière, couleur, taille, état"),
    "food": _("texture, couleur, présentation, vapeur ou fraîcheur"),
    "animal": _("espèce ou race, pelage, taille, attitude"),
    "vehicle": _("modèle, couleur, état, époque"),
    "plant": _("espèce, couleur, taille, saison"),
    "place": _("matières, accessoires, éléments qui le rendent unique"),
}
SUBJECT_KIND_LABELS: dict[str, str] = {
    "person": _("personne"),
    "character": _("personnage"),
    "group": _("groupe"),
    "product": _("produit"),
    "object": _("objet"),
    "food": _("aliment"),
    "animal": _("animal"),
    "vehicle": _("véhicule"),
    "plant": _("plante"),
    "place": _("lieu"),
}
assert set(SUBJECT_DETAIL_HINTS) == set(SUBJECT_KINDS) == set(SUBJECT_KIND_LABELS)

# Rigs describe how the camera is carried, not a move: "a handheld camera tracks..." is one move.
CAMERA_RIGS: frozenset[str] = frozenset({"camera.handheld", "camera.steadicam", "camera.drone"})

# Elements the parse decides; the vocabulary's words for them only help it.
_PARSED_GROUPS = frozenset({"subject", "action", "setting"})

# A vague word is less of a problem when the prompt already gives these.
_TECHNICAL_KEYS: tuple[str, ...] = ("lighting", "lens", "shot")

MIN_WORDS = 8
MAX_WORDS = 250

# Subject details are looked for this many tokens before and after the subject term.
_DETAIL_BEFORE = 3
_DETAIL_AFTER = 8
# A direction counts for lighting when fewer words than this separate it from a lighting term.
_DIRECTION_REACH = 5
# Words a negation cue may cover after itself ("pas de voitures garées").
_NEGATION_REACH = 3

_WORD_RE = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+(?:['’\-](?:[^\W_]|[\u0300-\u036f])+)*")
# Sentence and clause boundaries; a colon or point between digits ("16:9", "f/1.8") is not one.
_SENTENCE_BREAK_RE = re.compile(r"[.!?;:](?!\d)|\n")
_CLAUSE_BREAK_RE = re.compile(r"[.!?;:,](?!\d)|\n|[()«»\"]")


def _message(template: str, **params: Any) -> str:
    """A lazy message, translated then formatted when rendered (in the reader's language)."""
    return lazy(lambda: str(template) % params, str)()


_VAGUE_MESSAGE = _(
    "« %(text)s » ne dit pas au modèle quoi montrer. Remplacez-le par des détails concrets : "
    "source et direction de la lumière, objectif, cadrage, matières."
)
_VAGUE_GENTLE_MESSAGE = _(
    "« %(text)s » n'ajoute rien aux détails techniques déjà donnés : retirez-le ou remplacez-le par un détail visible."
)
_NEGATIVE_MESSAGE = _(
    "« %(text)s » dit seulement ce qu'il ne faut pas montrer. Décrivez plutôt ce que l'on doit voir "
    "(« rue déserte » plutôt que « pas de voitures »)."
)
_PARAMETER_MESSAGE = _(
    "« %(text)s » relève des paramètres de génération (durée, résolution, format d'image), pas du prompt. "
    "Réglez-le dans les paramètres et décrivez la scène ici."
)
_CAMERA_MOVES_MESSAGE = _(
    "Plusieurs mouvements de caméra (%(moves)s) : le modèle risque de les mélanger. Gardez un seul mouvement par plan."
)
_TOO_SHORT_MESSAGE = _(
    "Prompt très court (%(count)d mots) : ajoutez le sujet et ses détails, l'action, le décor, la lumière et le cadrage."
)
_TOO_LONG_MESSAGE = _(
    "Prompt très long (%(count)d mots) : au-delà de %(limit)d mots, le modèle néglige une partie des consignes. "
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
class SubjectSummary:
    """The main subject: the head of the main noun phrase, typed so advice can fit it."""

    kind: str  # person | group | character | product | food | animal | vehicle | plant | place | object
    start: int
    end: int
    text: str
    detailed: bool


@dataclass(frozen=True)
class PromptAnatomy:
    prompt: str
    language: str
    matches: tuple[Match, ...] = ()
    findings: tuple[Finding, ...] = ()
    subject: SubjectSummary | None = None

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
            "subject": (
                {
                    "kind": self.subject.kind,
                    "start": self.subject.start,
                    "end": self.subject.end,
                    "text": self.subject.text,
                    "detailed": self.subject.detailed,
                }
                if self.subject
                else None
            ),
            "found_keys": self.found_keys,
            "missing_keys": self.missing_keys,
            "coverage": self.coverage(),
        }


# --- parsing -------------------------------------------------------------------------------


def parse_prompt(prompt: str, language: str | None = None) -> PromptAnatomy:
    """The elements and problems of a video prompt. ``language`` None means detect it."""
    language = language or detect_language(prompt)
    vocab = load_vocabulary(language)
    if not prompt.strip():
        return PromptAnatomy(prompt=prompt, language=language)

    analysis = analyse(prompt, language)
    text = analysis.normalised
    folded = fold(text.text)
    tokens = tokenise(folded)
    sentences = _segments(tokens, folded, _SENTENCE_BREAK_RE)
    clauses = _segments(tokens, folded, _CLAUSE_BREAK_RE)
    hits = vocab.scan(tokens)

    negated, negation_findings = _negations(vocab, text, tokens, hits, clauses)
    hits = [hit for hit in hits if hit.label.kind == "negation" or not _covered(hit, negated)]
    scene = read_scene(
        analysis, vocab, hits, [(tokens[first].start, tokens[last - 1].end) for first, last in negated if last > first]
    )

    # Subjects, actions and settings come from the parse; the other elements from the vocabulary.
    # A colour that describes a thing (« une robe rouge ») is a detail of it, and the colour of a light
    # (« néons violets ») is lighting: only a palette or a tone (« palette ambre, crème ») is style.
    colour_keys = {hit: _colour_role(analysis, vocab, hit) for hit in hits if hit.group == "colour"}
    lexical = [
        hit
        for hit in hits
        if hit.label.kind == "concept"
        and hit.group not in _PARSED_GROUPS
        and hit.group in GROUP_KEYS
        and colour_keys.get(hit, "style") is not None
        and not _wrong_part_of_speech(analysis, hit)
    ]
    matches = [_match(text, hit.label.value, hit.start, hit.end, key=colour_keys.get(hit)) for hit in lexical]
    object_colours = {hit for hit, key in colour_keys.items() if key == "subject"}
    matches += _scene_matches(analysis, scene)
    matches += _subject_details(text, [hit for hit in hits if hit not in object_colours], sentences)
    matches += _action_beats(text, hits, sentences, scene, analysis)
    matches += _light_directions(text, hits, clauses)
    matches += _times_of_light(vocab, text, tokens, lexical)
    matches = _disjoint_per_key(matches)

    found_keys = {m.key for m in matches}
    findings = negation_findings
    findings += _vague_findings(text, hits, gentle=any(key in found_keys for key in _TECHNICAL_KEYS))
    findings += _parameter_findings(vocab, text, folded)
    findings += _camera_findings(prompt, matches)
    findings += _length_findings(prompt)
    findings.sort(key=lambda f: (f.start, f.end, f.kind))
    return PromptAnatomy(
        prompt=prompt,
        language=language,
        matches=tuple(matches),
        findings=tuple(findings),
        subject=_subject_summary(analysis, scene, matches),
    )


def _disjoint_per_key(matches: Sequence[Match]) -> list[Match]:
    """One match per stretch of text and element: the earliest, then the longest, wins an overlap."""
    kept: list[Match] = []
    taken: dict[str, list[tuple[int, int]]] = {}

    # On a tie, a colour wins (the simulator paints it), then the derived markers (« action.beats »,
    # « subject.detailed ») win over plain words.
    def rank(m: Match) -> int:
        return 0 if m.concept.startswith("colour.") else 1 if m.concept in ("action.beats", "subject.detailed") else 2

    order = sorted(set(matches), key=lambda m: (m.start, -(m.end - m.start), rank(m), m.concept))
    for match in order:
        spans = taken.setdefault(match.key, [])
        if any(match.start < end and start < match.end for start, end in spans):
            continue
        spans.append((match.start, match.end))
        kept.append(match)
    return sorted(kept, key=lambda m: (m.start, m.end, m.key, m.concept))


def _segments(tokens: Sequence[WordToken], folded: str, pattern: re.Pattern[str]) -> list[int]:
    """The sentence (or clause) number of each word."""
    breaks = [m.start() for m in pattern.finditer(folded)]
    numbers: list[int] = []
    segment = 0
    for token in tokens:
        while segment < len(breaks) and breaks[segment] < token.start:
            segment += 1
        numbers.append(segment)
    return numbers


def _scene_matches(analysis: Analysis, scene: SceneReading) -> list[Match]:
    phrases: list[Phrase] = []
    if scene.subject:
        phrases.append(scene.subject.phrase)
        phrases.extend(scene.subject.details)
    phrases.extend(scene.other_subjects)
    phrases.extend(scene.actions)
    phrases.extend(scene.settings)
    matches = []
    for phrase in phrases:
        start, end = analysis.span(phrase.first, phrase.last)
        matches.append(_original_match(analysis.prompt, phrase.concept, start, end))
    return matches


def _subject_summary(analysis: Analysis, scene: SceneReading, matches: Sequence[Match]) -> SubjectSummary | None:
    subject = scene.subject
    if subject is None:
        return None
    start, end = analysis.span(subject.phrase.first, subject.phrase.last)
    # Details next to the subject in its sentence count too (« un flacon…, en verre ambré »).
    sentence_start, sentence_end = analysis.span(*analysis.sentence_of(subject.head))
    detailed = bool(subject.details) or any(
        m.key == "subject"
        and (m.concept == "subject.detailed" or m.concept.startswith("colour."))
        and sentence_start <= m.start < sentence_end
        for m in matches
    )
    return SubjectSummary(kind=subject.kind, start=start, end=end, text=analysis.prompt[start:end], detailed=detailed)


def _covered(hit: Hit, spans: Iterable[tuple[int, int]]) -> bool:
    return any(first <= hit.first and hit.last <= last for first, last in spans)


def _original_match(prompt: str, concept: str, start: int, end: int, key: str | None = None) -> Match:
    key = key or GROUP_KEYS[concept.partition(".")[0]]
    return Match(key=key, concept=concept, start=start, end=end, text=prompt[start:end])


def _match(text: NormalisedText, concept: str, start: int, end: int, key: str | None = None) -> Match:
    """A match on the normalised span [start, end), placed back on the learner's text."""
    return _original_match(text.original, concept, *text.original_span(start, end), key=key)


# Words that name an element only as nouns or verbs: « light » in « light blue » is no lighting.
_NOUN_OR_VERB_CONCEPTS = frozenset({"light.generic"})
_LIGHT_NOUNS = frozenset(
    {"lumiere", "eclairage", "neon", "neons", "spot", "projecteur", "lueur", "light", "lighting", "glow"}
    | {"spotlight", "backlight", "lamp", "lampe", "halo"}
)


def _wrong_part_of_speech(analysis: Analysis, hit: Hit) -> bool:
    if hit.label.value == "style.look":  # « who looks older », « made up to look like »: a verb, no look
        tokens = [t for t in analysis.tokens if t.start < hit.end and hit.start < t.end]
        return bool(tokens) and tokens[-1].pos in ("VERB", "AUX")
    if hit.label.value not in _NOUN_OR_VERB_CONCEPTS:
        return False
    tokens = [t for t in analysis.tokens if t.start < hit.end and hit.start < t.end]
    return bool(tokens) and all(t.pos in ("ADJ", "ADV") for t in tokens)


def _colour_role(analysis: Analysis, vocab: Vocabulary, hit: Hit) -> str | None:
    """The element a colour word counts for: "style" (a palette, a tone), "lighting" (the colour of a
    light), "subject" (the colour of a thing), or None when it is no colour at all (« une orange »)."""
    tokens = [t for t in analysis.tokens if t.start < hit.end and hit.start < t.end]
    if not tokens:
        return "style"
    token = original = tokens[0]
    if token.pos in ("NOUN", "PROPN"):
        determined = any(child.dep in ("det", "det:poss", "poss") for child in analysis.children(token.i))
        if determined or (token.title and token.fold.endswith("s")):
            return None  # « une orange », « les Noirs »: a fruit, people
    while token.dep == "conj" and token.head != token.i:  # « rouge et vert »: the first colour's head
        token = analysis.tokens[token.head]
    head = analysis.tokens[token.head]
    previous = analysis.tokens[token.i - 1] if token.i else None
    misparsed = token is original and head.i == token.i and previous is not None and previous.pos in ("NOUN", "PROPN")
    if misparsed:
        head = previous  # a misparse cut « robe | rouge »: the colour still follows its noun
    if head.i == token.i or head.pos not in ("NOUN", "PROPN"):
        return "style"
    head_concept = vocab.concept_of(head.fold, head.lemma) or ""
    if head_concept.startswith("light.") or head.lemma in _LIGHT_NOUNS or head.fold in _LIGHT_NOUNS:
        return "lighting"
    if head.lemma in vocab.syntax.meta_nouns or head.fold in vocab.syntax.meta_nouns:
        return "style"
    describes = misparsed or token.dep in ("amod", "nmod", "compound", "acl", "appos")
    if describes and head_concept.partition(".")[0] in ("", "subject", "setting"):
        return "subject"
    return "style"


def _finding(kind: str, prompt: str, start: int, end: int, template: str, **params: Any) -> Finding:
    text = prompt[start:end]
    return Finding(kind=kind, start=start, end=end, text=text, message=_message(template, text=text, **params))


def _normalised_finding(kind: str, text: NormalisedText, start: int, end: int, template: str, **params) -> Finding:
    return _finding(kind, text.original, *text.original_span(start, end), template, **params)


def _negations(
    vocab: Vocabulary, text: NormalisedText, tokens: Sequence[WordToken], hits: Sequence[Hit], clauses: Sequence[int]
) -> tuple[list[tuple[int, int]], list[Finding]]:
    """Word spans said only negatively ("pas de voitures"), and a finding for each."""
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
        findings.append(_normalised_finding("negative_only", text, hit.start, tokens[end - 1].end, _NEGATIVE_MESSAGE))
    return spans, findings


def _subject_details(text: NormalisedText, hits: Sequence[Hit], sentences: Sequence[int]) -> list[Match]:
    """``subject.detailed`` on each detail word or colour close to a subject word, in the same sentence."""
    subjects = [hit for hit in hits if hit.group == "subject"]
    details = [hit for hit in hits if hit.label.kind == "detail" or hit.group == "colour"]
    spans: dict[tuple[int, int], None] = {}
    for subject in subjects:
        for detail in details:
            near = subject.first - _DETAIL_BEFORE <= detail.first < subject.last + _DETAIL_AFTER
            if near and sentences[detail.first] == sentences[subject.first]:
                spans[(detail.start, detail.end)] = None
    return [_match(text, "subject.detailed", start, end) for start, end in spans]


def _action_beats(
    text: NormalisedText, hits: Sequence[Hit], sentences: Sequence[int], scene: SceneReading, analysis: Analysis
) -> list[Match]:
    """``action.beats``: a count of steps (« trois pas »), numbered beats, or two different actions."""
    matches = [_match(text, "action.beats", hit.start, hit.end) for hit in hits if hit.label.value == "action.beats"]
    matches += _numbered_beats(text.original, len(scene.actions))
    marker = None if matches else scene.beat_marker(analysis)
    if marker is not None:
        sequence = [h for h in hits if h.label.value == "pacing.sequence"]
        if sequence:  # « puis », « then »: the word that says the actions follow each other
            matches.append(_match(text, "action.beats", sequence[0].start, sequence[0].end))
        else:
            matches.append(_original_match(text.original, "action.beats", *analysis.span(marker.first, marker.last)))
    return matches


# "1) ... 2) ..." or "1. ... 2. ...": actions written as numbered beats.
_BEAT_MARKER_RE = re.compile(r"(?:^|(?<=[\s:;]))([1-9])\s*[).]\s")


def _numbered_beats(prompt: str, action_count: int) -> list[Match]:
    markers = list(_BEAT_MARKER_RE.finditer(prompt))
    if len(markers) < 2 or action_count < 2:
        return []
    first = markers[0]
    return [_original_match(prompt, "action.beats", first.start(1), first.end(1) + 1)]


def _light_directions(text: NormalisedText, hits: Sequence[Hit], clauses: Sequence[int]) -> list[Match]:
    """``light.from_<direction>`` for a direction said right next to a lighting term, in the same clause."""
    lights = [hit for hit in hits if hit.group == "light"]
    matches: list[Match] = []
    for hit in hits:
        if hit.label.kind != "direction":
            continue
        if any(
            clauses[light.first] == clauses[hit.first]
            and max(hit.first - light.last, light.first - hit.last) < _DIRECTION_REACH
            for light in lights
        ):
            matches.append(_match(text, f"light.from_{hit.label.value}", hit.start, hit.end))
    return matches


def _times_of_light(
    vocab: Vocabulary, text: NormalisedText, tokens: Sequence[WordToken], lexical: Sequence[Hit]
) -> list[Match]:
    """« lumière du matin », « evening light », « moonlight »: the light also says when the scene happens."""
    matches: list[Match] = []
    for hit in lexical:
        if hit.group != "light":
            continue
        for token in tokens[hit.first : hit.last]:
            concept = vocab.word_concepts.get(token.text, "")
            if concept.startswith("time."):
                matches.append(_match(text, concept, token.start, token.end))
            elif token.text in _LIGHTS_OF_THE_NIGHT:
                matches.append(_match(text, "time.night", token.start, token.end))
    return matches


# Lights that only shine at night, in one word (« moonlight », « clair de lune » has « lune »).
_LIGHTS_OF_THE_NIGHT = frozenset({"moonlight", "moonlit", "lune", "moon", "starlight", "etoiles", "stars"})


def _vague_findings(text: NormalisedText, hits: Sequence[Hit], *, gentle: bool) -> list[Finding]:
    template = _VAGUE_GENTLE_MESSAGE if gentle else _VAGUE_MESSAGE
    return [
        _normalised_finding("vague", text, hit.start, hit.end, template) for hit in hits if hit.label.kind == "vague"
    ]


def _parameter_findings(vocab: Vocabulary, text: NormalisedText, folded: str) -> list[Finding]:
    spans = sorted((m.start(), m.end()) for p in vocab.parameter_patterns for m in p.finditer(folded))
    findings: list[Finding] = []
    last_end = -1
    for start, end in spans:
        if start >= last_end and end > start:
            findings.append(_normalised_finding("parameter_in_prompt", text, start, end, _PARAMETER_MESSAGE))
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
    listed = ", ".join(_("« %(text)s »") % {"text": m.text} for m in firsts.values())
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
