"""Django admin for the funding app: every model, with filters and search.

CIN and CNSS numbers are encrypted, so they can be neither searched nor
filtered on; lists show them masked and only the change form of an admin shows
them in full. Writes that carry business rules (a participant's enrolment and
status changes, the expected reimbursement) go through funding.services, so
the history of statuses is kept whichever screen was used.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from funding import selectors
from funding.models import (
    ActionDay,
    Attendance,
    Company,
    DeadlineReminder,
    DossierDocument,
    FundingScheme,
    FundingSettings,
    FundingStatusChange,
    Participant,
    RequiredDocument,
    TrainingAction,
)
from funding.services.actions import ACTION_FIELDS, action_check, action_create, action_update
from funding.services.dossier import check_upload, document_attach_file
from funding.services.participants import (
    check_initial_status,
    check_status_move,
    participant_add,
    participant_set_status,
    participant_update,
)
from funding.services.reimbursement import action_recompute_reimbursement


def can_see_identifiers(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and (user.is_superuser or getattr(user, "is_admin", False)))


# --- configuration ----------------------------------------------------------------------


@admin.register(FundingScheme)
class FundingSchemeAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "action_type",
        "rate_percent",
        "ceiling_per_participant",
        "ceiling_per_action",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["action_type", "valid_from"]
    search_fields = ["name", "source"]
    date_hierarchy = "valid_from"


@admin.register(FundingSettings)
class FundingSettingsAdmin(admin.ModelAdmin):
    """A single row: the list goes straight to it, and it can be neither added twice nor deleted."""

    list_display = [
        "__str__",
        "attendance_unit",
        "attendance_threshold_percent",
        "filing_deadline_day",
        "filing_deadline_month",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not FundingSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: FundingSettings | None = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        row = FundingSettings.load()
        return HttpResponseRedirect(reverse("admin:funding_fundingsettings_change", args=[row.pk]))


@admin.register(RequiredDocument)
class RequiredDocumentAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "per_participant", "generated", "position", "active"]
    list_editable = ["position", "active"]
    list_filter = ["active", "per_participant"]
    search_fields = ["label", "code"]
    prepopulated_fields = {"code": ["label"]}


# --- companies and actions --------------------------------------------------------------


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = [
        "legal_name",
        "ice",
        "city",
        "sector",
        "headcount_total",
        "tfp_up_to_date",
        "cnss_up_to_date",
        "access_certificate_year",
        "giac_member",
    ]
    list_filter = ["tfp_up_to_date", "cnss_up_to_date", "giac_member", "access_certificate_year", "city"]
    search_fields = ["legal_name", "ice", "rc", "if_number", "cnss_affiliation", "city", "sector"]
    autocomplete_fields = ["organisation"]
    fieldsets = [
        (None, {"fields": ["legal_name", "organisation", "address", "city", "sector"]}),
        (_("Identifiants"), {"fields": ["ice", "rc", "if_number", "patente", "cnss_affiliation"]}),
        (_("Effectifs"), {"fields": ["headcount_cadres", "headcount_employes", "headcount_ouvriers"]}),
        (_("Contacts"), {"fields": ["legal_representative", "training_manager", "training_manager_email"]}),
        (
            _("Éligibilité"),
            {
                "fields": [
                    "tfp_up_to_date",
                    "cnss_up_to_date",
                    "access_certificate_year",
                    "access_certificate_date",
                    "giac_member",
                ]
            },
        ),
    ]

    @admin.display(description=_("effectif"))
    def headcount_total(self, obj: Company) -> int:
        return obj.headcount


class DossierStateFilter(admin.SimpleListFilter):
    title = _("dossier")
    parameter_name = "dossier"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            (selectors.ActionFilter.OPEN, _("À déposer")),
            (selectors.ActionFilter.FILED, _("Déposé, en attente")),
            (selectors.ActionFilter.REIMBURSED, _("Remboursé")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == selectors.ActionFilter.OPEN:
            return queryset.filter(filed_on__isnull=True)
        if self.value() == selectors.ActionFilter.FILED:
            return queryset.filter(filed_on__isnull=False, reimbursed_on__isnull=True)
        if self.value() == selectors.ActionFilter.REIMBURSED:
            return queryset.filter(reimbursed_on__isnull=False)
        return queryset


class ActionDayInline(admin.TabularInline):
    """Days at a glance; they follow the action's dates and are edited on its « journées » page (hours, attendance)."""

    model = ActionDay
    extra = 0
    fields = ["date", "morning_hours", "afternoon_hours"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ParticipantInline(admin.TabularInline):
    """Participants at a glance; they are added and edited on their own page (overlap checks, status history)."""

    model = Participant
    extra = 0
    fields = ["learner", "cin_masked", "category", "funding_status"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("learner")

    @admin.display(description=_("CIN"))
    def cin_masked(self, obj: Participant) -> str:
        return obj.masked_cin


class DossierDocumentInline(admin.TabularInline):
    """Statuses at a glance; a file is uploaded on the document's own page, with the dossier's checks."""

    model = DossierDocument
    extra = 0
    fields = ["required", "participant", "status", "file", "notes"]
    readonly_fields = ["file"]
    raw_id_fields = ["participant"]
    show_change_link = True


class TrainingActionAdminForm(forms.ModelForm):
    """The site's rules for an action (funding.services.actions.action_check), with their messages in the form."""

    class Meta:
        model = TrainingAction
        fields = [*ACTION_FIELDS, "scheme", "trainers"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        fields = {name: cleaned[name] for name in ACTION_FIELDS if name in cleaned}
        if {"start_date", "end_date"} <= fields.keys():
            candidate = TrainingAction(pk=self.instance.pk, **fields)
            try:
                action_check(candidate, scheme=cleaned.get("scheme"))
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(TrainingAction)
class TrainingActionAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "course",
        "company_or_inter",
        "action_type",
        "plan_year",
        "start_date",
        "end_date",
        "participant_count",
        "expected_reimbursement",
        "received_reimbursement",
        "filed_on",
        "reimbursed_on",
    ]
    list_filter = ["plan_year", "action_type", DossierStateFilter, "remote", "company"]
    search_fields = ["title", "csf_contract_number", "company__legal_name", "company__ice", "course__title", "location"]
    list_select_related = ["course", "company"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["course", "company", "trainers"]
    form = TrainingActionAdminForm
    # Snapshots are taken by the services; state dates are set by filing and recording the reimbursement.
    readonly_fields = [
        "rate_applied",
        "ceiling_applied",
        "expected_reimbursement",
        "received_reimbursement",
        "filed_on",
        "filed_by",
        "filing_override_reason",
        "filing_missing",
        "reimbursed_on",
        "created_by",
        "created_at",
    ]
    inlines = [ActionDayInline, ParticipantInline, DossierDocumentInline]
    fieldsets = [
        (
            None,
            {"fields": ["course", "company", "title", "action_type", "plan_year", "csf_contract_number", "trainers"]},
        ),
        (_("Dates et lieu"), {"fields": ["start_date", "end_date", "location", "remote"]}),
        (
            _("Coût et remboursement"),
            {
                "fields": [
                    "cost_excl_tax",
                    "cost_incl_tax",
                    "scheme",
                    "rate_applied",
                    "ceiling_applied",
                    "expected_reimbursement",
                ]
            },
        ),
        (
            _("Dépôt et remboursement"),
            {
                "description": _(
                    "Déposer le dossier et enregistrer le remboursement se font depuis la page de l'action."
                ),
                "fields": [
                    "filed_on",
                    "filed_by",
                    "filing_override_reason",
                    "filing_missing",
                    "reimbursed_on",
                    "received_reimbursement",
                ],
            },
        ),
        (_("Suivi"), {"fields": ["created_by", "created_at"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(participant_total=Count("participants"))

    @admin.display(description=_("entreprise"), ordering="company__legal_name")
    def company_or_inter(self, obj: TrainingAction) -> str:
        return obj.company.legal_name if obj.company else str(_("Inter-entreprises"))

    @admin.display(description=_("participants"), ordering="participant_total")
    def participant_count(self, obj: TrainingAction) -> int:
        return obj.participant_total

    def save_model(self, request: HttpRequest, obj: TrainingAction, form: forms.ModelForm, change: bool) -> None:
        # The services write the action (scheme and rate snapshot, days, overlap checks), as on the site.
        fields = {name: form.cleaned_data[name] for name in ACTION_FIELDS if name in form.cleaned_data}
        scheme = form.cleaned_data.get("scheme")
        if change:
            saved = action_update(action=obj, by=request.user, scheme=scheme, **fields)
        else:
            saved = action_create(by=request.user, scheme=scheme, **fields)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        action_recompute_reimbursement(action=form.instance)


@admin.register(ActionDay)
class ActionDayAdmin(admin.ModelAdmin):
    """Read-only: days follow their action's dates and are edited on its « journées » page."""

    list_display = ["date", "action", "morning_hours", "afternoon_hours"]
    list_filter = ["action__plan_year", "date"]
    search_fields = ["action__title", "action__company__legal_name"]
    list_select_related = ["action"]
    date_hierarchy = "date"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- participants -----------------------------------------------------------------------


class FundingStatusChangeInline(admin.TabularInline):
    """The status history is a record: read-only, never edited or deleted here."""

    model = FundingStatusChange
    extra = 0
    fields = ["changed_at", "from_status", "to_status", "reason", "changed_by"]
    readonly_fields = fields
    can_delete = False
    ordering = ["-changed_at", "-id"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ParticipantAdminForm(forms.ModelForm):
    status_reason = forms.CharField(
        label=_("Motif du changement de statut"),
        required=False,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text=_("Gardé dans l'historique du participant."),
    )

    class Meta:
        model = Participant
        fields = ["action", "learner", "cin", "cnss_number", "category", "funding_status"]
        widgets = {
            "cin": forms.TextInput(attrs={"autocomplete": "off", "size": 12}),
            "cnss_number": forms.TextInput(attrs={"autocomplete": "off", "size": 12}),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        status = cleaned.get("funding_status")
        if self.instance.pk:
            if status and status != self.instance.funding_status:
                try:
                    check_status_move(self.instance, status)  # the same rules as participant_set_status
                except ValidationError as error:
                    self.add_error("funding_status", error)
        else:
            if status:
                try:
                    check_initial_status(status)
                except ValidationError as error:
                    self.add_error("funding_status", error)
            action, learner = cleaned.get("action"), cleaned.get("learner")
            if action and learner:
                other = selectors.overlapping_participation(
                    learner=learner, start=action.start_date, end=action.end_date, exclude_action_id=action.pk
                )
                if other is not None:
                    self.add_error(
                        "action",
                        _("Cette personne suit déjà l'action « %(title)s », dont les dates chevauchent celles-ci.")
                        % {"title": other.action.title},
                    )
        return cleaned


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    form = ParticipantAdminForm
    list_display = ["learner", "action", "cin_masked", "cnss_masked", "category", "funding_status", "created_at"]
    list_filter = ["funding_status", "category", "action__plan_year", "action__company"]
    # Never the encrypted CIN/CNSS columns: they hold ciphertext, a search there would find nothing.
    search_fields = [
        "learner__email",
        "learner__last_name",
        "learner__first_name",
        "action__title",
        "action__company__legal_name",
    ]
    list_select_related = ["learner", "action"]
    autocomplete_fields = ["learner"]
    raw_id_fields = ["action"]
    inlines = [FundingStatusChangeInline]

    @admin.display(description=_("CIN"))
    def cin_masked(self, obj: Participant) -> str:
        return obj.masked_cin

    @admin.display(description=_("n° CNSS"))
    def cnss_masked(self, obj: Participant) -> str:
        return obj.masked_cnss

    def get_fields(self, request: HttpRequest, obj: Participant | None = None) -> list[str]:
        identifiers = ["cin", "cnss_number"] if can_see_identifiers(request) else ["cin_masked", "cnss_masked"]
        return ["action", "learner", *identifiers, "category", "funding_status", "status_reason"]

    def get_readonly_fields(self, request: HttpRequest, obj: Participant | None = None) -> list[str]:
        readonly = [] if can_see_identifiers(request) else ["cin_masked", "cnss_masked"]
        if obj is not None:
            readonly += ["action", "learner"]  # moving a place to another action or person is a new enrolment
        return readonly

    def save_model(self, request: HttpRequest, obj: Participant, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        reason = data.get("status_reason") or str(_("Modifié dans l'administration"))
        if not change:
            created = participant_add(
                action=obj.action,
                learner=obj.learner,
                cin=obj.cin,
                cnss_number=obj.cnss_number or "",
                category=obj.category,
                funding_status=obj.funding_status,
                by=request.user,
            )
            obj.pk = created.pk
            return
        new_status = obj.funding_status
        obj.funding_status = form.initial["funding_status"]
        if can_see_identifiers(request):
            participant_update(
                participant=obj, cin=obj.cin, cnss_number=obj.cnss_number or "", category=obj.category, by=request.user
            )
        else:
            obj.save(update_fields=["category"])
        if new_status != obj.funding_status:
            participant_set_status(participant=obj, to_status=new_status, by=request.user, reason=reason)


@admin.register(FundingStatusChange)
class FundingStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["changed_at", "participant", "from_status", "to_status", "changed_by", "reason"]
    list_filter = ["to_status", "changed_at"]
    search_fields = [
        "participant__learner__email",
        "participant__learner__last_name",
        "participant__action__title",
        "reason",
    ]
    list_select_related = ["participant__learner", "participant__action", "changed_by"]
    date_hierarchy = "changed_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["participant", "day", "half", "present", "source", "recorded_by", "recorded_at"]
    list_filter = ["present", "source", "half", "day__action__plan_year"]
    search_fields = ["participant__learner__email", "participant__learner__last_name", "participant__action__title"]
    list_select_related = ["participant__learner", "participant__action", "day", "recorded_by"]
    raw_id_fields = ["participant", "day", "recorded_by"]


class DossierDocumentAdminForm(forms.ModelForm):
    """The file goes through the dossier page's checks and naming (funding.services.dossier)."""

    new_file = forms.FileField(
        label=_("nouveau fichier"),
        required=False,
        help_text=_("PDF, JPEG ou PNG, reconnu d'après son contenu ; 10 Mo au maximum."),
    )
    remove_file = forms.BooleanField(label=_("retirer le fichier"), required=False)

    class Meta:
        model = DossierDocument
        fields = ["action", "required", "participant", "status", "notes"]

    def clean_new_file(self):
        upload = self.cleaned_data.get("new_file")
        if upload:
            check_upload(upload)
        return upload


@admin.register(DossierDocument)
class DossierDocumentAdmin(admin.ModelAdmin):
    form = DossierDocumentAdminForm
    list_display = ["required", "action", "participant", "status", "has_file", "updated_at"]
    list_filter = ["status", "required", "action__plan_year"]
    search_fields = ["action__title", "action__company__legal_name", "required__label", "participant__learner__email"]
    list_select_related = ["required", "action", "participant__learner"]
    raw_id_fields = ["action", "participant"]
    fields = ["action", "required", "participant", "status", "file", "new_file", "remove_file", "notes", "updated_by"]
    readonly_fields = ["file", "updated_by"]

    def save_model(self, request: HttpRequest, obj: DossierDocument, form: forms.ModelForm, change: bool) -> None:
        if form.cleaned_data.get("new_file"):
            document_attach_file(document=obj, upload=form.cleaned_data["new_file"])
        elif form.cleaned_data.get("remove_file"):
            document_attach_file(document=obj, upload=None)
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("fichier"), boolean=True)
    def has_file(self, obj: DossierDocument) -> bool:
        return bool(obj.file)


@admin.register(DeadlineReminder)
class DeadlineReminderAdmin(admin.ModelAdmin):
    list_display = ["action", "days_before", "sent_at"]
    list_filter = ["days_before", "sent_at"]
    search_fields = ["action__title"]
    list_select_related = ["action"]
    readonly_fields = ["action", "days_before", "sent_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
