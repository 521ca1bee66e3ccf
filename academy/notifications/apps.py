from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "academy.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from academy.notifications import personal_data
        from academy.personal_data import register_eraser, register_exporter

        register_exporter("notifications", personal_data.export_notifications)
        register_eraser("notifications", personal_data.erase_notifications)
