"""The one exception type every video entry point raises for bad input."""

from __future__ import annotations

from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ErrorCode = Literal["empty_file", "not_a_video", "no_video_stream", "corrupt", "too_large"]

_MESSAGES: dict[str, Promise] = {
    "empty_file": _("Le fichier est vide."),
    "not_a_video": _("Ce fichier n’est pas une vidéo lisible (formats acceptés : MP4, WebM)."),
    "no_video_stream": _("Ce fichier ne contient pas de piste vidéo (seulement du son ou des métadonnées)."),
    "corrupt": _("La vidéo est endommagée ou tronquée : aucune image n’a pu être décodée."),
    "too_large": _("La vidéo est trop volumineuse pour être analysée (taille ou résolution au-delà de la limite)."),
}


class VideoAnalysisError(Exception):
    """Bad input, reported with a stable ``code`` and a translatable French ``message``."""

    def __init__(self, code: ErrorCode, message: Promise | str | None = None, *, detail: str = "") -> None:
        self.code: ErrorCode = code
        self.message: Promise | str = message if message is not None else _MESSAGES[code]
        # Technical context for logs (the FFmpeg error, the measured size); never shown to learners.
        self.detail = detail
        super().__init__(code)

    def __str__(self) -> str:
        return str(self.message)
