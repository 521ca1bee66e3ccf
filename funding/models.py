"""OFPPT-eligible training: companies, actions, participants, attendance, dossiers.

The rules are changing (a reform under law 60-17 was announced for 2026), so
rates, ceilings, deadlines, the attendance unit and the list of required
documents are rows admins edit (FundingScheme, FundingSettings,
RequiredDocument), never constants in code.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from academy.crypto import EncryptedCharField
from academy.identifiers import mask_for_display
from academy.models import Organisation
from academy.validators import RejectControlCharactersModel
from funding.validators import validate_cin, validate_cnss, validate_ice, validate_numeric_identifier


class ActionType(models.TextChoices):
    PLANNED = "planned", _("Action planifiée (plan de formation)")
    UNPLANNED = "unplanned", _("Action non planifiée")
    LITERACY = "literacy", _("Alphabétisation fonctionnelle")
    ENGINEERING = "engineering", _("Ingénierie de formation")


class FundingScheme(RejectControlCharactersModel):
    """A reimbursement rule: rate and ceiling for a type of action, over a period."""

    name = models.CharField(_("nom"), max_length=200)
    action_type = models.CharField(_("type d'action"), max_length=20, choices=ActionType.choices)
    rate_percent = models.DecimalField(
        _("taux de remboursement (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    ceiling_per_participant = models.DecimalField(
        _("plafond par participant (DH)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    ceiling_per_action = models.DecimalField(
        _("plafond par action (DH)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    valid_from = models.DateField(_("valable du"))
    valid_to = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    source = models.TextField(_("source et remarques"), blank=True)

    class Meta:
        ordering = ["action_type", "-valid_from"]
        verbose_name = _("barème de remboursement")
        verbose_name_plural = _("barèmes de remboursement")

    def __str__(self):
        return f"{self.name} ({self.rate_percent} %)"


class FundingSettings(RejectControlCharactersModel):
    """Site-wide funding settings; a single row (``FundingSettings.load()``)."""

    class AttendanceUnit(models.TextChoices):
        HALF_DAY = "half_day", _("Par demi-journée")
        DAY = "day", _("Par journée")

    attendance_unit = models.CharField(
        _("émargement"), max_length=10, choices=AttendanceUnit.choices, default=AttendanceUnit.HALF_DAY
    )
    attendance_threshold_percent = models.PositiveIntegerField(
        _("seuil d'assiduité (%)"), default=80, validators=[MaxValueValidator(100)]
    )
    platform_seconds_per_half_day = models.PositiveIntegerField(
        _("temps sur la plateforme valant une demi-journée (secondes)"),
        default=2 * 3600,
        help_text=_("Pour les actions à distance : présence déduite du temps passé sur les pages du cours."),
    )
    filing_deadline_month = models.PositiveSmallIntegerField(_("mois limite de dépôt (année N+1)"), default=4)
    filing_deadline_day = models.PositiveSmallIntegerField(_("jour limite de dépôt"), default=30)
    reminder_days = models.JSONField(_("rappels (jours avant l'échéance)"), default=list)
    reminder_email = models.EmailField(
        _("adresse des rappels"),
        blank=True,
        help_text=_(
            "Facultatif : une boîte partagée qui reçoit aussi les rappels par e-mail. "
            "Les administrateurs sont notifiés selon leurs préférences."
        ),
    )

    class Meta:
        verbose_name = _("paramètres de financement")
        verbose_name_plural = _("paramètres de financement")

    def __str__(self):
        return str(_("Paramètres de financement"))

    @classmethod
    def load(cls) -> "FundingSettings":
        row, _created = cls.objects.get_or_create(pk=1, defaults={"reminder_days": [60, 30, 7]})
        return row


class RequiredDocument(RejectControlCharactersModel):
    """A document of the reimbursement dossier (configurable list)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("intitulé"), max_length=200)
    per_participant = models.BooleanField(_("un par participant"), default=False)
    generated = models.CharField(
        _("généré par la plateforme"),
        max_length=30,
        blank=True,
        help_text=_("attendance_sheet, evaluation_sheet ou attestation si la plateforme produit ce document."),
    )
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(_("demandé"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("pièce exigée")
        verbose_name_plural = _("pièces exigées")

    def __str__(self):
        return self.label


class Company(RejectControlCharactersModel):
    """A client employer whose training costs may be claimed back from the OFPPT."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation sur la plateforme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="company",
    )
    legal_name = models.CharField(_("raison sociale"), max_length=200)
    ice = models.CharField(_("ICE"), max_length=15, unique=True, validators=[validate_ice])
    rc = models.CharField(_("RC"), max_length=20, blank=True, validators=[validate_numeric_identifier])
    if_number = models.CharField(
        _("identifiant fiscal (IF)"), max_length=20, blank=True, validators=[validate_numeric_identifier]
    )
    patente = models.CharField(_("patente"), max_length=20, blank=True, validators=[validate_numeric_identifier])
    cnss_affiliation = models.CharField(
        _("n° d'affiliation CNSS"), max_length=20, blank=True, validators=[validate_numeric_identifier]
    )
    address = models.TextField(_("adresse"), blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)
    sector = models.CharField(_("secteur d'activité"), max_length=200, blank=True)
    headcount_cadres = models.PositiveIntegerField(_("effectif cadres"), default=0)
    headcount_employes = models.PositiveIntegerField(_("effectif employés"), default=0)
    headcount_ouvriers = models.PositiveIntegerField(_("effectif ouvriers"), default=0)
    legal_representative = models.CharField(_("représentant légal"), max_length=200, blank=True)
    training_manager = models.CharField(_("responsable formation"), max_length=200, blank=True)
    training_manager_email = models.EmailField(_("e-mail du responsable formation"), blank=True)
    tfp_up_to_date = models.BooleanField(_("à jour de la TFP"), default=False)
    cnss_up_to_date = models.BooleanField(_("à jour CNSS"), default=False)
    access_certificate_year = models.PositiveIntegerField(_("attestation d'éligibilité : année"), null=True, blank=True)
    access_certificate_date = models.DateField(_("attestation d'éligibilité : date"), null=True, blank=True)
    giac_member = models.BooleanField(_("adhérent GIAC"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["legal_name"]
        verbose_name = _("entreprise")
        verbose_name_plural = _("entreprises")

    def __str__(self):
        return self.legal_name

    @property
    def headcount(self) -> int:
        return self.headcount_cadres + self.headcount_employes + self.headcount_ouvriers


class TrainingAction(RejectControlCharactersModel):
    """A scheduled session of a course for a group, possibly funded by the OFPPT."""

    course = models.ForeignKey(
        "courses.Course", verbose_name=_("cours"), on_delete=models.PROTECT, related_name="training_actions"
    )
    company = models.ForeignKey(
        Company,
        verbose_name=_("entreprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
        help_text=_("Vide pour une action inter-entreprises."),
    )
    title = models.CharField(_("thème"), max_length=200)
    action_type = models.CharField(
        _("type d'action"), max_length=20, choices=ActionType.choices, default=ActionType.PLANNED
    )
    plan_year = models.PositiveIntegerField(_("année du plan"))
    csf_contract_number = models.CharField(_("n° de contrat CSF"), max_length=50, blank=True)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))
    location = models.CharField(_("lieu"), max_length=200, blank=True)
    remote = models.BooleanField(_("à distance"), default=False)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("formateurs"), blank=True, related_name="training_actions"
    )
    cost_excl_tax = models.DecimalField(_("coût HT (DH)"), max_digits=12, decimal_places=2, default=Decimal("0"))
    cost_incl_tax = models.DecimalField(_("coût TTC (DH)"), max_digits=12, decimal_places=2, default=Decimal("0"))
    scheme = models.ForeignKey(
        FundingScheme, verbose_name=_("barème"), null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    # Snapshots of the scheme when it was applied: later edits of the scheme do not rewrite filed dossiers.
    rate_applied = models.DecimalField(_("taux appliqué (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    ceiling_applied = models.DecimalField(
        _("plafond appliqué (DH)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    expected_reimbursement = models.DecimalField(
        _("remboursement attendu (DH)"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    received_reimbursement = models.DecimalField(
        _("remboursement reçu (DH)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    filed_on = models.DateField(_("dossier déposé le"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A dossier filed with pieces missing: the admin's reason, and what was missing then.
    filing_override_reason = models.TextField(_("motif du dépôt incomplet"), blank=True)
    filing_missing = models.JSONField(_("pièces manquantes au dépôt"), default=list, blank=True)
    reimbursed_on = models.DateField(_("remboursé le"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date"]
        indexes = [models.Index(fields=["plan_year", "company"])]
        verbose_name = _("action de formation")
        verbose_name_plural = _("actions de formation")

    def __str__(self):
        return f"{self.title} ({self.start_date:%d/%m/%Y})"


class ActionDay(models.Model):
    action = models.ForeignKey(TrainingAction, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    morning_hours = models.DecimalField(_("heures le matin"), max_digits=3, decimal_places=1, default=Decimal("3.5"))
    afternoon_hours = models.DecimalField(
        _("heures l'après-midi"), max_digits=3, decimal_places=1, default=Decimal("3.5")
    )

    class Meta:
        ordering = ["action", "date"]
        constraints = [models.UniqueConstraint(fields=["action", "date"], name="one_day_per_action_date")]
        verbose_name = _("journée")
        verbose_name_plural = _("journées")

    def __str__(self):
        return f"{self.date:%d/%m/%Y}"

    @property
    def hours(self) -> Decimal:
        return self.morning_hours + self.afternoon_hours


class Participant(RejectControlCharactersModel):
    """A learner enrolled in a training action, with the funding status of their place."""

    class Category(models.TextChoices):
        CADRE = "cadre", _("Cadre")
        EMPLOYE = "employe", _("Employé")
        OUVRIER = "ouvrier", _("Ouvrier")

    class FundingStatus(models.TextChoices):
        NOT_ELIGIBLE = "not_eligible", _("Non éligible")
        ELIGIBLE = "eligible", _("Éligible")
        PREPARING = "preparing", _("Dossier en préparation")
        FILED = "filed", _("Déposé")
        REIMBURSED = "reimbursed", _("Remboursé")
        REJECTED = "rejected", _("Rejeté")

    action = models.ForeignKey(TrainingAction, on_delete=models.CASCADE, related_name="participants")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="funded_participations"
    )
    cin = EncryptedCharField(_("CIN"), validators=[validate_cin])
    cnss_number = EncryptedCharField(_("n° d'immatriculation CNSS"), blank=True, validators=[validate_cnss])
    category = models.CharField(_("catégorie"), max_length=10, choices=Category.choices, default=Category.EMPLOYE)
    funding_status = models.CharField(
        _("statut du financement"), max_length=20, choices=FundingStatus.choices, default=FundingStatus.ELIGIBLE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["action", "learner__last_name", "learner__first_name"]
        constraints = [models.UniqueConstraint(fields=["action", "learner"], name="one_participation_per_action")]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self):
        return f"{self.learner} — {self.action}"

    @property
    def masked_cin(self) -> str:
        return mask_for_display(self.cin or "")

    @property
    def masked_cnss(self) -> str:
        return mask_for_display(self.cnss_number or "")


class FundingStatusChange(RejectControlCharactersModel):
    class Cause(models.TextChoices):
        MANUAL = "manual", _("Décision")
        ATTENDANCE = "attendance", _("Assiduité")
        FILING = "filing", _("Dépôt du dossier")
        REIMBURSEMENT = "reimbursement", _("Remboursement")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, choices=Participant.FundingStatus.choices)
    reason = models.TextField(_("motif"), blank=True)
    cause = models.CharField(_("origine"), max_length=16, choices=Cause.choices, default=Cause.MANUAL)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["participant", "changed_at", "id"]
        verbose_name = _("changement de statut")
        verbose_name_plural = _("changements de statut")

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class Attendance(RejectControlCharactersModel):
    """Presence of a participant for one half-day (or a whole day) of an action."""

    class Half(models.TextChoices):
        MORNING = "am", _("Matin")
        AFTERNOON = "pm", _("Après-midi")
        DAY = "day", _("Journée")

    class Source(models.TextChoices):
        TRAINER = "trainer", _("Saisie du formateur")
        PLATFORM = "platform", _("Temps sur la plateforme")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="attendance")
    day = models.ForeignKey(ActionDay, on_delete=models.CASCADE, related_name="attendance")
    half = models.CharField(max_length=4, choices=Half.choices)
    present = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.TRAINER)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "day", "half"], name="one_attendance_per_half_day")
        ]
        verbose_name = _("présence")
        verbose_name_plural = _("présences")

    def __str__(self):
        return f"{self.participant} {self.day} {self.half}: {self.present}"


class DossierDocument(RejectControlCharactersModel):
    class Status(models.TextChoices):
        MISSING = "missing", _("Manquant")
        PREPARED = "prepared", _("Préparé")
        SIGNED = "signed", _("Signé")
        FILED = "filed", _("Déposé")

    action = models.ForeignKey(TrainingAction, on_delete=models.CASCADE, related_name="documents")
    required = models.ForeignKey(RequiredDocument, on_delete=models.PROTECT, related_name="documents")
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.MISSING)
    file = models.FileField(_("fichier"), upload_to="dossiers/", blank=True)
    notes = models.TextField(_("remarques"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["action", "required__position", "participant_id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "required", "participant"], name="one_document_per_requirement"),
            models.UniqueConstraint(
                fields=["action", "required"],
                condition=models.Q(participant__isnull=True),
                name="one_action_document_per_requirement",
            ),
        ]
        verbose_name = _("pièce de dossier")
        verbose_name_plural = _("pièces de dossier")

    def __str__(self):
        return f"{self.required} — {self.get_status_display()}"


class DeadlineReminder(models.Model):
    """A reminder already sent, so the daily task never sends it twice."""

    action = models.ForeignKey(
        TrainingAction, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("action de formation")
    )
    days_before = models.IntegerField(_("jours avant l'échéance"))
    sent_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["action", "days_before"], name="one_reminder_per_offset")]
        verbose_name = _("rappel d'échéance")
        verbose_name_plural = _("rappels d'échéance")

    def __str__(self):
        return f"{self.action} J-{self.days_before}"
