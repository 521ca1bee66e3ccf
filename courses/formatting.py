"""How a course's facts are written: its length in hours, its modules' headings."""

from __future__ import annotations

import re
from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def hours_label(hours: Decimal | float | int | None) -> str:
    """« 1 heure », « 7 heures », « 1,5 heures »: never « 1,0 heures »."""
    if hours is None:
        return "—"
    value = Decimal(str(hours))
    # Plural rules take integers: a fractional duration reads as a plural (« 1,5 heures », "1.5 hours").
    count = int(value) if value == value.to_integral_value() else 2
    return ngettext("%(hours)s heure", "%(hours)s heures", count) % {"hours": floatformat(value, "-1")}


def module_heading(number: int, title: str) -> str:
    """« Module 2 · Usages pros », or the title alone when the trainer numbered it (« Module 2 — Usages »)."""
    keyword = r"(?:module|chapitre|chapter|partie|part|séquence|sequence|unité|unit)\s*0*{n}(?!\d)"
    bare = r"0*{n}\s*[.):—–-]"
    if re.match(rf"^\W*(?:{keyword}|{bare})".format(n=number), title, re.I):
        return title
    return _("Module %(number)s · %(title)s") % {"number": number, "title": title}
