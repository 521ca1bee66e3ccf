"""One analysis of a prompt: normalised text, tokens, lemmas, parts of speech, parse and entities.

The anatomy, the ethics gate and the simulator read the same :class:`Analysis`; it is computed once
per text and language and kept in a small per-process cache, so grading a prompt parses it once.
Named entities are recognised on demand (:attr:`Analysis.entities`): it is the slowest step, and
most prompts are judged without it.

Tokens carry spans in the normalised text (see :mod:`labs.grading.language.normalise`);
:meth:`Analysis.span` maps token ranges back to the learner's original text.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from labs.grading.language.normalise import NormalisedText, fold, normalise_text
from labs.grading.language.pipelines import common_words, pipeline

ANALYSIS_CACHE_SIZE = 512

_CLAUSE_ENDS = frozenset({".", "!", "?", ";", "…"})
_RELATIVE_DEPS = frozenset({"acl:relcl", "relcl", "acl"})
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
    _children: tuple[tuple[int, ...], ...] = field(default=(), repr=False)
    # Memo of derived readings (phrase words, concept spans, entities), keyed by name; not part of equality.
    memo: dict = field(default_factory=dict, repr=False, compare=False, hash=False)

    @property
    def entities(self) -> tuple[Entity, ...]:
        """Named entities. The recogniser is the slowest step of the pipeline, so it runs only the first
        time a reader asks (most prompts are judged without it)."""
        entities = self.memo.get("entities")
        if entities is None:
            with _ner_lock:
                entities = self.memo.get("entities")
                if entities is None:
                    doc = self.memo.pop("doc", None)
                    entities = self.memo["entities"] = _recognise(doc, self.language) if doc is not None else ()
        return entities

    def entity_kind(self, index: int) -> str:
        """The kind of entity token ``index`` belongs to (person, place, org, group, work, event, other), or ""."""
        entity = self.entity_at(index)
        return entity.kind if entity else ""

    def children(self, index: int) -> tuple[Token, ...]:
        children = self.memo.get("children")
        if children is None:
            tokens = self.tokens
            children = self.memo["children"] = tuple(tuple(tokens[i] for i in c) for c in self._children)
        return children[index]

    def subtree(self, index: int) -> tuple[int, int]:
        """The token range [first, last) covered by the subtree of ``index`` (projective parse)."""
        first = last = index
        stack = [index]
        while stack:
            current = stack.pop()
            first, last = min(first, current), max(last, current)
            stack.extend(self._children[current])
        return first, last + 1

    def noun_phrase(self, index: int, *, relative_clauses: bool = False) -> tuple[int, int]:
        """The token range of the noun phrase headed by ``index``: its modifiers and complements,
        without the clauses attached to it (verbs, their objects, coordinated phrases), unless
        ``relative_clauses``: then « the goalkeeper who saved two penalties for Morocco » is one phrase."""
        first = last = index
        stack = [index]
        while stack:
            current = stack.pop()
            first, last = min(first, current), max(last, current)
            for child in self._children[current]:
                token = self.tokens[child]
                if relative_clauses and current == index and token.dep in _RELATIVE_DEPS:
                    child_first, child_last = self.subtree(child)
                    first, last = min(first, child_first), max(last, child_last - 1)
                elif token.dep not in _CLAUSE_DEPS and token.pos not in ("VERB", "AUX"):
                    stack.append(child)
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

    def clause_of(self, index: int) -> tuple[int, int]:
        """The token range between the punctuation marks that end a sentence (. ! ? ; and line breaks)
        around ``index``: the parser's sentences are less reliable on prompts, where quotes and colons
        abound."""
        bounds = self.memo.get("clauses")
        if bounds is None:
            bounds = [0]
            for token in self.tokens:
                if token.text in _CLAUSE_ENDS or "\n" in token.text:
                    bounds.append(token.i + 1)
            bounds.append(len(self.tokens))
            self.memo["clauses"] = bounds = sorted(set(bounds))
        for start, end in zip(bounds, bounds[1:], strict=False):
            if start <= index < end:
                return start, end
        return 0, len(self.tokens)


def analyse(prompt: str, language: str) -> Analysis:
    """The analysis of ``prompt`` in ``language`` ("fr" or "en"), cached per process."""
    return _analyse(prompt, language)


def analyse_many(prompts: Sequence[str], language: str, *, batch_size: int = 64) -> list[Analysis]:
    """Analyses of many prompts of one language, parsed in batches (the prompt checker, the benchmark)."""
    nlp = pipeline(language)
    texts = [normalise_text(prompt) for prompt in prompts]
    docs = nlp.pipe((t.text for t in texts), batch_size=batch_size, disable=["ner"])
    analyses = []
    for prompt, normalised, doc in zip(prompts, texts, docs, strict=True):
        analysis = _build(prompt, language, normalised, doc)
        _remember(prompt, language, analysis)
        analyses.append(analysis)
    return analyses


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


# A small LRU cache of recent analyses: the coach, the gate and the grader read the same prompt.
_cache: OrderedDict[tuple[str, str], Analysis] = OrderedDict()
_cache_lock = threading.Lock()
_ner_lock = threading.Lock()


def _analyse(prompt: str, language: str) -> Analysis:
    key = (prompt, language)
    with _cache_lock:
        analysis = _cache.get(key)
        if analysis is not None:
            _cache.move_to_end(key)
            return analysis
    normalised = normalise_text(prompt)
    nlp = pipeline(language)
    doc = nlp.make_doc(normalised.text)
    for name, component in nlp.pipeline:
        if name != "ner":
            doc = component(doc)
    analysis = _build(prompt, language, normalised, doc)
    _remember(prompt, language, analysis)
    return analysis


def _remember(prompt: str, language: str, analysis: Analysis) -> None:
    with _cache_lock:
        _cache[(prompt, language)] = analysis
        while len(_cache) > ANALYSIS_CACHE_SIZE:
            _cache.popitem(last=False)


@cache
def _common_words() -> frozenset[str]:
    return common_words()


def _recognise(doc, language: str) -> tuple[Entity, ...]:
    if not _may_hold_names(doc):  # the recogniser finds nothing in text without capitals
        return ()
    doc = pipeline(language).get_pipe("ner")(doc)
    return tuple(Entity(_ENTITY_KINDS.get(e.label_, "other"), e.start, e.end) for e in doc.ents)


def _build(prompt: str, language: str, normalised: NormalisedText, doc) -> Analysis:
    words = _common_words()

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
                common=lemma in words or folded in words,
                past_participle=spacy_token.tag_ == "VBN"
                or ("Part" in spacy_token.morph.get("VerbForm") and "Past" in spacy_token.morph.get("Tense")),
            )
        )
    analysis = Analysis(
        prompt=prompt,
        language=language,
        normalised=normalised,
        tokens=tuple(tokens),
        sentences=tuple(sentences),
        _children=tuple(tuple(c) for c in children),
    )
    analysis.memo["doc"] = doc  # for the entity recogniser, run on demand
    return analysis


def _may_hold_names(doc) -> bool:
    previous = "."
    for token in doc:
        text = token.text
        if text[:1].isupper() and previous not in '.!?:;«"\n(' and len(text) > 1:
            return True
        previous = text[-1:] if not token.is_space else previous
    return False
