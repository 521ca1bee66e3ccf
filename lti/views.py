"""LTI endpoints (login, launch, key set, deep linking) and the administrators' and trainers' pages."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from lti_tool.models import Key, LtiLaunch, LtiRegistration
from pylti1p3.contrib.django import DjangoMessageLaunch
from pylti1p3.exception import LtiException, OIDCException

from courses.api import Course, can_edit_course
from lti import selectors
from lti.forms import PlatformForm
from lti.models import origin_of
from lti.protocol import CookielessCacheStorage, MessageLaunch, OIDCLogin, ToolConfig, UnknownDeployment
from lti.services.deep_linking import deep_link_response
from lti.services.keys import keys_rotate, signing_key
from lti.services.launch import (
    TICKET_PREFIX,
    LaunchRefused,
    frame_origins,
    launch_accept,
    resolve_target,
    ticket_issue,
    ticket_redeem,
)
from lti.services.platforms import parse_deployment_ids, platform_save
from lti.services.roster import RosterUnavailable, roster_import

logger = logging.getLogger(__name__)
SESSION_KEY = "lti"


def _refuse(request, message: str, *, status: int = 400, return_url: str | None = None) -> HttpResponse:
    """A clear page for a launch we cannot accept (framable: it is shown inside the platform)."""
    response = render(request, "lti/error.html", {"message": message, "return_url": return_url}, status=status)
    response.xframe_options_exempt = True
    response["Content-Security-Policy"] = _policy(frame_ancestors="*")
    return response


def _policy(*, frame_ancestors: str, form_action: str = "'self'") -> str:
    from django.conf import settings

    parts = [p.strip() for p in settings.CONTENT_SECURITY_POLICY.split(";") if p.strip()]
    parts = [p for p in parts if not p.startswith(("frame-ancestors", "form-action"))]
    return "; ".join([*parts, f"form-action {form_action}", f"frame-ancestors {frame_ancestors}"])


def _launch_url(request) -> str:
    return request.build_absolute_uri(reverse("lti:launch"))


def _launch_error_message(error: Exception) -> tuple[str, int]:
    text = str(error)
    if isinstance(error, UnknownDeployment):
        return (
            _(
                "Ce déploiement n'est pas enregistré dans l'Academy. Un administrateur de l'Academy doit ajouter "
                "l'identifiant de déploiement de votre plateforme."
            ),
            403,
        )
    if "Registration not found" in text or "Could not find registration" in text or "Could not find issuer" in text:
        return (_("Cette plateforme n'est pas enregistrée dans l'Academy (émetteur ou client inconnu)."), 403)
    if "State not found" in text or "Nonce" in text or "Missing state" in text:
        return (
            _("Ce lancement a expiré ou a déjà été utilisé. Relancez l'activité depuis votre plateforme."),
            400,
        )
    if "decode id_token" in text or "public key" in text.lower() or "key set" in text:
        return (
            _("La signature du lancement n'a pas pu être vérifiée. Relancez l'activité depuis votre plateforme."),
            400,
        )
    return (_("Ce lancement LTI n'est pas valide. Relancez l'activité depuis votre plateforme."), 400)


# --- protocol endpoints --------------------------------------------------------


@require_GET
def jwks(request):
    signing_key()
    response = JsonResponse(Key.objects.as_jwks())
    response["Cache-Control"] = "public, max-age=3600"
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def oidc_login(request, registration_uuid=None):
    """Third-party initiated login: send the browser to the platform's authorisation endpoint."""
    if registration_uuid is not None and not LtiRegistration.objects.active().filter(uuid=registration_uuid).exists():
        return _refuse(
            request, _launch_error_message(OIDCException("Could not find registration details"))[0], status=403
        )
    try:
        url = OIDCLogin(request, ToolConfig(registration_uuid)).redirect_url(_launch_url(request))
    except (OIDCException, LtiException) as error:
        logger.info("LTI login refused: %s", error)
        message, status = _launch_error_message(error)
        return _refuse(request, message, status=status)
    return HttpResponseRedirect(url)


@csrf_exempt
@require_POST
def launch(request):
    """The signed launch (resource link or deep linking request) posted by the platform."""
    message_launch = MessageLaunch(request, ToolConfig())
    try:
        message_launch.validate()
    except LtiException as error:
        logger.info("LTI launch refused: %s", error)
        message, status = _launch_error_message(error)
        return _refuse(request, message, status=status)
    lti_launch = LtiLaunch(message_launch)
    if not lti_launch.deployment.is_active:
        return _refuse(
            request,
            _("Ce déploiement est désactivé dans l'Academy. Contactez son administrateur."),
            status=403,
            return_url=lti_launch.get_return_url(),
        )
    if not (lti_launch.is_resource_launch or lti_launch.is_deep_link_launch):
        return _refuse(request, _("Ce type de lancement LTI n'est pas pris en charge."), status=400)
    try:
        outcome = launch_accept(launch=lti_launch)
    except LaunchRefused as refusal:
        return _refuse(request, refusal.message, status=403, return_url=lti_launch.get_return_url())
    next_url = reverse("lti:deep_link") if lti_launch.is_deep_link_launch else outcome.next_url
    token = ticket_issue(
        user=outcome.user,
        next_url=next_url,
        origins=frame_origins(lti_launch.registration),
        launch_id=lti_launch.get_launch_id(),
        registration_uuid=str(lti_launch.registration.uuid),
    )
    return redirect("lti:enter", token=token)


@require_GET
def enter(request, token: str):
    """Open the person's session from a launch ticket, then check the session cookie came back."""
    data = ticket_redeem(token)
    if data is None:
        return _refuse(
            request, _("Ce lien d'accès a expiré ou a déjà servi. Relancez l'activité depuis votre plateforme.")
        )
    user = get_object_or_404(get_user_model(), pk=data["user_id"], is_active=True)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_KEY] = {
        "origins": data["origins"],
        "launch_id": data["launch_id"],
        "registration": data["registration"],
    }
    fallback = ticket_issue(
        user=user,
        next_url=data["next"],
        origins=data["origins"],
        launch_id=data["launch_id"],
        registration_uuid=data["registration"],
    )
    return redirect(reverse("lti:check") + "?" + urlencode({"next": data["next"], "t": fallback}))


@require_GET
def check(request):
    """Inside the platform's frame: go on if the session cookie arrived, else offer a new tab."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("courses:dashboard")
    fallback = request.GET.get("t", "")
    if request.user.is_authenticated and SESSION_KEY in request.session:
        cache.delete(TICKET_PREFIX + fallback)
        return HttpResponseRedirect(next_url)
    if not fallback:
        return _refuse(
            request, _("Ce lien d'accès a expiré ou a déjà servi. Relancez l'activité depuis votre plateforme.")
        )
    response = render(request, "lti/cookies.html", {"new_tab_url": reverse("lti:enter", args=[fallback])})
    response.xframe_options_exempt = True
    response["Content-Security-Policy"] = _policy(frame_ancestors="*")
    return response


def _restored_launch(request) -> LtiLaunch:
    launch_id = (request.session.get(SESSION_KEY) or {}).get("launch_id")
    if not launch_id:
        raise PermissionDenied
    try:
        message_launch = DjangoMessageLaunch.from_cache(
            launch_id, request, ToolConfig(), launch_data_storage=CookielessCacheStorage()
        )
    except LtiException as error:
        raise PermissionDenied from error
    lti_launch = LtiLaunch(message_launch)
    if not lti_launch.is_deep_link_launch or lti_launch.user.auth_user_id != request.user.pk:
        raise PermissionDenied
    return lti_launch


@login_required
@require_http_methods(["GET", "POST"])
def deep_link(request):
    """A trainer picks what the platform's new activity opens."""
    lti_launch = _restored_launch(request)
    courses = selectors.pickable_courses(request.user)
    error = None
    if request.method == "POST":
        choice = request.POST.get("target", "")
        target = resolve_target(choice)
        allowed = {c.pk for c in courses}
        if target is None or target.course.pk not in allowed:
            error = _("Choisissez un cours, une leçon ou un labo dans la liste.")
        else:
            response_data = deep_link_response(launch=lti_launch, target=target, launch_url=_launch_url(request))
            request.session[SESSION_KEY] = {**request.session[SESSION_KEY], "launch_id": None}
            response = render(
                request,
                "lti/deep_link_return.html",
                {"return_url": response_data.return_url, "jwt": response_data.jwt, "target": target},
            )
            origin = origin_of(response_data.return_url)
            response["Content-Security-Policy"] = _policy(
                frame_ancestors=" ".join(request.session[SESSION_KEY]["origins"]) or "'none'",
                form_action=f"'self' {origin}",
            )
            return response
    context_claim = lti_launch.context_claim or {}
    return render(
        request,
        "lti/deep_link_pick.html",
        {"courses": courses, "error": error, "platform_course": context_claim.get("title", "")},
        status=400 if error else 200,
    )


@require_GET
def canvas_config(request):
    """Canvas's JSON configuration (Developer Keys → LTI Key → Paste JSON)."""
    host = request.get_host().split(":")[0]
    return JsonResponse(
        {
            "title": "Academy",
            "description": _("Cours et labos de prompt vidéo de l'Academy, notés automatiquement."),
            "oidc_initiation_url": request.build_absolute_uri(reverse("lti:login")),
            "target_link_uri": _launch_url(request),
            "public_jwk_url": request.build_absolute_uri(reverse("lti:jwks")),
            "scopes": [
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
                "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
            ],
            "extensions": [
                {
                    "domain": host,
                    "platform": "canvas.instructure.com",
                    "privacy_level": "public",
                    "settings": {
                        "placements": [
                            {
                                "placement": "link_selection",
                                "message_type": "LtiDeepLinkingRequest",
                                "target_link_uri": _launch_url(request),
                            },
                            {
                                "placement": "assignment_selection",
                                "message_type": "LtiDeepLinkingRequest",
                                "target_link_uri": _launch_url(request),
                            },
                        ]
                    },
                }
            ],
            "custom_fields": {},
        }
    )


# --- administrators' pages -------------------------------------------------------


def _require_admin(request) -> None:
    if not (request.user.is_authenticated and request.user.is_admin):
        raise PermissionDenied


def _tool_urls(request, registration: LtiRegistration | None = None) -> dict[str, str]:
    login_url = reverse("lti:login_for", args=[registration.uuid]) if registration is not None else reverse("lti:login")
    return {
        "login": request.build_absolute_uri(login_url),
        "launch": _launch_url(request),
        "deep_linking": _launch_url(request),
        "jwks": request.build_absolute_uri(reverse("lti:jwks")),
        "canvas_json": request.build_absolute_uri(reverse("lti:canvas_config")),
    }


@login_required
@require_GET
def platform_list(request):
    _require_admin(request)
    keys = list(Key.objects.order_by("-datetime_created")[:6])
    return render(
        request,
        "lti/platforms.html",
        {
            "platforms": selectors.platforms(),
            "urls": _tool_urls(request),
            "keys": keys,
            "syncs": selectors.recent_score_syncs(limit=20),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def platform_edit(request, registration_uuid=None):
    _require_admin(request)
    registration = None
    if registration_uuid is not None:
        registration = get_object_or_404(LtiRegistration, uuid=registration_uuid)
    form = PlatformForm(request.POST or None, registration=registration)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        deployment_ids = parse_deployment_ids(data.pop("deployment_ids"))
        try:
            registration = platform_save(registration=registration, deployment_ids=deployment_ids, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Plateforme « %(name)s » enregistrée.") % {"name": registration.name})
            return redirect("lti:platform_edit", registration_uuid=registration.uuid)
    pending = registration.deployments.filter(is_active=False) if registration else []
    return render(
        request,
        "lti/platform_form.html",
        {
            "form": form,
            "registration": registration,
            "urls": _tool_urls(request, registration),
            "inactive_deployments": pending,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def keys_rotate_now(request):
    _require_admin(request)
    keys_rotate(force=True)
    messages.success(request, _("Nouvelle clé créée ; l'ancienne reste publiée pendant la période de recouvrement."))
    return redirect("lti:platforms")


# --- trainers: import a platform roster ----------------------------------------


@login_required
@require_GET
def roster_courses(request):
    if not request.user.is_trainer:
        raise PermissionDenied
    return render(
        request, "lti/roster_courses.html", {"courses": selectors.courses_with_platform_rosters(request.user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_roster(request, slug: str):
    course = get_object_or_404(Course, slug=slug)
    if not can_edit_course(request.user, course):
        raise Http404
    contexts = selectors.course_contexts(course)
    if request.method == "POST":
        context = next((c for c in contexts if str(c.pk) == request.POST.get("context")), None)
        if context is None:
            messages.error(request, _("Choisissez un cours de plateforme dans la liste."))
        else:
            try:
                result = roster_import(context=context, course=course)
            except RosterUnavailable:
                logger.warning("NRPS import failed for context %s", context.pk, exc_info=True)
                messages.error(
                    request,
                    _("La plateforme n'a pas répondu ; la liste n'a pas été importée. Réessayez dans un moment."),
                )
            else:
                messages.success(
                    request,
                    _("Liste importée : %(learners)d apprenant·es inscrit·es, %(trainers)d formateur·rices.")
                    % {"learners": result.learners, "trainers": result.trainers},
                )
        return redirect("lti:course_roster", slug=course.slug)
    return render(request, "lti/roster.html", {"course": course, "contexts": contexts})
