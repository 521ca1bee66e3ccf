"""``manage.py analyse_video FILE``: print a video's grading metrics and optionally write its derived files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from labs.grading.colours import colour_name
from labs.grading.video_analysis import (
    VideoAnalysisError,
    VideoMetrics,
    analyse_video,
    make_contact_sheet,
    make_poster,
    make_web_rendition,
)


class Command(BaseCommand):
    help = "Analyse une vidéo MP4 ou WebM : mouvement, coupes, exposition, netteté, couleurs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Fichier vidéo (MP4 ou WebM).")
        parser.add_argument("--json", action="store_true", help="Affiche les mesures en JSON.")
        parser.add_argument("--poster", type=Path, metavar="OUT.jpg", help="Écrit l’image d’affiche (JPEG).")
        parser.add_argument("--contact-sheet", type=Path, metavar="OUT.jpg", help="Écrit la planche contact (JPEG).")
        parser.add_argument("--web", type=Path, metavar="OUT.mp4", help="Écrit une copie lisible sur le web (H.264).")

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["file"]
        if not source.is_file():
            raise CommandError(_("Fichier introuvable : %(path)s") % {"path": source})
        try:
            result = analyse_video(source)
            written = []
            if options["poster"]:
                written.append(make_poster(source, options["poster"]))
            if options["contact_sheet"]:
                written.append(make_contact_sheet(source, options["contact_sheet"]))
            if options["web"]:
                written.append(make_web_rendition(source, options["web"]))
        except VideoAnalysisError as exc:
            raise CommandError(f"{source}: {exc.message}") from exc

        if options["json"]:
            self.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(self._table(result))
        for path in written:
            self.stderr.write(_("Écrit : %(path)s") % {"path": path})

    def _table(self, metrics: VideoMetrics) -> str:
        def number(value: float | None, digits: int = 3) -> str:
            return "—" if value is None else f"{value:.{digits}f}"

        def yes_no(value: bool) -> str:
            return _("oui") if value else _("non")

        colours = ", ".join(
            f"{colour_name(key, 'fr')} {metrics.colour_fractions[key]:.0%}" for key in metrics.dominant_colours
        )
        rows = [
            (_("Durée"), f"{metrics.duration_s:.2f} s"),
            (_("Images/s"), number(metrics.fps, 2)),
            (_("Images décodées"), str(metrics.frame_count)),
            (_("Résolution"), f"{metrics.width}×{metrics.height}"),
            (_("Codec"), metrics.codec),
            (_("Erreurs de décodage"), str(metrics.decode_errors)),
            (_("Images analysées"), str(metrics.sampled_frames)),
            (_("En mouvement"), yes_no(metrics.is_moving)),
            (_("Part des paires en mouvement"), number(metrics.dynamic_degree)),
            (_("Amplitude du mouvement"), number(metrics.motion_magnitude, 4)),
            (_("Scintillement (plans fixes)"), number(metrics.flicker, 4)),
            (_("Fluidité"), number(metrics.smoothness, 4)),
            (_("Coupes"), str(metrics.scene_cuts)),
            (_("Instants des coupes"), ", ".join(f"{t:.2f} s" for t in metrics.cut_times_s) or "—"),
            (_("Luminosité"), number(metrics.brightness)),
            (_("Contraste"), number(metrics.contrast)),
            (_("Pixels écrêtés"), f"{metrics.clipped_fraction:.1%}"),
            (_("Exposition correcte"), yes_no(metrics.exposure_ok)),
            (_("Netteté"), number(metrics.sharpness, 1)),
            (_("Couleurs dominantes"), colours or "—"),
            (_("Image figée"), yes_no(metrics.frozen)),
        ]
        width = max(len(label) for label, _value in rows)
        return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)
