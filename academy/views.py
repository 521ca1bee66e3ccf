from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from academy import health, services
from academy.forms import EmailAuthenticationForm, ProfileForm, QueuedPasswordResetForm, SignupForm


def home(request):
    if request.user.is_authenticated:
        return redirect("courses:dashboard")
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


class AcademyPasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.user_register(
            email=data["email"],
            password=data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            organisation_name=data["organisation"],
            preferred_language=translation.get_language() or "fr",
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Bienvenue ! Votre compte est créé."))
        return redirect("courses:catalogue")
    return render(request, "registration/signup.html", {"form": form})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.user_update_profile(
            user=request.user,
            first_name=data["first_name"],
            last_name=data["last_name"],
            preferred_language=data["preferred_language"],
            organisation_name=data["organisation_name"],
        )
        translation.activate(user.preferred_language)
        messages.success(request, _("Profil enregistré."))
        response = redirect("profile")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, user.preferred_language, max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax"
        )
        return response
    return render(request, "academy/profile.html", {"form": form})


@require_POST
def set_language(request):
    """Switch the interface language; a signed-in user's preference follows."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
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
