"""Concepts that rules and rubric lines name with ``@`` instead of listing words.

A trainer writes « @minor » once rather than « enfant, enfants, fillette, child, kid… » and every
age under 18 (« un garçon de 8 ans », « an eight-year-old »). Each concept reads the analysis
(lemmas, parse, entities) and the lexicons of ``labs/grading/vocab/<language>.json``
(``lexicons`` and the subject concepts), in French and English alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from django.utils.translation import gettext_lazy as _

from labs.grading.language.analysis import Analysis, Token
from labs.grading.language.vocabulary import load_vocabulary

Span = tuple[int, int]

_NUMBER_WORDS = {
    # French
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16,
    # English
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
}  # fmt: skip
_AGE_UNITS = frozenset({"an", "ans", "year", "years", "yo", "yrs"})
_AGE_NUMBER_RE = re.compile(r"^(\d{1,2})(?:ans?|yo|yrs?)?$")
_AGE_ATTACHED_RE = re.compile(r"^\d{1,2}(?:ans?|yo|yrs?)$")
ADULT_AGE = 18
_AGE_NOUNS = frozenset({"olds", "old", "ans", "an"})
_PERSON_PRONOUNS = frozenset(
    {"il", "elle", "ils", "elles", "lui", "he", "she", "him", "her", "they", "them", "himself", "herself"}
)


@cache
def _lexicon(language: str, name: str) -> frozenset[str]:
    return frozenset(load_vocabulary(language).lexicons.get(name, ()))


@cache
def _concept_words(language: str, *concepts: str) -> frozenset[str]:
    """Single folded words the vocabulary files under the given subject concepts."""
    vocab = load_vocabulary(language)
    return frozenset(word for word, concept in vocab.word_concepts.items() if concept in concepts)


def _lexicon_spans(analysis: Analysis, name: str) -> list[Span]:
    from labs.grading.language.phrases import compile_phrases  # phrases imports this module

    words = tuple(sorted(load_vocabulary(analysis.language).lexicons.get(name, ())))
    return [(o.first, o.last) for o in compile_phrases(words).find(analysis, skip_negated=False)]


def _is_person_word(analysis: Analysis, token: Token) -> bool:
    people = _concept_words(analysis.language, "subject.person", "subject.character")
    if token.lemma in people or token.fold in people or token.fold in _PERSON_PRONOUNS:
        return True
    if token.pos != "PROPN" or not token.title or token.common:
        return False
    return analysis.entity_kind(token.i) in ("", "person")


def _ages(analysis: Analysis) -> list[tuple[Span, int, Token | None]]:
    """Ages written in the prompt: (span, years, the word they describe)."""
    tokens = analysis.tokens
    ages = []
    for token in tokens:
        value = _number(token)
        if value is None:
            continue
        if _AGE_ATTACHED_RE.match(token.fold):  # « 8ans », « 8yo »
            last = token.i + 1
        else:  # « 8 ans », « eight years old », « 8-year-old »
            end = token.i + 1
            while end < len(tokens) and tokens[end].text in ("-", "‑"):
                end += 1
            if end >= len(tokens) or tokens[end].fold not in _AGE_UNITS:
                continue
            last = end + 1
        while last < len(tokens) and tokens[last].fold in ("-", "‑") and last + 1 < len(tokens):
            if tokens[last + 1].fold != "old":
                break
            last += 1
        if last < len(tokens) and tokens[last].fold == "old":
            last += 1
        ages.append(((token.i, last), value, _described(analysis, token.i, last)))
    return ages


def _number(token: Token) -> int | None:
    if token.fold in _NUMBER_WORDS:
        return _NUMBER_WORDS[token.fold]
    match = _AGE_NUMBER_RE.match(token.fold)
    return int(match.group(1)) if match else None


def _described(analysis: Analysis, first: int, last: int) -> Token | None:
    """The noun an age describes: the head of « 8 ans » (« un garçon de 8 ans »), or the phrase before."""
    for index in range(first, last):
        head = analysis.tokens[analysis.tokens[index].head]
        if head.i < first or head.i >= last:
            if head.pos in ("NOUN", "PROPN", "PRON"):
                return head
            break
    # « Salma, 8 ans, … »: the noun right before the comma.
    for index in range(first - 1, max(-1, first - 4), -1):
        candidate = analysis.tokens[index]
        if candidate.pos in ("NOUN", "PROPN", "PRON"):
            return candidate
    return None


# --- the concepts -------------------------------------------------------------------------


def _minor(analysis: Analysis) -> list[Span]:
    """A child or teenager: by word (« fillette », « toddler ») or by an age under 18 of a person."""
    spans = _lexicon_spans(analysis, "minor")
    for span, years, described in _ages(analysis):
        # « 10-year-olds »: the age is the noun itself.
        itself = described is None or described.fold in _AGE_NOUNS or span[0] <= described.i < span[1]
        if years < ADULT_AGE and (itself or _is_person_word(analysis, described)):
            spans.append((described.i, span[1]) if described is not None and described.i < span[0] else span)
    return spans


def _person(analysis: Analysis) -> list[Span]:
    spans = [(t.i, t.i + 1) for t in analysis.tokens if t.is_word and _is_person_word(analysis, t)]
    return spans + _minor(analysis)


def _animal(analysis: Analysis) -> list[Span]:
    animals = _concept_words(analysis.language, "subject.animal")
    return [(t.i, t.i + 1) for t in analysis.tokens if t.lemma in animals or t.fold in animals]


def _living(analysis: Analysis) -> list[Span]:
    return _person(analysis) + _animal(analysis)


def _entity_spans(analysis: Analysis, *kinds: str) -> list[Span]:
    return [(e.first, e.last) for e in analysis.entities if e.kind in kinds]


def _place(analysis: Analysis) -> list[Span]:
    """A real place: a place entity, or a city or country the vocabulary knows by name."""
    return _entity_spans(analysis, "place") + _known_place(analysis)


def _known_place(analysis: Analysis) -> list[Span]:
    """A city or country the vocabulary knows by name; unlike @place, never a guess of the recogniser."""
    cities = _concept_words(analysis.language, "setting.city")
    spans = _lexicon_spans(analysis, "countries")
    return spans + [(t.i, t.i + 1) for t in analysis.tokens if t.title and t.fold in cities]


def _institution(analysis: Analysis) -> list[Span]:
    """An institution, company or club the vocabulary knows by name (« FIFA », « Apple », « Raja »)."""
    return _lexicon_spans(analysis, "institutions")


def _org(analysis: Analysis) -> list[Span]:
    return _entity_spans(analysis, "org") + _institution(analysis)


def _named(analysis: Analysis) -> list[Span]:
    """Anything named: a person, place, organisation or group entity, or a capitalised unknown word."""
    spans = _entity_spans(analysis, "person", "place", "org", "group") + _place(analysis) + _org(analysis)
    for token in analysis.tokens:
        first_of_sentence = token.i == analysis.sentence_of(token.i)[0]
        if token.pos == "PROPN" and token.title and not token.common and not first_of_sentence:
            spans.append((token.i, token.i + 1))
    return spans


def _full_name(analysis: Analysis) -> list[Span]:
    """Two or more capitalised words that read as a person's name (« Karim Benali », « Taylor Swift »).

    Names of places and organisations the analysis recognises are left out, and so are runs of
    dictionary words at the start of a sentence (« Gros Plan »).
    """
    tokens = analysis.tokens
    places = {i for first, last in _place(analysis) + _org(analysis) for i in range(first, last)}
    spans: list[Span] = []
    index = 0
    while index < len(tokens):
        end = index
        while end < len(tokens) and _name_word(tokens[end]) and end not in places:
            end += 1
        if end - index >= 2:
            run = tokens[index:end]
            entity = analysis.entity_at(index)
            unknown = sum(not t.common for t in run)
            at_start = index == analysis.sentence_of(index)[0]
            looks_like_a_name = (entity is not None and entity.kind == "person") or (
                unknown >= 1 and not (at_start and unknown < 2)
            )
            if looks_like_a_name and not _introduced_as_fiction(analysis, index):
                spans.append((index, end))
            index = end
        else:
            index += 1
    return spans


def _introduced_as_fiction(analysis: Analysis, index: int) -> bool:
    """« une supportrice fictive nommée Salma Bennani », « Salma Bennani, personnage inventé » or a brand."""
    first, last = analysis.clause_of(index)
    markers = {first for first, _last in _lexicon_spans(analysis, "fiction_markers")}
    return any(first <= marker < last for marker in markers)


def _name_word(token: Token) -> bool:
    text = token.text
    return len(text) > 1 and text[0].isupper() and text[1:].islower() and token.pos in ("PROPN", "NOUN", "X", "ADJ")


def _text_on_screen(analysis: Analysis) -> list[Span]:
    return _lexicon_spans(analysis, "text_on_screen")


_QUOTES = {"«": "»", "“": "”", '"': '"', "'": "'"}


def _quoted(analysis: Analysis) -> list[Span]:
    """Words between quotes: a title, a slogan, words said (« Djadja », 'Hotline Bling')."""
    spans: list[Span] = []
    opening: Token | None = None
    for token in analysis.tokens:
        if opening is not None and token.text == _QUOTES[opening.text]:
            if token.i > opening.i + 1:
                spans.append((opening.i, token.i + 1))  # with the quotes, which the parser may attach
            opening = None
        elif opening is None and token.text in _QUOTES:
            opening = token
    return spans


def _alcohol(analysis: Analysis) -> list[Span]:
    return _lexicon_spans(analysis, "alcohol")


CONCEPTS: dict[str, tuple[Callable[[Analysis], list[Span]], str]] = {
    "@minor": (_minor, _("un enfant ou un adolescent (mot ou âge de moins de 18 ans)")),
    "@person": (_person, _("une personne")),
    "@animal": (_animal, _("un animal")),
    "@living": (_living, _("une personne ou un animal")),
    "@place": (_place, _("un lieu réel nommé (ville, pays)")),
    "@known_place": (_known_place, _("une ville ou un pays connus par leur nom")),
    "@org": (_org, _("une organisation nommée (entreprise, institution, club)")),
    "@institution": (_institution, _("une institution, une entreprise ou un club connus")),
    "@named": (_named, _("un nom propre (personne, lieu, organisation)")),
    "@full_name": (_full_name, _("un prénom et un nom de personne")),
    "@text": (_text_on_screen, _("du texte, un logo ou des sous-titres à l'écran")),
    "@alcohol": (_alcohol, _("une boisson alcoolisée")),
    "@quoted": (_quoted, _("des mots entre guillemets (un titre, un slogan, une réplique)")),
}


def concept_spans(concept: str, analysis: Analysis) -> list[Span]:
    """Token ranges of ``concept`` (« @minor ») in the analysed prompt."""
    key = f"concept:{concept}"
    spans = analysis.memo.get(key)
    if spans is None:
        finder, _label = CONCEPTS[concept]
        spans = analysis.memo[key] = sorted(set(finder(analysis)))
    return spans


def concept_label(concept: str) -> str:
    return str(CONCEPTS[concept][1])
