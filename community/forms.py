"""Forms of the community pages. They validate what people type; the services decide and write."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from academy.validators import RejectControlCharactersFormMixin, find_control_character
from community.models import PostReport, ReviewSettings, RubricCriterion
from community.services.discussion import MAX_BODY_CHARS, MAX_REASON_CHARS
from community.services.gallery import MAX_HIDE_REASON_CHARS
from community.services.reviews import MAX_MARKS, MAX_SUGGESTION_CHARS, MarkInput, ScoreInput
from labs.api import Submission

# --- gallery -----------------------------------------------------------------------------


class AttemptChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, numbers: dict[int, int] | None = None, **kwargs):
        self.numbers = numbers or {}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> str:
        number = self.numbers.get(obj.pk)
        return gettext("Essai n° %(n)s — %(score)s/100 — %(date)s") % {
            "n": number if number is not None else "?",
            "score": obj.final_score,
            "date": obj.created_at.strftime("%d/%m/%Y %H:%M"),
        }


class ShareForm(forms.Form):
    submission = AttemptChoiceField(
        queryset=None, label=_("Essai à partager"), empty_label=None, widget=forms.RadioSelect
    )

    def __init__(self, *args, attempts, numbers: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["submission"]
        field.queryset = Submission.objects.filter(pk__in=[a.pk for a in attempts]).order_by("-created_at")
        field.numbers = numbers


class ReasonForm(RejectControlCharactersFormMixin, forms.Form):
    """A moderator's reason (hiding an attempt, removing a review or a message): the author reads it."""

    reason = forms.CharField(
        label=_("Raison, montrée à l'auteur"),
        max_length=MAX_HIDE_REASON_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PostRemoveForm(ReasonForm):
    reason = forms.CharField(
        label=_("Raison, montrée à l'auteur"), max_length=MAX_REASON_CHARS, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- trainer: settings and rubric ----------------------------------------------------


class ReviewSettingsForm(RejectControlCharactersFormMixin, forms.ModelForm):
    class Meta:
        model = ReviewSettings
        fields = ["reviews_per_attempt", "deadline_hours", "instructions"]
        widgets = {"instructions": forms.Textarea(attrs={"rows": 3})}


class RubricCriterionForm(RejectControlCharactersFormMixin, forms.ModelForm):
    class Meta:
        model = RubricCriterion
        fields = ["label", "guidance", "scale_max", "low_label", "high_label"]
        help_texts = {
            "scale_max": _("Chaque relecteur choisit un niveau de 1 à ce nombre, et justifie son choix."),
            "low_label": _("Par exemple « à retravailler »."),
            "high_label": _("Par exemple « maîtrisé »."),
        }


class CalibrationAddForm(forms.Form):
    submission = AttemptChoiceField(queryset=None, label=_("Essai à utiliser pour la calibration"))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["submission"]
        field.queryset = Submission.objects.filter(pk__in=[c.pk for c in candidates]).select_related("learner")
        field.label_from_instance = lambda s: (
            gettext("%(who)s — %(score)s/100 — %(date)s")
            % {
                "who": s.learner.get_full_name() or s.learner.email,
                "score": s.final_score,
                "date": s.created_at.strftime("%d/%m/%Y %H:%M"),
            }
        )


# --- reviews ----------------------------------------------------------------------------

_TIME = re.compile(r"^\s*(?:(\d{1,3}):)?(\d{1,4}(?:[.,]\d{1,2})?)\s*$")


def parse_timecode(text: str) -> Decimal | None:
    """« 12 », « 12,5 », « 0:12 » or « 1:02.5 » to seconds; None when it is none of those."""
    match = _TIME.match(text or "")
    if not match:
        return None
    minutes, seconds = match.groups()
    try:
        value = Decimal(seconds.replace(",", "."))
    except InvalidOperation:
        return None
    if minutes is not None:
        if value >= 60:
            return None
        value += 60 * int(minutes)
    return value.quantize(Decimal("0.1"))


def format_timecode(seconds: Decimal | float | str | None) -> str:
    """Seconds as « m:ss.s » (« 0:03.5 », « 1:02 »); text that is not a number comes back as it was typed."""
    if seconds is None or seconds == "":
        return ""
    try:
        seconds = Decimal(str(seconds)).quantize(Decimal("0.1"))
    except InvalidOperation:
        return str(seconds)
    minutes, rest = divmod(seconds, 60)
    text = f"{int(minutes)}:{rest:04.1f}"
    return text[:-2] if text.endswith(".0") else text


class RubricForm(RejectControlCharactersFormMixin, forms.Form):
    """Levels and comments for each criterion of the lab's grid; with ``peer``, timeline marks and a suggestion.

    Field names: ``level_<criterion id>``, ``comment_<criterion id>``; marks come
    as parallel lists ``mark_at`` / ``mark_note`` (rows left empty are ignored).
    """

    def __init__(self, *args, criteria: list[RubricCriterion], marks: bool, suggestion: bool, comment: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria, self.with_marks, self.with_suggestion, self.with_comment = criteria, marks, suggestion, comment
        self.mark_rows: list[dict[str, Any]] = []
        for criterion in criteria:
            self.fields[f"level_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.label,
                choices=[(level, str(level)) for level in criterion.levels],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choisissez un niveau.")},
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Pourquoi ce niveau ?"),
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": _("Le commentaire est obligatoire : dites ce que vous avez vu.")},
            )
        if suggestion:
            self.fields["suggestion"] = forms.CharField(
                label=_("Une modification du prompt que vous proposez"),
                max_length=MAX_SUGGESTION_CHARS,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Une seule, concrète : ce que vous ajouteriez, retireriez ou changeriez dans le prompt."),
                error_messages={"required": _("Proposez une modification du prompt.")},
            )
        if comment:
            self.fields["comment"] = forms.CharField(
                label=_("Commentaire général (facultatif)"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    EMPTY_MARK_ROWS = 3

    @property
    def extra_mark_rows(self) -> range:
        """Numbers of the empty mark rows shown after the filled ones (typed by hand without JavaScript)."""
        first = len(self.mark_rows) + 1
        return range(first, first + self.EMPTY_MARK_ROWS)

    def rows(self) -> list[dict[str, Any]]:
        """For the template: each criterion with its bound level and comment fields."""
        return [
            {"criterion": c, "level": self[f"level_{c.pk}"], "comment": self[f"comment_{c.pk}"]} for c in self.criteria
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.with_marks:
            self._clean_marks()
        return cleaned

    def _clean_marks(self) -> None:
        ats, notes = self.data.getlist("mark_at"), self.data.getlist("mark_note")
        marks, rows = [], []
        for at_text, note in zip(ats, notes, strict=False):
            at_text, note = at_text.strip(), note.strip()
            if not at_text and not note:
                continue
            row: dict[str, Any] = {"at": at_text, "note": note, "error": ""}
            seconds = parse_timecode(at_text)
            if seconds is None:
                row["error"] = gettext("Écrivez le moment en secondes (« 3,5 ») ou en minutes:secondes (« 0:03 »).")
            elif not note:
                row["error"] = gettext("Ajoutez une note : que faut-il regarder à ce moment ?")
            elif len(note) > 200:
                row["error"] = gettext("200 caractères au plus par note.")
            elif find_control_character(note):
                row["error"] = gettext("Cette note contient un caractère de contrôle invisible : retirez-le.")
            else:
                marks.append(MarkInput(at_seconds=seconds, note=note))
            rows.append(row)
        self.mark_rows = rows
        if any(row["error"] for row in rows):
            self.add_error(None, gettext("Un repère de la timeline est à corriger (voir ci-dessous)."))
        if len(rows) > MAX_MARKS:
            self.add_error(None, gettext("%(n)d repères au plus sur la timeline.") % {"n": MAX_MARKS})
        self.cleaned_data["marks"] = marks

    def scores(self) -> list[ScoreInput]:
        return [
            ScoreInput(
                criterion_id=c.pk,
                value=self.cleaned_data.get(f"level_{c.pk}"),
                comment=self.cleaned_data.get(f"comment_{c.pk}", ""),
            )
            for c in self.criteria
        ]

    def marks(self) -> list[MarkInput]:
        return self.cleaned_data.get("marks", [])


class RateForm(RejectControlCharactersFormMixin, forms.Form):
    usefulness = forms.TypedChoiceField(
        label=_("Cette relecture vous a-t-elle aidé ?"),
        choices=[
            (1, _("1 — pas du tout")),
            (2, _("2 — un peu")),
            (3, _("3 — assez")),
            (4, _("4 — beaucoup")),
            (5, _("5 — énormément")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez une note de 1 à 5.")},
    )
    comment = forms.CharField(
        label=_("Un mot au relecteur (facultatif)"), required=False, max_length=300, widget=forms.TextInput
    )


# --- discussion ------------------------------------------------------------------------


class PostForm(RejectControlCharactersFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Votre message"),
        max_length=MAX_BODY_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown : **gras**, *italique*, `code`, listes avec « - », liens [texte](https://…)."),
        error_messages={"required": _("Le message est vide.")},
    )
    mentions = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Prévenir un formateur"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, trainers: list, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        field = self.fields["mentions"]
        field.queryset = get_user_model().objects.filter(pk__in=[t.pk for t in trainers])
        field.label_from_instance = lambda user: f"@{user.get_full_name() or user.email}"


class ReportForm(RejectControlCharactersFormMixin, forms.Form):
    reason = forms.ChoiceField(label=_("Pourquoi signalez-vous ce message ?"), choices=PostReport.Reason.choices)
    comment = forms.CharField(label=_("Précisions (facultatif)"), required=False, max_length=500)
