"""How funding writes dates in its messages, mails and PDF documents."""

from __future__ import annotations

import datetime

from django.utils.formats import date_format


def short_date(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")
