"""The live coach: what the lab page shows for a prompt as the learner types.

Driven by the prompt anatomy (labs.grading.anatomy.parse_prompt): its
``matches`` (key, start, end, text) give the highlighted elements and the
checklist, its ``findings`` (kind, start, end, text, message) the problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from labs.grading.anatomy import (
    ELEMENT_HINTS,
    ELEMENT_KEYS,
    ELEMENT_LABELS,
    SUBJECT_DETAIL_HINTS,
    SUBJECT_KIND_LABELS,
    PromptAnatomy,
    parse_prompt,
)
from labs.presentation.highlighting import Span, highlight
from labs.services.submissions import MAX_PROMPT_CHARS, prompt_length

FINDING_LABELS = {
    "vague": gettext_lazy("Mot vague"),
    "negative_only": gettext_lazy("Formulation négative"),
    "parameter_in_prompt": gettext_lazy("Paramètre dans le prompt"),
    "multiple_camera_moves": gettext_lazy("Plusieurs mouvements de caméra"),
    "too_short": gettext_lazy("Prompt trop court"),
    "too_long": gettext_lazy("Prompt trop long"),
}


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    found: bool
    hint: str
    texts: tuple[str, ...] = ()
    advice: str = ""  # found, but could be better: « « flacon » (produit) : ajoutez matière, couleur… »


@dataclass
class Coach:
    prompt: str
    highlighted: SafeString
    checklist: list[ChecklistItem] = field(default_factory=list)
    findings: list[dict[str, str]] = field(default_factory=list)

    @property
    def found_count(self) -> int:
        return sum(item.found for item in self.checklist)

    @property
    def chars(self) -> int:
        return prompt_length(self.prompt)

    @property
    def too_long(self) -> bool:
        return self.chars > MAX_PROMPT_CHARS


def _texts(anatomy: PromptAnatomy, key: str) -> tuple[str, ...]:
    """The words that carry an element; for the subject, the main one first (« capitaine », not « équipe »)."""
    texts = [m.text for m in anatomy.matches_for(key)]
    if key == "subject" and anatomy.subject is not None:
        texts.insert(0, anatomy.subject.text)
    return tuple(dict.fromkeys(texts))[:3]


def _subject_advice(anatomy: PromptAnatomy) -> str:
    """What would make this kind of subject distinct, when the prompt gives no detail of it."""
    subject = anatomy.subject
    if subject is None or subject.detailed:
        return ""
    return _("« %(subject)s » (%(kind)s) : ajoutez %(details)s.") % {
        "subject": subject.text,
        "kind": SUBJECT_KIND_LABELS[subject.kind],
        "details": SUBJECT_DETAIL_HINTS[subject.kind],
    }


def build_coach(prompt: str) -> Coach:
    """What the live coach shows for a prompt: highlighted elements, the 11-element checklist, the problems."""
    # Far past the limit the text is refused anyway; analysing megabytes would only cost CPU.
    prompt = prompt[: MAX_PROMPT_CHARS * 2]
    anatomy = parse_prompt(prompt)
    spans = [Span(m.start, m.end, f"el el-{m.key}", str(ELEMENT_LABELS[m.key])) for m in anatomy.matches]
    spans += [Span(f.start, f.end, "", str(FINDING_LABELS.get(f.kind, f.kind)), finding=True) for f in anatomy.findings]
    checklist = [
        ChecklistItem(
            key=key,
            label=str(ELEMENT_LABELS[key]),
            found=anatomy.has(key),
            hint=str(ELEMENT_HINTS[key]),
            texts=_texts(anatomy, key),
            advice=_subject_advice(anatomy) if key == "subject" else "",
        )
        for key in ELEMENT_KEYS
    ]
    findings = [
        {"kind": f.kind, "label": str(FINDING_LABELS.get(f.kind, f.kind)), "text": f.text, "message": str(f.message)}
        for f in anatomy.findings
    ]
    return Coach(prompt=prompt, highlighted=highlight(prompt, spans), checklist=checklist, findings=findings)
