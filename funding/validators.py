"""Formats of Moroccan identifiers, with messages a training administrator understands."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from academy.identifiers import CIN_RE, CNSS_RE

ICE_RE = re.compile(r"^\d{15}$")
DIGITS_RE = re.compile(r"^\d{1,12}$")


def normalise_identifier(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def validate_ice(value: str) -> None:
    if not ICE_RE.match(normalise_identifier(value)):
        raise ValidationError(
            _("L'ICE compte exactement 15 chiffres (sans lettres ni espaces), par exemple 001525489000088."),
            code="invalid_ice",
        )


def validate_cin(value: str) -> None:
    if not CIN_RE.fullmatch(normalise_identifier(value)):
        raise ValidationError(
            _("Le numéro de CIN commence par une ou deux lettres suivies de 1 à 6 chiffres, par exemple BE123456."),
            code="invalid_cin",
        )


def validate_cnss(value: str) -> None:
    if not CNSS_RE.fullmatch(normalise_identifier(value)):
        raise ValidationError(
            _("Le numéro d'immatriculation CNSS compte 9 chiffres, par exemple 123456789."), code="invalid_cnss"
        )


def validate_numeric_identifier(value: str) -> None:
    if value and not DIGITS_RE.match(normalise_identifier(value)):
        raise ValidationError(_("Cet identifiant ne contient que des chiffres."), code="invalid_identifier")
