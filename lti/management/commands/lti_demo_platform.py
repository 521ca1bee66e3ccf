"""Registers a demonstration Moodle platform, so the LTI configuration page has something to show."""

from django.core.management.base import BaseCommand
from lti_tool.models import LtiRegistration

from lti.services.keys import signing_key
from lti.services.platforms import platform_save

DEMO_ISSUER = "https://moodle.demo.academy"


class Command(BaseCommand):
    help = "Register (or refresh) the demonstration LTI platform and make sure a signing key exists."

    def handle(self, *args, **options):
        registration = platform_save(
            registration=LtiRegistration.objects.filter(issuer=DEMO_ISSUER, client_id="demo-academy").first(),
            deployment_ids=["1"],
            product="moodle",
            name="Moodle de démonstration",
            issuer=DEMO_ISSUER,
            client_id="demo-academy",
            auth_url=f"{DEMO_ISSUER}/mod/lti/auth.php",
            token_url=f"{DEMO_ISSUER}/mod/lti/token.php",
            keyset_url=f"{DEMO_ISSUER}/mod/lti/certs.php",
            is_active=True,
        )
        signing_key()
        self.stdout.write(f"LTI demo platform: {registration.name} (/lti/plateformes/{registration.uuid}/)")
