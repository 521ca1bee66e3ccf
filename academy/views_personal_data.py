"""A learner's own data: download it (JSON) and ask for the account's erasure."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from academy import personal_data
from academy.validators import RejectControlCharactersFormMixin


class AccountDeleteForm(RejectControlCharactersFormMixin, forms.Form):
    """Re-entering the password confirms that the account's owner asks, not someone at an unlocked screen."""

    password = forms.CharField(
        label=gettext_lazy("Mot de passe actuel"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Mot de passe incorrect."), code="password_incorrect")
        return password


def can_self_erase(user) -> bool:
    """Trainers and admins hold other people's work (courses, grades, dossiers): an administrator closes their account."""
    return not (user.is_trainer or user.is_admin)


@login_required
@require_GET
@never_cache
def my_data(request: HttpRequest) -> HttpResponse:
    data = personal_data.export_user_data(request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"mes-donnees-academie-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def account_delete(request: HttpRequest) -> HttpResponse:
    allowed = can_self_erase(request.user)
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and allowed and form.is_valid():
        personal_data.erase_account(user=request.user)
        logout(request)
        messages.success(request, _("Votre compte est supprimé et vos données d'apprentissage effacées."))
        return redirect("home")
    status = 403 if request.method == "POST" and not allowed else (400 if form.errors else 200)
    return render(request, "academy/account_delete.html", {"form": form, "allowed": allowed}, status=status)
