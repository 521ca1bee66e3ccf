"""Shared factory_boy factories for the whole suite."""

from __future__ import annotations

from collections.abc import Sequence

import factory
from django.utils import timezone

from academy.models import Organisation, User
from courses.models import (
    Choice,
    Course,
    Enrolment,
    Lesson,
    Module,
    Question,
    Quiz,
    Step,
    StepProgress,
    Tag,
)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Organisation {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"learner{n}@example.com")
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = "Apprenant"
    role = User.Role.LEARNER
    preferred_language = "fr"
    password = factory.django.Password("motdepasse-solide-42")

    class Params:
        trainer = factory.Trait(role=User.Role.TRAINER, email=factory.Sequence(lambda n: f"trainer{n}@example.com"))
        admin = factory.Trait(
            role=User.Role.ADMIN, is_staff=True, email=factory.Sequence(lambda n: f"admin{n}@example.com")
        )


class TrainerFactory(UserFactory):
    trainer = True


class AdminFactory(UserFactory):
    admin = True


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Tag {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"cours-{n}")
    title = factory.Sequence(lambda n: f"Cours {n}")
    summary = "Un cours pour apprendre à diriger une vidéo générée."
    language = "fr"
    status = Course.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    owner = factory.SubFactory(TrainerFactory)

    class Params:
        draft = factory.Trait(status=Course.Status.DRAFT, published_at=None)
        closed = factory.Trait(enrolment=Course.Enrolment.CLOSED)

    @factory.post_generation
    def tags(self, create: bool, extracted: Sequence[Tag] | None, **kwargs) -> None:
        if create and extracted:
            self.tags.set(extracted)


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Module {n}")
    position = factory.Sequence(lambda n: n)


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Step

    module = factory.SubFactory(ModuleFactory)
    kind = Step.Kind.LESSON
    title = factory.Sequence(lambda n: f"Étape {n}")
    position = factory.Sequence(lambda n: n)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    step = factory.SubFactory(StepFactory, kind=Step.Kind.LESSON)
    body = "# Titre\n\nUn paragraphe de **leçon**."


class QuestionFactory(factory.django.DjangoModelFactory):
    """A question with three choices; the first one (position 0) is correct.

    Pass ``choices=[("texte", True), ...]`` to set them explicitly.
    """

    class Meta:
        model = Question
        skip_postgeneration_save = True

    course = factory.SubFactory(CourseFactory)
    key = factory.Sequence(lambda n: f"question-{n}")
    kind = Question.Kind.SINGLE
    text = factory.Sequence(lambda n: f"Question {n} ?")
    explanation = "Parce que le mouvement de caméra se décrit explicitement."
    tags = factory.LazyFunction(list)

    @factory.post_generation
    def choices(self, create: bool, extracted: Sequence[tuple[str, bool]] | None, **kwargs) -> None:
        if not create:
            return
        spec = extracted or [("Bonne réponse", True), ("Mauvaise réponse A", False), ("Mauvaise réponse B", False)]
        Choice.objects.bulk_create(
            Choice(question=self, text=text, correct=correct, position=i) for i, (text, correct) in enumerate(spec)
        )


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz

    step = factory.SubFactory(StepFactory, kind=Step.Kind.QUIZ)
    pass_mark = 70
    max_attempts = 3
    draw_count = 5


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    user = factory.SubFactory(UserFactory)
    course = factory.SubFactory(CourseFactory)


def complete(user: User, step: Step, score: int | None = None) -> StepProgress:
    """Progress row of a completed step, written directly (no certificate side effect)."""
    progress, _created = StepProgress.objects.update_or_create(
        user=user, step=step, defaults={"completed_at": timezone.now(), "score": score}
    )
    return progress


def build_course(
    *,
    modules: int = 2,
    steps_per_module: int = 2,
    kinds: Sequence[str] = (Step.Kind.LESSON,),
    questions: int = 3,
    **course_fields,
) -> Course:
    """A published course of ``modules`` × ``steps_per_module`` steps cycling through ``kinds``.

    Lesson steps get a Lesson, quiz steps a Quiz drawing from a bank of
    ``questions`` questions; lab steps have no content here (labs owns it).
    """
    course = CourseFactory(**course_fields)
    if Step.Kind.QUIZ in kinds:
        for _ in range(questions):
            QuestionFactory(course=course)
    index = 0
    for m in range(modules):
        module = ModuleFactory(course=course, position=m, title=f"Module {m + 1}")
        for s in range(steps_per_module):
            kind = kinds[index % len(kinds)]
            index += 1
            step = StepFactory(module=module, kind=kind, position=s, title=f"Étape {m + 1}.{s + 1}")
            if kind == Step.Kind.LESSON:
                LessonFactory(step=step)
            elif kind == Step.Kind.QUIZ:
                QuizFactory(step=step, draw_count=questions)
    return course
