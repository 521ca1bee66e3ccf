from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from courses.images import validate_and_clean_image
from courses.models import (
    Certificate,
    Choice,
    Course,
    DailyActivity,
    Enrolment,
    Lesson,
    LessonImage,
    Module,
    Question,
    Quiz,
    QuizAttempt,
    Step,
    StepProgress,
    Tag,
)
from courses.services import authoring as authoring_services
from courses.videos import validate_video


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0
    fields = ["title", "position"]
    show_change_link = True


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "language", "level", "status", "enrolment", "owner", "published_at"]
    list_filter = ["status", "language", "level", "enrolment", "sequential", "tags"]
    search_fields = ["title", "slug", "summary", "owner__email"]
    list_select_related = ["owner"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["owner", "co_trainers", "translation_of", "tags"]
    date_hierarchy = "created_at"
    inlines = [ModuleInline]


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = ["position", "kind", "title", "minutes", "required"]
    show_change_link = True


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "position"]
    list_filter = ["course"]
    search_fields = ["title", "course__title"]
    list_select_related = ["course"]
    autocomplete_fields = ["course"]
    inlines = [StepInline]


class LessonAdminForm(forms.ModelForm):
    """The lesson's text; its video is replaced through the authoring service, with the site's checks."""

    new_video = forms.FileField(
        label=_("remplacer la vidéo"),
        required=False,
        help_text=_("MP4 ou WebM, reconnu d'après son contenu (comme sur la page de la leçon)."),
        widget=forms.FileInput(attrs={"accept": "video/mp4,video/webm"}),
    )
    remove_video = forms.BooleanField(label=_("retirer la vidéo"), required=False)

    class Meta:
        model = Lesson
        fields = ["body", "video_caption"]

    def clean_new_video(self):
        upload = self.cleaned_data.get("new_video")
        if upload:
            validate_video(upload)  # the site's message, in the admin form
        return upload


class LessonInline(admin.StackedInline):
    model = Lesson
    form = LessonAdminForm
    extra = 0
    fields = ["body", "video_caption", "video", "new_video", "remove_video"]
    readonly_fields = ["video"]


class QuizInline(admin.StackedInline):
    model = Quiz
    extra = 0
    filter_horizontal = ["questions"]


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "module", "position", "minutes", "required"]
    list_filter = ["kind", "required", "module__course"]
    search_fields = ["title", "module__title", "module__course__title"]
    list_select_related = ["module__course"]
    autocomplete_fields = ["module"]
    inlines = [LessonInline, QuizInline]

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is not Lesson:
            return
        for lesson_form in formset.forms:
            lesson = lesson_form.instance
            if lesson.pk is None or lesson_form in formset.deleted_forms or not lesson_form.has_changed():
                continue
            if lesson_form.cleaned_data.get("new_video"):
                authoring_services.lesson_video_set(lesson=lesson, uploaded_file=lesson_form.cleaned_data["new_video"])
            elif lesson_form.cleaned_data.get("remove_video"):
                authoring_services.lesson_video_remove(lesson=lesson)


class LessonImageAdminForm(forms.ModelForm):
    """A new image is checked and re-encoded exactly as on the authoring page (no metadata, random name)."""

    # A plain file field: the site's check (content, size, pixel count) says what is wrong, not Django's.
    image = forms.FileField(label=_("image"), widget=forms.FileInput(attrs={"accept": "image/*"}))

    class Meta:
        model = LessonImage
        fields = ["course", "image", "alt_text"]

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and "image" in self.changed_data:
            cleaned, width, height, _format = validate_and_clean_image(image)
            self.instance.width, self.instance.height = width, height
            return cleaned
        return image


@admin.register(LessonImage)
class LessonImageAdmin(admin.ModelAdmin):
    form = LessonImageAdminForm
    list_display = ["alt_text", "course", "width", "height", "uploaded_by", "uploaded_at"]
    list_filter = ["course"]
    search_fields = ["alt_text", "course__title"]
    list_select_related = ["course", "uploaded_by"]
    readonly_fields = ["width", "height", "uploaded_by", "uploaded_at"]

    def get_readonly_fields(self, request, obj=None):
        # An image is replaced by uploading a new one (lessons link to it by id).
        return [*self.readonly_fields, "image"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    fields = ["position", "text", "correct"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["key", "course", "kind", "short_text"]
    list_filter = ["kind", "course"]
    search_fields = ["key", "text", "course__title"]
    list_select_related = ["course"]
    inlines = [ChoiceInline]

    @admin.display(description=_("énoncé"))
    def short_text(self, obj: Question) -> str:
        return obj.text[:80]


@admin.register(QuizAttempt)
class QuizAttemptAdmin(admin.ModelAdmin):
    list_display = ["quiz", "user", "score", "passed", "started_at", "submitted_at"]
    list_filter = ["passed", "quiz__step__module__course"]
    search_fields = ["user__email", "quiz__step__title"]
    list_select_related = ["quiz__step", "user"]
    readonly_fields = [
        "quiz",
        "user",
        "question_order",
        "choice_order",
        "answers",
        "score",
        "passed",
        "started_at",
        "submitted_at",
    ]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "status", "enrolled_by", "enrolled_at", "completed_at"]
    list_filter = ["status", "course"]
    search_fields = ["user__email", "user__last_name", "course__title"]
    list_select_related = ["user", "course", "enrolled_by"]
    autocomplete_fields = ["user", "course", "enrolled_by"]
    date_hierarchy = "enrolled_at"


@admin.register(StepProgress)
class StepProgressAdmin(admin.ModelAdmin):
    list_display = ["user", "step", "completed_at", "score", "seconds_on_page", "last_seen_at"]
    list_filter = ["step__module__course", "step__kind"]
    search_fields = ["user__email", "step__title"]
    list_select_related = ["user", "step"]
    readonly_fields = ["last_seen_at"]


@admin.register(DailyActivity)
class DailyActivityAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "day", "seconds"]
    list_filter = ["course", "day"]
    search_fields = ["user__email", "course__title"]
    list_select_related = ["user", "course"]
    date_hierarchy = "day"


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["code", "learner_name", "course_title", "hours", "language", "issued_at", "revoked_at"]
    list_filter = ["language", "course"]
    search_fields = ["code", "learner_name", "course_title", "user__email"]
    list_select_related = ["course", "user"]
    readonly_fields = ["code", "issued_at"]
    actions = ["revoke"]

    @admin.action(description=_("Révoquer les attestations sélectionnées"))
    def revoke(self, request, queryset) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)s attestation révoquée.", "%(count)s attestations révoquées.", count) % {"count": count},
        )
