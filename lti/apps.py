from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    name = "lti"
    verbose_name = _("LTI 1.3 (Moodle, Canvas, Open edX)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from labs.api import grade_changed
        from lti.receivers import grade_changed as on_grade_changed

        grade_changed.connect(on_grade_changed, dispatch_uid="lti-grade-passback")
