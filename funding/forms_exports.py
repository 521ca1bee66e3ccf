"""Forms of the funding dashboard filters and of the export page."""

from __future__ import annotations

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from academy.validators import RejectControlCharactersFormMixin
from funding.dashboard import DashboardFilter
from funding.exports import ExportFilter, ExportFormat, ExportKind, Separator
from funding.models import Company, Participant, TrainingAction
from funding.selectors import INTER_COMPANY


def _company_choices() -> list[tuple[str, str]]:
    companies = Company.objects.order_by("legal_name").values_list("pk", "legal_name")
    return [("", _("Toutes")), (INTER_COMPANY, _("Inter-entreprises"))] + [(str(pk), name) for pk, name in companies]


def _status_choices() -> list[tuple[str, str]]:
    return [("", _("Tous"))] + list(Participant.FundingStatus.choices)


class CompanyChoiceMixin:
    def company_value(self) -> int | str | None:
        value = self.cleaned_data.get("company") or ""
        if value == INTER_COMPANY:
            return INTER_COMPANY
        return int(value) if value else None


class DashboardFilterForm(RejectControlCharactersFormMixin, CompanyChoiceMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("Année du plan"), required=False, coerce=int, empty_value=None)
    company = forms.ChoiceField(label=_("Entreprise"), required=False)
    status = forms.ChoiceField(label=_("Statut du financement"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        years = TrainingAction.objects.order_by("-plan_year").values_list("plan_year", flat=True).distinct()
        self.fields["year"].choices = [("", _("Toutes"))] + [(year, str(year)) for year in years]
        self.fields["company"].choices = _company_choices()
        self.fields["status"].choices = _status_choices()

    def to_filter(self) -> DashboardFilter:
        """The filter to apply; an invalid value (a stale link) drops that criterion instead of failing."""
        if not self.is_bound:
            return DashboardFilter()
        self.is_valid()
        data = self.cleaned_data  # only the fields that validated
        return DashboardFilter(year=data.get("year"), company=self.company_value(), status=data.get("status") or "")


def default_separator() -> str:
    # French Excel splits CSV on ";" (the comma is the decimal separator there).
    return Separator.SEMICOLON if (translation.get_language() or "fr").startswith("fr") else Separator.COMMA


class ExportForm(RejectControlCharactersFormMixin, CompanyChoiceMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Données"), choices=ExportKind.choices, initial=ExportKind.ENROLMENTS, widget=forms.RadioSelect
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=ExportFormat.choices, initial=ExportFormat.XLSX, widget=forms.RadioSelect
    )
    date_from = forms.DateField(
        label=_("Actions commençant à partir du"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    date_to = forms.DateField(
        label=_("jusqu'au"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    company = forms.ChoiceField(label=_("Entreprise"), required=False)
    status = forms.ChoiceField(label=_("Statut du financement"), required=False)
    sep = forms.ChoiceField(
        label=_("Séparateur CSV"),
        choices=Separator.choices,
        required=False,
        help_text=_("Point-virgule pour Excel en français, virgule pour les autres tableurs."),
    )
    include_identifiers = forms.BooleanField(
        label=_("Inclure les identifiants personnels (CIN, CNSS)"),
        required=False,
        help_text=_("Données personnelles : ne les exportez que si le dossier l'exige. L'export est journalisé."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = _company_choices()
        self.fields["status"].choices = _status_choices()
        self.fields["sep"].initial = default_separator()

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("La date de fin doit être postérieure ou égale à la date de début."))
        if not cleaned.get("sep"):
            cleaned["sep"] = default_separator()
        return cleaned

    def to_filter(self) -> ExportFilter:
        data = self.cleaned_data
        return ExportFilter(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            company=self.company_value(),
            status=data.get("status") or "",
            include_identifiers=bool(data.get("include_identifiers")),
        )
