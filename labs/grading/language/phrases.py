"""Finding a list of phrases in a prompt by meaning rather than spelling.

Used by the ethics gate (its rules' terms) and the rubric (« doit mentionner », « ne doit pas
mentionner »). A phrase is written once, in its dictionary form, and matches:

- its inflections, through the parser's lemmas and simple plural endings (« enfant » finds
  « enfants », « boire » finds « boit », « kill » finds « killed »);
- regardless of case, accents, look-alike characters, invisible characters and spaced-out letters
  (the analysis reads the normalised text);
- a ``@concept`` (« @minor », « @person ») stands for what :mod:`labs.grading.language.concepts`
  recognises from the parse and the entities, in both languages.

Names are special: a phrase that is a common word of the language (« Frozen », « Marvel »,
« Will Smith ») only matches where it is used as a name — capitalised inside a sentence, an
entity, a proper noun, or in quotes — and a name that is no dictionary word (« Hakimi ») also
matches when misspelt by one letter (two for long names).

Mentions the prompt only rules out are skipped: a negation governs them (« sans célébrité »,
« no children », « ne montrez pas d'enfant ») with nothing but articles, adjectives or a verb of
showing in between.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from labs.grading.language.analysis import Analysis, Token
from labs.grading.language.concepts import CONCEPTS, concept_spans
from labs.grading.language.normalise import fold
from labs.grading.language.vocabulary import TOKEN_RE, VOCAB_DIR, tokenise

# Words that negate what follows them.
NEGATION_CUES = frozenset(
    {
        "sans",
        "aucun",
        "aucune",
        "aucuns",
        "ni",
        "pas",
        "jamais",
        "nul",
        "nulle",
        "no",
        "without",
        "not",
        "never",
        "none",
        "nor",
        "avoid",
        "eviter",
        "evitez",
        "evite",
        "exclude",
        "exclure",
        "excluez",
        "n't",
    }
)
# What may stand between a negation and what it negates.
_NEGATION_GAP = frozenset(
    {
        "de",
        "d",
        "d'",
        "du",
        "des",
        "le",
        "la",
        "les",
        "l",
        "l'",
        "un",
        "une",
        "any",
        "a",
        "an",
        "the",
        "of",
        "show",
        "shows",
        "showing",
        "include",
        "including",
        "feature",
        "use",
        "montrer",
        "montrez",
        "montre",
        "inclure",
        "incluez",
        "utiliser",
        "utilisez",
        "mettre",
        "mettez",
        "afficher",
        "affichez",
        "represente",
        "representer",
        "there",
        "is",
        "are",
        "y",
        "il",
        "ne",
        "n'",
        "n",
        "do",
        "does",
        "doit",
        "doivent",
        "should",
        "must",
        "real",
        "vraie",
        "vrai",
        "vraies",
        "vrais",
        "reelle",
        "reel",
        "reelles",
        "reels",
        "single",
        "seul",
        "seule",
        "other",
        "autre",
        "autres",
        # a class of things the negation covers: « aucun personnage Disney », « no Nike logo »
        "personnage",
        "personnages",
        "character",
        "characters",
        "logo",
        "logos",
        "marque",
        "marques",
        "brand",
        "brands",
        "celebrite",
        "celebrites",
        "celebrity",
        "celebrities",
        "visage",
        "visages",
        "face",
        "faces",
        "nom",
        "noms",
        "name",
        "names",
        "personne",
        "personnes",
        "person",
        "people",
        "sosie",
        "reference",
        "references",
        "allusion",
    }
)
_NEGATION_REACH = 4  # words
_ARTICLES = frozenset({"le", "la", "les", "l'", "the", "a", "an", "un", "une"})

_PLURAL_ENDINGS = ("es", "s", "x")
_FUZZY_MIN_LENGTH = 5
_FUZZY_LONG_LENGTH = 10


@dataclass(frozen=True)
class Occurrence:
    """Where a phrase was found: its token range [first, last) and the phrase as written in the list."""

    phrase: str
    first: int
    last: int


@dataclass(frozen=True)
class _Word:
    text: str  # a folded word of the prompt
    token: int  # the parser token it belongs to
    lemma: str  # the token's lemma when the token is this one word, else the word
    keys: frozenset[str]  # what a phrase word may equal to match it: the word, its lemma, its singular


def words_of(analysis: Analysis) -> tuple[_Word, ...]:
    """The prompt's words as phrases are written: « Spider-Man » is two words, « l'aube » is « l », « aube »."""
    words = analysis.memo.get("words")
    if words is None:
        found: list[_Word] = []
        for token in analysis.tokens:
            parts = [m.group() for m in TOKEN_RE.finditer(token.fold)]
            for part in parts:
                lemma = token.lemma if len(parts) == 1 else part
                found.append(_Word(part, token.i, lemma, frozenset(_forms(part) | {lemma})))
        words = analysis.memo["words"] = tuple(found)
    return words


def _forms(word: str) -> set[str]:
    forms = {word}
    for ending in _PLURAL_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            forms.add(word[: -len(ending)])
    return forms


@lru_cache(maxsize=20_000)
def _word_and_deletions(word: str) -> frozenset[str]:
    return frozenset({word} | _deletions(word))


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass(frozen=True)
class PhraseList:
    """A compiled list of phrases, looked up by their first word.

    A phrase written with a capital (« Hakimi », « Frozen ») is a name: with ``as_names`` it only
    counts where the prompt uses it as one, and a misspelling of it counts too (one letter off, two
    from seven letters). Other one-word phrases of six letters or more also match a misspelling
    that is no dictionary word (« torchure »).
    """

    phrases: tuple[str, ...]
    by_first: dict[str, tuple[tuple[str, tuple[str, ...]], ...]]
    concepts: tuple[str, ...]
    fuzzy: dict[str, tuple[tuple[str, str], ...]]  # deletion -> (folded word, phrase as written)
    names_by_initial: dict[str, tuple[tuple[str, str], ...]]  # long one-word names, for two typos

    def find(
        self,
        analysis: Analysis,
        *,
        as_names: bool = False,
        skip_negated: bool = True,
        only: frozenset[str] | None = None,
    ) -> list[Occurrence]:
        """Occurrences in ``analysis``, longest first where they overlap, in text order.

        ``only`` keeps the occurrences of those phrases: one compiled list can serve several rules.
        """
        key = ("find", id(self), as_names, skip_negated, only)
        found = analysis.memo.get(key)
        if found is None:
            candidates = list(self._raw(analysis, as_names=as_names))
            if only is not None:
                candidates = [o for o in candidates if o.phrase in only]
            # Concepts are read only when asked for: « @full_name » needs the slow entity recogniser.
            for concept in self.concepts if only is None else [c for c in self.concepts if c in only]:
                candidates.extend(Occurrence(concept, first, last) for first, last in concept_spans(concept, analysis))
            if as_names:
                candidates = [
                    o for o in candidates if not _is_name(o.phrase) or used_as_name(analysis, o.first, o.last)
                ]
            if skip_negated:
                candidates = [o for o in candidates if not _negated(analysis, o.first)]
            found = analysis.memo[key] = _longest_first(candidates)
        return found

    def _raw(self, analysis: Analysis, *, as_names: bool) -> list[Occurrence]:
        """Every match of a written phrase, overlaps and negated ones included (memoised on the analysis)."""
        key = ("raw", id(self), as_names)
        found = analysis.memo.get(key)
        if found is not None:
            return found
        words = words_of(analysis)
        found = []
        for position, word in enumerate(words):
            for word_key in word.keys:
                for phrase, parts in self.by_first.get(word_key, ()):
                    end = _match_at(words, position, parts)
                    if end is not None:
                        found.append(Occurrence(phrase, word.token, words[end - 1].token + 1))
        if self.fuzzy:
            found.extend(self._misspelt(analysis, words, as_names=as_names))
        analysis.memo[key] = found
        return found

    def _misspelt(self, analysis: Analysis, words: Sequence[_Word], *, as_names: bool) -> list[Occurrence]:
        """Misspellings of the list's phrases: every close phrase, so each rule can find its own."""
        occurrences = []
        case_matters = _has_case(analysis)
        for word in words:
            token = analysis.tokens[word.token]
            if len(word.text) < _FUZZY_MIN_LENGTH - 1 or token.common or not token.is_word:
                continue
            if word.text in first_names():
                continue  # « Hakima », « Salma »: a person's own first name, not a famous name misspelt
            candidates: set[tuple[str, str]] = set()
            for key in _word_and_deletions(word.text):
                candidates.update(self.fuzzy.get(key, ()))
            cased = token.title if case_matters else True
            if as_names and cased:
                candidates.update(
                    entry
                    for entry in self.names_by_initial.get(word.text[0], ())
                    if abs(len(entry[0]) - len(word.text)) <= 2
                )
            for folded, phrase in sorted(candidates):
                if folded == word.text or folded[0] != word.text[0]:
                    continue
                if _is_name(phrase) and not (as_names and cased):
                    continue  # a misspelt name still reads as a name: « Mbape », not « harira »
                if _edit_distance(folded, word.text) <= _allowed_typos(folded):
                    occurrences.append(Occurrence(phrase, word.token, word.token + 1))
        return occurrences


def _negated(analysis: Analysis, index: int) -> bool:
    key = ("negated", index)
    value = analysis.memo.get(key)
    if value is None:
        value = analysis.memo[key] = is_negated(analysis, index)
    return value


@cache
def _common_words() -> frozenset[str]:
    from labs.grading.language.pipelines import common_words

    return common_words()


@cache
def first_names() -> frozenset[str]:
    """Common given names, folded (``labs/grading/vocab/first_names.txt``)."""
    lines = (VOCAB_DIR / "first_names.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(fold(line.strip()) for line in lines if line.strip() and not line.startswith("#"))


def _has_case(analysis: Analysis) -> bool:
    words = [t for t in analysis.tokens if t.is_word]
    return any(t.text[:1].isupper() for t in words) and any(t.text[:1].islower() for t in words)


def _is_name(phrase: str) -> bool:
    return phrase[:1].isupper()


def _allowed_typos(word: str) -> int:
    return 2 if len(word) >= _FUZZY_LONG_LENGTH else 1


def _fuzzy_keys(part: str, *, name: bool) -> set[str]:
    """Keys of the misspelling index for a one-word phrase: names from 5 letters, other words from 6."""
    if part.isdigit() or len(part) < (_FUZZY_MIN_LENGTH if name else _FUZZY_MIN_LENGTH + 1):
        return set()
    return {part} | _deletions(part)


def _match_at(words: Sequence[_Word], position: int, parts: Sequence[str]) -> int | None:
    """The end (exclusive word index) of ``parts`` matched from ``position``, or None."""
    index = position
    for number, part in enumerate(parts):
        if index >= len(words):
            return None
        word = words[index]
        if part != word.text and part != word.lemma and not (number == len(parts) - 1 and part in word.keys):
            return None
        index += 1
    return index


def _longest_first(found: Iterable[Occurrence]) -> list[Occurrence]:
    kept: list[Occurrence] = []
    for occurrence in sorted(found, key=lambda o: (-(o.last - o.first), o.first)):
        if not any(occurrence.first < k.last and k.first < occurrence.last for k in kept):
            kept.append(occurrence)
    return sorted(kept, key=lambda o: o.first)


@lru_cache(maxsize=4096)
def compile_phrases(phrases: tuple[str, ...]) -> PhraseList:
    by_first: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    concepts: list[str] = []
    fuzzy: dict[str, set[tuple[str, str]]] = {}
    names: dict[str, set[tuple[str, str]]] = {}
    for phrase in phrases:
        if phrase.startswith("@"):
            if phrase not in CONCEPTS:
                raise ValueError(f"unknown concept {phrase!r}; known: {', '.join(sorted(CONCEPTS))}")
            concepts.append(phrase)
            continue
        parts = tuple(t.text for t in tokenise(fold(phrase)))
        if not parts:
            continue
        by_first.setdefault(parts[0], []).append((phrase, parts))
        if len(parts) > 1 and not _is_name(phrase) and len(parts[-1]) >= 4:
            # A letter dropped from the last word (« pipe bom »), when that does not make another word
            # (« look-alike » must not become « look like »).
            for shorter in _deletions(parts[-1]) - _common_words():
                by_first[parts[0]].append((phrase, (*parts[:-1], shorter)))
        if len(parts) == 1:
            for key in _fuzzy_keys(parts[0], name=_is_name(phrase)):
                fuzzy.setdefault(key, set()).add((parts[0], phrase))
            if _is_name(phrase) and len(parts[0]) >= _FUZZY_LONG_LENGTH:
                names.setdefault(parts[0][0], set()).add((parts[0], phrase))
    return PhraseList(
        phrases=phrases,
        by_first={key: tuple(value) for key, value in by_first.items()},
        concepts=tuple(concepts),
        fuzzy={key: tuple(sorted(value)) for key, value in fuzzy.items()},
        names_by_initial={key: tuple(sorted(value)) for key, value in names.items()},
    )


def find_phrases(analysis: Analysis, phrases: Sequence[str], *, as_names: bool = False) -> list[Occurrence]:
    """Where ``phrases`` occur in the analysed prompt, negated mentions left out."""
    return compile_phrases(tuple(phrases)).find(analysis, as_names=as_names)


# --- names ------------------------------------------------------------------------------------


def used_as_name(analysis: Analysis, first: int, last: int) -> bool:
    """Whether tokens [first, last) are used as a name rather than as the common words they may be.

    « Hakimi » is no dictionary word: always a name. « Frozen », « Marvel », « Will Smith » are: only
    when capitalised inside a sentence (or tagged a proper noun or an entity there), or quoted.
    """
    tokens = [t for t in analysis.tokens[first:last] if t.is_word]
    if not tokens:
        return False
    if any(not t.common for t in tokens):
        return True
    if _quoted(analysis, first, last):
        return True
    prompt_has_case = any(t.text[:1].isupper() for t in analysis.tokens) and any(
        t.text[:1].islower() for t in analysis.tokens if t.is_word
    )
    head = tokens[-1]
    if not prompt_has_case:
        return head.pos == "PROPN" and head.dep not in ("amod", "compound")
    # Titles capitalise their first word, after an article (« La Reine des neiges », « The Lion King »).
    lead = tokens[1] if len(tokens) > 1 and tokens[0].fold in _ARTICLES else tokens[0]
    if not (tokens[0].title and lead.title):
        return False
    starts_sentence = tokens[0].i == analysis.sentence_of(tokens[0].i)[0] or _after_break(analysis, tokens[0].i)
    if not starts_sentence:
        # « la femme du président Macron »: the parser may read the name as an adjective, the recogniser not.
        return head.dep != "amod" or head.pos == "PROPN" or bool(analysis.entity_kind(head.i))
    # At the start of a sentence a capital says nothing (« Frozen vegetables » describes vegetables);
    # several capitalised words still make a name (« Spider-Man swings… »).
    if len(tokens) > 1:
        return all(t.title for t in tokens if t.fold not in _ARTICLES)
    if head.dep in ("amod", "compound"):
        return False
    if head.pos == "PROPN" or analysis.entity_kind(head.i):
        return True
    # « Drake performing… », « Drake sings… »: a capitalised word that does something is someone.
    following = analysis.tokens[head.i + 1] if head.i + 1 < len(analysis.tokens) else None
    acting = following is not None and following.pos == "VERB" and following.head in (head.i, following.i)
    return head.pos == "NOUN" and (acting or head.dep in ("nsubj", "nsubj:pass"))


def _after_break(analysis: Analysis, index: int) -> bool:
    previous = analysis.tokens[index - 1] if index else None
    return previous is not None and previous.text in (":", "«", '"', "(", "-", "—", "*", "•")


def _quoted(analysis: Analysis, first: int, last: int) -> bool:
    before = analysis.tokens[first - 1].text if first else ""
    after = analysis.tokens[last].text if last < len(analysis.tokens) else ""
    return before in ("«", '"', "“", "'") and after in ("»", '"', "”", "'")


# --- negation ---------------------------------------------------------------------------------


def is_negated(analysis: Analysis, index: int) -> bool:
    """A negation governs the token: « sans enfant », « aucune célébrité », « no real people », or the
    noun it directly qualifies (« aucun personnage Disney »; not « sans le consentement de Messi »)."""
    token = analysis.tokens[index]
    for _level in range(3):
        if _negated_word(analysis, token.i):
            return True
        direct = token.dep in ("compound", "flat", "flat:name", "amod", "appos", "nmod", "nummod")
        if not direct or token.head == token.i or any(c.dep == "case" for c in analysis.children(token.i)):
            return False
        token = analysis.tokens[token.head]
    return False


def _negated_word(analysis: Analysis, index: int) -> bool:
    words = words_of(analysis)
    positions = [n for n, word in enumerate(words) if word.token == index]
    if not positions:
        return False
    position = positions[0]
    sentence_first = analysis.clause_of(index)[0]
    gap = 0
    for n in range(position - 1, max(-1, position - 1 - _NEGATION_REACH - 3), -1):
        word = words[n]
        token: Token = analysis.tokens[word.token]
        if token.i < sentence_first or token.text in (",", ";", ":", ".", "(", ")"):
            return False
        if word.text in NEGATION_CUES or word.lemma in NEGATION_CUES:
            return True
        if word.text in _NEGATION_GAP or token.pos in ("DET", "ADJ", "AUX", "PART") or word.lemma in _NEGATION_GAP:
            gap += 1
            if gap > _NEGATION_REACH:
                return False
            continue
        return False
    return False


def _edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count as one)."""
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        previous_previous, previous = previous, current
    return previous[-1]
