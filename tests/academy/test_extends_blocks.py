"""academy.templatetags.extends_blocks: Django's inheritance, the root layout's blocks listed once."""

from __future__ import annotations

import pytest
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import NodeList
from django.template.loader_tags import ExtendsNode

from academy.templatetags.extends_blocks import ExtendsNodeWithRootBlocks

TEMPLATES = {
    "root.html": "<title>{% block title %}Academy{% endblock %}</title>"
    "{% if wide %}<main class=wide>{% else %}<main>{% endif %}{% block content %}{% endblock %}</main>",
    "section.html": "{% extends 'root.html' %}{% block title %}Cours · {{ block.super }}{% endblock %}"
    "{% block content %}<nav>{% block nav %}plan{% endblock %}</nav>{% endblock %}",
    "page.html": "{% extends 'section.html' %}{% block nav %}{{ block.super }} → {{ step }}{% endblock %}",
}


def _engine(templates=TEMPLATES) -> Engine:
    # Cached, as in production: each template is compiled once and its object kept.
    return Engine(
        loaders=[("django.template.loaders.cached.Loader", [("django.template.loaders.locmem.Loader", templates)])],
        builtins=["academy.templatetags.extends_blocks"],
    )


def test_the_tag_replaces_djangos_and_inherits_as_it_does():
    engine = _engine()
    page = engine.get_template("page.html")
    assert isinstance(page.nodelist[0], ExtendsNodeWithRootBlocks)
    stock = Engine(loaders=[("django.template.loaders.locmem.Loader", TEMPLATES)])
    context = {"step": "Leçon 2", "wide": True}
    expected = stock.get_template("page.html").render(Context(context))
    assert page.render(Context(context)) == expected
    assert expected == "<title>Cours · Academy</title><main class=wide><nav>plan → Leçon 2</nav></main>"


def test_the_root_layout_is_walked_once_then_its_blocks_are_remembered(monkeypatch):
    engine = _engine()
    page = engine.get_template("page.html")
    page.render(Context({"step": 1}))
    walks = []
    original = NodeList.get_nodes_by_type
    monkeypatch.setattr(NodeList, "get_nodes_by_type", lambda self, t: walks.append(t) or original(self, t))
    for step in range(3):
        assert f"plan → {step}" in page.render(Context({"step": step}))
    assert walks == []


def test_an_edited_layout_is_a_new_template_with_its_own_blocks():
    first = _engine().get_template("page.html").render(Context({"step": 1}))
    edited = dict(
        TEMPLATES, **{"root.html": "<h1>{% block title %}{% endblock %}</h1>{% block content %}{% endblock %}"}
    )
    second = _engine(edited).get_template("page.html").render(Context({"step": 1}))
    assert first.startswith("<title>")
    assert second == "<h1>Cours · </h1><nav>plan → 1</nav>"


def test_extends_still_has_to_come_first():
    engine = _engine()
    with pytest.raises(TemplateSyntaxError):
        engine.from_string("{{ title }}{% extends 'root.html' %}")
    assert issubclass(ExtendsNodeWithRootBlocks, ExtendsNode)
