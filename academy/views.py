from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from academy import health, services
from academy.forms import (
    EmailAuthenticationForm,
    NotificationSwitchesForm,
    ProfileForm,
    QueuedPasswordResetForm,
    SignupForm,
)
from academy.landing import landing_url
from academy.notifications import selectors as notification_selectors
from academy.notifications import services as notification_services


def home(request):
    if request.user.is_authenticated:
        return redirect(landing_url(request.user))
    return render(request, "academy/home.html")


@never_cache
def healthz(request):
    db_ok, db_detail = health.check_database()
    broker_ok, broker_detail = health.check_broker()
    healthy = db_ok and broker_ok
    payload = {
        "status": "ok" if healthy else "unavailable",
        "database": {"ok": db_ok, "detail": db_detail},
        "broker": {"ok": broker_ok, "detail": broker_detail},
    }
    return JsonResponse(payload, status=200 if healthy else 503)


class AcademyLoginView(auth_views.LoginView):
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        """Without a safe ``next``, each role lands where its work is."""
        return landing_url(self.request.user)

    def form_valid(self, form):
        response = super().form_valid(form)
        # The account's language wins over the browser's from now on.
        language = form.get_user().preferred_language
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax"
        )
        return response


class AcademyPasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("password_change_done")


def _account_mail_refused(request, form, email: str) -> bool:
    """Count a request that may send an account mail; when over a limit, put the reason on the form."""
    try:
        services.account_mail_check(email=email, ip=get_client_ip_address(request))
    except ValidationError as error:
        form.add_error(None, error)
        return True
    return False


class AcademyPasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        if _account_mail_refused(self.request, form, form.cleaned_data["email"]):
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


def signup(request):
    """Ask for the account; the answer is the same whether or not the address already has one."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _account_mail_refused(request, form, data["email"]):
            return render(request, "registration/signup.html", {"form": form}, status=429)
        services.signup_request(
            email=data["email"],
            password=data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            organisation_name=data["organisation"],
            preferred_language=translation.get_language() or "fr",
            site_url=request.build_absolute_uri("/"),
        )
        return redirect("signup_done")
    return render(request, "registration/signup.html", {"form": form})


def signup_done(request):
    return render(request, "registration/signup_done.html")


@never_cache
def signup_confirm(request, token: str):
    """The mailed link: a page with one button (mail scanners that open links must not create accounts)."""
    if request.method == "POST":
        try:
            user = services.signup_confirm(token=token)
        except ValidationError as error:
            context = {"problem": error.messages[0]}
            return render(request, "registration/signup_confirm.html", context, status=400)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Bienvenue ! Votre compte est créé."))
        return redirect("courses:catalogue")
    pending = services.pending_signup_for(token)
    if pending is None:
        problem = _("Ce lien de confirmation n'est plus valable : il a déjà servi ou il a expiré.")
        return render(request, "registration/signup_confirm.html", {"problem": problem}, status=400)
    return render(request, "registration/signup_confirm.html", {"pending": pending})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    switches = NotificationSwitchesForm(
        request.POST or None, switches=notification_selectors.switches_for(request.user), prefix="n"
    )
    if request.method == "POST" and form.is_valid() and switches.is_valid():
        data = form.cleaned_data
        user = services.user_update_profile(
            user=request.user,
            first_name=data["first_name"],
            last_name=data["last_name"],
            preferred_language=data["preferred_language"],
            organisation_name=data["organisation_name"],
            time_zone=data["time_zone"],
        )
        notification_services.preferences_save(user=user, choices=switches.choices())
        translation.activate(user.preferred_language)
        messages.success(request, _("Profil enregistré."))
        response = redirect("profile")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, user.preferred_language, max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax"
        )
        return response
    status = 400 if form.errors or switches.errors else 200
    return render(request, "academy/profile.html", {"form": form, "switches": switches}, status=status)


@require_POST
def set_language(request):
    """Switch this browser's interface language.

    The account's preferred language (its mails, and the site on a browser
    that chose none) is changed in the profile only: trying the site in
    another language must not send the next password reset in it.
    """
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax"
        )
    return response


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
