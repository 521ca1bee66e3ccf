"""Page load benchmark: the learner and admin pages under 20 concurrent clients, served by gunicorn.

Run from the repository root (PostgreSQL on 127.0.0.1:5432, ``wrk`` and
``redis-server`` installed)::

    .venv/bin/python bench/pages.py [--reseed] [--workers 2 --threads 4] [--duration 10]

Prints one JSON document on stdout; progress goes to stderr.

Setup: a dedicated database ``academy_bench_pages`` (``DATABASE_URL``
overrides it), seeded once with 50 courses x 8 modules x 6 steps (lessons,
quizzes, labs), 2,000 learners with enrolments and progress, and funded
training actions. gunicorn serves the site with production settings (DEBUG
off, the Redis cache, whitenoise's manifest storage after collectstatic).
``wrk`` drives each page with 20 connections, rotating over 20 learners'
sessions. The baseline is a view answering "ok" through the same stack and
middleware (``bench/urls_with_minimal.py``).

Target: every page reaches at least 40% of the baseline's throughput, with
p95 <= 150 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
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


@dataclass
class PageTarget:
    name: str
    requests: list[tuple[str, str]]  # (path, session key): wrk rotates over them
    unavailable: str = ""


def make_session(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def page_targets() -> tuple[list[PageTarget], list[tuple[str, str]]]:
    """The pages to drive and the learners' sessions (also used for the authenticated baseline)."""
    from django.contrib.sessions.models import Session
    from django.urls import NoReverseMatch, reverse

    from academy.models import User
    from courses.models import Course, Step
    from labs.models import Lab

    Session.objects.all().delete()  # sessions of earlier runs, signed with nothing we still use
    learners = list(
        User.objects.filter(email__startswith="learner", email__endswith=BENCH_EMAIL_DOMAIN).order_by("email")[:CLIENTS]
    )
    admin = User.objects.get(email=f"admin@{BENCH_EMAIL_DOMAIN}")
    courses = list(Course.objects.filter(slug__startswith="bench-cours-").order_by("slug"))
    sessions = [(learner, make_session(learner)) for learner in learners]
    outline, lesson, lab, dashboard, catalogue = [], [], [], [], []
    for index, (_learner, key) in enumerate(sessions):
        course = courses[learner_course_indexes(index)[0]]
        module_position = index % MODULES_PER_COURSE
        lesson_step = (
            Step.objects.filter(module__course=course, module__position=module_position, kind="lesson")
            .order_by("position")
            .first()
        )
        lab_row = Lab.objects.filter(step__module__course=course, step__module__position=module_position).first()
        outline.append((reverse("courses:detail", args=[course.slug]), key))
        lesson.append((reverse("courses:step", args=[course.slug, lesson_step.pk]), key))
        dashboard.append((reverse("courses:dashboard"), key))
        catalogue.append((reverse("courses:catalogue"), key))
        with contextlib.suppress(NoReverseMatch):
            lab.append((reverse("labs:lab", args=[lab_row.slug]), key))
    admin_key = make_session(admin)
    targets = [
        PageTarget("catalogue", catalogue),
        PageTarget("course_outline", outline),
        PageTarget("lesson", lesson),
        PageTarget("lab", lab, "" if lab else "labs:lab is not routed"),
    ]
    targets.append(PageTarget("learner_dashboard", dashboard))
    try:
        targets.append(PageTarget("funding_dashboard", [(reverse("funding:dashboard"), admin_key)]))
    except NoReverseMatch:
        targets.append(PageTarget("funding_dashboard", [], "funding:dashboard is not routed"))
    return targets, [(path, key) for path, key in (("/__bench/minimal", key) for _learner, key in sessions)]


# --- profiling in process ------------------------------------------------------


def profile_page(target: PageTarget, runs: int = 5) -> dict[str, Any]:
    """Queries and server time of one request, through the full stack but no network."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    path, key = target.requests[0]
    client = Client(SERVER_NAME="127.0.0.1")
    if key:
        client.cookies[settings.SESSION_COOKIE_NAME] = key
    timings, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - began) * 1000)
        queries = len(captured.captured_queries)
        if response.status_code != 200:
            return {"status": response.status_code}
    return {
        "queries": queries,
        "server_ms_median": round(statistics.median(timings), 1),
        "html_kb": round(len(response.content) / 1024, 1),
    }


# --- load ----------------------------------------------------------------------

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
  return wrk.format("GET", target[1], {["Cookie"] = "%(cookie)s=" .. target[2]})
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


def check_status(base_url: str, requests: list[tuple[str, str]], cookie_name: str) -> str:
    """'' when every distinct request answers 200 (no redirect followed), else what went wrong."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    for path, key in dict.fromkeys(requests):
        request = urllib.request.Request(base_url + path, headers={"Cookie": f"{cookie_name}={key}"} if key else {})
        try:
            status = opener.open(request, timeout=30).status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 200:
            return f"HTTP {status} for {path}"
    return ""


def run_wrk(
    base_url: str, requests: list[tuple[str, str]], *, seconds: float, cookie_name: str, workdir: Path
) -> dict[str, Any]:
    targets = ", ".join(f"{{{_lua_string(path)}, {_lua_string(key)}}}" for path, key in requests)
    script = workdir / "rotate.lua"
    script.write_text(WRK_SCRIPT % {"targets": targets, "cookie": cookie_name})
    output = subprocess.run(
        ["wrk", "-t2", f"-c{CLIENTS}", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", str(script), base_url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(row for row in output.splitlines() if row.startswith("WRK_RESULT"))
    count, duration_us, p50, p95, p99, non_200, socket_errors = (float(v) for v in line.split()[1:])
    return {
        "p50_ms": round(p50 / 1000, 1),
        "p95_ms": round(p95 / 1000, 1),
        "p99_ms": round(p99 / 1000, 1),
        "rps": round(count / (duration_us / 1e6), 1),
        "requests": int(count),
        "errors": int(non_200 + socket_errors),
    }


def measure(
    base_url: str, requests, *, seconds: float, warmup: float, cookie_name: str, workdir: Path
) -> dict[str, Any]:
    run_wrk(base_url, requests, seconds=warmup, cookie_name=cookie_name, workdir=workdir)
    return run_wrk(base_url, requests, seconds=seconds, cookie_name=cookie_name, workdir=workdir)


# --- main ----------------------------------------------------------------------


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reseed", action="store_true", help="drop and recreate the bench database first")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (gthread when > 1)")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per page")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each page")
    parser.add_argument("--pages", default="", help="comma-separated subset of pages to drive")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    load_average = [round(v, 2) for v in os.getloadavg()]  # other work on the machine skews every figure
    workdir = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    redis = PrivateRedis(workdir) if PrivateRedis.available() and not os.environ.get("REDIS_URL") else None
    gunicorn: Gunicorn | None = None
    try:
        if redis is not None:
            redis.start()
        redis_url = redis.url if redis is not None else os.environ["REDIS_URL"]
        env = configure_environment(
            DATABASE_NAME,
            var_dir=workdir / "var",
            REDIS_URL=redis_url,
            CELERY_BROKER_URL=redis_url,
            ROOT_URLCONF="bench.urls_with_minimal",
        )
        created = ensure_database(os.environ["DATABASE_URL"], recreate=args.reseed)
        log(f"database {'created' if created else 'reused'}: {os.environ['DATABASE_URL']}")
        setup_django()
        seeded_now, seed_seconds = False, 0.0
        if not already_seeded():
            log("seeding 50 courses x 8 modules x 6 steps, 2,000 learners, funded actions…")
            began = time.perf_counter()
            seed_site(random.Random(2026))
            seeded_now, seed_seconds = True, round(time.perf_counter() - began, 1)
        from django.conf import settings
        from django.core.management import call_command

        log("collectstatic (manifest storage, as in production)…")
        call_command("collectstatic", interactive=False, verbosity=0)
        targets, minimal_authenticated = page_targets()
        wanted = {name for name in args.pages.split(",") if name}
        cookie = settings.SESSION_COOKIE_NAME

        profiles = {t.name: profile_page(t) for t in targets if t.requests and (not wanted or t.name in wanted)}
        gunicorn = Gunicorn(env, workers=args.workers, threads=args.threads, log_path=workdir / "gunicorn.log")
        log(f"gunicorn {' '.join(gunicorn.command[3:])}")
        gunicorn.start()
        run = {"seconds": args.duration, "warmup": args.warmup, "cookie_name": cookie, "workdir": workdir}

        log("baseline: /__bench/minimal")
        baseline = measure(gunicorn.base_url, [("/__bench/minimal", "")], **run)
        baseline_authenticated = measure(gunicorn.base_url, minimal_authenticated, **run)
        pages: dict[str, Any] = {}
        for target in targets:
            if wanted and target.name not in wanted:
                continue
            if target.unavailable:
                pages[target.name] = {"unavailable": target.unavailable}
                continue
            problem = check_status(gunicorn.base_url, target.requests, cookie)
            if problem:
                pages[target.name] = {"unavailable": problem}
                continue
            log(f"page {target.name}: {target.requests[0][0]} (+{len(set(target.requests)) - 1} variants)")
            figures = measure(gunicorn.base_url, target.requests, **run)
            share = figures["rps"] / baseline["rps"] if baseline["rps"] else 0.0
            figures["share_of_baseline_rps"] = round(share, 3)
            figures["meets_target"] = bool(
                share >= TARGET_SHARE and figures["p95_ms"] <= TARGET_P95_MS and figures["errors"] == 0
            )
            figures["share_of_authenticated_baseline_rps"] = round(figures["rps"] / baseline_authenticated["rps"], 3)
            figures["in_process"] = profiles.get(target.name, {})
            pages[target.name] = figures

        counts = seed_counts()
        return {
            "setup": {
                "database": os.environ["DATABASE_URL"].rsplit("/", 1)[-1],
                "seeded_now": seeded_now,
                "seed_seconds": seed_seconds,
                **counts.__dict__,
                "server": f"gunicorn --workers {args.workers} --threads {args.threads} "
                f"({'gthread' if args.threads > 1 else 'sync'})",
                "settings": "DEBUG=0, PostgreSQL, Redis cache, DB sessions, whitenoise manifest storage",
                "load_tool": f"wrk -t2 -c{CLIENTS} (rotating over {CLIENTS} learners' sessions)",
                "seconds_per_page": args.duration,
                "cpu_cores": os.cpu_count(),
                "load_average_at_start": load_average,
            },
            "baseline": {k: baseline[k] for k in ("p50_ms", "p95_ms", "rps", "errors")},
            "baseline_authenticated": {k: baseline_authenticated[k] for k in ("p50_ms", "p95_ms", "rps", "errors")},
            "pages": pages,
            "target": TARGET,
            "all_meet_target": all(p.get("meets_target", False) for p in pages.values() if "unavailable" not in p),
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
