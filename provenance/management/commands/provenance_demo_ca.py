"""``manage.py provenance_demo_ca``: create the demonstration signing CA where settings expect it (once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from provenance.conf import provenance_settings
from provenance.demo_ca import create_demo_ca


class Command(BaseCommand):
    help = "Crée une autorité de certification de démonstration et un certificat de signature (C2PA)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Remplace les fichiers existants.")

    def handle(self, *args: Any, **options: Any) -> None:
        config = provenance_settings()
        if config.signing_cert is None or config.signing_key is None:
            raise CommandError("PROVENANCE['SIGNING_CERT'] et ['SIGNING_KEY'] ne sont pas définis.")
        if config.signing_cert.parent != config.signing_key.parent:
            raise CommandError("Le certificat et la clé de démonstration doivent être dans le même dossier.")
        paths = create_demo_ca(config.signing_cert.parent, school_name=config.school_name, overwrite=options["force"])
        self.stdout.write(f"{paths.signing_chain}\n{paths.signing_key}\n{paths.root_cert}")
