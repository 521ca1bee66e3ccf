"""``{% backend_description alias %}``: which backend and model render a lab's videos."""

from django import template

from labs.backends import describe_backend

register = template.Library()


@register.simple_tag
def backend_description(alias: str) -> str:
    return describe_backend(alias)
