"""Forms of the learner's pages: catalogue filters, quiz answers, admin enrolment."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from academy.validators import RejectControlCharactersFormMixin
from courses.models import LANGUAGE_CHOICES, Choice, Course, Enrolment, Question, QuizAttempt


class CatalogueFilterForm(RejectControlCharactersFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Rechercher"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Titre ou mot-clé")}),
    )
    level = forms.ChoiceField(
        label=_("Niveau"), required=False, choices=[("", _("Tous les niveaux")), *Course.Level.choices]
    )
    language = forms.ChoiceField(
        label=_("Langue"), required=False, choices=[("", _("Toutes les langues")), *LANGUAGE_CHOICES]
    )

    def filters(self) -> dict[str, str]:
        """The valid filters; an invalid value is dropped (its error is shown beside the field)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: self.cleaned_data.get(name, "") or "" for name in ("q", "level", "language")}


class QuizAttemptForm(RejectControlCharactersFormMixin, forms.Form):
    """One field per question of an attempt, in the order stored on the attempt."""

    def __init__(
        self, *args, attempt: QuizAttempt, questions: dict[int, Question], choices: dict[int, Choice], **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.attempt = attempt
        for number, qid in enumerate(attempt.question_order, start=1):
            question = questions.get(qid)
            if question is None:
                continue  # deleted from the bank since the attempt started
            options = [
                (str(cid), choices[cid].text) for cid in attempt.choice_order.get(str(qid), []) if cid in choices
            ]
            label = _("Question %(number)s") % {"number": number}
            if question.kind == Question.Kind.MULTIPLE:
                field: forms.Field = forms.MultipleChoiceField(
                    label=label,
                    choices=options,
                    widget=forms.CheckboxSelectMultiple,
                    help_text=_("Plusieurs réponses possibles : cochez toutes les bonnes réponses."),
                    error_messages={"required": _("Cochez au moins une réponse.")},
                )
            else:
                field = forms.ChoiceField(
                    label=label,
                    choices=options,
                    widget=forms.RadioSelect,
                    error_messages={"required": _("Choisissez une réponse.")},
                )
            field.question = question  # type: ignore[attr-defined]
            self.fields[self.field_name(qid)] = field

    @staticmethod
    def field_name(question_id: int) -> str:
        return f"q{question_id}"

    def answers(self) -> dict[str, list[int]]:
        result: dict[str, list[int]] = {}
        for name, value in self.cleaned_data.items():
            picked = value if isinstance(value, list) else [value]
            result[name.removeprefix("q")] = [int(v) for v in picked]
        return result


_EMAIL_SEPARATORS = re.compile(r"[\s,;]+")


class AdminEnrolForm(RejectControlCharactersFormMixin, forms.Form):
    """Enrol existing accounts: one picked e-mail and/or a pasted list."""

    email = forms.EmailField(
        label=_("Adresse e-mail d'un compte"),
        required=False,
        widget=forms.EmailInput(attrs={"list": "known-emails", "autocomplete": "off"}),
    )
    emails = forms.CharField(
        label=_("Liste d'adresses e-mail"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Une adresse par ligne (ou séparées par des virgules). Les comptes doivent déjà exister."),
    )

    def clean_emails(self) -> list[str]:
        raw = self.cleaned_data.get("emails", "")
        addresses = [a.strip().lower() for a in _EMAIL_SEPARATORS.split(raw) if a.strip()]
        invalid = []
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                invalid.append(address)
        if invalid:
            raise ValidationError(
                _("Adresses invalides : %(list)s"), code="invalid", params={"list": ", ".join(invalid)}
            )
        return addresses

    def clean(self):
        cleaned = super().clean()
        wanted = list(
            dict.fromkeys([*([cleaned["email"].lower()] if cleaned.get("email") else []), *cleaned.get("emails", [])])
        )
        if not wanted and not self.errors:
            raise ValidationError(_("Indiquez au moins une adresse e-mail."), code="empty")
        users = {u.email.lower(): u for u in get_user_model().objects.filter(email__in=wanted)}
        unknown = [address for address in wanted if address not in users]
        if unknown:
            field = "email" if cleaned.get("email", "").lower() in unknown and len(unknown) == 1 else "emails"
            self.add_error(
                field,
                ValidationError(_("Aucun compte pour : %(list)s"), code="unknown", params={"list": ", ".join(unknown)}),
            )
        cleaned["users"] = [users[a] for a in wanted if a in users]
        return cleaned


class EnrolmentRemoveForm(RejectControlCharactersFormMixin, forms.Form):
    """The person to unenrol: one of the course's active enrolments, anything else refused with a message."""

    user_id = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        error_messages={
            "required": _("Cette personne n'est pas inscrite à ce cours."),
            "invalid_choice": _("Cette personne n'est pas inscrite à ce cours."),
        },
    )

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user_id"].queryset = get_user_model().objects.filter(
            enrolments__course=course, enrolments__status=Enrolment.Status.ACTIVE
        )
