"""Writes of the employers whose staff an action trains: their identifiers are stored normalised."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from funding.models import Company
from funding.validators import normalise_identifier

logger = logging.getLogger(__name__)

COMPANY_IDENTIFIERS = ("ice", "rc", "if_number", "patente", "cnss_affiliation")


def _normalised_company_fields(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: normalise_identifier(value) if key in COMPANY_IDENTIFIERS else value for key, value in fields.items()}


@transaction.atomic
def company_create(*, by, **fields: Any) -> Company:
    company = Company(**_normalised_company_fields(fields))
    company.full_clean()
    company.save()
    logger.info("funding company created id=%s by=%s", company.pk, getattr(by, "pk", None))
    return company


@transaction.atomic
def company_update(*, company: Company, by, **fields: Any) -> Company:
    for key, value in _normalised_company_fields(fields).items():
        setattr(company, key, value)
    company.full_clean()
    company.save()
    logger.info("funding company updated id=%s by=%s", company.pk, getattr(by, "pk", None))
    return company
