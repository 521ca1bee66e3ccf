"""One analysis of a prompt: normalised text, tokens, lemmas, parts of speech, parse and entities.

The anatomy, the ethics gate and the simulator read the same :class:`Analysis`; it is computed once
per text and language and kept in a small per-process cache, so grading a prompt parses it once.

Tokens carry spans in the normalised text (see :mod:`labs.grading.language.normalise`);
:meth:`Analysis.span` maps token ranges back to the learner's original text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from labs.grading.language.normalise import NormalisedText, fold, normalise_text
from labs.grading.language.pipelines import dictionary, pipeline

ANALYSIS_CACHE_SIZE = 512

# Dependencies that attach a clause, not a modifier, to a noun.
_CLAUSE_DEPS = frozenset(
    {"acl", "acl:relcl", "relcl", "conj", "cc", "parataxis", "advcl", "ccomp", "xcomp", "nsubj", "obj", "dobj", "punct"}
)

# The entity labels of both pipelines, in one vocabulary.
_ENTITY_KINDS = {
    "PER": "person",
    "PERSON": "person",
    "LOC": "place",
    "GPE": "place",
    "FAC": "place",
    "ORG": "org",
    "NORP": "group",
    "PRODUCT": "work",
    "WORK_OF_ART": "work",
    "EVENT": "event",
    "MISC": "other",
}


@dataclass(frozen=True, slots=True)
class Token:
    i: int
    text: str  # as in the normalised text
    fold: str  # casefolded, accents stripped
    lemma: str  # folded lemma
    pos: str  # universal part of speech
    dep: str  # dependency label
    head: int  # index of the head token (itself for a root)
    sent: int  # sentence number
    start: int  # span in the normalised text
    end: int
    ent: str = ""  # person | place | org | group | work | event | other
    ent_iob: str = ""  # "B" begins an entity, "I" continues it
    common: bool = True  # a dictionary word of the language (its lemma is in the lemmatiser's index)
    past_participle: bool = False  # « posé », « covered »: without an auxiliary, a state rather than an action

    @property
    def title(self) -> bool:
        return self.text[:1].isupper()

    @property
    def is_word(self) -> bool:
        return self.pos not in ("PUNCT", "SPACE", "SYM", "NUM", "X") and any(c.isalpha() for c in self.text)


@dataclass(frozen=True, slots=True)
class Entity:
    kind: str
    first: int  # token range, end exclusive
    last: int


@dataclass(frozen=True)
class Analysis:
    prompt: str
    language: str
    normalised: NormalisedText
    tokens: tuple[Token, ...]
    sentences: tuple[tuple[int, int], ...]  # token ranges
    entities: tuple[Entity, ...]
    _children: tuple[tuple[int, ...], ...] = field(default=(), repr=False)
    # Memo of derived readings (phrase words, concept spans), keyed by name; not part of equality.
    memo: dict = field(default_factory=dict, repr=False, compare=False, hash=False)

    def children(self, index: int) -> tuple[Token, ...]:
        return tuple(self.tokens[i] for i in self._children[index])

    def subtree(self, index: int) -> tuple[int, int]:
        """The token range [first, last) covered by the subtree of ``index`` (projective parse)."""
        first = last = index
        stack = [index]
        while stack:
            current = stack.pop()
            first, last = min(first, current), max(last, current)
            stack.extend(self._children[current])
        return first, last + 1

    def noun_phrase(self, index: int) -> tuple[int, int]:
        """The token range of the noun phrase headed by ``index``: its modifiers and complements,
        without the clauses attached to it (verbs, their objects, coordinated phrases)."""
        first = last = index
        stack = [index]
        while stack:
            current = stack.pop()
            first, last = min(first, current), max(last, current)
            stack.extend(
                child
                for child in self._children[current]
                if self.tokens[child].dep not in _CLAUSE_DEPS and self.tokens[child].pos not in ("VERB", "AUX")
            )
        return first, last + 1

    def ancestors(self, index: int) -> Iterable[Token]:
        seen = {index}
        token = self.tokens[index]
        while token.head not in seen:
            seen.add(token.head)
            token = self.tokens[token.head]
            yield token

    def span(self, first: int, last: int) -> tuple[int, int]:
        """The original-text span of tokens [first, last)."""
        if last <= first:
            return self.normalised.original_span(0, 0)
        return self.normalised.original_span(self.tokens[first].start, self.tokens[last - 1].end)

    def char_span(self, start: int, end: int) -> tuple[int, int]:
        """The original-text span of the normalised characters [start, end)."""
        return self.normalised.original_span(start, end)

    def original(self, first: int, last: int) -> str:
        start, end = self.span(first, last)
        return self.prompt[start:end]

    def entity_at(self, index: int) -> Entity | None:
        for entity in self.entities:
            if entity.first <= index < entity.last:
                return entity
        return None

    def sentence_of(self, index: int) -> tuple[int, int]:
        return self.sentences[self.tokens[index].sent]


def analyse(prompt: str, language: str) -> Analysis:
    """The analysis of ``prompt`` in ``language`` ("fr" or "en"), cached per process."""
    return _analyse(prompt, language)


def analyse_many(prompts: Sequence[str], language: str) -> list[Analysis]:
    """Analyses of many prompts of one language (batch use: the prompt checker, the benchmark)."""
    return [_analyse(prompt, language) for prompt in prompts]


def clear_cache() -> None:
    _analyse.cache_clear()


@lru_cache(maxsize=ANALYSIS_CACHE_SIZE)
def _analyse(prompt: str, language: str) -> Analysis:
    normalised = normalise_text(prompt)
    nlp = pipeline(language)
    doc = nlp.make_doc(normalised.text)
    for name, component in nlp.pipeline:
        # The entity recogniser is the slowest step; it only finds something in text with capitals.
        if name == "ner" and not _may_hold_names(doc):
            continue
        doc = component(doc)
    words = dictionary(language)["any"]

    sentence_of: dict[int, int] = {}
    sentences: list[tuple[int, int]] = []
    for number, sentence in enumerate(doc.sents):
        sentences.append((sentence.start, sentence.end))
        for index in range(sentence.start, sentence.end):
            sentence_of[index] = number

    tokens: list[Token] = []
    children: list[list[int]] = [[] for _ in range(len(doc))]
    for spacy_token in doc:
        folded = fold(spacy_token.text)
        lemma = fold(spacy_token.lemma_ or spacy_token.text)
        if spacy_token.head.i != spacy_token.i:
            children[spacy_token.head.i].append(spacy_token.i)
        tokens.append(
            Token(
                i=spacy_token.i,
                text=spacy_token.text,
                fold=folded,
                lemma=lemma,
                pos=spacy_token.pos_,
                dep=spacy_token.dep_.lower(),
                head=spacy_token.head.i,
                sent=sentence_of.get(spacy_token.i, 0),
                start=spacy_token.idx,
                end=spacy_token.idx + len(spacy_token.text),
                ent=_ENTITY_KINDS.get(spacy_token.ent_type_, "other" if spacy_token.ent_type_ else ""),
                ent_iob=spacy_token.ent_iob_ if spacy_token.ent_type_ else "",
                common=lemma in words or folded in words,
                past_participle=spacy_token.tag_ == "VBN"
                or ("Part" in spacy_token.morph.get("VerbForm") and "Past" in spacy_token.morph.get("Tense")),
            )
        )
    entities = tuple(Entity(_ENTITY_KINDS.get(e.label_, "other"), e.start, e.end) for e in doc.ents)
    return Analysis(
        prompt=prompt,
        language=language,
        normalised=normalised,
        tokens=tuple(tokens),
        sentences=tuple(sentences),
        entities=entities,
        _children=tuple(tuple(c) for c in children),
    )


def _may_hold_names(doc) -> bool:
    previous = "."
    for token in doc:
        text = token.text
        if text[:1].isupper() and previous not in '.!?:;«"\n(' and len(text) > 1:
            return True
        previous = text[-1:] if not token.is_space else previous
    return False
