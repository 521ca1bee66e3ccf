"""« Vérifier une vidéo »: a public page that reads the content credentials of an uploaded file.

Nothing is stored: the upload is read into memory (or Django's temporary file,
deleted at the end of the request), checked, and forgotten. Uploads are
limited per visitor and hour, because reading a manifest costs CPU.
"""

from __future__ import annotations

import logging

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from provenance.forms import VerifyForm
from provenance.reading import UnreadableFile, read_credentials
from provenance.samples import SAMPLE_NAMES, samples_dir

logger = logging.getLogger(__name__)

RATE_WINDOW_S = 3600


def _over_rate_limit(request: HttpRequest) -> bool:
    key = f"provenance:verify:{get_client_ip_address(request) or 'unknown'}"
    try:
        cache.add(key, 0, timeout=RATE_WINDOW_S)
        used = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=RATE_WINDOW_S)
        used = 1
    except Exception:
        logger.warning("verify rate limit unavailable; upload accepted", exc_info=True)
        return False
    return used > settings.PROVENANCE_VERIFY_RATE_PER_HOUR


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    context: dict = {"max_bytes": settings.PROVENANCE_VERIFY_MAX_BYTES}
    if request.method == "GET":
        context["form"] = VerifyForm()
        return render(request, "provenance/verify.html", context)
    if _over_rate_limit(request):
        context["form"] = VerifyForm()
        context["refusal"] = _("Vous avez vérifié beaucoup de fichiers en une heure. Réessayez un peu plus tard.")
        return render(request, "provenance/verify.html", context, status=429)
    form = VerifyForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "provenance/verify.html", context, status=400)
    upload = form.cleaned_data["file"]
    try:
        credentials = read_credentials(upload.read(), form.mime_type)
    except UnreadableFile:
        form.add_error(
            "file",
            _("Ce fichier semble abîmé ou n'est pas vraiment une %(kind)s : il n'a pas pu être lu.")
            % {"kind": _("vidéo") if form.mime_type.startswith("video/") else _("image")},
        )
        return render(request, "provenance/verify.html", context, status=400)
    finally:
        upload.close()
    context.update(credentials=credentials, file_name=upload.name, form=VerifyForm())
    return render(request, "provenance/verify.html", context)


_SAMPLE_TYPES = {".mp4": "video/mp4", ".jpg": "image/jpeg"}


@require_http_methods(["GET", "HEAD"])
def sample(request: HttpRequest, name: str) -> FileResponse:
    """One of the ethics workshop's sample files (public demo material, fixed names only)."""
    if name not in SAMPLE_NAMES:
        raise Http404
    path = samples_dir() / name
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=_SAMPLE_TYPES[path.suffix], as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
