"""Role gates for views: who may open a whole area of the site, before any object-level check."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

View = Callable[..., HttpResponse]


def trainer_required(view: View) -> View:
    """Trainers and admins only: anonymous visitors go to the login page, anyone else gets a 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_trainer:
            raise PermissionDenied(_("L'espace formateur est réservé aux formateurs."))
        return view(request, *args, **kwargs)

    return wrapper
