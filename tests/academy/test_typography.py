"""French typography in the French source strings, English punctuation in the English catalogue, real plurals.

French (the msgids and the templates' own text): a non-breaking space (U+00A0, or the narrow U+202F)
before « : ; ! ? » and inside « guillemets », so a mark never starts a line. English (the msgstr):
no « », no space before a colon. Nowhere « étape(s) »: plurals go through ngettext.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
TEMPLATES = ROOT / "templates"

PLURAL_HACK = re.compile(r"\w\((?:e?s|x)\)")
FRENCH_PLAIN_SPACE = re.compile(r"(?<=\S) [:;!?](?!=)|« | »")
ENGLISH_PUNCTUATION = re.compile(r"[«»]|[ \u00a0\u202f][:;!?](?!=)")

# Template syntax, scripts and comments are not text; translated text is checked through the catalogue.
NOT_TEXT = re.compile(
    r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}|<script\b.*?</script>|<style\b.*?</style>"
    r"|\{\{.*?\}\}|\{%.*?%\}",
    re.S,
)


def catalogue() -> polib.POFile:
    return polib.pofile(str(CATALOGUE))


def french_sources() -> list[str]:
    return [text for entry in catalogue() for text in (entry.msgid, entry.msgid_plural) if text]


def english_translations() -> list[str]:
    return [text for entry in catalogue() for text in (entry.msgstr, *entry.msgstr_plural.values()) if text]


def template_texts() -> dict[str, str]:
    texts = {}
    for path in sorted(TEMPLATES.rglob("*")):
        if path.suffix in (".html", ".txt"):
            texts[str(path.relative_to(ROOT))] = NOT_TEXT.sub("\ue000", path.read_text())
    return texts


def test_french_strings_have_no_plural_hacks():
    offenders = [text for text in french_sources() if PLURAL_HACK.search(text)]

    assert offenders == []


def test_english_strings_have_no_plural_hacks():
    offenders = [text for text in english_translations() if PLURAL_HACK.search(text)]

    assert offenders == []


def test_french_strings_keep_their_punctuation_on_the_same_line():
    offenders = [text for text in french_sources() if FRENCH_PLAIN_SPACE.search(text)]

    assert offenders == []


def test_english_strings_use_english_punctuation_and_quotes():
    offenders = [text for text in english_translations() if ENGLISH_PUNCTUATION.search(text)]

    assert offenders == []


@pytest.mark.parametrize("pattern", [PLURAL_HACK, FRENCH_PLAIN_SPACE], ids=["plural-hack", "plain-space"])
def test_template_text_follows_the_same_rules(pattern):
    offenders = [
        f"{name}: {match.group(0)!r}" for name, text in template_texts().items() for match in pattern.finditer(text)
    ]

    assert offenders == []


def test_template_text_outside_translations_has_no_french_punctuation():
    """Text shown in both languages must not carry « » or « : » of its own: it belongs in a translated string."""
    without_translations = re.compile(
        r"\{%\s*blocktranslate.*?\{%\s*endblocktranslate\s*%\}|\{%\s*(?:translate|trans)\s.*?%\}", re.S
    )
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = NOT_TEXT.sub("\ue000", without_translations.sub("\ue000", path.read_text()))
        offenders += [f"{path.name}: {m.group(0)!r}" for m in re.finditer(r"[«»]|[\u00a0\u202f][:;!?]", text)]

    assert offenders == []
