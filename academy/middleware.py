import time
import zoneinfo

from django.conf import settings
from django.utils import timezone, translation


class ContentSecurityPolicyMiddleware:
    """Sends the site's Content-Security-Policy (no inline scripts, no framing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


class UserLanguageMiddleware:
    """Activates a signed-in user's preferred language unless a language was chosen in this browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.preferred_language
        ):
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        return self.get_response(request)


class UserTimeZoneMiddleware:
    """Shows every date in the signed-in user's time zone (the site's, Africa/Casablanca, for visitors)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        name = getattr(user, "time_zone", "") if user is not None and user.is_authenticated else ""
        try:
            timezone.activate(zoneinfo.ZoneInfo(name)) if name else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return self.get_response(request)


class ServerTimingMiddleware:
    """Adds ``Server-Timing: app;dur=<ms>``: the time the stack below it took (on when ``SERVER_TIMING`` is set).

    Off by default: timings help an attacker compare code paths. ``bench/pages.py`` turns it on to read
    the server's share of each request apart from the network and the load generator.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        began, cpu_began = time.perf_counter(), time.thread_time()
        response = self.get_response(request)
        wall, cpu = (time.perf_counter() - began) * 1000, (time.thread_time() - cpu_began) * 1000
        # app: wall-clock time; cpu: this thread's CPU time (what is left once waits for the CPU,
        # the database and the cache are taken out).
        response["Server-Timing"] = f"app;dur={wall:.2f}, cpu;dur={cpu:.2f}"
        return response
