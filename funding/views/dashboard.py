"""The funding dashboard: enrolments, hours and reimbursements at a glance, for administrators."""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from academy.htmx import wants_partial
from funding.dashboard import (
    DashboardFilter,
    funding_dashboard,
    reimbursement_by_company_chart,
    reimbursement_by_year_chart,
    status_chart,
)
from funding.forms_exports import DashboardFilterForm
from funding.permissions import admin_required


def _export_query(filters: DashboardFilter) -> QueryDict:
    """The export page's filters matching the dashboard's (a plan year becomes that calendar year of start dates)."""
    query = QueryDict(mutable=True)
    if filters.year:
        query["date_from"] = datetime.date(filters.year, 1, 1).isoformat()
        query["date_to"] = datetime.date(filters.year, 12, 31).isoformat()
    if filters.company:
        query["company"] = str(filters.company)
    if filters.status:
        query["status"] = filters.status
    return query


@require_GET
@admin_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form = DashboardFilterForm(request.GET or None)
    filters = form.to_filter()
    figures = funding_dashboard(filters)
    context = {
        "form": form,
        "dashboard": figures,
        "filters": filters,
        "export_query": _export_query(filters).urlencode(),
        "company_chart": reimbursement_by_company_chart(figures),
        "year_chart": reimbursement_by_year_chart(figures),
        "status_chart": status_chart(figures),
    }
    template = "funding/dashboard.html#results" if wants_partial(request) else "funding/dashboard.html"
    return render(request, template, context)
