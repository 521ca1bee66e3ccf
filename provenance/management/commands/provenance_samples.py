"""``manage.py provenance_samples``: (re)create the ethics workshop's three sample files."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from provenance.samples import write_samples


class Command(BaseCommand):
    help = "Crée les fichiers d'exemple de l'atelier « Vérifier une vidéo » (vidéo signée, réencodée, image)."

    def handle(self, *args: Any, **options: Any) -> None:
        for path in write_samples().values():
            self.stdout.write(str(path))
