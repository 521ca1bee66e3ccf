"""The ethics gate: refuse prompts that ask for what must not be generated, deciding from meaning.

A pure function over rules that are data (``PolicyRule`` rows, seeded from ``policy_rules.json``,
which trainers and admins edit) and the lab's own constraints from its brief. Each rule is:

- ``terms``: phrases in dictionary form, or ``@concepts`` (« @minor », « @full_name »), found by
  lemma, case- and accent-free, through look-alike and invisible characters (see
  :mod:`labs.grading.language.phrases`). For real people and protected works, a term that is also
  a common word only counts where it is used as a name (« Frozen » the film, not « frozen
  vegetables »), and a name may be misspelt by a letter;
- ``context_terms``: when given, the rule applies only if one of them is found in the rule's
  ``scope`` around the term: ``phrase`` (the term's noun phrase: « le capitaine **de l'équipe
  nationale** »), ``sentence``, or ``prompt``;
- ``unless_terms``: the rule does not apply when one of them is found in that scope
  (« le capitaine d'un bateau de pêche **fictif** »).

Mentions the prompt rules out (« sans célébrité », « no children ») are not held against it.
Every finding quotes the words in cause and explains, in the learner's language, why the prompt
is refused and what to write instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from labs.grading.language.analysis import Analysis, analyse
from labs.grading.language.concepts import concept_spans
from labs.grading.language.phrases import Occurrence, PhraseList, compile_phrases
from labs.grading.language.pipelines import adjective_form
from labs.grading.language.vocabulary import detect_language

DEFAULT_RULES_FILE = Path(__file__).with_name("policy_rules.json")

SCOPES = ("phrase", "sentence", "prompt")
NAME_CATEGORIES = frozenset({"real_person", "copyright"})
# Categories whose terms name groups of people: « African animals » or « a Muslim prayer rug » are not.
PEOPLE_CATEGORIES = frozenset({"hate"})

CATEGORY_LABELS = {
    "real_person": _("Personne réelle identifiable"),
    "minors": _("Mineurs en danger"),
    "copyright": _("Personnage ou franchise protégés"),
    "sexual": _("Contenu sexuel"),
    "violence": _("Violence graphique"),
    "hate": _("Haine"),
    "harassment": _("Harcèlement"),
    "self_harm": _("Automutilation"),
    "illicit": _("Activités illicites"),
    "disinformation": _("Désinformation"),
    "brief": _("Contrainte de la consigne"),
}

CATEGORY_EXPLANATIONS = {
    "real_person": _(
        "Les modèles vidéo et la charte de l'Academy refusent de représenter une personne réelle identifiable, "
        "personnalités publiques comprises : sans son consentement écrit, c'est un hypertrucage (deepfake) qui "
        "trompe le public et porte atteinte à son image. Inventez un personnage ou montrez un anonyme."
    ),
    "minors": _(
        "Aucun contenu ne doit montrer un enfant ou un adolescent dans une situation sexuelle, violente ou "
        "dangereuse. Montrez un adulte, une mascotte originale ou le produit seul."
    ),
    "copyright": _(
        "Ce personnage, cette œuvre ou cette marque est protégé par le droit d'auteur ou le droit des marques : "
        "les modèles le refusent et le publier exposerait l'entreprise. Créez votre propre personnage ou mascotte."
    ),
    "sexual": _(
        "Le contenu sexuel explicite est refusé par les modèles vidéo et n'a pas sa place dans une "
        "communication professionnelle."
    ),
    "violence": _(
        "La violence graphique (blessures, sang, meurtre, torture) est refusée. Pour une vidéo de prévention, "
        "suggérez le danger sans le montrer : un avertissement, un geste évité, une réaction."
    ),
    "hate": _(
        "Les contenus qui attaquent, rabaissent ou ridiculisent un groupe de personnes pour ce qu'elles sont "
        "(origine, religion, sexe, orientation, handicap) sont interdits."
    ),
    "harassment": _(
        "Une vidéo qui vise à humilier, menacer ou harceler une personne est interdite. Pour une formation sur "
        "le harcèlement, montrez des personnages inventés et le bon réflexe."
    ),
    "self_harm": _(
        "Les contenus qui montrent ou encouragent l'automutilation ou le suicide sont refusés. Si vous traversez "
        "une période difficile, parlez-en à un proche ou à un professionnel de santé."
    ),
    "illicit": _("Les contenus qui montrent comment commettre un acte illégal sont refusés."),
    "disinformation": _(
        "Une vidéo qui imite un journal d'information pour annoncer un événement inventé (catastrophe, attentat, "
        "déclaration officielle) est de la désinformation, même « pour rire » : elle circule sans son contexte. "
        "Si la scène est une fiction, situez-la dans un lieu inventé et dites-le."
    ),
    "brief": _("Le brief de ce labo l'exclut : réécrivez le prompt en respectant ses contraintes."),
}

_REASONS = {
    "name": _("« %(text)s » désigne une personne réelle."),
    "misspelt_name": _("« %(text)s » ressemble au nom d'une personne réelle (« %(term)s »)."),
    "misspelt_work": _("« %(text)s » ressemble au nom d'une œuvre ou d'une marque protégée (« %(term)s »)."),
    "full_name": _("« %(text)s » ressemble au prénom et au nom d'une personne réelle."),
    "description": _(
        "« %(text)s » désigne une personne réelle précise sans la nommer : une description qui la rend "
        "reconnaissable pose le même problème qu'un nom."
    ),
    "brief": _("La consigne de ce labo exclut : %(label)s (« %(text)s »)."),
}


@dataclass(frozen=True)
class Rule:
    id: int | None
    category: str
    terms: tuple[str, ...]
    context_terms: tuple[str, ...] = ()
    explanation: str = ""
    unless_terms: tuple[str, ...] = ()
    scope: str = "sentence"


@dataclass(frozen=True)
class Constraint:
    """A lab's constraint from its brief (« Aucun enfant »): a rubric line the gate enforces."""

    label: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class PolicyFinding:
    rule_id: int | None
    category: str
    term: str
    start: int
    end: int
    text: str
    explanation: str
    reason: str = ""

    def to_dict(self) -> dict:
        return {
            "rule": self.rule_id,
            "category": self.category,
            "term": self.term,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "explanation": self.explanation,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class PolicyResult:
    findings: tuple[PolicyFinding, ...] = field(default_factory=tuple)
    moderation_categories: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.findings and not self.moderation_categories

    @property
    def categories(self) -> list[str]:
        seen = dict.fromkeys([f.category for f in self.findings] + list(self.moderation_categories))
        return list(seen)

    def to_dict(self) -> dict:
        return {
            "allowed": self.allowed,
            "findings": [f.to_dict() for f in self.findings],
            "moderation_categories": list(self.moderation_categories),
        }


def category_label(category: str) -> str:
    return str(CATEGORY_LABELS.get(category, category))


def default_rules() -> list[Rule]:
    data = json.loads(DEFAULT_RULES_FILE.read_text(encoding="utf-8"))
    return [
        Rule(
            id=None,
            category=item["category"],
            terms=tuple(item["terms"]),
            context_terms=tuple(item.get("context_terms", ())),
            explanation=item.get("explanation", ""),
            unless_terms=tuple(item.get("unless_terms", ())),
            scope=item.get("scope", "sentence"),
        )
        for item in data["rules"]
    ]


def check_prompt(
    prompt: str, rules: Sequence[Rule], *, constraints: Sequence[Constraint] = (), language: str | None = None
) -> PolicyResult:
    """Apply the rules and the lab's constraints to ``prompt``. Pure: no database, no network."""
    if not prompt.strip():
        return PolicyResult()
    analysis = analyse(prompt, language or detect_language(prompt))
    findings: list[PolicyFinding] = []
    every_term = _every_term(tuple(rules))
    for rule in rules:
        finding = _apply(rule, analysis, every_term)
        overlaps = finding is not None and any(
            f.category == finding.category and f.start < finding.end and finding.start < f.end for f in findings
        )
        if finding is not None and not overlaps:
            findings.append(finding)
    for constraint in constraints:
        finding = _apply_constraint(constraint, analysis)
        if finding is not None:
            findings.append(finding)
    return PolicyResult(findings=tuple(findings))


@lru_cache(maxsize=1024)
def _term_set(rule: Rule) -> frozenset[str]:
    return frozenset(rule.terms)


@lru_cache(maxsize=16)
def _every_term(rules: tuple[Rule, ...]) -> PhraseList:
    """All the rules' terms in one compiled list, so a prompt is scanned once for all of them."""
    return compile_phrases(tuple(sorted({term for rule in rules for term in rule.terms})))


def _apply(rule: Rule, analysis: Analysis, every_term: PhraseList | None = None) -> PolicyFinding | None:
    as_names = rule.category in NAME_CATEGORIES and not rule.context_terms
    terms = every_term or compile_phrases(tuple(rule.terms))
    occurrences = terms.find(analysis, as_names=as_names, only=_term_set(rule))
    for occurrence in occurrences:
        if rule.category in PEOPLE_CATEGORIES and rule.context_terms and not _refers_to_people(analysis, occurrence):
            continue
        if (
            rule.category == "real_person"
            and not rule.context_terms
            and _names_something_else(analysis, occurrence, occurrences)
        ):
            continue
        first, last = _scope(rule.scope, analysis, occurrence)
        contexts = []
        if rule.context_terms:
            contexts = _within(rule.context_terms, analysis, first, last, exclude=occurrence)
            if rule.scope == "phrase":
                contexts = [c for c in contexts if not _qualifies_another_noun(analysis, c, occurrence)]
            if not contexts:
                continue
        if rule.unless_terms and _within(rule.unless_terms, analysis, first, last, exclude=occurrence):
            continue
        quoted = (occurrence.first, occurrence.last)
        if contexts and rule.scope == "phrase":  # the whole description: « le capitaine … de l'équipe nationale »
            quoted = (
                min(occurrence.first, *(c.first for c in contexts)),
                max(occurrence.last, *(c.last for c in contexts)),
            )
            if quoted[0] and analysis.tokens[quoted[0] - 1].pos == "DET":
                quoted = (quoted[0] - 1, quoted[1])
        return _finding(rule, analysis, occurrence, quoted)
    return None


# A name given to someone or something else: « a parrot named Shakira », « la tour Mohammed VI ».
_NAMING_WORDS = frozenset(
    {"named", "called", "nicknamed", "dubbed", "nomme", "nommee", "appele", "appelee", "surnomme", "surnommee"}
    | {"baptise", "baptisee", "prenomme", "prenommee", "chez"}
)
_NAMED_PLACES = frozenset(
    {"tour", "avenue", "rue", "boulevard", "bd", "stade", "place", "aeroport", "universite", "hopital", "mosquee"}
    | {"lycee", "ecole", "college", "fondation", "prix", "pont", "barrage", "port", "parc", "musee", "gare"}
    | {"centre", "complexe", "salle", "quartier", "cite", "residence", "hotel", "tower", "street", "stadium"}
    | {"square", "airport", "university", "hospital", "mosque", "school", "foundation", "award", "bridge"}
    | {"dam", "park", "museum", "station", "center", "road", "district", "mausoleum", "mausolee", "theatre"}
)
_NICKNAME_WORDS = frozenset({"surnomme", "surnommee", "surnom", "nickname", "nicknamed"})


def _names_something_else(analysis: Analysis, occurrence: Occurrence, others: Sequence[Occurrence] = ()) -> bool:
    """A famous name used for a pet, a nickname, a place named after someone (« la tour Mohammed VI »,
    « Mohammed V Square ») or an artist's style (« Van Gogh style »), not the person."""
    before = [t for t in analysis.tokens[max(0, occurrence.first - 3) : occurrence.first] if t.is_word]
    after = [t for t in analysis.tokens[occurrence.last : occurrence.last + 3] if t.is_word and t.text != "'s"]
    if before and (before[-1].fold in _NAMING_WORDS or before[-1].lemma in _NAMING_WORDS):
        return True
    if before and (before[-1].fold in _NAMED_PLACES or before[-1].lemma in _NAMED_PLACES):
        return True
    if after and (after[0].fold in _NAMED_PLACES or after[0].lemma in _NAMED_PLACES):
        return True
    # An artist's style (« Van Gogh style », « in the brushstrokes of Van Gogh »), when the artist is not on screen.
    # A style reference, and the other mentions of that name that only qualify something (« Van Gogh
    # masterpiece … through the eyes of Van Gogh »); not « à la manière de X, avec X ».
    mentions = [o for o in others if o.phrase == occurrence.phrase] or [occurrence]
    style_reference = not any(_depicted(analysis, o) for o in mentions) and any(
        _near_style(analysis, o) for o in mentions
    )
    if style_reference and (_near_style(analysis, occurrence) or _only_qualifies(analysis, occurrence)):
        return True
    first, last = analysis.clause_of(occurrence.first)
    return any(t.fold in _NICKNAME_WORDS for t in analysis.tokens[first:last])


# An artist's name next to these words is a style of image, not the artist on screen.
_STYLE_WORDS = frozenset(
    {"style", "manner", "maniere", "brushstroke", "brushstrokes", "painting", "painted", "peinture", "peint"}
    | {"tableau", "masterpiece", "chef-d'oeuvre", "inspired", "inspire", "inspiree", "technique", "facon"}
    | {"aesthetic", "esthetique", "depicted", "rendered", "self-portrait", "autoportrait", "strokes", "stroke"}
    | {"swirls", "swirling", "reminiscent", "evoking", "evocative", "homage", "hommage", "tribute", "canvas"}
    | {"toile", "impressionist", "impressionniste", "signature", "artwork", "art", "oeuvre", "work", "works"}
)


def _only_qualifies(analysis: Analysis, occurrence: Occurrence) -> bool:
    """The name only qualifies another noun: « the eyes of Van Gogh », « Van Gogh's art »."""
    head = analysis.tokens[_head_of(analysis, occurrence.first, occurrence.last)]
    cases = {c.fold for c in analysis.children(head.i) if c.dep in ("case", "poss")}
    governed_by_of = head.dep == "pobj" and analysis.tokens[head.head].fold in ("of", "de", "d'", "du")
    return head.dep == "poss" or bool(cases & {"'s", "de", "d'", "du"}) or governed_by_of


def _near_style(analysis: Analysis, occurrence: Occurrence) -> bool:
    near = analysis.tokens[max(0, occurrence.first - 4) : occurrence.last + 3]
    return any(t.fold in _STYLE_WORDS or t.lemma in _STYLE_WORDS for t in near)


def _depicted(analysis: Analysis, occurrence: Occurrence) -> bool:
    """The named person is on screen doing something: the name is the subject of a verb (« Van Gogh stands »)."""
    head = analysis.tokens[_head_of(analysis, occurrence.first, occurrence.last)]
    return head.dep in ("nsubj", "nsubj:pass") and analysis.tokens[head.head].pos == "VERB"


def _refers_to_people(analysis: Analysis, occurrence: Occurrence) -> bool:
    """Whether a group word names people rather than qualifying a thing (« des migrants » vs « African animals »)."""
    if occurrence.phrase.startswith("@"):
        return True
    head = analysis.tokens[_head_of(analysis, occurrence.first, occurrence.last)]
    if head.dep not in ("amod", "compound", "nmod") or head.pos == "PROPN":
        return True
    described = analysis.tokens[head.head]
    return bool(concept_spans("@person", analysis)) and any(
        first <= described.i < last for first, last in concept_spans("@person", analysis)
    )


def _scope(scope: str, analysis: Analysis, occurrence: Occurrence) -> tuple[int, int]:
    """The token range a rule's context and exceptions are looked for in, around ``occurrence``."""
    if scope == "prompt":
        return 0, len(analysis.tokens)
    if scope == "phrase":
        head = _head_of(analysis, occurrence.first, occurrence.last)
        if analysis.tokens[head].dep in ("amod", "acl") and analysis.tokens[head].head != head:
            head = analysis.tokens[head].head  # « naked woman »: the phrase of the noun the word qualifies
        first, last = analysis.noun_phrase(head, relative_clauses=True)
        # Words right before the phrase still qualify it (« l'actuel président »), and an adjective
        # right after a noun qualifies that noun (« une femme nue »).
        first = min(first, occurrence.first)
        if first == occurrence.first and first and analysis.tokens[first - 1].pos in ("NOUN", "PROPN"):
            first = analysis.noun_phrase(first - 1)[0]
        return first, _trailing_qualifiers(analysis, max(last, occurrence.last))
    return analysis.clause_of(occurrence.first)


_SUPERLATIVE_ARTICLES = frozenset({"le", "la", "les", "l'", "the"})
_SUPERLATIVE_ADVERBS = frozenset({"plus", "moins", "most", "least"})


def _trailing_qualifiers(analysis: Analysis, last: int) -> int:
    """``last`` moved past the adjectives and superlative that follow a noun phrase in the text even
    where the parse hung them elsewhere: in « la chanteuse colombienne la plus célèbre », the tagger
    reads « colombienne » as the root verb, yet « la plus célèbre » still qualifies « chanteuse »."""
    tokens = analysis.tokens

    def adjective(token) -> bool:
        return token.pos == "ADJ" or (token.pos == "VERB" and adjective_form(analysis.language, token))

    index = last
    while index < len(tokens):
        if adjective(tokens[index]):
            index += 1
        elif (
            index + 2 < len(tokens)
            and tokens[index].fold in _SUPERLATIVE_ARTICLES
            and tokens[index + 1].fold in _SUPERLATIVE_ADVERBS
            and adjective(tokens[index + 2])
        ):
            index += 3
        else:
            break
    return index


def _qualifies_another_noun(analysis: Analysis, context: Occurrence, occurrence: Occurrence) -> bool:
    """An adjective context (« le plus célèbre », « connu ») that the parse hangs on another noun of the
    phrase: « un touriste visite le musée le plus célèbre » describes the museum, not the tourist."""
    words = analysis.tokens[context.first : context.last]
    if not words or any(
        t.pos not in ("DET", "ADV", "ADJ") and not (t.pos == "VERB" and adjective_form(analysis.language, t))
        for t in words
    ):
        return False
    # The noun right after or right before it, adjectives skipped (« the most famous dish », « le café le
    # plus connu »): reliable where the parse of a long fragment is not.
    tokens = analysis.tokens
    before, after = context.first - 1, context.last
    while before >= 0 and tokens[before].pos == "ADJ":
        before -= 1
    while after < len(tokens) and tokens[after].pos == "ADJ":
        after += 1
    if occurrence.first <= after < occurrence.last:
        return False  # « the most famous singer »
    # French adjectives follow their noun (« le Premier ministre britannique actuel danse »), English
    # ones precede it (« cooks the most famous dish »).
    right_after = occurrence.last <= context.first and context.last <= _trailing_qualifiers(analysis, occurrence.last)
    if right_after and analysis.language == "fr":
        return False
    if after < len(tokens) and tokens[after].pos in ("NOUN", "PROPN"):
        return True
    if right_after:
        return False
    if before >= 0 and tokens[before].pos in ("NOUN", "PROPN"):
        return True
    qualified = words[-1].head
    if occurrence.first <= qualified < occurrence.last:
        return False
    return tokens[qualified].pos in ("NOUN", "PROPN")


def _head_of(analysis: Analysis, first: int, last: int) -> int:
    """The token of [first, last) whose head lies outside the range."""
    for index in range(first, last):
        head = analysis.tokens[index].head
        if head == index or not first <= head < last:
            return index
    return first


def _within(
    phrases: Sequence[str], analysis: Analysis, first: int, last: int, *, exclude: Occurrence
) -> list[Occurrence]:
    """Occurrences of ``phrases`` inside tokens [first, last), other than ``exclude`` itself."""
    return [
        occurrence
        for occurrence in compile_phrases(tuple(phrases)).find(analysis)
        if first <= occurrence.first < last
        and not (occurrence.first >= exclude.first and occurrence.last <= exclude.last)
    ]


def _finding(rule: Rule, analysis: Analysis, occurrence: Occurrence, quoted: tuple[int, int]) -> PolicyFinding:
    start, end = analysis.span(*quoted)
    text = analysis.prompt[start:end]
    written = analysis.original(occurrence.first, occurrence.last)
    reason = _reason(rule, occurrence, written)
    parts = []
    if reason:
        parts.append(gettext(_REASONS[reason]) % {"text": text, "term": occurrence.phrase})
    parts.append(gettext(CATEGORY_EXPLANATIONS.get(rule.category, "")))
    if rule.explanation:
        parts.append(rule.explanation)
    return PolicyFinding(
        rule_id=rule.id,
        category=rule.category,
        term=occurrence.phrase,
        start=start,
        end=end,
        text=text,
        explanation=" ".join(p for p in parts if p),
        reason=reason,
    )


def _reason(rule: Rule, occurrence: Occurrence, written: str) -> str:
    if rule.category == "real_person":
        if occurrence.phrase == "@full_name":
            return "full_name"
        if rule.context_terms:
            return "description"
        if _misspelt(occurrence.phrase, written):
            return "misspelt_name"
        # Names are listed capitalised (« Hakimi »); other terms of the category (« deepfake ») are not.
        return "name" if occurrence.phrase[:1].isupper() else ""
    if rule.category == "copyright" and _misspelt(occurrence.phrase, written):
        return "misspelt_work"
    return ""


def _misspelt(term: str, written: str) -> bool:
    from labs.grading.language.normalise import fold, normalise_text

    return fold(normalise_text(written).text).replace("-", " ") != fold(term).replace("-", " ")


def _apply_constraint(constraint: Constraint, analysis: Analysis) -> PolicyFinding | None:
    occurrences = compile_phrases(tuple(constraint.terms)).find(analysis)
    if not occurrences:
        return None
    occurrence = occurrences[0]
    start, end = analysis.span(occurrence.first, occurrence.last)
    text = analysis.prompt[start:end]
    explanation = " ".join(
        [
            gettext(_REASONS["brief"]) % {"label": constraint.label, "text": text},
            gettext(CATEGORY_EXPLANATIONS["brief"]),
        ]
    )
    return PolicyFinding(
        rule_id=None,
        category="brief",
        term=occurrence.phrase,
        start=start,
        end=end,
        text=text,
        explanation=explanation,
        reason="brief",
    )
