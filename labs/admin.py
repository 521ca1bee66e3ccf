import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from labs.models import Criterion, Lab, LabDraft, PolicyRule, RegradeRun, Submission
from labs.services.policy_rules import policy_rules_changed


def _pretty_json(value) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True))


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["position", "kind", "element", "video_check", "label", "terms", "params", "weight", "hidden"]


@admin.register(Lab)
class LabAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "slug",
        "backend_alias",
        "duration_s",
        "aspect_ratio",
        "pass_mark",
        "max_attempts",
        "grading",
    ]
    list_filter = ["backend_alias", "aspect_ratio", "grading", "step__module__course"]
    search_fields = ["slug", "step__title", "step__module__course__title"]
    list_select_related = ["step"]
    raw_id_fields = ["step"]
    inlines = [CriterionInline]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "lab", "kind", "weight", "hidden", "position"]
    list_filter = ["kind", "hidden", "lab"]
    search_fields = ["label", "element", "video_check", "lab__slug"]
    list_select_related = ["lab__step"]


@admin.register(PolicyRule)
class PolicyRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "category", "active", "created_by", "created_at"]
    list_filter = ["category", "active"]
    search_fields = ["terms", "context_terms", "explanation"]
    list_select_related = ["created_by"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        policy_rules_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        policy_rules_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        policy_rules_changed()


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["pk", "lab", "learner", "state", "score", "override_score", "passed", "created_at"]
    list_filter = ["state", "passed", "counts_as_attempt", "backend_alias", "lab"]
    search_fields = ["learner__email", "learner__first_name", "learner__last_name", "prompt", "lab__slug"]
    list_select_related = ["lab__step", "learner"]
    raw_id_fields = ["lab", "learner", "override_by"]
    date_hierarchy = "created_at"
    exclude = ["result"]
    readonly_fields = [
        "result_json",
        "task_token",
        "enqueue_count",
        "retries",
        "job_ref",
        "seed",
        "cost",
        "generation_seconds",
        "grading_seconds",
        "created_at",
        "started_at",
        "finished_at",
        "override_at",
    ]

    @admin.display(description=_("résultat"))
    def result_json(self, obj: Submission) -> str:
        return _pretty_json(obj.result)


@admin.register(LabDraft)
class LabDraftAdmin(admin.ModelAdmin):
    list_display = ["lab", "learner", "updated_at"]
    list_filter = ["lab"]
    search_fields = ["learner__email", "prompt", "lab__slug"]
    list_select_related = ["lab__step", "learner"]
    raw_id_fields = ["lab", "learner"]


@admin.register(RegradeRun)
class RegradeRunAdmin(admin.ModelAdmin):
    list_display = ["lab", "state", "done", "total", "changed", "requested_by", "created_at", "finished_at"]
    list_filter = ["state", "lab"]
    search_fields = ["lab__slug", "requested_by__email"]
    list_select_related = ["lab__step", "requested_by"]
    readonly_fields = ["lab", "requested_by", "state", "total", "done", "changed", "created_at", "finished_at"]
