from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Communauté : galerie, relectures, discussions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from academy.personal_data import register_eraser, register_exporter
        from community import notifications, personal_data
        from community.sections import CommunitySections
        from courses.api import register_step_section_provider

        register_step_section_provider(CommunitySections())
        notifications.register_kinds()
        register_exporter("community", personal_data.export_community)
        register_eraser("community", personal_data.erase_community)
