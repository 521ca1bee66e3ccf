"""Who may see funding pages: administrators only (trainers record attendance, see views)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

View = Callable[..., HttpResponse]


def admin_required(view: View) -> View:
    """Anonymous visitors go to the login page; signed-in non-admins get a 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_admin:
            raise PermissionDenied(_("Le suivi des financements est réservé aux administrateurs."))
        return view(request, *args, **kwargs)

    return wrapper
