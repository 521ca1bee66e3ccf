"""CSV and XLSX exports of enrolments and attendance, streamed for large sets.

CIN and CNSS numbers leave the platform only when the admin ticks the box;
each such export writes an audit line (who, what, when, which filters), never
the identifiers themselves.
"""

from __future__ import annotations

import logging
import tempfile

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from funding.exports import ExportFormat, build_export, csv_chunks, export_row_count, write_xlsx
from funding.forms_exports import ExportForm
from funding.models import FundingSettings
from funding.permissions import admin_required

audit_logger = logging.getLogger("funding.audit")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Above this size the XLSX being built spills from memory to a temporary file.
XLSX_SPOOL_BYTES = 8 * 1024 * 1024


def _audit(request: HttpRequest, *, kind: str, file_format: str, rows: int, filters_text: str) -> None:
    audit_logger.info(
        "funding export with personal identifiers (CIN, CNSS): user_id=%s kind=%s format=%s rows=%s %s",
        request.user.pk,
        kind,
        file_format,
        rows,
        filters_text,
    )


def _csv_response(export, *, separator: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_chunks(export.columns, export.rows, separator=separator), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{export.basename}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _xlsx_response(export) -> FileResponse:
    # openpyxl writes a zip that needs seeking, so it cannot write to the socket; the finished
    # file is then sent in blocks by FileResponse (which closes, hence deletes, the temporary file).
    target = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # noqa: SIM115 (closed by FileResponse)
    write_xlsx(
        export.columns,
        export.rows,
        target,
        sheet_title=_("Présences") if export.kind == "attendance" else _("Inscriptions"),
    )
    target.seek(0)
    response = FileResponse(target, as_attachment=True, filename=f"{export.basename}.xlsx", content_type=XLSX_TYPE)
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@admin_required
def export(request: HttpRequest) -> HttpResponse:
    """GET shows the form (pre-filled from the query string); POST downloads the file."""
    if request.method == "GET":
        return render(request, "funding/export.html", {"form": ExportForm(initial=request.GET.dict())})
    form = ExportForm(request.POST)
    if not form.is_valid():
        return render(request, "funding/export.html", {"form": form}, status=400)
    kind, file_format = form.cleaned_data["kind"], form.cleaned_data["format"]
    filters = form.to_filter()
    rows = export_row_count(kind, filters)
    if rows == 0:
        return render(request, "funding/export.html", {"form": form, "empty": True})
    if filters.include_identifiers:
        _audit(request, kind=kind, file_format=file_format, rows=rows, filters_text=filters.describe())
    built = build_export(kind, filters, settings=FundingSettings.load())
    if file_format == ExportFormat.CSV:
        return _csv_response(built, separator=form.cleaned_data["sep"])
    return _xlsx_response(built)
