"""academy.urls_memo: remembered links are exactly Django's, per language and URLconf."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse as django_reverse
from django.utils import translation

from academy import urls_memo


def test_a_remembered_link_is_djangos_link():
    for args in ([], ["un-cours"], ["un-cours", 12]):
        name = {0: "courses:catalogue", 1: "courses:detail", 2: "courses:step"}[len(args)]
        assert urls_memo.reverse(name, args=args) == django_reverse(name, args=args)
        assert urls_memo.reverse(name, args=args) == django_reverse(name, args=args)  # remembered


def test_links_follow_the_active_language():
    with translation.override("fr"):
        french = urls_memo.reverse("courses:catalogue")
    with translation.override("en"):
        english = urls_memo.reverse("courses:catalogue")
        assert english == django_reverse("courses:catalogue")
    with translation.override("fr"):
        assert urls_memo.reverse("courses:catalogue") == french == django_reverse("courses:catalogue")


def test_a_changed_urlconf_is_not_served_old_links():
    before = urls_memo.reverse("courses:catalogue")
    with override_settings(ROOT_URLCONF="bench.urls_with_minimal"):
        assert urls_memo.reverse("bench_minimal") == django_reverse("bench_minimal")
    assert urls_memo.reverse("courses:catalogue") == before


def test_the_url_tag_of_every_template_uses_it():
    rendered = Template("{% url 'courses:detail' slug %}|{% url 'courses:detail' slug as link %}{{ link }}").render(
        Context({"slug": "un-cours"})
    )
    expected = django_reverse("courses:detail", args=["un-cours"])
    assert rendered == f"{expected}|{expected}"
    assert urls_memo._remembered.cache_info().currsize > 0


def test_arguments_that_are_not_plain_are_reversed_every_time():
    class Slug(str):
        pass

    with pytest.raises(Exception):  # noqa: B017, PT011 (Django's own NoReverseMatch, unchanged)
        urls_memo.reverse("courses:detail", args=[object()])
    assert urls_memo.reverse("courses:detail", args=[Slug("un-cours")]) == django_reverse(
        "courses:detail", args=["un-cours"]
    )
