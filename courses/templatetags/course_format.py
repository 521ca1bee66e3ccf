from django import template

from courses.formatting import hours_label, module_heading

register = template.Library()


@register.filter
def hours(value) -> str:
    """« 7 heures », « 1,5 heures »: a duration in hours with its unit, singular or plural."""
    return hours_label(value)


@register.filter
def module_title(title: str, number: int) -> str:
    """``{{ module.title|module_title:forloop.counter }}``: the heading of the module numbered ``number``."""
    return module_heading(number, title)
