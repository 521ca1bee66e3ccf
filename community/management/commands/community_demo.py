"""Gives the demo courses' labs a peer-review grid (the template, in each course's language); idempotent."""

from django.core.management.base import BaseCommand
from django.utils import translation

from community.models import RubricCriterion
from community.services.reviews import rubric_from_template
from courses.api import Course
from labs.api import labs_of_course


class Command(BaseCommand):
    help = "Start a peer-review grid on each lab of the given courses (by slug) that has none yet."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="+")

    def handle(self, *args, **options):
        for course in Course.objects.filter(slug__in=options["slugs"]):
            with translation.override(course.language):
                for lab in labs_of_course(course):
                    if not RubricCriterion.objects.filter(lab=lab).exists():
                        rubric_from_template(lab=lab)
            self.stdout.write(f"Peer-review grids ready: {course.title}")
