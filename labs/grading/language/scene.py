"""Who, doing what, where: the scene a prompt describes, read from its dependency parse.

- The **subject** is the head of the main noun phrase: the nominal subject of the first sentence that
  has one, or the noun a shot description is about (« Gros plan sur un flacon », « Close-up of a
  bottle »). It is typed (person, group, character, product, food, animal, vehicle, plant, place,
  object) so the advice fits it, and its details are the descriptive words of its phrase.
- The **actions** are verbs with their objects (the tagger's verbs, and the vocabulary's action words
  when the tagger reads them as nouns), without verbs about the film itself (« la caméra suit »,
  « the video shows ») or states (« posé sur », « covered in »). Two different actions are beats.
- The **settings** are locative phrases (« dans la tribune d'un stade », « on a wet city street »),
  plus the vocabulary's named places.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from labs.grading.language.analysis import Analysis, Token
from labs.grading.language.phrases import first_names
from labs.grading.language.pipelines import adjective_form, dictionary, looks_like_verb
from labs.grading.language.vocabulary import Hit, Vocabulary

SUBJECT_KINDS = ("person", "group", "character", "product", "food", "animal", "vehicle", "plant", "place", "object")

_SUBJECT_DEPS = frozenset({"nsubj", "nsubj:pass", "nsubjpass", "csubj"})
_OBJECT_DEPS = frozenset({"obj", "dobj", "iobj", "obl:arg"})
_NON_SUBJECT_GROUPS = frozenset(
    {"light", "shot", "camera", "lens", "style", "colour", "pacing", "audio", "time", "weather", "season"}
)
# Nouns that name a part of a place (« au milieu de la foule », « in front of a mirror »): the place
# is their complement.
_RELATIONAL_NOUNS = frozenset(
    {
        "milieu",
        "bord",
        "centre",
        "coeur",
        "fond",
        "pied",
        "sommet",
        "haut",
        "bas",
        "interieur",
        "exterieur",
        "face",
        "cote",
        "long",
        "travers",
        "abords",
        "seuil",
        "entree",
        "sortie",
        "front",
        "middle",
        "edge",
        "center",
        "heart",
        "back",
        "bottom",
        "top",
        "foot",
        "side",
        "inside",
        "outside",
        "corner",
        "end",
        "rear",
    }
)
_CAMERA_SUBJECTS = frozenset({"camera", "objectif", "lens", "drone", "plan", "shot", "video", "scene"})
_FRENCH_CLITICS = frozenset({"le", "la", "les", "l'"})
_AGE_UNITS = frozenset({"an", "ans", "year", "years"})


@dataclass(frozen=True)
class Phrase:
    """A span of tokens [first, last) and the concept it stands for."""

    concept: str
    first: int
    last: int


@dataclass(frozen=True)
class Subject:
    kind: str  # one of SUBJECT_KINDS
    head: int  # token index of the head noun
    phrase: Phrase  # what to highlight
    details: tuple[Phrase, ...]  # descriptive words of its phrase


@dataclass(frozen=True)
class SceneReading:
    subject: Subject | None
    other_subjects: tuple[Phrase, ...]
    actions: tuple[Phrase, ...]
    beats: bool
    settings: tuple[Phrase, ...]

    def beat_marker(self, analysis: Analysis) -> Phrase | None:
        """Where two different actions meet: the word that links them, else the second action."""
        if not self.beats:
            return None
        second = next(a for a in self.actions[1:] if analysis.tokens[a.first].i >= 0)
        for child in analysis.children(_main_token(analysis, second)):
            if child.dep == "cc" and child.i < second.first:
                return Phrase("action.beats", child.i, child.i + 1)
        return Phrase("action.beats", second.first, second.last)


_QUOTES = {"«": "»", "“": "”", '"': '"'}


def _quoted_tokens(analysis: Analysis) -> set[int]:
    quoted: set[int] = set()
    closing = None
    for token in analysis.tokens:
        if closing is not None:
            if token.text == closing:
                closing = None
            else:
                quoted.add(token.i)
        elif token.text in _QUOTES:
            closing = _QUOTES[token.text]
    return quoted


class _Index:
    """Links the vocabulary hits (character spans) to the parser's tokens."""

    def __init__(self, analysis: Analysis, hits: Sequence[Hit], negated: Sequence[tuple[int, int]] = ()):
        self.analysis = analysis
        self.actions: set[int] = set()  # tokens read as actions, which cannot be the subject
        self.negated = {t.i for t in analysis.tokens if any(t.start < end and start < t.end for start, end in negated)}
        self.quoted = _quoted_tokens(analysis)  # words said in a dialogue, not shown
        self.hits_of: list[list[Hit]] = [[] for _ in analysis.tokens]
        for hit in hits:
            for token in analysis.tokens:
                if token.start < hit.end and hit.start < token.end:
                    self.hits_of[token.i].append(hit)

    def group(self, index: int) -> str:
        groups = [hit.group for hit in self.hits_of[index] if hit.group]
        return groups[0] if groups else ""

    def concept(self, index: int, group: str) -> str:
        for hit in self.hits_of[index]:
            if hit.group == group:
                return hit.label.value
        return ""

    def tokens_of(self, hit: Hit) -> tuple[int, int] | None:
        indices = [t.i for t in self.analysis.tokens if t.start < hit.end and hit.start < t.end]
        return (indices[0], indices[-1] + 1) if indices else None


def read_scene(
    analysis: Analysis, vocab: Vocabulary, hits: Sequence[Hit], negated: Sequence[tuple[int, int]] = ()
) -> SceneReading:
    """The scene; words inside ``negated`` (normalised character spans: « pas de voitures ») are left out."""
    index = _Index(analysis, hits, negated)
    actions = _actions(analysis, vocab, index)
    index.actions = {i for action in actions for i in range(action.first, action.last)}
    subject = _main_subject(analysis, vocab, index)
    if subject is not None:
        actions = _with_verb_after_subject(analysis, vocab, index, subject, actions)
    distinct = _distinct_actions(analysis, vocab, actions)
    settings = _settings(analysis, vocab, index, subject)
    others = _other_subjects(analysis, index, subject)
    return SceneReading(
        subject=subject, other_subjects=others, actions=actions, beats=len(distinct) >= 2, settings=settings
    )


def _distinct_actions(analysis: Analysis, vocab: Vocabulary, actions: Sequence[Phrase]) -> list[Phrase]:
    """Actions with different verbs (« glisse, puis tombe »), not the same verb twice (« marche, puis marche »)."""
    distinct: list[Phrase] = []
    seen: set[str] = set()
    for action in actions:
        token = analysis.tokens[_main_token(analysis, action)]
        keys = {token.lemma, vocab.variants(token.fold)[-1][0]}
        if not keys & seen:
            distinct.append(action)
        seen |= keys
    return distinct


def _main_token(analysis: Analysis, phrase: Phrase) -> int:
    """The content word of a phrase (the verb of « s'arrête », the noun of « la tribune »)."""
    for i in range(phrase.first, phrase.last):
        if analysis.tokens[i].pos in ("VERB", "NOUN", "PROPN", "ADJ"):
            return i
    return phrase.first


# --- subject -----------------------------------------------------------------------------------


def _is_noun(token: Token) -> bool:
    return token.pos in ("NOUN", "PROPN")


def _misread_noun(analysis: Analysis, token: Token) -> bool:
    """A dictionary noun the tagger read as a verb although a determiner introduces it and it is no
    conjugated form (« un vieux berger conduit son troupeau », where « berger » is read as the root)."""
    if token.pos != "VERB" or _verb_form(analysis, token):
        return False
    words = dictionary(analysis.language)
    return token.fold in words["noun"] and _determined(analysis, token, words)


def _along(analysis: Analysis, token: Token) -> bool:
    """« Le long de » is a preposition (along), though the parser reads « long » as a noun."""
    tokens = analysis.tokens
    return (
        analysis.language == "fr"
        and token.fold == "long"
        and token.i > 0
        and tokens[token.i - 1].fold == "le"
        and token.i + 1 < len(tokens)
        and tokens[token.i + 1].fold in ("de", "des", "du", "d'")
    )


def _relational(analysis: Analysis, token: Token) -> bool:
    """« Au fond d'une grotte », « at the edge of a lake »: a relational noun that introduces a place."""
    tokens = analysis.tokens
    return (
        (token.fold in _RELATIONAL_NOUNS or token.lemma in _RELATIONAL_NOUNS)
        and token.i + 1 < len(tokens)
        and tokens[token.i + 1].fold in ("de", "des", "du", "d'", "of")
    )


def _misread_verb(analysis: Analysis, token: Token) -> bool:
    """A French conjugated verb read as a noun between its subject and its object: « une alpiniste
    plante un drapeau », where the parser makes « plante » the head and « alpiniste » its adjective."""
    tokens = analysis.tokens
    if analysis.language != "fr" or token.pos != "NOUN" or not 0 < token.i < len(tokens) - 1:
        return False
    before, after = tokens[token.i - 1], tokens[token.i + 1]
    return before.pos in ("NOUN", "ADJ", "PROPN") and after.pos == "DET" and _verb_form(analysis, token)


def _can_be_subject(token: Token, vocab: Vocabulary, index: _Index) -> bool:
    if token.i in index.actions or token.i in index.negated or token.i in index.quoted or not token.is_word:
        return False
    # The vocabulary's subject words count even when the tagger misreads them (« fisherman » as an adjective).
    analysis = index.analysis
    misread = (index.group(token.i) == "subject" and token.pos in ("ADJ", "X", "VERB")) or _misread_noun(
        analysis, token
    )
    # « une alpiniste plante un drapeau »: the noun before a verb read as a noun was read as its adjective.
    doer = (
        token.pos == "ADJ"
        and token.i + 1 < len(analysis.tokens)
        and _misread_verb(analysis, analysis.tokens[token.i + 1])
        and token.fold in dictionary(analysis.language)["noun"]
    )
    if not _is_noun(token) and not misread and not doer:
        return False
    if _along(analysis, token) or _misread_verb(analysis, token) or _relational(analysis, token):
        return False
    syntax = vocab.syntax
    if token.lemma in syntax.meta_nouns or token.fold in syntax.meta_nouns:
        return False
    if token.lemma in syntax.time_nouns or token.fold in syntax.time_nouns:
        return False
    return index.group(token.i) not in _NON_SUBJECT_GROUPS


def _is_place(token: Token, vocab: Vocabulary, index: _Index, *, ask_entities: bool = True) -> bool:
    """A place noun, a named place of the vocabulary, or (``ask_entities``) a name the recogniser calls a place."""
    if index.group(token.i) == "setting" or token.lemma in vocab.syntax.places or token.fold in vocab.syntax.places:
        return True
    return ask_entities and token.pos == "PROPN" and not token.common and index.analysis.entity_kind(token.i) == "place"


def _candidates(analysis: Analysis, vocab: Vocabulary, index: _Index) -> list[int]:
    """Subject candidates in order of preference: per sentence, the nominal subject or the shot's topic."""
    tokens = analysis.tokens
    found: list[int] = []
    for first, last in analysis.sentences:
        roots = [t for t in tokens[first:last] if t.dep == "root"]
        for root in roots:
            if (
                root.pos in ("VERB", "AUX")
                or root.dep == "root"
                and any(c.dep in _SUBJECT_DEPS for c in analysis.children(root.i))
            ):
                subjects = [c for c in analysis.children(root.i) if c.dep in _SUBJECT_DEPS]
                for subject in subjects:
                    found.extend(_resolve_topic(analysis, vocab, index, subject))
                if not subjects and root.pos == "VERB":  # « Filmez une femme qui… », « Show a bottle »
                    for child in analysis.children(root.i):
                        if child.dep in _OBJECT_DEPS:
                            found.extend(_resolve_topic(analysis, vocab, index, child))
            if _is_noun(root) or root.pos in ("ADJ", "X") or _misread_noun(analysis, root):
                found.extend(_resolve_topic(analysis, vocab, index, root))
        # Verbs of other clauses, in order (« …, une supportrice lève la canette »).
        for token in tokens[first:last]:
            if token.dep in _SUBJECT_DEPS and token.head != token.i:
                found.extend(_resolve_topic(analysis, vocab, index, token))
    # Any noun the vocabulary knows as a subject, then any noun at all.
    found.extend(t.i for t in tokens if index.group(t.i) == "subject" and _can_be_subject(t, vocab, index))
    # Last resort: a bare noun phrase (not a complement: « à l'épaule » is no subject).
    found.extend(
        t.i
        for t in tokens
        if _can_be_subject(t, vocab, index)
        and t.lemma not in vocab.syntax.body_parts
        and not any(c.dep == "case" for c in analysis.children(t.i))
        and t.dep not in ("pobj", "obl", "obl:mod", "obl:arg", "nmod")
    )
    return list(dict.fromkeys(found))


def _resolve_topic(analysis: Analysis, vocab: Vocabulary, index: _Index, token: Token) -> list[int]:
    """The noun a phrase is about: itself, or for a shot or style word, its complement."""
    if _can_be_subject(token, vocab, index):
        return [token.i]
    if _misread_verb(analysis, token) and _can_be_subject(analysis.tokens[token.i - 1], vocab, index):
        return [token.i - 1]  # « une alpiniste plante un drapeau », « plante » read as the head noun
    if token.pos == "PRON":
        return []
    # « Gros plan sur un flacon », « Close-up of a bottle », « Plan moyen d'une femme »: follow the
    # complements of a film word down to the first noun that can be a subject.
    queue = list(analysis.children(token.i))
    resolved: list[int] = []
    while queue:
        child = queue.pop(0)
        if child.dep in ("det", "punct", "case", "cc", "amod", "advmod", "nummod"):
            continue
        if _can_be_subject(child, vocab, index):
            resolved.append(child.i)
            break
        queue.extend(analysis.children(child.i))
    return resolved


def _main_subject(analysis: Analysis, vocab: Vocabulary, index: _Index) -> Subject | None:
    candidates = _candidates(analysis, vocab, index)
    if not candidates:
        return None
    # Candidates come in order of the parse's preference; a noun the vocabulary knows as a subject,
    # or one that does something, beats a word of a style line (« Animation 2D en aplats »). A place
    # is the subject only when nothing else is (« Une plage déserte à l'aube »).
    # Among equals, the first one the prompt mentions.
    chosen = min(candidates, key=lambda i: (-_subject_strength(analysis, vocab, index, i), i))
    token = analysis.tokens[chosen]
    kind = _subject_kind(analysis, vocab, index, token)
    return Subject(
        kind=kind,
        head=chosen,
        phrase=_subject_phrase(analysis, index, token, kind),
        details=_details(analysis, vocab, index, token),
    )


def _subject_strength(analysis: Analysis, vocab: Vocabulary, index: _Index, candidate: int) -> int:
    token = analysis.tokens[candidate]
    # Ranking candidates does not wake the entity recogniser: the chosen subject's kind is checked later.
    if _is_place(token, vocab, index, ask_entities=False):
        return 0
    strength = 1
    if index.group(candidate) == "subject" or token.lemma in vocab.syntax.groups:
        strength += 3
    elif token.pos == "PROPN" and token.title and not token.common:
        strength += 2  # a name: « Salma lève la canette »
    head = analysis.tokens[token.head]
    if token.dep in _SUBJECT_DEPS and head.i in index.actions:
        strength += 2
    if _framed_by_shot(analysis, index, token):
        strength += 2  # « Gros plan sur un flacon ; une main le fait tourner »: the shot names what is shown
    if token.lemma in vocab.syntax.body_parts:
        strength -= 2  # a hand or a face serves another subject unless nothing else is there
    # A noun hanging from a style or film word (« Animation 2D en aplats », « publicité de cosmétiques »).
    qualifier = ("style", "colour", "light", "lens", "genre")
    if head.i != candidate and head.pos == "NOUN" and index.group(head.i) in qualifier:
        strength -= 2
    if token.dep == "compound" and head.i != candidate and head.i in index.actions:
        strength += 4  # « A golden retriever chases… », the verb read as a noun: the compound is the doer
    elif token.dep in ("amod", "compound") and head.i != candidate:
        strength -= 2  # « publicité cosmétique », « cosmetics commercial »: it qualifies another noun
    return strength


def _framed_by_shot(analysis: Analysis, index: _Index, token: Token) -> bool:
    """The noun is the complement of a framing word (« Gros plan sur… », « Close-up of… »)."""
    current = token
    for _ in range(3):
        if current.head == current.i:
            return False
        current = analysis.tokens[current.head]
        if index.group(current.i) == "shot":
            return True
        if current.pos in ("VERB", "AUX"):
            return False
    return False


_IRREGULAR_PLURALS = frozenset({"men", "women", "people", "children", "gens", "folks"})


def _plural(token: Token) -> bool:
    """A plural noun: its lemma differs and it has a plural ending, or an irregular plural."""
    if token.pos != "NOUN":
        return False
    return token.fold in _IRREGULAR_PLURALS or (token.lemma != token.fold and token.fold.endswith(("s", "x")))


def _has_first_name(analysis: Analysis, token: Token) -> bool:
    """The name, or a name joined to it (« Kylian » in « Kylian Mbappe »), is a common given name."""
    names = first_names()
    related = [token, *(c for c in analysis.children(token.i) if c.dep in ("compound", "flat", "flat:name"))]
    if token.dep in ("compound", "flat", "flat:name"):
        related.append(analysis.tokens[token.head])
    return any(t.title and t.fold in names for t in related)


def _subject_kind(analysis: Analysis, vocab: Vocabulary, index: _Index, token: Token) -> str:
    syntax = vocab.syntax
    if token.lemma in syntax.groups or token.fold in syntax.groups:
        return "group"
    concept = index.concept(token.i, "subject") or vocab.concept_of(token.lemma, token.fold) or ""
    group, _dot, name = concept.partition(".")
    if group == "subject" and name == "person" and _plural(token):
        return "group"  # « deux hommes », « soldiers »
    if group == "subject" and name in SUBJECT_KINDS:
        return name
    if token.pos == "PROPN" and token.title and not token.common and analysis.entity_kind(token.i) in ("", "person"):
        return "person"
    if token.pos == "PROPN" and _has_first_name(analysis, token):
        return "person"  # « Kylian Mbappe », « Leïla Slimani », whatever the recogniser says
    if _is_place(token, vocab, index):
        return "place"
    return "object"


def _subject_phrase(analysis: Analysis, index: _Index, token: Token, kind: str) -> Phrase:
    first, last = token.i, token.i + 1
    # A multi-word vocabulary term (« flacon de parfum », « olive oil ») or a proper name.
    for hit in index.hits_of[token.i]:
        if hit.group == "subject":
            span = index.tokens_of(hit)
            if span:
                first, last = min(first, span[0]), max(last, span[1])
    for child in analysis.children(token.i):  # a proper name in several words (« Nour Argan »)
        near = abs(child.i - token.i) <= 2
        if near and child.dep in ("flat", "flat:name", "compound") and child.pos == token.pos == "PROPN":
            first, last = min(first, child.i), max(last, child.i + 1)
    return Phrase(f"subject.{kind}", first, last)


def _details(analysis: Analysis, vocab: Vocabulary, index: _Index, token: Token) -> tuple[Phrase, ...]:
    """Descriptive words of the subject's phrase: materials, colours, clothing, age, size, expression."""
    first, last = analysis.subtree(token.i)
    tokens = analysis.tokens
    details: list[Phrase] = []
    for i in range(first, last):
        if i == token.i:
            continue
        candidate = tokens[i]
        hits = index.hits_of[i]
        if any(hit.label.kind == "detail" or hit.group == "colour" for hit in hits):
            details.append(Phrase("subject.detailed", i, i + 1))
        elif candidate.pos == "NUM" and i + 1 < len(tokens) and tokens[i + 1].fold in _AGE_UNITS:
            details.append(Phrase("subject.detailed", i, i + 2))
    return tuple(details)


def _other_subjects(analysis: Analysis, index: _Index, subject: Subject | None) -> tuple[Phrase, ...]:
    """Other things the vocabulary names as subjects (« une femme et son chien »), one phrase per term."""
    taken = set(range(subject.phrase.first, subject.phrase.last)) if subject else set()
    others: list[Phrase] = []
    for hits in index.hits_of:
        for hit in hits:
            span = index.tokens_of(hit) if hit.group == "subject" else None
            if span and not taken.intersection(range(*span)) and not index.negated.intersection(range(*span)):
                if any(analysis.tokens[i].pos not in ("VERB", "AUX") for i in range(*span)):
                    others.append(Phrase(hit.label.value, *span))
                taken.update(range(*span))
    return tuple(others)


# --- actions -----------------------------------------------------------------------------------


def _subjects_of(analysis: Analysis, token: Token) -> list[Token]:
    """The verb's nominal subjects in its own clause (a parse across « : » or « ; » is not trusted)."""
    subjects = [
        child
        for child in analysis.children(token.i)
        if child.dep in _SUBJECT_DEPS
        and not any(t.text in (":", ";") for t in analysis.tokens[min(child.i, token.i) : max(child.i, token.i)])
    ]
    if not subjects and token.dep == "conj":  # « elle lève la canette puis boit »: the first verb's subject
        return _subjects_of(analysis, analysis.tokens[token.head])
    return subjects


def _about_the_film(analysis: Analysis, vocab: Vocabulary, index: _Index, token: Token) -> bool:
    """« La caméra suit », « the video shows », or a verb inside a camera-movement term."""
    if index.group(token.i) in ("camera", "shot", "lens"):
        return True
    subjects = _subjects_of(analysis, token)
    return bool(subjects) and all(
        subject.lemma in vocab.syntax.meta_nouns
        or subject.lemma in _CAMERA_SUBJECTS
        or index.group(subject.i) in ("camera", "shot")
        for subject in subjects
    )


def _actions(analysis: Analysis, vocab: Vocabulary, index: _Index) -> tuple[Phrase, ...]:
    """Verbs that show something happening, and the vocabulary's action words the tagger missed."""
    syntax = vocab.syntax
    adjectives = dictionary(analysis.language)
    actions: list[Phrase] = []
    covered: set[int] = set()
    for token in analysis.tokens:
        if token.i in covered or token.i in index.negated:
            continue
        if token.i in index.quoted or _purpose(analysis, token):
            continue  # words said in a dialogue; « pour choquer », « to share »: an aim, not a shown action
        lexical = index.concept(token.i, "action") or _lemma_concept(vocab, token)
        group = index.group(token.i)
        acting_verb = token.pos == "VERB" and (token.dep == "root" or bool(_subjects_of(analysis, token)))
        misread_verb = _misread_verb(analysis, token)
        if group and group != "action" and not lexical and (group == "colour" or not acting_verb) and not misread_verb:
            # A colour, a light, a place or a camera word the tagger read as a verb; lights and
            # cameras may act (« la lampe éclaire », « la caméra zoome »), colours never do
            # (« un phare rouge sur une falaise », where « rouge » is read as the root verb).
            continue
        if token.title and token.i != analysis.sentence_of(token.i)[0] and not lexical:
            continue  # a capitalised word inside a sentence is a name (« Tanger » is no verb)
        if _is_state(analysis, token, strict=not lexical):
            continue
        if token.pos == "VERB":
            if token.lemma in syntax.non_action_verbs and not lexical:
                continue
            if not lexical and _misread_noun(analysis, token):
                continue  # « un vieux berger »: a noun after its determiner
            previous = analysis.tokens[token.i - 1] if token.i else None
            misread = previous is not None and previous.pos == "NOUN" and _adjective_form(analysis, token)
            if not lexical and misread:
                continue  # « la foule floue »: an adjective the tagger read as a verb
        elif (not lexical or _determined(analysis, token, adjectives)) and not misread_verb:
            # The tagger may read an action word as a noun (« a red dress walks »); a determiner
            # right before it makes it one (« la marche », « a slow walk »).
            continue
        if _about_the_film(analysis, vocab, index, token):
            continue
        first, last = _verb_span(analysis, token)
        for hit in index.hits_of[token.i]:
            if hit.group == "action":
                span = index.tokens_of(hit)
                if span:
                    first, last = min(first, span[0]), max(last, span[1])
        covered.update(range(first, last))
        actions.append(Phrase(lexical or "action.other", first, last))
    return tuple(actions)


def _adjective_form(analysis: Analysis, token: Token) -> bool:
    """A French verb-tagged word, neither root nor with an object, whose form is a dictionary adjective (« floue »)."""
    if analysis.language != "fr" or token.dep == "root":
        return False
    return not any(c.dep in _OBJECT_DEPS for c in analysis.children(token.i)) and adjective_form("fr", token)


def _lemma_concept(vocab: Vocabulary, token: Token) -> str:
    """The action concept of a verb's lemma (« survolent » -> « survoler »), for verbs the trie did not see."""
    if token.pos not in ("VERB", "AUX") or token.lemma == token.fold:
        return ""
    concept = vocab.concept_of(token.lemma) or ""
    return concept if concept.startswith("action.") else ""


_PURPOSE_MARKERS = frozenset({"pour", "afin", "to"})


def _purpose(analysis: Analysis, token: Token) -> bool:
    """An infinitive of purpose: « pour choquer », « (in order) to share »."""
    if token.pos != "VERB":
        return False
    return any(c.fold in _PURPOSE_MARKERS and c.dep in ("mark", "case", "aux") for c in analysis.children(token.i))


def _with_verb_after_subject(
    analysis: Analysis, vocab: Vocabulary, index: _Index, subject: Subject, actions: Sequence[Phrase]
) -> tuple[Phrase, ...]:
    """The word right after an animate subject, when it is a verb the tagger misread: « Messi dribble
    entre des plots », « Hakimi court avec le drapeau »."""
    if subject.kind not in ("person", "group", "character", "animal", "vehicle"):
        return tuple(actions)
    # Right after the head noun and its adjectives, not after its whole phrase: the parser may hang the
    # verb on the noun as a clause (« une grand-mère pétrit la pâte »), and the phrase then runs past it.
    following = subject.head + 1
    while (
        following < len(analysis.tokens)
        and analysis.tokens[following].pos == "ADJ"
        and not _verb_form(analysis, analysis.tokens[following])
    ):
        following += 1
    if following >= len(analysis.tokens) or following in index.actions or following in index.quoted:
        return tuple(actions)
    token = analysis.tokens[following]
    if token.pos in ("DET", "ADP", "PUNCT", "PRON", "CCONJ", "SCONJ", "NUM") or not token.is_word:
        return tuple(actions)
    if not _verb_form(analysis, token):
        return tuple(actions)
    concept = index.concept(following, "action") or "action.other"
    return tuple(sorted([*actions, Phrase(concept, following, following + 1)], key=lambda a: a.first))


def _verb_form(analysis: Analysis, token: Token) -> bool:
    return looks_like_verb(analysis.language, token.text.lower())


def _is_state(analysis: Analysis, token: Token, *, strict: bool) -> bool:
    """A past participle that describes a noun (« posé sur la table », « covered in dust »).

    A participle with an auxiliary or its own subject is a verb (« a posé », « l'enseignante écrit »,
    where « écrit » is both). For the vocabulary's action words, the tagger is trusted only when the
    participle directly follows the noun it describes.
    """
    if not token.past_participle:
        return False
    children = analysis.children(token.i)
    if any(c.dep.startswith("aux") or c.dep in _SUBJECT_DEPS for c in children):
        return False
    if strict or analysis.language == "en":  # English participles are tagged reliably (« frozen in time »)
        return True
    previous = analysis.tokens[token.i - 1] if token.i else None
    return previous is not None and previous.pos in ("NOUN", "PROPN", "ADJ") and token.dep in ("amod", "acl", "advcl")


def _determined(analysis: Analysis, token: Token, words: dict[str, frozenset[str]]) -> bool:
    """A determiner right before the word, past adjectives only (« la marche », « a slow walk »).

    French object pronouns look like articles: after a comma or « et », « le tourne » is a verb
    with its object (« saisit le flacon, le tourne lentement »).
    """
    sentence = analysis.tokens[analysis.sentence_of(token.i)[0] : token.i]
    for position in range(len(sentence) - 1, -1, -1):
        previous = sentence[position]
        if previous.fold in words["adj"] and previous.fold not in words["noun"]:
            continue
        if not (previous.pos == "DET" or previous.dep in ("det", "poss", "det:poss")):
            return False
        before = sentence[position - 1] if position else None
        clitic = (
            previous.fold in _FRENCH_CLITICS and before is not None and (before.text == "," or before.pos == "CCONJ")
        )
        return not (analysis.language == "fr" and clitic and previous.i == token.i - 1)
    return False


def _verb_span(analysis: Analysis, token: Token) -> tuple[int, int]:
    """The verb with its reflexive pronoun or particle (« s'arrête », « picks up »)."""
    first, last = token.i, token.i + 1
    for child in analysis.children(token.i):
        if child.dep in ("expl:comp", "expl:pv", "expl", "prt", "compound:prt") and abs(child.i - token.i) <= 2:
            first, last = min(first, child.i), max(last, child.i + 1)
    return first, last


# --- settings ----------------------------------------------------------------------------------


def _preposition(analysis: Analysis, token: Token) -> str:
    """The folded preposition that introduces ``token`` (« dans », « in front of »), or ""."""
    words = [c.fold for c in analysis.children(token.i) if c.dep in ("case", "fixed")]
    if not words and token.dep == "pobj":  # English: the preposition is the head
        head = analysis.tokens[token.head]
        words = [head.fold]
        grand = analysis.tokens[head.head]
        if head.dep == "prep" and grand.dep == "pobj" and grand.lemma in _RELATIONAL_NOUNS:
            words = [analysis.tokens[grand.head].fold, grand.fold, head.fold]
    return " ".join(words)


def _settings(analysis: Analysis, vocab: Vocabulary, index: _Index, subject: Subject | None) -> tuple[Phrase, ...]:
    syntax = vocab.syntax
    found: dict[tuple[int, int], str] = {}
    in_found: set[int] = set()
    for hits in index.hits_of:
        for hit in hits:
            span = index.tokens_of(hit) if hit.group == "setting" else None
            if span and not in_found.intersection(range(*span)) and not index.negated.intersection(range(*span)):
                found[span] = hit.label.value
                in_found.update(range(*span))
    for token in analysis.tokens:
        if not _is_noun(token) or not token.is_word or token.i in in_found or token.i in index.negated:
            continue
        if subject and token.i == subject.head:
            continue
        if token.lemma in syntax.time_nouns or token.lemma in syntax.body_parts or token.lemma in syntax.meta_nouns:
            continue
        if token.fold in syntax.time_nouns or token.fold in syntax.body_parts or token.lemma in _RELATIONAL_NOUNS:
            continue
        group = index.group(token.i)
        if group and group not in ("setting", "subject"):
            continue
        preposition = _preposition(analysis, token)
        if not preposition:
            continue
        place = _is_place(token, vocab, index)
        locative = (
            _is_locative(preposition, syntax.locative)
            or (place and _is_locative(preposition, syntax.surface_locative))
            or _after_relational_locative(analysis, syntax, token, preposition)
        )
        if not locative:
            continue
        # A product or a living being is not a place unless it is named as one (« dans la voiture »).
        if group == "subject" and not place:
            continue
        if token.pos == "PROPN" and analysis.entity_kind(token.i) == "person":
            continue
        found[(token.i, token.i + 1)] = "setting.place"
        in_found.add(token.i)
    return tuple(Phrase(concept, first, last) for (first, last), concept in sorted(found.items()))


def _after_relational_locative(analysis: Analysis, syntax, token: Token, preposition: str) -> bool:
    """« le long des remparts », « au sommet de la dune »: the complement of a relational noun that is
    itself a locative phrase is where the scene is."""
    if preposition not in ("de", "des", "du", "d'", "of"):
        return False
    head = analysis.tokens[token.head]
    if head.i == token.i or head.lemma not in _RELATIONAL_NOUNS and head.fold not in _RELATIONAL_NOUNS:
        return False
    return _along(analysis, head) or _is_locative(_preposition(analysis, head), syntax.locative)


def _is_locative(preposition: str, allowed: frozenset[str]) -> bool:
    if preposition in allowed:
        return True
    return any(word in allowed for word in preposition.split()) and preposition.split()[0] in allowed
