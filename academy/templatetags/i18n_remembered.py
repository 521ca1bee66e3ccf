"""Django's ``i18n`` tag library, with ``{% translate "a literal" %}`` remembered per language.

Each ``{% translate %}`` builds a lazy translation object, looks the message up in the language's
catalogue and escapes the result: about 6 µs, thirty times on a lab page. A literal message's
output depends only on the language and on autoescaping, and catalogues do not change while the
process runs, so each tag keeps its output per language. Messages held in variables, filtered
messages and ``as`` variables go through Django's tag unchanged. Development's autoreloader reloads
the catalogues when a ``.mo`` file changes; remembered outputs are dropped then too.

Registered under the name ``i18n`` (settings ``TEMPLATES``, ``libraries``): every ``{% load i18n %}``
gets Django's tags and filters, with this ``translate``.
"""

from __future__ import annotations

from django import template
from django.template.base import Variable
from django.templatetags import i18n as django_i18n
from django.utils import translation
from django.utils.autoreload import file_changed

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)

# Bumped when a catalogue is reloaded: each tag's remembered outputs belong to one generation.
_generation = 0


def _catalogue_changed(sender, file_path, **kwargs) -> None:
    global _generation
    if file_path.suffix == ".mo":
        _generation += 1


file_changed.connect(_catalogue_changed, dispatch_uid="academy-i18n-remembered")


def _is_constant(expression) -> bool:
    return expression is None or (isinstance(expression.var, str) and not expression.filters)


class RememberedTranslateNode(django_i18n.TranslateNode):
    def __init__(self, filter_expression, noop, asvar=None, message_context=None):
        super().__init__(filter_expression, noop, asvar, message_context)
        message = self.filter_expression.var
        self.remembers = (
            isinstance(message, Variable)
            and message.literal is not None
            and not self.filter_expression.filters
            and not asvar
            and _is_constant(message_context)
        )
        self.outputs: dict[tuple[str | None, bool, int], str] = {}

    def render(self, context) -> str:
        if not self.remembers:
            return super().render(context)
        key = (translation.get_language(), context.autoescape, _generation)
        try:
            return self.outputs[key]
        except KeyError:
            output = self.outputs[key] = super().render(context)
            return output


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token) -> RememberedTranslateNode:
    node = django_i18n.do_translate(parser, token)
    return RememberedTranslateNode(node.filter_expression, node.noop, node.asvar, node.message_context)
