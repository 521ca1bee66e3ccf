"""Streaming private media (attempt videos, posters, contact sheets) with HTTP Range support.

Django's FileResponse always sends the whole file, but a <video> element seeks
with ``Range: bytes=a-b`` requests (Safari refuses to play without them). Only a
single range is served; a multi-range request gets the whole file, which the
RFC allows.
"""

from __future__ import annotations

import re
from typing import IO

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class _BoundedFile:
    """Reads at most ``length`` bytes of an open file from its current position."""

    def __init__(self, file: IO[bytes], length: int):
        self.file, self.remaining = file, length

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        size = self.remaining if size is None or size < 0 else min(size, self.remaining)
        data = self.file.read(size)
        self.remaining -= len(data)
        return data

    def close(self) -> None:
        self.file.close()


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(start, end) inclusive for a single satisfiable range; None when there is no usable Range header.

    Raises ValueError when the range cannot be satisfied (answered with 416).
    """
    match = _RANGE.match(header.strip())
    if not match or not any(match.groups()):
        return None
    first, last = match.groups()
    if first:
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
        if last and int(last) < start:
            return None  # syntactically invalid: ignore the header, as the RFC says
    else:  # suffix range: the last N bytes
        if int(last) == 0:
            raise ValueError("empty suffix range")
        start, end = max(size - int(last), 0), size - 1
    if start >= size:
        raise ValueError("range starts past the end")
    return start, end


def _private(response: HttpResponse) -> HttpResponse:
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def ranged_file_response(request: HttpRequest, fieldfile: FieldFile, content_type: str) -> HttpResponse:
    """The stored file, whole (200) or the requested byte range (206); 416 when unsatisfiable; 404 when missing."""
    if not fieldfile:
        raise Http404
    try:
        size = fieldfile.size
        handle = fieldfile.open("rb")
    except (FileNotFoundError, OSError) as missing:
        raise Http404 from missing
    try:
        byte_range = _byte_range(request.headers.get("Range", ""), size)
    except ValueError:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return _private(response)
    if byte_range is None:
        response = FileResponse(handle, content_type=content_type)
        response["Content-Length"] = str(size)
        return _private(response)
    start, end = byte_range
    handle.seek(start)
    response = FileResponse(_BoundedFile(handle, end - start + 1), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    return _private(response)
