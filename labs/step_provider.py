"""What a course outline needs to know about a lab step (see courses.step_providers)."""

from academy.urls_memo import reverse
from courses.api import Step


class LabStepProvider:
    def url_for(self, step: Step) -> str:
        return reverse("labs:lab_for_step", args=[step.pk])

    def authoring_url_for(self, step: Step) -> str:
        return reverse("labs:authoring_lab_for_step", args=[step.pk])
