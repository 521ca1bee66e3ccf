"""Where each role lands after signing in (and on the home page): where its work is."""

from __future__ import annotations

from django.urls import reverse


def landing_url(user) -> str:
    """Learners: their courses; trainers: their review queue; administrators: the funding dashboard."""
    if user.is_admin:
        return reverse("funding:dashboard")
    if user.is_trainer:
        return reverse("labs:trainer_dashboard")
    return reverse("courses:dashboard")
