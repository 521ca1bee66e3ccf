"""Text people type into the site: invisible control characters are refused, with a clear message.

The rule (one home): C0 controls U+0000–U+001F except tab, line feed and
carriage return, DEL U+007F and the C1 controls U+0080–U+009F. They are
invisible on screen, ring terminals, break CSV and PDF exports and can make
a name read differently from what is stored.

Two hooks apply it: forms (``RejectControlCharactersFormMixin``) give the
message in the field, so nothing typed is lost; models
(``RejectControlCharactersModel``) refuse it in ``full_clean``, so the
Django admin and every service that validates before saving hold the same
line.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

_ALLOWED_CONTROLS = frozenset("\t\n\r")


def find_control_character(text: str) -> str | None:
    """The first refused control character in ``text``, or None."""
    for char in text:
        code = ord(char)
        if (code < 0x20 and char not in _ALLOWED_CONTROLS) or 0x7F <= code <= 0x9F:
            return char
    return None


def control_character_error(char: str) -> ValidationError:
    return ValidationError(
        _("Ce texte contient un caractère de contrôle invisible (U+%(code)04X) : retirez-le, puis réessayez."),
        code="control_character",
        params={"code": ord(char)},
    )


def validate_no_control_characters(value: object) -> None:
    char = find_control_character(str(value or ""))
    if char is not None:
        raise control_character_error(char)


class RejectControlCharactersFormMixin:
    """Every text field of the form refuses control characters (NUL included, with the same message).

    Password fields keep Django's own rule: a password is never shown, exported or printed.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.PasswordInput):
                continue
            if validate_no_control_characters not in field.validators:
                field.validators = [
                    v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
                ] + [validate_no_control_characters]


class RejectControlCharactersModel(models.Model):
    """``full_clean`` refuses control characters in every text column of the model."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if not isinstance(field, (models.CharField, models.TextField)) or field.name in (exclude or ()):
                continue
            if field.name in errors:
                continue
            char = find_control_character(str(getattr(self, field.attname) or ""))
            if char is not None:
                errors[field.name] = [control_character_error(char)]
        if errors:
            raise ValidationError(errors)
