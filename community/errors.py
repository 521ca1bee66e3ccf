"""The one refusal the community services raise: a message for the person, in their language."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class Refused(ValidationError):
    """The action cannot be done; ``message`` says why (views show it, and keep what was typed)."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message, code=code)
