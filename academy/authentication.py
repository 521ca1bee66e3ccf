"""Who a login attempt is about, for the lockout (django-axes).

The login form accepts an address in any letter case and with surrounding
spaces; the lockout must count all those spellings as one account, or each
spelling would get its own five tries.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from academy.models import normalise_email


def lockout_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """``AXES_USERNAME_CALLABLE``: the normalised address from the credentials or the posted form."""
    field = settings.AXES_USERNAME_FORM_FIELD
    source = credentials or getattr(request, "data", request.POST)
    value = source.get(field)
    return normalise_email(str(value or ""))
