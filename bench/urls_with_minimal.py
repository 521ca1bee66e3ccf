"""The site's URLs plus ``/__bench/minimal``: the baseline of bench/pages.py.

Served by the same gunicorn and the full middleware stack (``ROOT_URLCONF=bench.urls_with_minimal``),
so the page figures can be read against what the stack costs on its own.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from academy.urls import handler403, handler404, handler500
from academy.urls import urlpatterns as site_patterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


def minimal(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("__bench/minimal", minimal, name="bench_minimal"), *site_patterns]
