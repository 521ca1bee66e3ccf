"""Forms of the funding pages. Validation of the rules lives in funding.services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from academy.validators import RejectControlCharactersFormMixin
from courses.api import courses_by_title
from funding import selectors
from funding.models import Company, DossierDocument, FundingScheme, Participant, TrainingAction
from funding.validators import normalise_identifier, validate_cin, validate_cnss

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CompanyForm(RejectControlCharactersFormMixin, forms.ModelForm):
    # Wider than the stored value: "001 525 489 000 088" is accepted and normalised.
    ice = forms.CharField(
        label=_("ICE"),
        max_length=40,
        help_text=_("Identifiant commun de l'entreprise : 15 chiffres (les espaces et points sont retirés)."),
    )
    rc = forms.CharField(label=_("RC"), max_length=40, required=False)
    if_number = forms.CharField(label=_("Identifiant fiscal (IF)"), max_length=40, required=False)
    patente = forms.CharField(label=_("Patente"), max_length=40, required=False)
    cnss_affiliation = forms.CharField(label=_("N° d'affiliation CNSS"), max_length=40, required=False)

    class Meta:
        model = Company
        fields = [
            "legal_name",
            "ice",
            "rc",
            "if_number",
            "patente",
            "cnss_affiliation",
            "address",
            "city",
            "sector",
            "headcount_cadres",
            "headcount_employes",
            "headcount_ouvriers",
            "legal_representative",
            "training_manager",
            "training_manager_email",
            "tfp_up_to_date",
            "cnss_up_to_date",
            "access_certificate_year",
            "access_certificate_date",
            "giac_member",
            "organisation",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3}), "access_certificate_date": DATE_INPUT}

    def _clean_identifier(self, name: str) -> str:
        return normalise_identifier(self.cleaned_data.get(name, ""))

    def clean_ice(self) -> str:
        return self._clean_identifier("ice")

    def clean_rc(self) -> str:
        return self._clean_identifier("rc")

    def clean_if_number(self) -> str:
        return self._clean_identifier("if_number")

    def clean_patente(self) -> str:
        return self._clean_identifier("patente")

    def clean_cnss_affiliation(self) -> str:
        return self._clean_identifier("cnss_affiliation")


class CompanySearchForm(RejectControlCharactersFormMixin, forms.Form):
    q = forms.CharField(label=_("Rechercher"), required=False, widget=forms.TextInput(attrs={"type": "search"}))


class TrainerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.get_full_name() or obj.email} ({obj.email})"


class ActionForm(RejectControlCharactersFormMixin, forms.ModelForm):
    scheme = forms.ModelChoiceField(
        label=_("Barème"),
        queryset=FundingScheme.objects.all(),
        required=False,
        empty_label=_("Automatique (selon le type et la date)"),
        help_text=_(
            "Laissez « automatique » pour appliquer le barème configuré pour ce type d'action à la date de début."
        ),
    )
    trainers = TrainerChoiceField(
        label=_("Formateurs"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    generate_days = forms.BooleanField(
        label=_("Créer les journées du lundi au vendredi entre les deux dates (3,5 h le matin, 3,5 h l'après-midi)"),
        required=False,
        initial=True,
    )

    class Meta:
        model = TrainingAction
        fields = [
            "course",
            "title",
            "company",
            "action_type",
            "plan_year",
            "csf_contract_number",
            "start_date",
            "end_date",
            "location",
            "remote",
            "trainers",
            "cost_excl_tax",
            "cost_incl_tax",
            "scheme",
        ]
        widgets = {"start_date": DATE_INPUT, "end_date": DATE_INPUT}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trainers"].queryset = selectors.trainer_choices()
        self.fields["course"].queryset = courses_by_title()
        self.fields["company"].empty_label = _("Inter-entreprises")
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Vide : le titre du cours.")
        self.fields["location"].help_text = _("Adresse de la salle ; facultatif pour une action à distance.")
        if not self.instance.pk:
            self.fields["plan_year"].initial = timezone.localdate().year
        else:
            del self.fields["generate_days"]

    def clean(self) -> dict:
        data = super().clean()
        course = data.get("course")
        if course and not data.get("title"):
            data["title"] = course.title
            self.instance.title = course.title
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("La date de fin précède la date de début."))
        scheme, kind = data.get("scheme"), data.get("action_type")
        if scheme and kind and scheme.action_type != kind:
            self.add_error("scheme", _("Ce barème s'applique à un autre type d'action."))
        return data


class ActionFilterForm(RejectControlCharactersFormMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("Année du plan"), required=False, coerce=int, empty_value=None)
    company = forms.ModelChoiceField(
        label=_("Entreprise"), queryset=Company.objects.all(), required=False, empty_label=_("Toutes")
    )
    status = forms.ChoiceField(
        label=_("Dossier"),
        required=False,
        choices=[
            ("", _("Tous")),
            (selectors.ActionFilter.OPEN, _("À déposer")),
            (selectors.ActionFilter.FILED, _("Déposés")),
            (selectors.ActionFilter.REIMBURSED, _("Remboursés")),
        ],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Toutes"))] + [(year, str(year)) for year in selectors.action_years()]


class DayAddForm(RejectControlCharactersFormMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    morning_hours = forms.DecimalField(
        label=_("Heures le matin"), min_value=0, max_value=8, decimal_places=1, initial=Decimal("3.5")
    )
    afternoon_hours = forms.DecimalField(
        label=_("Heures l'après-midi"), min_value=0, max_value=8, decimal_places=1, initial=Decimal("3.5")
    )


def parse_day_hours(post, day_ids: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """Read ``am-<id>``/``pm-<id>`` inputs of the days table."""
    hours: dict[int, tuple[Decimal, Decimal]] = {}
    for day_id in day_ids:
        try:
            morning = Decimal(post.get(f"am-{day_id}", "0").replace(",", ".") or "0")
            afternoon = Decimal(post.get(f"pm-{day_id}", "0").replace(",", ".") or "0")
        except ArithmeticError as error:
            raise ValidationError(_("Indiquez les heures en nombre, par exemple 3,5.")) from error
        hours[day_id] = (morning, afternoon)
    return hours


class ParticipantSearchForm(RejectControlCharactersFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Chercher un compte (e-mail ou nom)"), required=False, widget=forms.TextInput(attrs={"type": "search"})
    )


class _IdentifiersMixin:
    def clean_cin(self) -> str:
        value = normalise_identifier(self.cleaned_data.get("cin", ""))
        validate_cin(value)
        return value

    def clean_cnss_number(self) -> str:
        value = normalise_identifier(self.cleaned_data.get("cnss_number", ""))
        if value:
            validate_cnss(value)
        return value


class ParticipantAddForm(RejectControlCharactersFormMixin, _IdentifiersMixin, forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail de l'apprenant·e"), help_text=_("Le compte doit exister sur la plateforme.")
    )
    cin = forms.CharField(
        label=_("CIN"),
        max_length=20,
        help_text=_("Une ou deux lettres puis des chiffres, par exemple BE123456."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    cnss_number = forms.CharField(
        label=_("N° d'immatriculation CNSS"),
        max_length=20,
        required=False,
        help_text=_("9 chiffres."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    category = forms.ChoiceField(
        label=_("Catégorie"), choices=Participant.Category.choices, initial=Participant.Category.EMPLOYE
    )
    funding_status = forms.ChoiceField(
        label=_("Statut du financement"),
        choices=[
            (Participant.FundingStatus.ELIGIBLE.value, Participant.FundingStatus.ELIGIBLE.label),
            (Participant.FundingStatus.NOT_ELIGIBLE.value, Participant.FundingStatus.NOT_ELIGIBLE.label),
        ],
        initial=Participant.FundingStatus.ELIGIBLE,
    )
    enrol_in_course = forms.BooleanField(
        label=_("Inscrire aussi cette personne au cours sur la plateforme"), required=False, initial=True
    )

    def clean_email(self):
        email = self.cleaned_data["email"]
        learner = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if learner is None:
            raise ValidationError(_("Aucun compte actif n'a cette adresse. Créez d'abord le compte de la personne."))
        self.learner = learner
        return email


class ParticipantEditForm(RejectControlCharactersFormMixin, _IdentifiersMixin, forms.Form):
    cin = forms.CharField(label=_("CIN"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    cnss_number = forms.CharField(
        label=_("N° d'immatriculation CNSS"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    category = forms.ChoiceField(label=_("Catégorie"), choices=Participant.Category.choices)


class StatusForm(RejectControlCharactersFormMixin, forms.Form):
    to_status = forms.ChoiceField(label=_("Nouveau statut"), choices=Participant.FundingStatus.choices)
    reason = forms.CharField(label=_("Motif"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


def parse_attendance_post(post, *, all_present_date: str = "") -> dict[tuple[int, datetime.date, str], bool]:
    """Read the grid: ``cell`` lists every shown cell, ``present`` the ticked ones (``<pid>:<date>:<half>``).

    ``all_present_date`` ticks every cell of that date (the "all present" button).
    """

    def key(raw: str) -> tuple[int, datetime.date, str]:
        try:
            participant_id, date, half = raw.split(":")
            return int(participant_id), datetime.date.fromisoformat(date), half
        except ValueError as error:
            raise ValidationError(_("La grille envoyée est illisible : rechargez la page.")) from error

    ticked = {key(raw) for raw in post.getlist("present")}
    marks = {key(raw): False for raw in post.getlist("cell")}
    for cell in ticked:
        marks[cell] = True
    if all_present_date:
        try:
            day = datetime.date.fromisoformat(all_present_date)
        except ValueError as error:
            raise ValidationError(_("La grille envoyée est illisible : rechargez la page.")) from error
        for cell in list(marks):
            if cell[1] == day:
                marks[cell] = True
    return marks


class DocumentForm(RejectControlCharactersFormMixin, forms.Form):
    required_id = forms.IntegerField(widget=forms.HiddenInput)
    participant_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    status = forms.ChoiceField(label=_("Statut"), choices=DossierDocument.Status.choices, required=False)
    file = forms.FileField(label=_("Fichier (PDF, JPEG ou PNG, 10 Mo au plus)"), required=False)


class FiledForm(RejectControlCharactersFormMixin, forms.Form):
    filed_on = forms.DateField(label=_("Déposé le"), widget=DATE_INPUT, initial=timezone.localdate)
    override_reason = forms.CharField(
        label=_("Motif du dépôt d'un dossier incomplet"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Seulement si des pièces manquent : il est enregistré avec la liste des pièces manquantes."),
    )

    def __init__(self, *args, incomplete: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not incomplete:
            del self.fields["override_reason"]


class ReimbursedForm(RejectControlCharactersFormMixin, forms.Form):
    reimbursed_on = forms.DateField(label=_("Remboursé le"), widget=DATE_INPUT, initial=timezone.localdate)
    amount = forms.DecimalField(label=_("Montant reçu (DH)"), min_value=0, max_digits=12, decimal_places=2)
