import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from academy.urls_memo import reverse
from academy.validators import RejectControlCharactersModel

# First path segments of the courses URLs: a course slug may not take one.
RESERVED_COURSE_SLUGS = frozenset({"catalogue", "mes-cours", "attestations", "images", "videos", "formateur"})

LANGUAGE_CHOICES = [("fr", _("Français")), ("en", _("Anglais"))]


class Tag(RejectControlCharactersModel):
    name = models.CharField(_("nom"), max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mot-clé")
        verbose_name_plural = _("mots-clés")

    def __str__(self):
        return self.name


class Course(RejectControlCharactersModel):
    class Level(models.TextChoices):
        BEGINNER = "beginner", _("Débutant")
        INTERMEDIATE = "intermediate", _("Intermédiaire")
        ADVANCED = "advanced", _("Avancé")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PUBLISHED = "published", _("Publié")

    class Enrolment(models.TextChoices):
        OPEN = "open", _("Ouvert : inscription libre")
        CLOSED = "closed", _("Fermé : inscription par un administrateur")

    slug = models.SlugField(_("identifiant d'URL"), max_length=120, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    language = models.CharField(_("langue"), max_length=8, choices=LANGUAGE_CHOICES, default="fr")
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("version originale"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
        help_text=_("Pour une traduction : le cours dont elle est la version dans une autre langue."),
    )
    level = models.CharField(_("niveau"), max_length=16, choices=Level.choices, default=Level.BEGINNER)
    summary = models.CharField(_("résumé"), max_length=300, blank=True)
    description = models.TextField(_("description (Markdown)"), blank=True)
    prerequisites = models.TextField(_("prérequis (Markdown)"), blank=True)
    duration_hours = models.DecimalField(_("durée (heures)"), max_digits=5, decimal_places=1, default=1)
    tags = models.ManyToManyField(Tag, verbose_name=_("mots-clés"), blank=True, related_name="courses")
    status = models.CharField(_("statut"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    enrolment = models.CharField(_("inscription"), max_length=16, choices=Enrolment.choices, default=Enrolment.OPEN)
    sequential = models.BooleanField(
        _("déblocage séquentiel"), default=False, help_text=_("Une étape s'ouvre quand la précédente est terminée.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("formateur responsable"),
        on_delete=models.PROTECT,
        related_name="owned_courses",
    )
    co_trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("co-formateurs"), blank=True, related_name="co_trained_courses"
    )
    # Checked and re-encoded by courses.covers; empty: a cover generated from the title.
    cover = models.FileField(_("image de couverture"), upload_to="course-covers/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("cours")
        verbose_name_plural = _("cours")
        indexes = [models.Index(fields=["status", "language"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("courses:detail", args=[self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Module(RejectControlCharactersModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(_("titre"), max_length=200)
    summary = models.TextField(_("résumé"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["course", "position", "id"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def __str__(self):
        return self.title


class Step(RejectControlCharactersModel):
    """One item of a module's outline: a lesson, a quiz or a lab.

    Lessons and quizzes live in this app. A lab lives in the labs app, which
    registers a step provider for the "lab" kind (see courses.step_providers).
    """

    class Kind(models.TextChoices):
        LESSON = "lesson", _("Leçon")
        QUIZ = "quiz", _("Quiz")
        LAB = "lab", _("Labo de prompt")

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("titre"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)
    minutes = models.PositiveIntegerField(_("durée estimée (minutes)"), default=10)
    required = models.BooleanField(_("obligatoire pour l'attestation"), default=True)

    class Meta:
        ordering = ["module__position", "position", "id"]
        verbose_name = _("étape")
        verbose_name_plural = _("étapes")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("courses:step", args=[self.module.course.slug, self.pk])


class Lesson(RejectControlCharactersModel):
    step = models.OneToOneField(Step, on_delete=models.CASCADE, related_name="lesson")
    body = models.TextField(_("contenu (Markdown)"), blank=True)
    video = models.FileField(_("vidéo d'exemple"), upload_to="lesson-videos/", blank=True)
    video_caption = models.CharField(_("légende de la vidéo"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("leçon")
        verbose_name_plural = _("leçons")

    def __str__(self):
        return self.step.title


class LessonImage(RejectControlCharactersModel):
    """An image a trainer uploaded for a course; validated and stripped of EXIF."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to="lesson-images/")
    alt_text = models.CharField(_("texte alternatif"), max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("image de leçon")
        verbose_name_plural = _("images de leçon")

    def __str__(self):
        return self.alt_text

    def get_absolute_url(self):
        return reverse("courses:image", args=[self.pk])


class Question(RejectControlCharactersModel):
    """A question in a course's bank; quizzes draw from the bank."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("Choix unique")
        MULTIPLE = "multiple", _("Choix multiples")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("clé"), max_length=80)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.SINGLE)
    text = models.TextField(_("énoncé"))
    explanation = models.TextField(_("explication (après la réponse)"), blank=True)
    tags = models.JSONField(_("étiquettes"), default=list, blank=True)

    class Meta:
        ordering = ["course", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "key"], name="question_key_unique_per_course")]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.text[:80]


class Choice(RejectControlCharactersModel):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("réponse"), max_length=300)
    correct = models.BooleanField(_("correcte"), default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["question", "position", "id"]
        verbose_name = _("choix")
        verbose_name_plural = _("choix")

    def __str__(self):
        return self.text


class Quiz(models.Model):
    step = models.OneToOneField(Step, on_delete=models.CASCADE, related_name="quiz")
    pass_mark = models.PositiveIntegerField(_("seuil de réussite (%)"), default=70)
    max_attempts = models.PositiveIntegerField(_("tentatives maximum"), default=3, help_text=_("0 = illimité"))
    draw_count = models.PositiveIntegerField(_("nombre de questions tirées"), default=5)
    question_tags = models.JSONField(_("étiquettes des questions"), default=list, blank=True)
    questions = models.ManyToManyField(
        Question, verbose_name=_("questions choisies"), blank=True, related_name="quizzes"
    )

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quiz")

    def __str__(self):
        return self.step.title


class QuizAttempt(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    question_order = models.JSONField(default=list)  # [question_id, ...] as shown
    choice_order = models.JSONField(default=dict)  # {question_id: [choice_id, ...]} as shown
    answers = models.JSONField(default=dict)  # {question_id: [choice_id, ...]}
    score = models.PositiveIntegerField(null=True, blank=True)
    passed = models.BooleanField(default=False)
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tentative de quiz")
        verbose_name_plural = _("tentatives de quiz")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["quiz", "user"])]

    def __str__(self):
        return f"{self.user} · {self.quiz} · {self.score if self.score is not None else '…'}"


class Enrolment(RejectControlCharactersModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Inscrit")
        UNENROLLED = "unenrolled", _("Désinscrit")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enrolled_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="one_enrolment_per_user_course")]
        indexes = [models.Index(fields=["course", "status"])]
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")

    def __str__(self):
        return f"{self.user} → {self.course}"


class StepProgress(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="step_progress")
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="progress")
    completed_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveIntegerField(null=True, blank=True)  # best quiz/lab score (0–100)
    seconds_on_page = models.PositiveIntegerField(default=0)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "step"], name="one_progress_per_user_step")]
        verbose_name = _("progression")
        verbose_name_plural = _("progressions")

    def __str__(self):
        return f"{self.user} · {self.step}"

    @property
    def completed(self) -> bool:
        return self.completed_at is not None


class DailyActivity(models.Model):
    """Seconds a learner spent on a course's pages per day (attendance for remote training)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="daily_activity")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="daily_activity")
    day = models.DateField()
    seconds = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("activité du jour")
        verbose_name_plural = _("activités du jour")
        constraints = [
            models.UniqueConstraint(fields=["user", "course", "day"], name="one_activity_per_user_course_day")
        ]

    def __str__(self):
        return f"{self.user} · {self.course} · {self.day}"


class AttendanceClock(models.Model):
    """One attendance clock per learner, however many course pages or tabs are open.

    Heartbeats from every page advance the same clock, so ten open tabs credit
    the wall-clock time once (the time feeds OFPPT attendance).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="attendance_clock"
    )
    credited_until = models.DateTimeField()

    class Meta:
        verbose_name = _("horloge de présence")
        verbose_name_plural = _("horloges de présence")

    def __str__(self):
        return f"{self.user} · {self.credited_until:%Y-%m-%d %H:%M:%S}"


def _certificate_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I confusion
    return "".join(secrets.choice(alphabet) for _ in range(12))


class Certificate(RejectControlCharactersModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certificates")
    code = models.CharField(max_length=16, unique=True, default=_certificate_code)
    learner_name = models.CharField(max_length=300)
    course_title = models.CharField(max_length=200)
    hours = models.DecimalField(max_digits=5, decimal_places=1)
    language = models.CharField(max_length=8, default="fr")
    issued_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"], condition=Q(revoked_at__isnull=True), name="one_valid_certificate_per_course"
            )
        ]
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")

    def __str__(self):
        return f"{self.course_title} — {self.learner_name} ({self.code})"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    def get_verify_url(self):
        return reverse("courses:certificate_verify", args=[self.code])
