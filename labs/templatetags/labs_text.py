from collections.abc import Iterable

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def quoted_list(texts: Iterable[str]) -> str:
    """Each text in the page language's quotes (« … » in French, “…” in English), comma-separated."""
    return ", ".join(_("« %(text)s »") % {"text": text} for text in texts)
