"""Forms of the trainer's authoring pages. They validate input; services write."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from academy.validators import RejectControlCharactersFormMixin
from courses.markdown import render_markdown
from courses.models import RESERVED_COURSE_SLUGS, Course, Lesson, Module, Question, Quiz, Step
from courses.services.authoring import (
    COURSE_FIELDS,
    ChoiceData,
    choice_problems,
    parse_tag_names,
    unique_course_slug,
)

MARKDOWN_PREVIEW_FIELD = "_md_field"
MAX_MARKDOWN_PREVIEW_CHARS = 100_000


# --- Markdown editor -----------------------------------------------------------


class MarkdownBoundField(forms.BoundField):
    @property
    def preview(self) -> SafeString:
        """The sanitised HTML of what is in the field now (saved or just typed)."""
        return render_markdown(str(self.value() or ""))

    @property
    def preview_id(self) -> str:
        return f"{self.auto_id}-preview"


class MarkdownField(forms.CharField):
    """A Markdown textarea whose page shows a live (htmx) or on-demand (no JS) preview."""

    is_markdown = True

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 12, "class": "markdown-input"}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> MarkdownBoundField:
        return MarkdownBoundField(form, self, field_name)


class MarkdownFormMixin:
    """Wires every MarkdownField of the form to the preview endpoint."""

    def wire_markdown_fields(self) -> None:
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            if isinstance(field, MarkdownField):
                bound = self[name]  # type: ignore[index]
                field.widget.attrs.update(
                    {
                        "hx-post": reverse_lazy("courses:authoring_markdown_preview"),
                        "hx-trigger": "keyup changed delay:500ms",
                        "hx-target": f"#{bound.preview_id}",
                        "hx-swap": "innerHTML",
                        "hx-sync": "this:replace",
                        "hx-vals": json.dumps({MARKDOWN_PREVIEW_FIELD: bound.html_name}),
                        "aria-controls": bound.preview_id,
                    }
                )


def _tags_text(tags: list[str]) -> str:
    return ", ".join(tags)


# --- Courses -------------------------------------------------------------------


class CourseForm(RejectControlCharactersFormMixin, MarkdownFormMixin, forms.ModelForm):
    tags_text = forms.CharField(
        label=_("Mots-clés"),
        required=False,
        max_length=500,
        help_text=_("Séparés par des virgules, par exemple : prompt, caméra, éthique."),
    )

    class Meta:
        model = Course
        fields = list(COURSE_FIELDS)
        field_classes = {"description": MarkdownField, "prerequisites": MarkdownField}
        widgets = {"summary": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "slug": _(
                "Laissez vide pour le déduire du titre. Lettres, chiffres et tirets ; il apparaît dans l'adresse du cours."
            ),
        }

    def __init__(self, *args: Any, translation_candidates=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].widget.attrs["data-slug-from"] = self["title"].auto_id
        candidates = translation_candidates if translation_candidates is not None else Course.objects.none()
        if self.instance.pk:
            candidates = candidates.exclude(pk=self.instance.pk)
            self.fields["tags_text"].initial = ", ".join(tag.name for tag in self.instance.tags.all())
        self.fields["translation_of"].queryset = candidates.order_by("language", "title")
        self.fields["translation_of"].label_from_instance = lambda c: f"{c.title} ({c.get_language_display()})"
        self.fields["translation_of"].empty_label = _("— aucun (cours original) —")
        self.wire_markdown_fields()

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug", "")
        if slug in RESERVED_COURSE_SLUGS:
            raise ValidationError(
                _("Cet identifiant est réservé par le site ; choisissez-en un autre."), code="reserved"
            )
        return slug

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("slug") and data.get("title") and "slug" not in self.errors:
            data["slug"] = unique_course_slug(data["title"], exclude_pk=self.instance.pk)
            # The generated slug is shown back if another field has an error.
            self.data = self.data.copy()
            self.data[self.add_prefix("slug")] = data["slug"]
        original = data.get("translation_of")
        if original is not None and original.language == data.get("language"):
            self.add_error(
                "translation_of",
                _("Une traduction et sa version originale doivent être dans deux langues différentes."),
            )
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["tag_names"] = parse_tag_names(self.cleaned_data.get("tags_text", ""))
        return data


# --- Outline -------------------------------------------------------------------


class ModuleForm(RejectControlCharactersFormMixin, forms.ModelForm):
    class Meta:
        model = Module
        fields = ["title", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}


class StepForm(RejectControlCharactersFormMixin, forms.ModelForm):
    class Meta:
        model = Step
        fields = ["title", "minutes", "required"]


class LessonForm(RejectControlCharactersFormMixin, MarkdownFormMixin, forms.ModelForm):
    class Meta:
        model = Lesson
        fields = ["body", "video_caption"]
        field_classes = {"body": MarkdownField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs["rows"] = 22
        self.wire_markdown_fields()


class VideoUploadForm(RejectControlCharactersFormMixin, forms.Form):
    video = forms.FileField(
        label=_("Vidéo d'exemple (MP4 ou WebM)"),
        help_text=_("200 Mo au maximum."),
        widget=forms.ClearableFileInput(attrs={"accept": "video/mp4,video/webm"}),
    )


class ImageUploadForm(RejectControlCharactersFormMixin, forms.Form):
    image = forms.FileField(
        label=_("Image (JPEG, PNG, WebP ou GIF)"),
        help_text=_("5 Mo et 25 millions de pixels au maximum. Les métadonnées (EXIF, position GPS) sont retirées."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    alt_text = forms.CharField(
        label=_("Texte alternatif"),
        max_length=200,
        help_text=_("Ce que montre l'image, pour les personnes qui ne la voient pas."),
    )


class CourseCoverForm(forms.Form):
    cover = forms.FileField(
        label=_("Nouvelle image de couverture (JPEG, PNG, WebP ou GIF)"),
        help_text=_(
            "Au moins 480 × 270 pixels, idéalement 1280 × 720 (16:9) ; 5 Mo au maximum. "
            "Les métadonnées (EXIF, position GPS) sont retirées."
        ),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
        error_messages={"required": _("Choisissez une image à envoyer."), "empty": _("Le fichier est vide.")},
    )


class CoTrainerForm(RejectControlCharactersFormMixin, forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail du formateur ou de la formatrice"))


class CoTrainerRemoveForm(RejectControlCharactersFormMixin, forms.Form):
    """The co-trainer to remove: one of the course's, anything else refused with a message."""

    user_id = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        error_messages={
            "required": _("Cette personne n'est pas co-formatrice ou co-formateur de ce cours."),
            "invalid_choice": _("Cette personne n'est pas co-formatrice ou co-formateur de ce cours."),
        },
    )

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user_id"].queryset = course.co_trainers.all()


# --- Quizzes and the question bank ---------------------------------------------


class QuizForm(RejectControlCharactersFormMixin, forms.ModelForm):
    question_tags_text = forms.CharField(
        label=_("Étiquettes des questions"),
        required=False,
        max_length=500,
        help_text=_("Tirer les questions qui portent l'une de ces étiquettes (séparées par des virgules)."),
    )

    class Meta:
        model = Quiz
        fields = ["pass_mark", "max_attempts", "draw_count", "questions"]
        widgets = {"questions": forms.CheckboxSelectMultiple}
        help_texts = {
            "questions": _(
                "Si vous en cochez, le quiz tire uniquement parmi ces questions (les étiquettes sont alors ignorées)."
            ),
        }

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questions"].queryset = course.questions.order_by("id")
        self.fields["questions"].label_from_instance = lambda q: f"{q.text[:90]} [{', '.join(q.tags or [])}]"
        self.fields["question_tags_text"].initial = _tags_text(self.instance.question_tags or [])
        self.fields["pass_mark"].max_value = 100
        self.fields["pass_mark"].widget.attrs.update({"min": 0, "max": 100})
        self.fields["draw_count"].min_value = 1
        self.fields["draw_count"].widget.attrs["min"] = 1

    def clean_pass_mark(self) -> int:
        value = self.cleaned_data["pass_mark"]
        if value > 100:
            raise ValidationError(_("Un pourcentage va de 0 à 100."), code="max_value")
        return value

    def clean_draw_count(self) -> int:
        value = self.cleaned_data["draw_count"]
        if value < 1:
            raise ValidationError(_("Tirez au moins une question."), code="min_value")
        return value

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "pass_mark": self.cleaned_data["pass_mark"],
            "max_attempts": self.cleaned_data["max_attempts"],
            "draw_count": self.cleaned_data["draw_count"],
            "question_tags": parse_tag_names(self.cleaned_data.get("question_tags_text", "")),
            "questions": list(self.cleaned_data["questions"]),
        }


class QuestionForm(RejectControlCharactersFormMixin, forms.ModelForm):
    tags_text = forms.CharField(
        label=_("Étiquettes"),
        required=False,
        max_length=500,
        help_text=_("Séparées par des virgules ; les quiz peuvent tirer leurs questions par étiquette."),
    )

    class Meta:
        model = Question
        fields = ["kind", "text", "explanation", "key"]
        widgets = {
            "kind": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 3}),
            "explanation": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"key": _("Identifiant stable de la question dans la banque ; laissez vide pour le créer.")}

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.course = course
        self.instance.course = course
        self.fields["key"].required = False
        self.fields["tags_text"].initial = _tags_text(self.instance.tags or [])

    def validate_unique(self) -> None:
        # (course, key) is checked here because "course" is not a form field.
        super().validate_unique()
        key = self.cleaned_data.get("key")
        if key and self.course.questions.filter(key=key).exclude(pk=self.instance.pk).exists():
            self.add_error("key", _("Une autre question de ce cours a déjà cette clé."))

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "kind": self.cleaned_data["kind"],
            "text": self.cleaned_data["text"],
            "explanation": self.cleaned_data.get("explanation", ""),
            "key": self.cleaned_data.get("key", ""),
            "tags": parse_tag_names(self.cleaned_data.get("tags_text", "")),
        }


class ChoiceForm(RejectControlCharactersFormMixin, forms.Form):
    pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(label=_("Réponse"), max_length=300, required=False)
    correct = forms.BooleanField(label=_("Correcte"), required=False)


class BaseChoiceFormSet(forms.BaseFormSet):
    """Answers of a question; blank rows are ignored, the kind's rules are checked together."""

    def __init__(self, *args: Any, question_kind: str = Question.Kind.SINGLE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.question_kind = question_kind

    def choices(self) -> list[ChoiceData]:
        result = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            text = (data.get("text") or "").strip()
            if text:
                result.append(ChoiceData(text=text, correct=bool(data.get("correct")), pk=data.get("pk")))
        return result

    def clean(self) -> None:
        if any(self.errors):
            return
        for form in self.forms:
            data = form.cleaned_data
            if data.get("correct") and not (data.get("text") or "").strip():
                form.add_error("text", _("Écrivez la réponse ou décochez « Correcte »."))
        problems = choice_problems(self.question_kind, self.choices())
        if problems:
            raise ValidationError(problems)


def choice_formset(question: Question | None, data=None) -> BaseChoiceFormSet:
    """The answers' formset: existing answers then blank rows (at least four rows in all)."""
    initial = [{"pk": c.pk, "text": c.text, "correct": c.correct} for c in question.choices.all()] if question else []
    blank_rows = max(2, 4 - len(initial))
    kind = (data or {}).get("kind") or (question.kind if question else Question.Kind.SINGLE)
    formset_class = forms.formset_factory(
        ChoiceForm, formset=BaseChoiceFormSet, extra=blank_rows, max_num=12, absolute_max=20
    )
    return formset_class(data, initial=initial, prefix="choices", question_kind=kind)
