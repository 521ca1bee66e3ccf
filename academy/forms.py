import zoneinfo

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from academy.models import User, normalise_email
from academy.validators import RejectControlCharactersFormMixin


class EmailAuthenticationForm(RejectControlCharactersFormMixin, AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _("Adresse e-mail ou mot de passe incorrect."),
        "inactive": _("Ce compte est désactivé."),
    }

    def clean_username(self) -> str:
        # The lockout sees what authenticate() is given: one spelling per account.
        return normalise_email(self.cleaned_data["username"])


class SignupForm(RejectControlCharactersFormMixin, forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    email = forms.EmailField(label=_("Adresse e-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    organisation = forms.CharField(
        label=_("Organisation (employeur)"),
        max_length=200,
        required=False,
        help_text=_("Facultatif. Indiquez-la si votre employeur finance votre formation."),
    )
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Au moins 10 caractères, pas uniquement des chiffres."),
    )
    password2 = forms.CharField(
        label=_("Confirmez le mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        # Whether the address has an account is never said here (see services.signup_request).
        return normalise_email(self.cleaned_data["email"])

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Les deux mots de passe ne correspondent pas."))
        if p1:
            candidate = User(
                email=cleaned.get("email") or "",
                first_name=cleaned.get("first_name") or "",
                last_name=cleaned.get("last_name") or "",
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


# Offered first in the time-zone list: where the Academy's learners mostly are.
COMMON_TIME_ZONES = [
    "Africa/Casablanca",
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Madrid",
    "Europe/London",
    "Africa/Algiers",
    "Africa/Tunis",
    "Africa/Dakar",
    "Africa/Abidjan",
    "America/Toronto",
    "UTC",
]


def time_zone_choices() -> list:
    others = sorted(zoneinfo.available_timezones() - set(COMMON_TIME_ZONES))
    return [
        (_("Fréquents"), [(name, name.replace("_", " ")) for name in COMMON_TIME_ZONES]),
        (_("Tous les fuseaux"), [(name, name.replace("_", " ")) for name in others]),
    ]


class ProfileForm(RejectControlCharactersFormMixin, forms.ModelForm):
    organisation_name = forms.CharField(label=_("Organisation (employeur)"), max_length=200, required=False)

    class Meta:
        model = User
        fields = ["first_name", "last_name", "preferred_language", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].widget = forms.Select(choices=time_zone_choices())
        self.fields["time_zone"].required = False
        if self.instance.organisation_id:
            self.fields["organisation_name"].initial = self.instance.organisation.name

    def clean_time_zone(self) -> str:
        # Not sent (an older form): the zone stays as it was.
        return self.cleaned_data.get("time_zone") or self.instance.time_zone


class NotificationSwitchesForm(forms.Form):
    """One pair of switches (in the site, by mail) per kind of notification the user may receive."""

    def __init__(self, *args, switches, **kwargs):
        super().__init__(*args, **kwargs)
        self.switches = switches
        for switch in switches:
            key = switch.kind.key
            self.fields[f"{key}:site"] = forms.BooleanField(required=False, initial=switch.in_site)
            self.fields[f"{key}:mail"] = forms.BooleanField(required=False, initial=switch.by_mail)

    def rows(self):
        """(switch, in-site field, mail field) for the template's table."""
        return [(s, self[f"{s.kind.key}:site"], self[f"{s.kind.key}:mail"]) for s in self.switches]

    def choices(self) -> dict[str, tuple[bool, bool]]:
        data = self.cleaned_data
        return {s.kind.key: (data[f"{s.kind.key}:site"], data[f"{s.kind.key}:mail"]) for s in self.switches}


class QueuedPasswordResetForm(RejectControlCharactersFormMixin, PasswordResetForm):
    """Sends the reset mail in the owner's language from a Celery worker, once the request has committed."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        from academy.services import queue_account_mail

        # The view names the pair "<template>_subject.txt" / "<template>_email.txt", as every account mail.
        template = email_template_name.removesuffix("_email.txt")
        queue_account_mail(template=template, context=context, to=to_email, language=context["user"].preferred_language)
