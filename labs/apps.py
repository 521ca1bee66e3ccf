from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabsConfig(AppConfig):
    name = "labs"
    verbose_name = _("Labos de prompts")

    def ready(self):
        from courses import step_providers
        from labs.step_provider import LabStepProvider

        step_providers.register("lab", LabStepProvider())
