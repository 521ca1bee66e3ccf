"""The kinds of notification: what each says, to whom, and whether it is on by default.

academy never imports the apps above it, so each app registers its own kinds
in its ``AppConfig.ready()`` (labs: attempt graded, grade overridden, attempt
to review; courses: certificate earned; funding: dossier deadline). A
notification stores its kind's key and a small JSON ``data``; its text is
written when it is shown or mailed, in the language of whoever reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

Data = Mapping[str, Any]


def _no_body(data: Data) -> str:
    return ""


def _everyone(user: Any) -> bool:
    return True


@dataclass(frozen=True)
class NotificationKind:
    """One kind of notification.

    ``title(data)`` is the line shown in the list and the mail's subject;
    ``body(data)`` the detail under it and in the mail. Both run in the
    reader's language, with ``data["count"]`` set (see ``notify``'s ``key``).
    ``audience(user)`` says who gets it, so the profile only offers the
    switches that concern the user; ``in_site`` and ``by_mail`` are the
    defaults until the user changes them.
    """

    key: str
    label: Any  # the switch's label in the profile (lazy translation)
    title: Callable[[Data], str]
    body: Callable[[Data], str] = _no_body
    audience: Callable[[Any], bool] = _everyone
    in_site: bool = True
    by_mail: bool = True
    help: Any = field(default="")


_kinds: dict[str, NotificationKind] = {}


def register_kind(kind: NotificationKind) -> NotificationKind:
    """Make ``kind`` known (registering a key again replaces it, so ``ready()`` may run twice)."""
    _kinds[kind.key] = kind
    return kind


def get_kind(key: str) -> NotificationKind | None:
    return _kinds.get(key)


def kinds_for(user: Any) -> list[NotificationKind]:
    """The kinds ``user`` may receive, in registration order."""
    return [kind for kind in _kinds.values() if kind.audience(user)]


def unknown_title(data: Data) -> str:
    """The line of a notification whose kind is no longer registered."""
    return str(_("Notification"))
