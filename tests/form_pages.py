"""Fill a form as a browser would: read the page's fields, change some, post it (Django admin or site pages)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from django.test import Client


class _FormFields(HTMLParser):
    """The values a browser would submit for each POST form of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.data: dict[str, Any] = {}
        self._in_form = False
        self._select: str | None = None
        self._select_multiple = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._in_form = True
            self.data = {}
            self.forms.append((a, self.data))
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.data.setdefault(name, []).append(a.get("value", "on"))
                return
            self.data[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select, self._select_multiple = name, "multiple" in a
            if self._select_multiple:
                self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            if self._select_multiple:
                self.data[self._select].append(a.get("value", ""))
            else:
                self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea:
                self.data[self._textarea] = self.data[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def form_data(client: Client, url: str, *, containing: str = "", form_id_suffix: str = "") -> dict[str, Any]:
    """The fields, with their current values, of the POST form at ``url`` that has a field ``containing``
    (or whose id ends with ``form_id_suffix``)."""
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    parser = _FormFields()
    parser.feed(response.content.decode())
    for attrs, fields in parser.forms:
        if (containing and containing in fields) or (form_id_suffix and attrs.get("id", "").endswith(form_id_suffix)):
            data = {k: v for k, v in fields.items() if not (isinstance(v, list) and not v)}
            return {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in data.items()}
    raise AssertionError(f"no such form at {url}")


def admin_form_data(client: Client, url: str) -> dict[str, Any]:
    """The fields of the admin's main form (#…_form) at ``url`` with their current values."""
    return form_data(client, url, form_id_suffix="_form")


def admin_errors(response) -> str:
    """The error lists of an admin page, as text (empty when the save went through)."""
    body = response.content.decode()
    chunks = body.split('class="errorlist')[1:]
    return " | ".join(chunk.split("</ul>")[0] for chunk in chunks)
