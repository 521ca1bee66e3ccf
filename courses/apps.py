from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Cours")

    def ready(self):
        from academy.personal_data import register_eraser, register_exporter
        from courses import content_cache, notifications, personal_data

        register_exporter("courses", personal_data.export_learning)
        register_eraser("courses", personal_data.erase_learning)
        notifications.register_kinds()
        content_cache.connect_signals()
