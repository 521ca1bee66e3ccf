"""Admin pages of the funding app: companies, actions, participants, attendance, dossier, PDFs.

Access: everything is for administrators (anonymous → login, anyone else →
403), with one exception: the trainers of an action may record its
attendance grid. Views stay thin: reads from funding.selectors, writes via
funding.services.*, and a service's ValidationError is shown in place.
"""

from __future__ import annotations

import copy
import mimetypes

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from funding import pdf, selectors
from funding.forms import (
    ActionFilterForm,
    ActionForm,
    CompanyForm,
    CompanySearchForm,
    DayAddForm,
    DocumentForm,
    FiledForm,
    ParticipantAddForm,
    ParticipantEditForm,
    ParticipantSearchForm,
    ReimbursedForm,
    StatusForm,
    parse_attendance_post,
    parse_day_hours,
)
from funding.models import (
    ActionDay,
    Company,
    DossierDocument,
    FundingSettings,
    Participant,
    RequiredDocument,
    TrainingAction,
)
from funding.permissions import admin_required
from funding.services import actions as action_services
from funding.services import attendance as attendance_services
from funding.services import companies as company_services
from funding.services import days as day_services
from funding.services import dossier as dossier_services
from funding.services import filing as filing_services
from funding.services import participants as participant_services

# --- access -------------------------------------------------------------------------


def _action(pk: int) -> TrainingAction:
    action = selectors.action_for_page(pk)
    if action is None:
        raise Http404
    return action


def _participant(pk: int) -> Participant:
    participant = selectors.participant_for_page(pk)
    if participant is None:
        raise Http404
    return participant


def _show_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _add_errors(form, error: ValidationError) -> None:
    """Put a service's errors next to the matching field, or above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _status(form) -> int:
    return 400 if form.errors else 200


# --- companies --------------------------------------------------------------------


@admin_required
@require_GET
def company_list(request: HttpRequest) -> HttpResponse:
    search = CompanySearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    return render(
        request, "funding/company_list.html", {"search": search, "companies": selectors.company_list(search=query)}
    )


@admin_required
@require_http_methods(["GET", "POST"])
def company_create(request: HttpRequest) -> HttpResponse:
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            company = company_services.company_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Entreprise « %(name)s » enregistrée.") % {"name": company.legal_name})
            return redirect("funding:company_list")
    return render(request, "funding/company_form.html", {"form": form, "company": None}, status=_status(form))


@admin_required
@require_http_methods(["GET", "POST"])
def company_edit(request: HttpRequest, pk: int) -> HttpResponse:
    company = get_object_or_404(Company, pk=pk)
    form = CompanyForm(request.POST or None, instance=copy.copy(company))
    if request.method == "POST" and form.is_valid():
        try:
            company_services.company_update(company=company, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Modifications enregistrées."))
            return redirect("funding:company_list")
    actions = selectors.action_list(company_id=company.pk)
    return render(
        request,
        "funding/company_form.html",
        {"form": form, "company": company, "actions": actions},
        status=_status(form),
    )


# --- actions ----------------------------------------------------------------------


@admin_required
@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    filters = ActionFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    company = data.get("company")
    actions = selectors.action_list(
        year=data.get("year"), company_id=company.pk if company else None, status=data.get("status") or ""
    )
    return render(request, "funding/action_list.html", {"filters": filters, "actions": actions})


def _action_kwargs(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "generate_days"}


@admin_required
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest) -> HttpResponse:
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action = action_services.action_create(
                by=request.user,
                generate_days=form.cleaned_data.get("generate_days", False),
                **_action_kwargs(form.cleaned_data),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Action créée. Vérifiez ses journées, puis ajoutez les participants."))
            return redirect("funding:action_detail", pk=action.pk)
    return render(request, "funding/action_form.html", {"form": form, "action": None}, status=_status(form))


@admin_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(pk)
    form = ActionForm(request.POST or None, instance=copy.copy(action))
    if request.method == "POST" and form.is_valid():
        try:
            action_services.action_update(action=action, by=request.user, **_action_kwargs(form.cleaned_data))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Modifications enregistrées."))
            return redirect("funding:action_detail", pk=action.pk)
    return render(request, "funding/action_form.html", {"form": form, "action": action}, status=_status(form))


def _detail_page(
    request: HttpRequest, action: TrainingAction, *, filed_form: FiledForm | None = None, status: int = 200
) -> HttpResponse:
    settings = FundingSettings.load()
    slots, rows = selectors.attendance_grid(action, settings=settings)
    checklist = selectors.dossier_checklist(action)
    missing, _total = filing_services.missing_pieces(action) if action.filed_on is None else ([], 0)
    days = list(action.days.all())
    context = {
        "action": action,
        "settings": settings,
        "rows": rows,
        "slots": slots,
        "days": days,
        "total_hours": sum((day.hours for day in days), start=0),
        "deadline": selectors.action_deadline(action, settings=settings),
        "dossier_done": selectors.dossier_progress(checklist),
        "missing_pieces": missing,
        "filed_form": filed_form or FiledForm(incomplete=bool(missing)),
        "reimbursed_form": ReimbursedForm(initial={"amount": action.expected_reimbursement}),
    }
    return render(request, "funding/action_detail.html", context, status=status)


@admin_required
@require_GET
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _action(pk))


# --- days -------------------------------------------------------------------------


def _days_page(
    request: HttpRequest, action: TrainingAction, *, add_form: DayAddForm | None = None, status: int = 200
) -> HttpResponse:
    days = list(action.days.order_by("date"))
    context = {
        "action": action,
        "days": days,
        "add_form": add_form or DayAddForm(),
        "total_hours": sum((d.hours for d in days), start=0),
    }
    return render(request, "funding/action_days.html", context, status=status)


@admin_required
@require_http_methods(["GET", "POST"])
def action_days(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(pk)
    if request.method == "POST":
        try:
            day_ids = [int(value) for value in request.POST.getlist("day")]
            day_services.action_days_update(action=action, hours=parse_day_hours(request.POST, day_ids))
        except ValueError:
            messages.error(request, _("Le formulaire envoyé est illisible : rechargez la page."))
        except ValidationError as error:
            _show_errors(request, error)
            return _days_page(request, action, status=400)
        else:
            messages.success(request, _("Horaires enregistrés."))
        return redirect("funding:action_days", pk=action.pk)
    return _days_page(request, action)


@admin_required
@require_POST
def action_day_add(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(pk)
    form = DayAddForm(request.POST)
    if form.is_valid():
        try:
            day_services.action_day_add(action=action, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Journée ajoutée."))
            return redirect("funding:action_days", pk=action.pk)
    return _days_page(request, action, add_form=form, status=400)


@admin_required
@require_POST
def action_day_delete(request: HttpRequest, pk: int, day_pk: int) -> HttpResponse:
    day = get_object_or_404(ActionDay, pk=day_pk, action_id=pk)
    try:
        day_services.action_day_delete(day=day)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("Journée supprimée."))
    return redirect("funding:action_days", pk=pk)


@admin_required
@require_POST
def action_days_generate(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(pk)
    created = day_services.action_generate_days(action=action)
    messages.success(
        request, ngettext("%(count)s journée ajoutée.", "%(count)s journées ajoutées.", created) % {"count": created}
    )
    return redirect("funding:action_days", pk=action.pk)


# --- participants ----------------------------------------------------------------------


@sensitive_post_parameters("cin", "cnss_number")
@admin_required
@require_http_methods(["GET", "POST"])
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(pk)
    search = ParticipantSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    form = ParticipantAddForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            participant = participant_services.participant_add(
                action=action,
                learner=form.learner,
                cin=data["cin"],
                cnss_number=data["cnss_number"],
                category=data["category"],
                funding_status=data["funding_status"],
                enrol_in_course=data["enrol_in_course"],
                by=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            name = participant.learner.get_full_name() or participant.learner.email
            messages.success(request, _("%(name)s est inscrit·e à l'action.") % {"name": name})
            return redirect("funding:action_detail", pk=action.pk)
    context = {
        "action": action,
        "form": form,
        "search": search,
        "matches": selectors.user_search(query),
        "query": query,
    }
    return render(request, "funding/participant_add.html", context, status=_status(form))


def _participant_page(
    request: HttpRequest, participant: Participant, *, form=None, status_form=None, status: int = 200
):
    initial = {"cin": participant.cin, "cnss_number": participant.cnss_number, "category": participant.category}
    allowed = participant_services.ALLOWED_TRANSITIONS[participant.funding_status]
    status_form = status_form or StatusForm()
    status_form.fields["to_status"].choices = [
        (v, label) for v, label in Participant.FundingStatus.choices if v in allowed
    ]
    attendance = selectors.attendance_by_participant(participant.action).get(participant.pk)
    context = {
        "participant": participant,
        "action": participant.action,
        "form": form or ParticipantEditForm(initial=initial),
        "status_form": status_form,
        "history": participant.status_changes.all(),
        "attendance": attendance,
    }
    return render(request, "funding/participant_detail.html", context, status=status)


@sensitive_post_parameters("cin", "cnss_number")
@admin_required
@require_http_methods(["GET", "POST"])
def participant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    participant = _participant(pk)
    if request.method == "POST":
        form = ParticipantEditForm(request.POST)
        if form.is_valid():
            try:
                participant_services.participant_update(participant=participant, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Participant mis à jour."))
                return redirect("funding:participant_edit", pk=participant.pk)
        return _participant_page(request, participant, form=form, status=400)
    return _participant_page(request, participant)


@admin_required
@require_POST
def participant_status(request: HttpRequest, pk: int) -> HttpResponse:
    participant = _participant(pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            participant_services.participant_set_status(
                participant=participant,
                to_status=form.cleaned_data["to_status"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Statut du financement mis à jour."))
            return redirect("funding:participant_edit", pk=participant.pk)
    return _participant_page(request, participant, status_form=form, status=400)


# --- attendance -----------------------------------------------------------------------


def _grid_page(request: HttpRequest, action: TrainingAction, *, status: int = 200) -> HttpResponse:
    settings = FundingSettings.load()
    slots, rows = selectors.attendance_grid(action, settings=settings)
    dates = []
    for slot in slots:
        if not dates or dates[-1]["date"] != slot.date:
            dates.append({"date": slot.date, "span": 0})
        dates[-1]["span"] += 1
    context = {
        "action": action,
        "slots": slots,
        "rows": rows,
        "dates": dates,
        "settings": settings,
        "platform_minutes": settings.platform_seconds_per_half_day // 60,
    }
    return render(request, "funding/attendance_grid.html", context, status=status)


@require_http_methods(["GET", "POST"])
def attendance_grid(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    action = _action(pk)
    if not selectors.can_record_attendance(request.user, action):
        raise PermissionDenied(_("Seuls les administrateurs et les formateurs de l'action saisissent les présences."))
    if request.method == "POST":
        try:
            marks = parse_attendance_post(request.POST, all_present_date=request.POST.get("all_present", ""))
            written = attendance_services.attendance_save(action=action, marks=marks, by=request.user)
        except ValidationError as error:
            _show_errors(request, error)
            return _grid_page(request, action, status=400)
        messages.success(
            request,
            ngettext(
                "Présences enregistrées (%(count)s case modifiée).",
                "Présences enregistrées (%(count)s cases modifiées).",
                written,
            )
            % {"count": written},
        )
        return redirect("funding:attendance_grid", pk=action.pk)
    return _grid_page(request, action)


@admin_required
@require_POST
def attendance_derive(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(pk)
    try:
        present = attendance_services.attendance_derive_from_platform(action=action, by=request.user)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "Présences déduites du temps passé sur la plateforme : %(count)s demi-journée présente.",
                "Présences déduites du temps passé sur la plateforme : %(count)s demi-journées présentes.",
                present,
            )
            % {"count": present},
        )
    return redirect("funding:attendance_grid", pk=action.pk)


# --- dossier ------------------------------------------------------------------------


@admin_required
@require_GET
def dossier(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(pk)
    items = selectors.dossier_checklist(action)
    context = {
        "action": action,
        "items": items,
        "progress": selectors.dossier_progress(items),
        "statuses": DossierDocument.Status.choices,
        "deadline": selectors.action_deadline(action),
    }
    return render(request, "funding/dossier.html", context)


@admin_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Le formulaire envoyé est incomplet : rechargez la page."))
        return redirect("funding:dossier", pk=action.pk)
    required = get_object_or_404(RequiredDocument, pk=form.cleaned_data["required_id"])
    participant_id = form.cleaned_data.get("participant_id")
    participant = get_object_or_404(Participant, pk=participant_id, action=action) if participant_id else None
    try:
        dossier_services.document_update(
            action=action,
            required=required,
            participant=participant,
            status=form.cleaned_data["status"] or None,
            upload=form.cleaned_data["file"],
            by=request.user,
        )
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("Pièce « %(label)s » mise à jour.") % {"label": required.label})
    return redirect("funding:dossier", pk=action.pk)


@admin_required
@require_GET
def document_file(request: HttpRequest, pk: int) -> FileResponse:
    document = get_object_or_404(DossierDocument, pk=pk)
    if not document.file:
        raise Http404
    content_type = mimetypes.guess_type(document.file.name)[0] or "application/octet-stream"
    response = FileResponse(
        document.file.open("rb"), content_type=content_type, filename=document.file.name.rsplit("/", 1)[-1]
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _mark_generated(
    request: HttpRequest, action: TrainingAction, kind: str, participant: Participant | None = None
) -> None:
    """A POST (the dossier's "generate" button) also moves the checklist item to "prepared"."""
    if request.method == "POST":
        dossier_services.document_mark_generated(action=action, kind=kind, participant=participant, by=request.user)


@admin_required
@require_http_methods(["GET", "POST"])
def pdf_attendance_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(pk)
    content = pdf.attendance_sheet_pdf(action)
    _mark_generated(request, action, "attendance_sheet")
    return _pdf_response(content, f"liste-de-presence-{action.pk}-{slugify(action.title)[:40]}.pdf")


@admin_required
@require_http_methods(["GET", "POST"])
def pdf_evaluation_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    participant = _participant(pk)
    content = pdf.evaluation_sheet_pdf(participant)
    _mark_generated(request, participant.action, "evaluation_sheet", participant)
    return _pdf_response(content, f"evaluation-{participant.action_id}-{participant.pk}.pdf")


@admin_required
@require_http_methods(["GET", "POST"])
def pdf_attestation(request: HttpRequest, pk: int) -> HttpResponse:
    participant = _participant(pk)
    row = selectors.attendance_by_participant(participant.action)[participant.pk]
    scheduled = participant.action.days.aggregate(total=Sum("morning_hours") + Sum("afternoon_hours"))["total"] or 0
    content = pdf.attestation_pdf(participant, hours_attended=row.hours_attended, hours_scheduled=scheduled)
    _mark_generated(request, participant.action, "attestation", participant)
    return _pdf_response(content, f"attestation-{participant.action_id}-{participant.pk}.pdf")


# --- filing ---------------------------------------------------------------------------


@admin_required
@require_POST
def action_mark_filed(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(pk)
    form = FiledForm(request.POST)
    if form.is_valid():
        try:
            filing_services.action_mark_filed(
                action=action,
                filed_on=form.cleaned_data["filed_on"],
                override_reason=form.cleaned_data["override_reason"],
                by=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Dossier marqué comme déposé."))
            return redirect("funding:action_detail", pk=action.pk)
    # What was typed (date, reason) stays in the form, with the reason it was refused.
    return _detail_page(request, _action(pk), filed_form=form, status=400)


@admin_required
@require_POST
def action_mark_reimbursed(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(pk)
    form = ReimbursedForm(request.POST)
    if form.is_valid():
        try:
            filing_services.action_mark_reimbursed(
                action=action,
                reimbursed_on=form.cleaned_data["reimbursed_on"],
                amount=form.cleaned_data["amount"],
                by=request.user,
            )
        except ValidationError as error:
            _show_errors(request, error)
        else:
            messages.success(request, _("Remboursement enregistré."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("funding:action_detail", pk=action.pk)
