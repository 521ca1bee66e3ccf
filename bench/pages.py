"""Learner pages against the limit of the stack: server time, throughput under 20 clients, the live coach.

Run from the repository root (PostgreSQL on 127.0.0.1:5432, ``wrk`` installed, ``REDIS_URL`` or
``redis-server``)::

    .venv/bin/python bench/pages.py [--reseed] [--workers 2 --threads 4] [--duration 8] [--pages lesson,lab]

Prints one JSON document on stdout; progress goes to stderr. About 2.5 minutes once seeded.

Setup: a dedicated database ``academy_bench_pages`` (``DATABASE_URL`` overrides it), seeded once with
bulk inserts (idempotent: reused when present): 50 courses x 8 modules x 6 steps (lessons, quizzes,
labs), 2,000 learners with enrolments and progress, funded training actions. gunicorn serves the site
with production settings (DEBUG off, Redis cache, cached_db sessions, whitenoise's manifest storage,
the language models preloaded) plus ``SERVER_TIMING=1``, which adds a ``Server-Timing`` header.

Per page (catalogue, course outline, lesson, lab page, learner home, live coach) and for the two
baselines of ``bench/urls_with_minimal.py`` (a view answering "ok", anonymous and ``login_required``):

- ``server_ms``: median of the server's own time (Server-Timing) over sequential requests, and
  ``server_cpu_ms``, the request thread's CPU time (steadier when other work shares the cores);
- ``rps``, ``p50_ms``, ``p95_ms``: ``wrk`` with 20 connections, rotating over 20 learners' sessions;
- ``queries``: SQL queries of one warm request, counted in process;
- ``ratio_to_minimal_signed_in``: each figure divided by the signed-in minimal view's, measured
  alongside the page (``minimal_signed_in_alongside``): its sequential requests in blocks of 30
  alternating with the page's, its load runs in 2-second slots alternating with the page's. A shared
  machine's speed drifts by tens of percent within minutes; a baseline measured once at the start
  would mix that drift into every ratio. The ``minimal_signed_in`` entry keeps the baseline measured
  on its own.

Targets (issue #17): see ``TARGETS``; ``all_meet_target`` is true when every learner page and the
coach meet theirs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from _support import (
    Gunicorn,
    PrivateRedis,
    configure_environment,
    ensure_database,
    log,
    percentile,
    setup_django,
)

DATABASE_NAME = "academy_bench_pages"
COURSES, MODULES_PER_COURSE, STEPS_PER_MODULE = 50, 8, 6
LEARNERS = 2000
ENROLMENTS_PER_LEARNER = 3
CLIENTS = 20
TARGET_SHARE, TARGET_P95_MS = 0.40, 150.0
TARGET = "each page >= 40% of baseline rps and p95 <= 150 ms"
# Per module: four lessons, a quiz and a lab.
MODULE_PATTERN = ("lesson", "lesson", "quiz", "lesson", "lab", "lesson")
BENCH_EMAIL_DOMAIN = "bench.academy"


# --- seeding -------------------------------------------------------------------

SENTENCES = [
    "Un prompt vidéo efficace décrit d'abord le sujet, puis l'action, puis le décor.",
    "La caméra est un personnage à part entière : précisez si elle avance, tourne autour du sujet ou reste fixe.",
    "Une lumière rasante de fin de journée donne du relief aux textures et réchauffe la palette.",
    "Les modèles texte-vidéo comprennent mieux une phrase concrète qu'une liste d'adjectifs vagues.",
    "Indiquez la durée et le format dès le départ : un 9:16 pour les réseaux sociaux, un 16:9 pour un site.",
    "Évitez de demander plusieurs plans dans un même prompt ; générez-les séparément puis montez-les.",
    "Le style visuel se décrit par des références techniques : focale, profondeur de champ, grain, étalonnage.",
    "Une marque reconnaissable ou le visage d'une personne réelle ne doivent jamais apparaître sans autorisation.",
    "Relisez chaque prompt comme un directeur de la photographie lirait un découpage technique.",
    "Les mouvements lents rendent mieux que les mouvements brusques, qui produisent souvent des artefacts.",
    "Décrivez ce que l'on doit voir, pas ce que l'on doit ressentir : l'émotion naît de l'image.",
    "Un négatif de prompt sert à écarter ce que le modèle ajoute trop volontiers, comme du texte incrusté.",
    "Pour un produit, montrez la matière : le verre qui brille, le tissu qui bouge, la vapeur qui monte.",
    "Testez une version courte en brouillon avant de lancer un rendu final plus long et plus coûteux.",
    "Notez la graine utilisée : la même graine et le même prompt redonnent la même vidéo.",
    "Le rythme d'un plan dépend autant du sujet que du mouvement de caméra choisi.",
]
HEADINGS = ["Pourquoi c'est important", "Les éléments du prompt", "Exemple commenté", "Erreurs fréquentes", "À retenir"]


def lesson_body(rng: random.Random) -> str:
    """About 600 words of Markdown: headings, paragraphs, a list and a quoted prompt."""
    parts = []
    for heading in HEADINGS:
        parts.append(f"## {heading}")
        for _ in range(2):
            parts.append(" ".join(rng.sample(SENTENCES, 4)))
        if heading == "Les éléments du prompt":
            parts.append(
                "\n".join(
                    f"- **{word}** : {rng.choice(SENTENCES)}" for word in ("Sujet", "Action", "Caméra", "Lumière")
                )
            )
        if heading == "Exemple commenté":
            parts.append("> " + " ".join(rng.sample(SENTENCES, 2)))
    return "\n\n".join(parts)


@dataclass(frozen=True)
class SeedCounts:
    courses: int
    modules: int
    steps: int
    lessons: int
    quizzes: int
    labs: int
    learners: int
    enrolments: int
    step_progress: int
    training_actions: int
    participants: int


def seed_counts() -> SeedCounts:
    from academy.models import User
    from courses.models import Course, Enrolment, Lesson, Module, Quiz, Step, StepProgress
    from funding.models import Participant, TrainingAction
    from labs.models import Lab

    return SeedCounts(
        courses=Course.objects.count(),
        modules=Module.objects.count(),
        steps=Step.objects.count(),
        lessons=Lesson.objects.count(),
        quizzes=Quiz.objects.count(),
        labs=Lab.objects.count(),
        learners=User.objects.filter(role=User.Role.LEARNER).count(),
        enrolments=Enrolment.objects.count(),
        step_progress=StepProgress.objects.count(),
        training_actions=TrainingAction.objects.count(),
        participants=Participant.objects.count(),
    )


def already_seeded() -> bool:
    from academy.models import User

    return User.objects.filter(email=f"admin@{BENCH_EMAIL_DOMAIN}").exists()


def seed_site(rng: random.Random) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from academy.models import User

    # Hashing 2,000 passwords would dominate the seeding: every bench account shares one hash.
    password = make_password("bench-academy-2026")
    with transaction.atomic():
        trainer = User.objects.create(
            email=f"formatrice@{BENCH_EMAIL_DOMAIN}",
            first_name="Salma",
            last_name="Bennani",
            role=User.Role.TRAINER,
            password=password,
        )
        User.objects.create(
            email=f"admin@{BENCH_EMAIL_DOMAIN}",
            first_name="Admin",
            last_name="Bench",
            role=User.Role.ADMIN,
            is_staff=True,
            is_superuser=True,
            password=password,
        )
        courses = _seed_courses(rng, trainer, timezone.now())
        learners = User.objects.bulk_create(
            User(
                email=f"learner{i:04d}@{BENCH_EMAIL_DOMAIN}",
                first_name=f"Apprenant{i}",
                last_name=f"Nom{i % 97}",
                password=password,
                preferred_language="en" if i % 5 == 0 else "fr",
            )
            for i in range(LEARNERS)
        )
        enrolled = _seed_learning(rng, courses, learners)
        _seed_funding(rng, courses, enrolled)


def learner_course_indexes(learner_index: int) -> list[int]:
    return [(learner_index + offset) % COURSES for offset in (0, 17, 33)][:ENROLMENTS_PER_LEARNER]


def _seed_courses(rng: random.Random, trainer, now) -> list:
    from courses.models import Choice, Course, Lesson, Module, Question, Quiz, Step, Tag
    from labs.models import Criterion, Lab

    tags = Tag.objects.bulk_create(
        Tag(name=name, slug=name.lower())
        for name in ("Marketing", "E-commerce", "Formation", "Communication", "Éthique", "Réseaux", "Produit", "Image")
    )
    levels = [c[0] for c in Course.Level.choices]
    courses = Course.objects.bulk_create(
        Course(
            slug=f"bench-cours-{i:02d}",
            title=f"Vidéo IA pour les pros — volume {i:02d}",
            language="en" if i % 10 == 9 else "fr",
            level=levels[i % 3],
            summary="Écrire des prompts qui dirigent un modèle texte-vidéo, et s'en servir avec éthique.",
            description=lesson_body(rng)[:1500],
            prerequisites="Aucun.",
            duration_hours=Decimal("6.0"),
            status=Course.Status.PUBLISHED,
            owner=trainer,
            published_at=now,
        )
        for i in range(COURSES)
    )
    Course.tags.through.objects.bulk_create(
        Course.tags.through(course_id=course.pk, tag_id=tags[(i + k) % len(tags)].pk)
        for i, course in enumerate(courses)
        for k in (0, 3)
    )
    modules = Module.objects.bulk_create(
        Module(course=course, title=f"Module {m + 1} : du brief au plan", summary="Un module du parcours.", position=m)
        for course in courses
        for m in range(MODULES_PER_COURSE)
    )
    steps = Step.objects.bulk_create(
        Step(
            module=module, kind=kind, title=f"{kind.capitalize()} {module.position + 1}.{s + 1}", position=s, minutes=10
        )
        for module in modules
        for s, kind in enumerate(MODULE_PATTERN)
    )
    Lesson.objects.bulk_create(
        (Lesson(step=step, body=lesson_body(rng)) for step in steps if step.kind == "lesson"), batch_size=500
    )
    Quiz.objects.bulk_create(Quiz(step=step, pass_mark=70, draw_count=5) for step in steps if step.kind == "quiz")
    questions = Question.objects.bulk_create(
        Question(
            course=course,
            key=f"q{q}",
            text=f"Question {q + 1} : quel élément manque à ce prompt ?",
            explanation="Relisez la leçon.",
        )
        for course in courses
        for q in range(10)
    )
    Choice.objects.bulk_create(
        Choice(question=question, text=f"Réponse {c + 1}", correct=c == 0, position=c)
        for question in questions
        for c in range(4)
    )
    labs = Lab.objects.bulk_create(
        Lab(
            step=step,
            slug=f"bench-labo-{step.pk}",
            brief=lesson_body(rng)[:900],
            duration_s=Decimal("5"),
            aspect_ratio=Lab.AspectRatio.LANDSCAPE,
            pass_mark=60,
            max_attempts=5,
            reference_prompt="Gros plan sur un flacon d'huile d'argan, travelling avant lent, lumière dorée.",
        )
        for step in steps
        if step.kind == "lab"
    )
    Criterion.objects.bulk_create(
        criterion
        for lab in labs
        for criterion in (
            Criterion(lab=lab, kind="anatomy", element="subject", label="Sujet", weight=25, position=0),
            Criterion(lab=lab, kind="anatomy", element="camera", label="Mouvement de caméra", weight=25, position=1),
            Criterion(
                lab=lab, kind="must_mention", label="Le produit", terms=["flacon", "bottle"], weight=20, position=2
            ),
            Criterion(lab=lab, kind="video", video_check="motion", label="Mouvement visible", weight=15, position=3),
            Criterion(lab=lab, kind="policy", label="Éthique", weight=15, position=4),
        )
    )
    return courses


def _seed_learning(rng: random.Random, courses, learners) -> dict[int, list]:
    """Enrolments and progress; returns the learners enrolled in each course (by course pk)."""
    from django.utils import timezone

    from courses.models import Enrolment, Step, StepProgress

    now = timezone.now()
    steps_by_course: dict[int, list[Step]] = {course.pk: [] for course in courses}
    for step in Step.objects.select_related("module").order_by("module__course_id", "module__position", "position"):
        steps_by_course[step.module.course_id].append(step)
    enrolments, progress = [], []
    enrolled: dict[int, list] = {course.pk: [] for course in courses}
    for index, learner in enumerate(learners):
        for course_index in learner_course_indexes(index):
            course = courses[course_index]
            enrolments.append(
                Enrolment(user=learner, course=course, enrolled_at=now - timedelta(days=rng.randint(1, 200)))
            )
            enrolled[course.pk].append(learner)
            done = rng.randint(0, len(steps_by_course[course.pk]))
            for step in steps_by_course[course.pk][:done]:
                score = rng.randint(50, 100) if step.kind != "lesson" else None
                progress.append(
                    StepProgress(
                        user=learner,
                        step=step,
                        completed_at=now,
                        score=score,
                        seconds_on_page=rng.randint(30, 900),
                        last_seen_at=now,
                    )
                )
    Enrolment.objects.bulk_create(enrolments, batch_size=2000)
    StepProgress.objects.bulk_create(progress, batch_size=5000)
    return enrolled


def _seed_funding(rng: random.Random, courses, enrolled: dict[int, list]) -> None:
    from funding.models import (
        ActionDay,
        ActionType,
        Attendance,
        Company,
        DossierDocument,
        FundingScheme,
        FundingSettings,
        Participant,
        RequiredDocument,
        TrainingAction,
    )

    FundingSettings.load()
    scheme = FundingScheme.objects.create(
        name="Plan de formation (bench)",
        action_type=ActionType.PLANNED,
        rate_percent=Decimal("70"),
        ceiling_per_participant=Decimal("4000"),
        valid_from=date(2025, 1, 1),
    )
    companies = Company.objects.bulk_create(
        Company(
            legal_name=f"Entreprise Bench {i}",
            ice=f"{i + 1:015d}",
            city=("Casablanca", "Rabat", "Tanger", "Agadir")[i % 4],
            sector="Commerce",
            headcount_employes=40 + i,
            tfp_up_to_date=True,
            cnss_up_to_date=True,
        )
        for i in range(8)
    )
    statuses = [s for s, _label in Participant.FundingStatus.choices]
    requirements = list(RequiredDocument.objects.filter(active=True))
    for index in range(20):
        course = courses[index]
        start = date(2025 + index % 2, 1 + index % 12, 3)
        action = TrainingAction.objects.create(
            course=course,
            company=companies[index % len(companies)],
            title=course.title,
            action_type=ActionType.PLANNED,
            plan_year=start.year,
            start_date=start,
            end_date=start + timedelta(days=4),
            location="Casablanca",
            cost_excl_tax=Decimal("30000"),
            cost_incl_tax=Decimal("36000"),
            scheme=scheme,
            rate_applied=Decimal("70"),
            ceiling_applied=Decimal("4000"),
            expected_reimbursement=Decimal("21000"),
            received_reimbursement=Decimal("21000") if index % 3 == 0 else None,
            filed_on=start + timedelta(days=60) if index % 2 == 0 else None,
        )
        days = ActionDay.objects.bulk_create(ActionDay(action=action, date=start + timedelta(days=d)) for d in range(5))
        participants = Participant.objects.bulk_create(
            Participant(
                action=action,
                learner=learner,
                cin=f"BE{100000 + index * 100 + n}",
                cnss_number=f"{100000000 + n:09d}",
                funding_status=statuses[(index + n) % len(statuses)],
            )
            for n, learner in enumerate(enrolled[course.pk][:25])
        )
        Attendance.objects.bulk_create(
            Attendance(participant=participant, day=day, half=half, present=rng.random() < 0.9)
            for participant in participants
            for day in days
            for half in ("am", "pm")
        )
        DossierDocument.objects.bulk_create(
            DossierDocument(
                action=action, required=required, status=rng.choice(["missing", "prepared", "signed", "filed"])
            )
            for required in requirements
            if not required.per_participant
        )


# --- what to request -----------------------------------------------------------

# The coach reads what a learner types: distinct prompts, so no answer is a cache hit.
COACH_PROMPTS = [
    "Gros plan sur un flacon d'huile d'argan posé sur une table en cèdre, travelling avant lent, "
    "lumière dorée de fin de journée, profondeur de champ réduite, ambiance chaleureuse, format 16:9.",
    "Une potière façonne un bol sur son tour dans un atelier de Safi, caméra fixe à hauteur d'épaule, "
    "lumière douce d'une fenêtre latérale, grain de film 35 mm, rythme lent.",
    "A barista pours steamed milk into a latte in a busy Casablanca café, slow dolly in, morning light "
    "through the window, shallow depth of field, warm colour grading.",
    "Plan large d'un marché aux épices au lever du soleil, panoramique lent de gauche à droite, "
    "couleurs saturées, vapeur qui monte des étals, son d'ambiance discret.",
    "Close-up of a leather bag on a wooden bench, the camera orbits slowly around it, soft studio light, "
    "neutral background, 9:16 for social media.",
]


COACH_VARIANTS = 3000  # more than a run sends: no prompt is checked twice (the analyses are cached in process)


@dataclass
class PageTarget:
    name: str
    requests: list[tuple[str, str, str]]  # (path, session key, POST body or ""): wrk rotates over them
    unavailable: str = ""
    post: bool = False


def make_session(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def page_targets() -> list[PageTarget]:
    """The baselines, the learner pages and the live coach, each rotating over 20 learners' sessions."""
    from urllib.parse import urlencode

    from django.contrib.sessions.models import Session
    from django.urls import NoReverseMatch, reverse

    from academy.models import User
    from courses.models import Course, Step
    from labs.models import Lab, LabDraft

    Session.objects.all().delete()  # sessions of earlier runs, signed with nothing we still use
    # The coach saves drafts; the lab page then reads them back through the coach. Start each run
    # without drafts so the lab page measures the same work every run.
    LabDraft.objects.filter(learner__email__endswith=BENCH_EMAIL_DOMAIN).delete()
    learners = list(
        User.objects.filter(email__startswith="learner", email__endswith=BENCH_EMAIL_DOMAIN).order_by("email")[:CLIENTS]
    )
    courses = list(Course.objects.filter(slug__startswith="bench-cours-").order_by("slug"))
    keys = [make_session(learner) for learner in learners]
    pages: dict[str, list[tuple[str, str, str]]] = {
        name: [] for name in ("catalogue", "course_outline", "lesson", "lab", "learner_home", "coach")
    }
    lab_problem = ""
    for index, key in enumerate(keys):
        course = courses[learner_course_indexes(index)[0]]
        module_position = index % MODULES_PER_COURSE
        # An early module: with sequential courses off every step is open, but the learner's own
        # progress still decides what the outline marks done.
        lesson_step = (
            Step.objects.filter(module__course=course, module__position=module_position, kind="lesson")
            .order_by("position")
            .first()
        )
        lab_row = Lab.objects.filter(step__module__course=course, step__module__position=module_position).first()
        pages["catalogue"].append((reverse("courses:catalogue"), key, ""))
        pages["course_outline"].append((reverse("courses:detail", args=[course.slug]), key, ""))
        pages["lesson"].append((reverse("courses:step", args=[course.slug, lesson_step.pk]), key, ""))
        pages["learner_home"].append((reverse("courses:dashboard"), key, ""))
        try:
            pages["lab"].append((reverse("labs:lab", args=[lab_row.slug]), key, ""))
            check_url = reverse("labs:check", args=[lab_row.slug])
            for variant in range(index, COACH_VARIANTS, CLIENTS):  # every request a prompt not seen before
                prompt = COACH_PROMPTS[variant % len(COACH_PROMPTS)] + f" Variante {variant}."
                pages["coach"].append((check_url, key, urlencode({"prompt": prompt})))
        except NoReverseMatch:
            lab_problem = "labs:lab is not routed"
    minimal_signed_in = [("/__bench/minimal-signed-in", key, "") for key in keys]
    targets = [
        PageTarget("minimal_anonymous", [("/__bench/minimal", "", "")]),
        PageTarget("minimal_signed_in", minimal_signed_in),
        *(PageTarget(name, pages[name]) for name in LEARNER_PAGES if name != "lab"),
        PageTarget("lab", pages["lab"] if not lab_problem else [], lab_problem),
        PageTarget("coach", pages["coach"] if not lab_problem else [], lab_problem, post=True),
    ]
    order = ["minimal_anonymous", "minimal_signed_in", *LEARNER_PAGES, "coach"]
    return sorted(targets, key=lambda t: order.index(t.name))


# --- queries, in process -----------------------------------------------------------


def count_queries(target: PageTarget) -> int | None:
    """SQL queries of one request once warm (caches filled), through the full stack but no network."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    path, key, body = target.requests[0]
    client = Client(SERVER_NAME="127.0.0.1", enforce_csrf_checks=False)
    if key:
        client.cookies[settings.SESSION_COOKIE_NAME] = key
    queries = None
    for _ in range(3):
        with CaptureQueriesContext(connection) as captured:
            if body:
                response = client.post(
                    path, body, content_type="application/x-www-form-urlencoded", headers={"HX-Request": "true"}
                )
            else:
                response = client.get(path)
        if response.status_code != 200:
            return None
        queries = len(captured.captured_queries)
    return queries


# --- sequential requests: server time ---------------------------------------------

CSRF_TOKEN = "benchbenchbenchbenchbenchbench00"  # 32 characters: Django accepts an unmasked secret


def _headers(key: str, body: str, cookie_name: str) -> dict[str, str]:
    # A signed-in browser holds its CSRF cookie from an earlier page; without it every page would mint
    # a new secret and send it back in a Set-Cookie, which no real visit does twice.
    cookies = [f"{cookie_name}={key}", f"csrftoken={CSRF_TOKEN}"] if key else []
    headers = {"Host": "127.0.0.1"}
    if body:
        headers |= {
            "X-CSRFToken": CSRF_TOKEN,
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
        }
    if cookies:
        headers["Cookie"] = "; ".join(cookies)
    return headers


def _timed_request(connection, request: tuple[str, str, str], cookie_name: str) -> tuple[float, dict[str, str], int]:
    """One request on a kept-alive connection: round trip (ms), the Server-Timing entries, the status."""
    path, key, body = request
    began = time.perf_counter()
    connection.request("POST" if body else "GET", path, body=body or None, headers=_headers(key, body, cookie_name))
    response = connection.getresponse()
    response.read()
    elapsed = (time.perf_counter() - began) * 1000
    timing = dict(part.strip().split(";dur=", 1) for part in response.getheader("Server-Timing", "").split(",") if part)
    return elapsed, timing, response.status


def _summary(server: list[float], cpu: list[float], total: list[float]) -> dict[str, Any]:
    return {
        "server_ms": round(statistics.median(server), 2) if server else None,
        "server_p95_ms": round(percentile(server, 95), 2) if server else None,
        "server_cpu_ms": round(statistics.median(cpu), 2) if cpu else None,
        "round_trip_p50_ms": round(statistics.median(total), 2),
        "round_trip_p95_ms": round(percentile(total, 95), 2),
    }


# When the page and the baseline are both measured: requests in a row of one of them, after a few
# that are not counted (the CPU's caches still hold the other's work). Blocks of 10 after 3 were
# measured to slow the minimal view by about a tenth; blocks of 30 after 5 by nothing measurable.
SEQUENTIAL_BLOCK, SEQUENTIAL_SETTLE = 30, 5


def sequential(
    base_url: str, target: PageTarget, *, count: int, cookie_name: str, baseline: PageTarget | None = None
) -> dict[str, Any]:
    """One client, one kept-alive connection: server time (Server-Timing) and round trip per request.

    With a ``baseline``, the page's requests go in blocks between blocks of the baseline's (B P B P … B),
    so that both are measured in the same seconds; the first requests of each block settle the CPU's
    caches and are not counted. The baseline's figures come back under ``baseline``.
    """
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    measured = {"page": ([], [], []), "baseline": ([], [], [])}
    statuses = set()
    warm_up = [("page", target, 5, 0)] + ([("baseline", baseline, 5, 0)] if baseline is not None else [])
    blocks = [("page", target, count, 0)]
    if baseline is not None:
        rounds = max(1, count // SEQUENTIAL_BLOCK)
        alternating = [("baseline", baseline), ("page", target)] * rounds + [("baseline", baseline)]
        blocks = [(name, run, SEQUENTIAL_BLOCK, SEQUENTIAL_SETTLE) for name, run in alternating]
    sent = {"page": 0, "baseline": 0}
    try:
        for phase, plan in (("warm-up", warm_up), ("measured", blocks)):
            for name, run, size, settle in plan:
                for index in range(settle + size):
                    request = run.requests[sent[name] % len(run.requests)]
                    sent[name] += 1
                    elapsed, timing, status = _timed_request(connection, request, cookie_name)
                    if name == "page":
                        statuses.add(status)
                    if phase == "warm-up" or index < settle:
                        continue  # first hits of caches and connections
                    server, cpu, total = measured[name]
                    total.append(elapsed)
                    if "app" in timing:
                        server.append(float(timing["app"]))
                    if "cpu" in timing:
                        cpu.append(float(timing["cpu"]))
    finally:
        connection.close()
    figures = _summary(*measured["page"]) | {"statuses": sorted(statuses)}
    if baseline is not None:
        figures["baseline"] = _summary(*measured["baseline"])
    return figures


# --- concurrent load: wrk ----------------------------------------------------------

WRK_SCRIPT = """
local targets = {%(targets)s}
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 7)
  table.insert(threads, thread)
end

function init(args)
  counter = offset or 0
  bad = 0
end

function request()
  local target = targets[(counter %% #targets) + 1]
  counter = counter + 1
  if target[2] == "" then
    return wrk.format("GET", target[1])
  end
  local cookie = "%(cookie)s=" .. target[2] .. "; csrftoken=%(csrf)s"
  if target[3] == "" then
    return wrk.format("GET", target[1], {["Cookie"] = cookie})
  end
  return wrk.format("POST", target[1], {
    ["Cookie"] = cookie,
    ["X-CSRFToken"] = "%(csrf)s",
    ["HX-Request"] = "true",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, target[3])
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local non_200 = 0
  for _, thread in ipairs(threads) do non_200 = non_200 + thread:get("bad") end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("WRK_RESULT %%d %%d %%.0f %%.0f %%.0f %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), non_200, errors))
end
"""


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk(base_url: str, target: PageTarget, *, seconds: float, cookie_name: str, workdir: Path) -> dict[str, Any]:
    rows = ", ".join(
        f"{{{_lua_string(path)}, {_lua_string(key)}, {_lua_string(body)}}}" for path, key, body in target.requests
    )
    script = workdir / "rotate.lua"
    script.write_text(WRK_SCRIPT % {"targets": rows, "cookie": cookie_name, "csrf": CSRF_TOKEN})
    output = subprocess.run(
        ["wrk", "-t2", f"-c{CLIENTS}", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", str(script), base_url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(row for row in output.splitlines() if row.startswith("WRK_RESULT"))
    count, duration_us, p50, p95, _p99, non_200, socket_errors = (float(v) for v in line.split()[1:])
    return {
        "rps": round(count / (duration_us / 1e6), 1),
        "p50_ms": round(p50 / 1000, 1),
        "p95_ms": round(p95 / 1000, 1),
        "errors": int(non_200 + socket_errors),
        "requests": int(count),
        "seconds": duration_us / 1e6,
    }


def alternating_load(
    base_url: str, target: PageTarget, baseline: PageTarget, *, seconds: float, cookie_name: str, workdir: Path
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Load runs of the page and of the baseline in short slots, in the order B P P B B P P B.

    Each gets ``seconds`` in all, spread over the same minutes, so that the machine's drift falls on
    both alike. req/s is over all of a target's slots; p50 and p95 are the means of its slots'.
    """
    slot = max(1.0, seconds / 4)
    runs: dict[str, list[dict[str, Any]]] = {"page": [], "baseline": []}
    for name in ("baseline", "page", "page", "baseline", "baseline", "page", "page", "baseline"):
        run = target if name == "page" else baseline
        runs[name].append(run_wrk(base_url, run, seconds=slot, cookie_name=cookie_name, workdir=workdir))

    def combined(results: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "rps": round(sum(r["requests"] for r in results) / sum(r["seconds"] for r in results), 1),
            "p50_ms": round(statistics.mean(r["p50_ms"] for r in results), 1),
            "p95_ms": round(statistics.mean(r["p95_ms"] for r in results), 1),
            "errors": sum(r["errors"] for r in results),
        }

    return combined(runs["page"]), combined(runs["baseline"])


# --- targets ------------------------------------------------------------------------

LEARNER_PAGES = ("catalogue", "course_outline", "lesson", "lab", "learner_home")
SERVER_MS_TARGET = 5.0  # median server time of a learner page, sequential requests
SERVER_RATIO_TARGET = 3.5  # ... and at most this many times the signed-in minimal view's
RPS_SHARE_TARGET = 0.25  # under 20 clients: at least this share of the signed-in minimal view's req/s
COACH_P95_TARGET_MS = 25.0  # the live coach, one learner typing: p95 of sequential round trips
TARGETS = {
    "learner_pages": f"server ms (median, sequential) <= {SERVER_MS_TARGET} and <= {SERVER_RATIO_TARGET}x the "
    f"signed-in minimal view's; req/s under {CLIENTS} clients >= {RPS_SHARE_TARGET:.0%} of the signed-in "
    "minimal view's; no error",
    "coach": f"p95 of sequential round trips <= {COACH_P95_TARGET_MS} ms with the language models loaded; no error",
}


def _ratio(value: float | None, reference: float | None) -> float | None:
    if value is None or not reference:
        return None
    return round(value / reference, 2)


def judge(name: str, figures: dict[str, Any], minimal: dict[str, Any]) -> dict[str, Any]:
    """Ratios to the signed-in minimal view (as measured alongside the page when it was), and whether
    the page meets its target."""
    minimal = minimal | figures.get("minimal_signed_in_alongside", {})
    figures["ratio_to_minimal_signed_in"] = {
        "rps": _ratio(figures["rps"], minimal["rps"]),
        "p50": _ratio(figures["p50_ms"], minimal["p50_ms"]),
        "p95": _ratio(figures["p95_ms"], minimal["p95_ms"]),
        "server_ms": _ratio(figures["server_ms"], minimal["server_ms"]),
        "server_cpu_ms": _ratio(figures["server_cpu_ms"], minimal["server_cpu_ms"]),
        "queries": _ratio(figures["queries"], minimal["queries"]),
    }
    ratios = figures["ratio_to_minimal_signed_in"]
    clean = figures["errors"] == 0 and figures["statuses"] == [200]
    if name in LEARNER_PAGES:
        figures["meets_target"] = bool(
            clean
            and figures["server_ms"] is not None
            and figures["server_ms"] <= SERVER_MS_TARGET
            and ratios["server_ms"] is not None
            and ratios["server_ms"] <= SERVER_RATIO_TARGET
            and ratios["rps"] is not None
            and ratios["rps"] >= RPS_SHARE_TARGET
        )
    elif name == "coach":
        figures["meets_target"] = bool(clean and figures["round_trip_p95_ms"] <= COACH_P95_TARGET_MS)
    return figures


# --- main ----------------------------------------------------------------------


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reseed", action="store_true", help="drop and recreate the bench database first")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (gthread when > 1)")
    parser.add_argument("--duration", type=float, default=8.0, help="measured seconds per page under load")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each page")
    parser.add_argument("--sequential", type=int, default=60, help="sequential requests per page")
    parser.add_argument("--pages", default="", help="comma-separated subset of pages to drive")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    load_before = [round(v, 2) for v in os.getloadavg()]  # other work on the machine skews every figure
    workdir = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    redis = PrivateRedis(workdir) if PrivateRedis.available() and not os.environ.get("REDIS_URL") else None
    gunicorn: Gunicorn | None = None
    began = time.perf_counter()
    try:
        if redis is not None:
            redis.start()
        redis_url = redis.url if redis is not None else os.environ["REDIS_URL"]
        env = configure_environment(
            DATABASE_NAME,
            var_dir=workdir / "var",
            REDIS_URL=redis_url,
            CELERY_BROKER_URL=os.environ.get("CELERY_BROKER_URL") or redis_url,
            ROOT_URLCONF="bench.urls_with_minimal",
            SERVER_TIMING="1",
            LANGUAGE_MODELS_PRELOAD="1",
        )
        created = ensure_database(os.environ["DATABASE_URL"], recreate=args.reseed)
        log(f"database {'created' if created else 'reused'}: {os.environ['DATABASE_URL']}")
        setup_django()
        seeded_now, seed_seconds = False, 0.0
        if not already_seeded():
            log("seeding 50 courses x 8 modules x 6 steps, 2,000 learners, funded actions…")
            seed_began = time.perf_counter()
            seed_site(random.Random(2026))
            seeded_now, seed_seconds = True, round(time.perf_counter() - seed_began, 1)
        from django.conf import settings
        from django.core.cache import cache
        from django.core.management import call_command
        from django.db import connection

        # A bulk-loaded database has no planner statistics until autovacuum gets to it; a site in
        # service has them. Without them PostgreSQL picks plans no production database would.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

        log("collectstatic (manifest storage, as in production)…")
        call_command("collectstatic", interactive=False, verbosity=0)
        cache.clear()  # every run starts cold: nothing cached by an earlier run or another version of the code
        cookie = settings.SESSION_COOKIE_NAME
        wanted = {name for name in args.pages.split(",") if name} | {"minimal_signed_in"}
        targets = [t for t in page_targets() if not args.pages or t.name in wanted]
        minimal_target = next(t for t in targets if t.name == "minimal_signed_in")

        gunicorn = Gunicorn(env, workers=args.workers, threads=args.threads, log_path=workdir / "gunicorn.log")
        log(f"gunicorn {' '.join(gunicorn.command[3:])} (language models preloaded)")
        gunicorn.start()
        pages: dict[str, Any] = {}
        for target in targets:
            if target.unavailable:
                pages[target.name] = {"unavailable": target.unavailable}
                continue
            log(f"{target.name}: {target.requests[0][0]} (+{len(set(target.requests)) - 1} variants)")
            figures: dict[str, Any] = {"path": target.requests[0][0], "queries": count_queries(target)}
            # The coach's prompts are split so that the sequential run, the warm-up and the measured
            # run never send the same prompt; the pages rotate over the same 20 requests in each.
            measured, warm, one_by_one = target, target, target
            if target.post:
                measured = replace(target, requests=target.requests[:-1000])
                warm = replace(target, requests=target.requests[-800:])
                one_by_one = replace(target, requests=target.requests[-1000:-800])
            # Warm first: a site in service has its caches filled and its queries prepared in every
            # worker; the sequential pass then reads the steady state, as the load does.
            wrk = {"workdir": workdir}
            run_wrk(gunicorn.base_url, warm, seconds=args.warmup, cookie_name=cookie, **wrk)
            # Learner pages are judged against the minimal view measured in the same seconds.
            alongside = minimal_target if target.name in LEARNER_PAGES else None
            figures |= sequential(
                gunicorn.base_url, one_by_one, count=args.sequential, cookie_name=cookie, baseline=alongside
            )
            if alongside is None:
                load = run_wrk(gunicorn.base_url, measured, seconds=args.duration, cookie_name=cookie, **wrk)
                figures |= {key: load[key] for key in ("rps", "p50_ms", "p95_ms", "errors")}
            else:
                load, baseline_load = alternating_load(
                    gunicorn.base_url, measured, alongside, seconds=args.duration, cookie_name=cookie, **wrk
                )
                figures |= load
                figures["minimal_signed_in_alongside"] = figures.pop("baseline") | {
                    key: baseline_load[key] for key in ("rps", "p50_ms", "p95_ms")
                }
            pages[target.name] = figures

        minimal = pages["minimal_signed_in"]
        for name, figures in pages.items():
            if "unavailable" not in figures:
                judge(name, figures, minimal)
        judged = [pages.get(name, {}) for name in (*LEARNER_PAGES, "coach") if not args.pages or name in wanted]
        counts = seed_counts()
        return {
            "setup": {
                "database": os.environ["DATABASE_URL"].rsplit("/", 1)[-1],
                "seeded_now": seeded_now,
                "seed_seconds": seed_seconds,
                **counts.__dict__,
                "server": f"gunicorn --workers {args.workers} --threads {args.threads} "
                f"({'gthread' if args.threads > 1 else 'sync'})",
                "settings": "DEBUG=0, PostgreSQL, Redis cache, cached_db sessions, whitenoise manifest storage, "
                "language models preloaded, Server-Timing on",
                "load_tool": f"wrk -t2 -c{CLIENTS} (rotating over {CLIENTS} learners' sessions)",
                "seconds_per_page": args.duration,
                "sequential_requests_per_page": args.sequential,
                "cpu_cores": os.cpu_count(),
                "load_average_before": load_before,
                "load_average_after": [round(v, 2) for v in os.getloadavg()],
                "run_seconds": round(time.perf_counter() - began, 1),
            },
            "pages": pages,
            "targets": TARGETS,
            "all_meet_target": bool(judged) and all(p.get("meets_target", False) for p in judged),
        }
    finally:
        if gunicorn is not None:
            gunicorn.stop()
        if redis is not None:
            redis.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # run the finally blocks: gunicorn and Redis are stopped


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminate)
    print(json.dumps(main(), indent=2, ensure_ascii=False))
