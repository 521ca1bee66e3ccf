import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from academy.urls_memo import reverse
from academy.validators import RejectControlCharactersModel
from labs.grading.policy import CATEGORY_LABELS

# First URL segments under /labos/ (learner and trainer pages): no lab may take one as its slug.
RESERVED_LAB_SLUGS = frozenset({"etape", "tentatives", "formateur", "auteur", "edition", "regles", "notation"})


class Lab(RejectControlCharactersModel):
    """A prompt lab: a brief, a rubric and a backend that renders the learner's prompt."""

    class AspectRatio(models.TextChoices):
        LANDSCAPE = "16:9", _("16:9 (paysage)")
        PORTRAIT = "9:16", _("9:16 (portrait, réseaux sociaux)")
        SQUARE = "1:1", _("1:1 (carré)")

    class Grading(models.TextChoices):
        BEST = "best", _("La meilleure tentative compte")
        LAST = "last", _("La dernière tentative compte")

    step = models.OneToOneField("courses.Step", on_delete=models.CASCADE, related_name="lab")
    slug = models.SlugField(_("identifiant"), max_length=120, unique=True)
    brief = models.TextField(_("consigne (Markdown)"))
    duration_s = models.DecimalField(_("durée visée (s)"), max_digits=4, decimal_places=1, default=5)
    aspect_ratio = models.CharField(
        _("format"), max_length=8, choices=AspectRatio.choices, default=AspectRatio.LANDSCAPE
    )
    backend_alias = models.CharField(_("moteur de génération"), max_length=50, default="default")
    pass_mark = models.PositiveIntegerField(_("seuil de réussite (sur 100)"), default=70)
    max_attempts = models.PositiveIntegerField(_("tentatives maximum"), default=5, help_text=_("0 = illimité"))
    grading = models.CharField(_("note retenue"), max_length=8, choices=Grading.choices, default=Grading.BEST)
    reference_prompt = models.TextField(_("prompt de référence (montré après réussite)"), blank=True)
    # Final renders: the attempt a learner chooses, re-rendered on better settings for a portfolio.
    final_backend_alias = models.CharField(
        _("moteur du rendu final"), max_length=50, blank=True, help_text=_("Vide = le même moteur que les essais.")
    )
    final_requires_pass = models.BooleanField(
        _("rendu final réservé aux apprenants qui ont réussi le labo"), default=True
    )
    budget_finals_per_learner = models.PositiveIntegerField(
        _("rendus finals par apprenant"), default=2, help_text=_("0 = illimité")
    )
    budget_final_cost_per_learner = models.DecimalField(
        _("budget de rendu final par apprenant"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Séparé du budget des essais. Vide = illimité."),
    )
    ethics_step = models.ForeignKey(
        "courses.Step",
        verbose_name=_("leçon d'éthique"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("La leçon du cours que relit l'apprenant dont le prompt est refusé par la charte éthique."),
    )
    budget_generations_per_learner = models.PositiveIntegerField(
        _("générations maximum par apprenant"), default=20, help_text=_("0 = illimité")
    )
    budget_cost_per_learner = models.DecimalField(
        _("budget par apprenant"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Dans l'unité de coût déclarée par le moteur. Vide = illimité."),
    )
    budget_cost_cohort = models.DecimalField(
        _("budget de la promotion"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Total pour tous les apprenants. Vide = illimité."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("labo")
        verbose_name_plural = _("labos")

    def __str__(self):
        return self.step.title

    def get_absolute_url(self):
        return reverse("labs:lab", args=[self.slug])

    @property
    def title(self) -> str:
        return self.step.title

    @property
    def course(self):
        return self.step.module.course

    @property
    def final_alias(self) -> str:
        """The backend that renders this lab's final renders."""
        return self.final_backend_alias or self.backend_alias

    def frame_size(self, tier: str = "draft") -> tuple[int, int]:
        """The video size the lab asks for (small drafts learners iterate on)."""
        long_side, short_side = (640, 360) if tier == "draft" else (1280, 720)
        if self.aspect_ratio == self.AspectRatio.PORTRAIT:
            return short_side, long_side
        if self.aspect_ratio == self.AspectRatio.SQUARE:
            return short_side, short_side
        return long_side, short_side


class Criterion(RejectControlCharactersModel):
    """One weighted line of a lab's rubric."""

    class Kind(models.TextChoices):
        ANATOMY = "anatomy", _("Élément du prompt")
        MUST_MENTION = "must_mention", _("Doit mentionner")
        MUST_NOT_MENTION = "must_not_mention", _("Ne doit pas mentionner")
        VIDEO = "video", _("Contrôle de la vidéo")
        POLICY = "policy", _("Éthique et règles d'usage")

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    element = models.CharField(_("élément"), max_length=30, blank=True)  # anatomy key
    video_check = models.CharField(_("contrôle vidéo"), max_length=30, blank=True)
    label = models.CharField(_("libellé"), max_length=200, blank=True)
    terms = models.JSONField(_("termes"), default=list, blank=True)
    params = models.JSONField(_("paramètres"), default=dict, blank=True)
    weight = models.PositiveIntegerField(_("poids"), default=10)
    hidden = models.BooleanField(_("caché jusqu'à la réussite"), default=False)
    hint = models.CharField(
        _("indice montré tant que le critère est caché"),
        max_length=200,
        blank=True,
        help_text=_(
            "Dit à l'apprenant ce qui lui a coûté des points sans dévoiler la règle. "
            "Vide = un indice général selon le type de critère."
        ),
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["lab", "position", "id"]
        verbose_name = _("critère")
        verbose_name_plural = _("critères")

    def __str__(self):
        return self.label or f"{self.kind}:{self.element or self.video_check}"


class PolicyRule(RejectControlCharactersModel):
    """A rule of the ethics gate. The default list is data; trainers and admins extend it.

    See labs.grading.policy for how terms, context, exceptions and scope are read.
    """

    class Category(models.TextChoices):
        REAL_PERSON = "real_person", CATEGORY_LABELS["real_person"]
        MINORS = "minors", CATEGORY_LABELS["minors"]
        COPYRIGHT = "copyright", CATEGORY_LABELS["copyright"]
        SEXUAL = "sexual", CATEGORY_LABELS["sexual"]
        VIOLENCE = "violence", CATEGORY_LABELS["violence"]
        HATE = "hate", CATEGORY_LABELS["hate"]
        HARASSMENT = "harassment", CATEGORY_LABELS["harassment"]
        SELF_HARM = "self_harm", CATEGORY_LABELS["self_harm"]
        ILLICIT = "illicit", CATEGORY_LABELS["illicit"]
        DISINFORMATION = "disinformation", CATEGORY_LABELS["disinformation"]

    class Scope(models.TextChoices):
        PHRASE = "phrase", _("Le groupe nominal du terme")
        SENTENCE = "sentence", _("La phrase du terme")
        PROMPT = "prompt", _("Tout le prompt")

    category = models.CharField(_("catégorie"), max_length=20, choices=Category.choices)
    terms = models.JSONField(_("termes"), default=list, help_text=_("Mots ou expressions, en français et en anglais."))
    context_terms = models.JSONField(
        _("termes de contexte"),
        default=list,
        blank=True,
        help_text=_("Si renseigné, la règle ne s'applique que si l'un de ces termes apparaît aussi."),
    )
    unless_terms = models.JSONField(
        _("exceptions"),
        default=list,
        blank=True,
        help_text=_("La règle ne s'applique pas si l'un de ces termes apparaît (« fictif », « prévention »)."),
    )
    scope = models.CharField(
        _("portée du contexte et des exceptions"), max_length=10, choices=Scope.choices, default=Scope.SENTENCE
    )
    explanation = models.TextField(_("explication montrée à l'apprenant"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when someone edits or switches the rule: a refresh of the built-in rules leaves it as they made it.
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["category", "id"]
        verbose_name = _("règle éthique")
        verbose_name_plural = _("règles éthiques")

    def __str__(self):
        return f"{self.get_category_display()}: {', '.join(self.terms[:3])}"


class LabDraft(RejectControlCharactersModel):
    """The learner's prompt as they type it, autosaved so nothing is lost."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="drafts")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lab_drafts")
    prompt = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("brouillon de labo")
        verbose_name_plural = _("brouillons de labo")
        constraints = [models.UniqueConstraint(fields=["lab", "learner"], name="one_draft_per_learner_lab")]

    def __str__(self):
        return f"{self.lab} — {self.learner}"


class Submission(RejectControlCharactersModel):
    class State(models.TextChoices):
        QUEUED = "queued", _("En file d'attente")
        GENERATING = "generating", _("Génération de la vidéo")
        ANALYSING = "analysing", _("Analyse et notation")
        GRADED = "graded", _("Notée")
        BLOCKED = "blocked", _("Refusée (éthique)")
        FAILED = "failed", _("Échec technique")
        CANCELLED = "cancelled", _("Annulée")

    class Tier(models.TextChoices):
        DRAFT = "draft", _("Essai")
        FINAL = "final", _("Rendu final")

    TERMINAL_STATES = (State.GRADED, State.BLOCKED, State.FAILED, State.CANCELLED)
    IN_FLIGHT_STATES = (State.QUEUED, State.GENERATING, State.ANALYSING)
    RUNNING_STATES = (State.GENERATING, State.ANALYSING)  # a grading run holds the attempt
    # Attempts that produced no video: they use up no generation of the budget.
    NOT_GENERATED_STATES = (State.BLOCKED, State.FAILED, State.CANCELLED)

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="submissions")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lab_submissions")
    prompt = models.TextField()
    language = models.CharField(max_length=8, default="fr")
    client_token = models.CharField(max_length=64)  # from the form: a double click submits it twice
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)
    # Infrastructure failures never use up an attempt.
    counts_as_attempt = models.BooleanField(default=True)
    # A new token for every enqueue: a late result of an older run is ignored.
    task_token = models.UUIDField(default=uuid.uuid4)
    enqueue_count = models.PositiveSmallIntegerField(default=0)
    retries = models.PositiveSmallIntegerField(default=0)
    deadline_at = models.DateTimeField(null=True, blank=True)
    # The running task's sign of life, every LAB_HEARTBEAT_SECONDS: silence means its worker died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # When the attempt last moved (state or progress): the learner may cancel one that stopped moving.
    progressed_at = models.DateTimeField(null=True, blank=True)
    backend_alias = models.CharField(max_length=50)
    # A final render re-renders one graded draft ("draft") on the lab's final settings; it is
    # not an attempt: it counts against the final budget, never against attempts or draft budgets.
    tier = models.CharField(max_length=8, choices=Tier.choices, default=Tier.DRAFT)
    draft = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="finals",
        limit_choices_to={"tier": "draft"},
    )
    job_ref = models.CharField(max_length=300, blank=True)
    seed = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    video = models.FileField(upload_to="submissions/videos/", blank=True)
    poster = models.FileField(upload_to="submissions/posters/", blank=True)
    contact_sheet = models.FileField(upload_to="submissions/sheets/", blank=True)
    result = models.JSONField(default=dict, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(default=False)
    error_code = models.CharField(max_length=50, blank=True)
    error_message = models.TextField(blank=True)
    generation_seconds = models.FloatField(null=True, blank=True)
    grading_seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    override_score = models.PositiveSmallIntegerField(null=True, blank=True)
    override_comment = models.TextField(blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    override_at = models.DateTimeField(null=True, blank=True)
    # A trainer looked at the attempt and had nothing to correct: it leaves their review queue.
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["lab", "learner", "client_token"], name="one_submission_per_client_token"),
            models.CheckConstraint(
                condition=Q(tier="draft", draft__isnull=True) | Q(tier="final", draft__isnull=False),
                name="final_renders_have_a_draft",
            ),
        ]
        indexes = [
            models.Index(fields=["lab", "learner", "-created_at"]),
            models.Index(
                fields=["state", "deadline_at"],
                condition=~Q(state__in=["graded", "blocked", "failed", "cancelled"]),
                name="submission_in_flight",
            ),
        ]
        verbose_name = _("tentative")
        verbose_name_plural = _("tentatives")

    def __str__(self):
        return f"#{self.pk} {self.lab} — {self.learner}"

    def get_absolute_url(self):
        return reverse("labs:submission", args=[self.pk])

    @property
    def is_terminal(self) -> bool:
        return self.state in self.TERMINAL_STATES

    @property
    def final_score(self) -> int | None:
        """The score that counts: a trainer's override wins over the grader."""
        return self.override_score if self.override_score is not None else self.score

    @property
    def final_passed(self) -> bool:
        if self.override_score is not None:
            return self.override_score >= self.lab.pass_mark
        return self.passed


class RegradeRun(RejectControlCharactersModel):
    """A background regrade of a lab's submissions, with its progress."""

    class State(models.TextChoices):
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="regrades")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("nouvelle correction")
        verbose_name_plural = _("nouvelles corrections")

    def __str__(self):
        return f"{self.lab} ({self.done}/{self.total})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)
