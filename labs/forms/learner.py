"""Forms of the learner's side of a lab: the editor's client token and the comparison picker.

The prompt editor has no form: the page renders it, and the submit service holds every rule about a prompt.
"""

from __future__ import annotations

import uuid

from django import forms
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from academy.validators import RejectControlCharactersFormMixin
from labs.models import Submission


def new_client_token() -> str:
    """A token rendered into each editor form: a double click sends it twice, the server keeps one attempt."""
    return uuid.uuid4().hex


class _AttemptChoiceField(forms.ModelChoiceField):
    numbers: dict[int, int] = {}

    def label_from_instance(self, obj: Submission) -> str:
        # In the user's time zone, like every date on the page (the middleware activates it).
        when = formats.date_format(timezone.localtime(obj.created_at), "SHORT_DATETIME_FORMAT")
        return _("Essai n° %(number)s du %(date)s — %(score)s/100") % {
            "number": self.numbers.get(obj.pk, "?"),
            "date": when,
            "score": obj.final_score,
        }


class CompareForm(RejectControlCharactersFormMixin, forms.Form):
    """Two graded attempts of the same learner and lab, picked with plain selects (GET)."""

    a = _AttemptChoiceField(queryset=Submission.objects.none(), label=_("Essai A"))
    b = _AttemptChoiceField(queryset=Submission.objects.none(), label=_("Essai B"))

    def __init__(self, *args, attempts: QuerySet[Submission], numbers: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("a", "b"):
            self.fields[name].queryset = attempts
            self.fields[name].numbers = numbers

    def clean(self):
        cleaned = super().clean()
        a, b = cleaned.get("a"), cleaned.get("b")
        if a is not None and b is not None and a.pk == b.pk:
            raise forms.ValidationError(_("Choisissez deux essais différents."))
        return cleaned
