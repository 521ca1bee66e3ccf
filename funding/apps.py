from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Financement OFPPT")

    def ready(self):
        from academy.personal_data import register_exporter
        from funding import notifications, personal_data

        register_exporter("funding", personal_data.export_funding)
        notifications.register_kinds()
