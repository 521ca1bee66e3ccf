from django.contrib import admin
from lti_tool.admin import LtiRegistrationAdmin
from lti_tool.models import LtiRegistration

from lti.models import Placement, PlatformProfile, PlatformRegistration, ScoreSend, ScoreSync

# The package registers its model under an English-only name; the admin lists it as ours, translated.
admin.site.unregister(LtiRegistration)


@admin.register(PlatformRegistration)
class PlatformRegistrationAdmin(LtiRegistrationAdmin):
    pass


@admin.register(PlatformProfile)
class PlatformProfileAdmin(admin.ModelAdmin):
    list_display = ["registration", "product"]
    list_select_related = ["registration"]


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ["resource_link", "course", "step", "can_publish_scores", "updated_at"]
    list_select_related = ["resource_link", "course", "step"]
    raw_id_fields = ["resource_link", "course", "step"]


class ScoreSendInline(admin.TabularInline):
    model = ScoreSend
    extra = 0
    can_delete = False
    readonly_fields = ["score", "sent_at", "status_code", "acknowledged", "detail"]


@admin.register(ScoreSync)
class ScoreSyncAdmin(admin.ModelAdmin):
    list_display = ["user", "placement", "score", "acknowledged_score", "state", "tries", "updated_at"]
    list_filter = ["state"]
    list_select_related = ["user", "placement__resource_link"]
    raw_id_fields = ["placement", "platform_user", "user"]
    readonly_fields = ["acknowledged_score", "acknowledged_at", "tries", "last_error"]
    inlines = [ScoreSendInline]
