from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabsConfig(AppConfig):
    name = "labs"
    verbose_name = _("Labos de prompts")

    def ready(self):
        from academy.personal_data import register_eraser, register_exporter
        from courses.api import register_step_provider, watch_content
        from labs import notifications, personal_data
        from labs.models import Criterion, Lab
        from labs.step_provider import LabStepProvider

        register_step_provider("lab", LabStepProvider())
        register_exporter("labs", personal_data.export_labs)
        register_eraser("labs", personal_data.erase_labs)
        notifications.register_kinds()
        # The learner's lab page reads the lab and its rubric from the content cache (selectors).
        watch_content(Lab, Criterion)
