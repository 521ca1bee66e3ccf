"""labs 0004: existing labs keep the ethics lesson they used to find by title, now as an explicit link."""

import importlib

import pytest
from django.apps import apps

from courses.models import Step
from labs.models import Lab
from tests.factories import ModuleFactory, StepFactory
from tests.labs.factories import LabFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("labs.migrations.0004_lab_ethics_step")


def test_a_lab_is_linked_to_its_courses_deepfakes_lesson():
    lab = LabFactory()
    module = ModuleFactory(course=lab.course, title="Éthique")
    StepFactory(module=module, position=0, kind=Step.Kind.LESSON, title="Les règles du jeu")
    deepfakes = StepFactory(module=module, position=1, kind=Step.Kind.LESSON, title="Les DÉEPFAKES expliqués")

    migration.link_existing_labs(apps, None)

    assert Lab.objects.get(pk=lab.pk).ethics_step == deepfakes


def test_without_a_deepfakes_lesson_the_ethics_modules_first_lesson_is_linked():
    lab = LabFactory()
    module = ModuleFactory(course=lab.course, title="Module 3 — Éthique et usages")
    first = StepFactory(module=module, position=0, kind=Step.Kind.LESSON, title="Les règles du jeu")
    StepFactory(module=module, position=1, kind=Step.Kind.LESSON, title="Droits d'auteur")

    migration.link_existing_labs(apps, None)

    assert Lab.objects.get(pk=lab.pk).ethics_step == first


def test_a_lab_without_such_lessons_stays_unlinked():
    lab = LabFactory()
    StepFactory(module=ModuleFactory(course=lab.course, title="Bases"), kind=Step.Kind.LESSON, title="Introduction")

    migration.link_existing_labs(apps, None)

    assert Lab.objects.get(pk=lab.pk).ethics_step is None
