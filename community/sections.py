"""What community adds to step pages (courses.api step sections): the discussion, and on labs the gallery.

Called on every lesson, lab and attempt page: it only builds URLs (no query);
each section's body is loaded by htmx when it scrolls into view.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from academy.urls_memo import reverse
from courses.api import Step, StepSection


class CommunitySections:
    def sections_for(self, user, step: Step, context: Mapping[str, Any]) -> list[StepSection]:
        if not user.is_authenticated or step.kind not in (Step.Kind.LESSON, Step.Kind.LAB):
            return []
        sections = []
        if step.kind == Step.Kind.LAB:
            query = f"?{urlencode({'essai': context['attempt']})}" if context.get("attempt") else ""
            sections.append(
                StepSection(
                    key="gallery",
                    title=_("Galerie de la promotion et relectures"),
                    url=reverse("community:lab_panel", args=[step.pk]) + query,
                    lazy_url=reverse("community:lab_panel", args=[step.pk]) + query,
                    link_label=_("Partager un essai, voir ceux des autres, demander des relectures"),
                )
            )
        url = reverse("community:discussion", args=[step.pk])
        sections.append(
            StepSection(
                key="discussion",
                title=_("Discussion"),
                url=url,
                lazy_url=url,
                link_label=_("Lire la discussion et poser une question"),
            )
        )
        return sections
