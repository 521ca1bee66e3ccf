"""Pages of a session opened by an LTI launch may be framed by that platform, and only by it."""

from __future__ import annotations

from http.cookies import Morsel

from django.conf import settings

SESSION_KEY = "lti"


class _PartitionedMorsel(Morsel):
    # CHIPS: a cookie kept per top-level site, which browsers blocking third-party cookies still accept.
    _reserved = {**Morsel._reserved, "partitioned": "Partitioned"}
    _flags = Morsel._flags | {"partitioned"}


def _partitioned(morsel: Morsel) -> Morsel:
    copy = _PartitionedMorsel()
    copy.set(morsel.key, morsel.value, morsel.coded_value)
    for attribute, value in morsel.items():
        if value:
            copy[attribute] = value
    copy["samesite"] = "None"
    copy["secure"] = True
    copy["partitioned"] = True
    return copy


def frame_policy(origins: list[str]) -> str:
    parts = [p.strip() for p in settings.CONTENT_SECURITY_POLICY.split(";") if p.strip()]
    parts = [p for p in parts if not p.startswith("frame-ancestors")]
    return "; ".join([*parts, "frame-ancestors " + (" ".join(origins) or "'none'")])


class LtiFrameMiddleware:
    """Sits between the CSP and session middlewares (settings.MIDDLEWARE) and only acts on LTI sessions."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        lti = session.get(SESSION_KEY) if session is not None else None
        if not lti:
            return response
        if not getattr(response, "xframe_options_exempt", False):
            response.headers.pop("X-Frame-Options", None)
            if "Content-Security-Policy" not in response:
                response["Content-Security-Policy"] = frame_policy(lti.get("origins") or [])
        if request.is_secure():
            for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
                if name in response.cookies:
                    response.cookies[name] = _partitioned(response.cookies[name])
        return response
