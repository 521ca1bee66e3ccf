"""Validation of the example videos trainers upload for lessons.

Only MP4 and WebM are accepted, recognised from the file's content with PyAV
(the container header and stream parameters are read; no frame is decoded),
so a renamed text file, a script or another container is refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import IO

import av
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

MAX_VIDEO_BYTES = 200 * 1024 * 1024
# The only names validate_video gives, and the type each is served with.
CONTENT_TYPES = {"mp4": "video/mp4", "webm": "video/webm"}

# PyAV names a demuxer by the family it handles: "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm".
_MP4_CODECS = frozenset({"h264", "hevc", "av1", "vp9"})
_WEBM_CODECS = frozenset({"vp8", "vp9", "av1"})
_MP4_BRANDS_EXCLUDED = (b"qt  ",)  # QuickTime .mov shares the demuxer but is not MP4


@dataclass(frozen=True)
class VideoInfo:
    container: str  # "mp4" or "webm"
    codec: str
    width: int
    height: int
    duration_seconds: float | None

    @property
    def extension(self) -> str:
        return self.container


def _invalid() -> ValidationError:
    return ValidationError(_("Ce fichier n'est pas une vidéo MP4 ou WebM valide."), code="invalid_video")


def _check_size(uploaded_file: IO[bytes]) -> None:
    size = getattr(uploaded_file, "size", None)
    if size is None:
        uploaded_file.seek(0, 2)
        size = uploaded_file.tell()
    if size > MAX_VIDEO_BYTES:
        raise ValidationError(
            _("Vidéo trop lourde : %(limit)s au maximum."),
            code="file_too_large",
            params={"limit": filesizeformat(MAX_VIDEO_BYTES)},
        )
    if size == 0:
        raise ValidationError(_("Le fichier est vide."), code="empty")


def _container_kind(demuxer_names: set[str], head: bytes) -> str | None:
    if "mp4" in demuxer_names:
        # An ISO-BMFF file starts with an "ftyp" box naming its brand.
        if head[4:8] != b"ftyp" or head[8:12] in _MP4_BRANDS_EXCLUDED:
            return None
        return "mp4"
    if "webm" in demuxer_names:
        return "webm"
    return None


def inspect_video(uploaded_file: IO[bytes]) -> VideoInfo:
    """Read the container header of an upload and describe its video stream, or raise ValidationError."""
    _check_size(uploaded_file)
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    try:
        source = uploaded_file.temporary_file_path() if hasattr(uploaded_file, "temporary_file_path") else uploaded_file
        with av.open(source, mode="r", options={"probesize": "5000000"}) as container:
            demuxer_names = set(container.format.name.split(","))
            kind = _container_kind(demuxer_names, head)
            streams = container.streams.video
            if kind is None or not streams:
                raise _invalid()
            stream = streams[0]
            codec = stream.codec_context.name
            allowed = _MP4_CODECS if kind == "mp4" else _WEBM_CODECS
            if codec not in allowed or not stream.codec_context.width:
                raise _invalid()
            duration = float(container.duration) / av.time_base if container.duration else None
            return VideoInfo(kind, codec, stream.codec_context.width, stream.codec_context.height, duration)
    except av.FFmpegError as error:
        raise _invalid() from error
    finally:
        uploaded_file.seek(0)


def validate_video(uploaded_file: UploadedFile) -> tuple[UploadedFile, VideoInfo]:
    """Check an uploaded lesson video; return it renamed to a random name with the right extension."""
    info = inspect_video(uploaded_file)
    uploaded_file.name = f"{uuid.uuid4().hex}.{info.extension}"
    return uploaded_file, info


def served_content_type(stored_name: str) -> str | None:
    """The type a stored lesson video is served with, or None when no check named it (never served)."""
    return CONTENT_TYPES.get(stored_name.rsplit(".", 1)[-1].lower()) if "." in stored_name else None
