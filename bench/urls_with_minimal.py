"""The site's URLs plus the baselines of bench/pages.py.

``/__bench/minimal`` answers "ok" to anyone; ``/__bench/minimal-signed-in`` answers "ok" to a signed-in
user (``login_required``: the session is read and the user loaded). Both are served by the same
gunicorn and the full middleware stack (``ROOT_URLCONF=bench.urls_with_minimal``), so the page figures
can be read against what the stack costs on its own. The site's own URLs never include them.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from academy.urls import handler403, handler404, handler500
from academy.urls import urlpatterns as site_patterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


def minimal(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@login_required
def minimal_signed_in(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("__bench/minimal", minimal, name="bench_minimal"),
    path("__bench/minimal-signed-in", minimal_signed_in, name="bench_minimal_signed_in"),
    *site_patterns,
]
