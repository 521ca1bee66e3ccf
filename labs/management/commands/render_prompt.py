"""``manage.py render_prompt "PROMPT" -o OUT.mp4``: generate one video with a configured backend.

Useful to preview what the simulator draws for a prompt, or to try a hosted
backend's settings before a lab uses it. Asynchronous backends are polled
until they finish; progress goes to stderr, the result line to stdout. Like
every video the platform produces, the file carries the visible « Généré par
IA » mark and, when a signing key is configured, signed content credentials.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from labs.backends import DEFAULT_ALIAS, get_backend
from labs.backends.base import BackendError, GenerationRequest, JobState, TransientBackendError, VideoBackend
from labs.provenance import generation_facts
from provenance.api import MarkError, SigningError, protect_video

SIZE_RE = re.compile(r"^(\d{1,5})[xX×](\d{1,5})$")
POLL_INTERVAL_S = 1.0
MAX_TRANSIENT_RETRIES = 5


class Command(BaseCommand):
    help = "Génère une vidéo à partir d’un prompt avec un moteur configuré (par défaut le simulateur)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prompt", help="Le prompt, entre guillemets.")
        parser.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.mp4", help="Fichier MP4 à écrire.")
        parser.add_argument("--backend", default=DEFAULT_ALIAS, help="Alias du moteur dans VIDEO_BACKENDS.")
        parser.add_argument("--seconds", type=float, default=5.0, help="Durée en secondes.")
        parser.add_argument("--size", default="640x360", help="Format LARGEURxHAUTEUR, par exemple 640x360.")
        parser.add_argument("--fps", type=int, default=24, help="Images par seconde.")
        parser.add_argument("--seed", type=int, default=None, help="Graine, pour un rendu reproductible.")
        parser.add_argument("--negative", default="", help="Prompt négatif : ce que la vidéo ne doit pas montrer.")
        parser.add_argument("--language", default="fr", choices=("fr", "en"), help="Langue des textes incrustés.")
        parser.add_argument("--timeout", type=float, default=900.0, help="Attente maximale en secondes.")

    def handle(self, *args: Any, **options: Any) -> None:
        width, height = _parse_size(options["size"])
        request = GenerationRequest(
            prompt=options["prompt"],
            duration_s=options["seconds"],
            width=width,
            height=height,
            fps=options["fps"],
            seed=options["seed"],
            negative_prompt=options["negative"],
            language=options["language"],
        )
        output: Path = options["output"]
        began = time.monotonic()
        try:
            backend = get_backend(options["backend"])
            backend.validate(request)
            job_ref = backend.start(request)
            self._wait(backend, job_ref, deadline=began + options["timeout"])
            with tempfile.TemporaryDirectory(prefix="render-prompt-") as workdir:
                raw = backend.fetch(job_ref, Path(workdir) / "raw.mp4")
                facts = generation_facts(backend=backend, prompt=request.prompt, tier=request.tier)
                protected = protect_video(raw, facts=facts, workdir=Path(workdir))
                output.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(protected.video, output)
        except BackendError as exc:
            raise CommandError(str(exc.message or exc.code)) from exc
        except (MarkError, SigningError) as exc:
            raise CommandError(str(exc)) from exc
        if not protected.signed:
            self.stderr.write(
                _(
                    "Aucune clé de signature configurée : la vidéo porte la mention visible mais pas d'informations "
                    "de provenance signées (voir « manage.py provenance_demo_ca » et le README)."
                )
            )

        cost = backend.cost(request)
        self.stdout.write(
            _("%(path)s : %(seconds).1f s, moteur « %(alias)s »%(simulation)s, coût %(cost)s")
            % {
                "path": output,
                "seconds": time.monotonic() - began,
                "alias": backend.alias,
                "simulation": _(" (simulation)") if backend.is_simulation else "",
                "cost": "—" if cost is None else cost,
            }
        )

    def _wait(self, backend: VideoBackend, job_ref: str, *, deadline: float) -> None:
        shown = -1
        transient_failures = 0
        while True:
            try:
                status = backend.poll(job_ref)
            except TransientBackendError as exc:
                transient_failures += 1
                if transient_failures > MAX_TRANSIENT_RETRIES:
                    raise
                time.sleep(exc.retry_after or POLL_INTERVAL_S * 2**transient_failures)
                continue
            transient_failures = 0
            if status.progress != shown and not backend.capabilities.synchronous:
                shown = status.progress
                self.stderr.write(_("%(state)s : %(progress)d %%") % {"state": status.state, "progress": shown})
            if status.state == JobState.SUCCEEDED:
                return
            if status.state == JobState.FAILED:
                raise BackendError(status.error_message or status.error_code, code=status.error_code or None)
            if time.monotonic() > deadline:
                raise BackendError(_("Délai dépassé : le moteur n’a pas fini à temps."), code="timeout")
            time.sleep(POLL_INTERVAL_S)


def _parse_size(value: str) -> tuple[int, int]:
    match = SIZE_RE.match(value.strip())
    if not match:
        raise CommandError(
            _("Format invalide : « %(size)s ». Utilisez LARGEURxHAUTEUR, par exemple 640x360.") % {"size": value}
        )
    return int(match.group(1)), int(match.group(2))
