"""Markdown rendering is sanitised, and the live preview endpoint returns the same safe HTML."""

from __future__ import annotations

import pytest
from django.urls import reverse

from courses.markdown import render_markdown
from tests.factories import TrainerFactory, UserFactory


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("<script>alert(1)</script>", "alert(1)"),
        ('<img src="/cours/images/1/" onerror="alert(1)">', "onerror"),
        ("[x](javascript:alert(1))", "javascript:"),
        ('<iframe src="https://evil.example/"></iframe>', "<iframe"),
        ('<a href="/x" style="position:fixed">x</a>', "style="),
        ('<a href="/x" onclick="steal()">x</a>', "onclick"),
        ("<form action=/x><input name=p></form>", "<input"),
        ("<object data=x></object><embed src=x>", "<embed"),
        ("![x](data:image/svg+xml;base64,PHN2Zz4=)", "data:"),
        ("![x](http://tracker.example/pixel.png)", "http://tracker"),
    ],
)
def test_render_markdown_removes_dangerous_markup(source, forbidden):
    assert forbidden not in render_markdown(source)


def test_render_markdown_keeps_formatting_tables_code_and_safe_links():
    html = render_markdown(
        "## Plan\n\n**gras** [doc](https://ex.ma/a) ![cadre](/cours/images/4/)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nprompt\n```"
    )
    assert "<h2>Plan</h2>" in html and "<strong>gras</strong>" in html
    assert '<a href="https://ex.ma/a" rel="noopener noreferrer">doc</a>' in html
    assert '<img alt="cadre" src="/cours/images/4/">' in html
    assert "<table>" in html and "<pre><code>prompt" in html


def test_render_markdown_of_empty_text_is_empty():
    assert render_markdown("") == ""


@pytest.mark.django_db
def test_preview_endpoint_returns_sanitised_partial(client):
    client.force_login(TrainerFactory())
    response = client.post(
        reverse("courses:authoring_markdown_preview"),
        {
            "_md_field": "body",
            "body": "**ok** <script>x()</script> <img src=x onerror=alert(1)> [a](javascript:alert(1))",
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>ok</strong>" in html
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert "<html" not in html


@pytest.mark.django_db
def test_preview_endpoint_is_for_trainers_only(client):
    client.force_login(UserFactory())
    assert (
        client.post(reverse("courses:authoring_markdown_preview"), {"_md_field": "body", "body": "x"}).status_code
        == 403
    )


@pytest.mark.django_db
def test_markdown_textarea_is_wired_to_the_live_preview(client):
    client.force_login(TrainerFactory())
    page = client.get(reverse("courses:authoring_course_create")).content.decode()
    assert f'hx-post="{reverse("courses:authoring_markdown_preview")}"' in page
    assert 'hx-trigger="keyup changed delay:500ms"' in page
    assert 'hx-target="#id_description-preview"' in page and 'id="id_description-preview"' in page
