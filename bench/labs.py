"""Lab pipeline benchmark: Celery worker processes grading simulator submissions end to end.

Run from the repository root (PostgreSQL on 127.0.0.1:5432, ``redis-server``
installed)::

    .venv/bin/python bench/labs.py [--duration 5] [--scenarios all|quick] [--reseed]

Prints one JSON document on stdout; progress goes to stderr.

Setup: a dedicated database ``academy_bench_labs`` (``DATABASE_URL``
overrides it), a private redis-server (broker and cache), Celery worker
processes started as in production (``celery -A academy worker``, prefork
pool) and a lab on the simulator backend: 5 s, 16:9, the 640x360 draft.
Submissions go through ``submit_attempt`` as the lab page sends them, all at
once; each scenario waits until every one is terminal.

Figures per scenario: end-to-end latency (created_at -> finished_at, queue
wait included) at p50/p95, the task's own time (started_at -> finished_at),
throughput per pool process, and the grading overhead: everything the task
does except generation (claiming, analysis, web rendition, poster, contact
sheet, rubric, saves) as a fraction of ``generation_seconds``.

Targets (issue 5): p95 <= 6 s with 20 queued on one worker; overhead <= 30%.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from _support import (
    PrivateRedis,
    WorkerProcess,
    configure_environment,
    ensure_database,
    log,
    percentile,
    setup_django,
    wait_until,
)

DATABASE_NAME = "academy_bench_labs"
LAB_SLUG = "bench-labo-pipeline"
LEARNER_EMAIL = "learner{index:03d}@bench-labs.academy"
TARGET_P95_S, TARGET_P95_QUEUED = 6.0, 20
TARGET_OVERHEAD = 0.30
SUBJECTS = [
    "un flacon d'huile d'argan posé sur une table en cèdre",
    "une tasse de thé à la menthe fumante sur un plateau en cuivre",
    "une paire de babouches jaunes dans une ruelle de la médina",
    "un sac en cuir tressé sur un comptoir en zellige",
    "une théière argentée qui verse un filet de thé",
    "un bol de céramique bleue rempli d'olives",
    "un vélo rouge appuyé contre un mur ocre",
    "une lampe en laiton ciselé allumée dans la pénombre",
]


@dataclass(frozen=True)
class Scenario:
    name: str
    queued: int
    processes: tuple[int, ...]  # concurrency of each worker process

    @property
    def pool_processes(self) -> int:
        return sum(self.processes)


SCENARIOS = {
    "all": [
        Scenario("queued_50_one_process", 50, (1,)),
        Scenario("queued_50_two_worker_processes", 50, (1, 1)),
        Scenario("queued_50_one_worker_concurrency_2", 50, (2,)),
        Scenario("queued_20_one_process", 20, (1,)),
        Scenario("queued_20_one_worker_concurrency_2", 20, (2,)),
    ],
    "quick": [Scenario("queued_20_one_process", 20, (1,)), Scenario("queued_20_one_worker_concurrency_2", 20, (2,))],
}


def prompt_for(index: int, take: str) -> str:
    # Every prompt of a run is new: the simulator reuses the video of an identical request.
    subject = SUBJECTS[index % len(SUBJECTS)]
    return (
        f"Gros plan sur {subject}, la caméra avance lentement en travelling, lumière dorée de fin de journée, "
        f"faible profondeur de champ, palette chaude, ambiance calme. Prise {take}-{index}."
    )


def seed_lab(duration_s: float, learners: int):
    """The benchmark's lab (updated to ``duration_s``) and enough enrolled learners: one attempt in flight each."""
    from django.contrib.auth.hashers import make_password

    from academy.models import User
    from courses.models import Course, Enrolment, Module, Step
    from labs.models import Criterion, Lab

    trainer, _created = User.objects.get_or_create(
        email="formatrice@bench-labs.academy", defaults={"role": User.Role.TRAINER}
    )
    course, _created = Course.objects.get_or_create(
        slug="bench-labs-cours",
        defaults={"title": "Labo de charge", "owner": trainer, "status": Course.Status.PUBLISHED},
    )
    module, _created = Module.objects.get_or_create(course=course, position=0, defaults={"title": "Module"})
    step, _created = Step.objects.get_or_create(module=module, kind=Step.Kind.LAB, defaults={"title": "Teaser produit"})
    lab, created = Lab.objects.update_or_create(
        slug=LAB_SLUG,
        defaults={
            "step": step,
            "brief": "Un teaser de 5 secondes pour un produit artisanal.",
            "duration_s": Decimal(str(duration_s)),
            "aspect_ratio": Lab.AspectRatio.LANDSCAPE,
            "backend_alias": "default",
            "pass_mark": 60,
            "max_attempts": 0,
            "budget_generations_per_learner": 0,
        },
    )
    if created:
        Criterion.objects.bulk_create(
            [
                Criterion(lab=lab, kind="anatomy", element="subject", label="Sujet", weight=20, position=0),
                Criterion(
                    lab=lab, kind="anatomy", element="camera", label="Mouvement de caméra", weight=20, position=1
                ),
                Criterion(lab=lab, kind="anatomy", element="lighting", label="Lumière", weight=15, position=2),
                Criterion(
                    lab=lab,
                    kind="must_mention",
                    label="Le produit",
                    terms=["flacon", "tasse", "produit"],
                    weight=15,
                    position=3,
                ),
                Criterion(
                    lab=lab, kind="video", video_check="motion", label="Mouvement visible", weight=15, position=4
                ),
                Criterion(lab=lab, kind="policy", label="Éthique", weight=15, position=5),
            ]
        )
    existing = set(User.objects.filter(email__endswith="@bench-labs.academy").values_list("email", flat=True))
    User.objects.bulk_create(
        User(email=email, password=make_password(None))
        for email in (LEARNER_EMAIL.format(index=i) for i in range(learners))
        if email not in existing
    )
    people = list(
        User.objects.filter(email__startswith="learner", email__endswith="@bench-labs.academy").order_by("email")[
            :learners
        ]
    )
    Enrolment.objects.bulk_create([Enrolment(user=p, course=course) for p in people], ignore_conflicts=True)
    return lab, people


def clear_attempts(lab) -> None:
    from courses.models import StepProgress
    from labs.models import LabDraft, Submission

    Submission.objects.filter(lab=lab).delete()
    LabDraft.objects.filter(lab=lab).delete()
    StepProgress.objects.filter(step=lab.step).delete()


def submit_all(lab, learners, count: int) -> list[int]:
    from labs.services.submissions import submit_attempt

    take = uuid.uuid4().hex[:8]
    return [
        submit_attempt(learner=learners[i], lab=lab, prompt=prompt_for(i, take), client_token=uuid.uuid4().hex).pk
        for i in range(count)
    ]


def wait_terminal(ids: list[int], timeout: float) -> None:
    from labs.models import Submission

    def done() -> bool:
        return not Submission.objects.filter(pk__in=ids).exclude(state__in=Submission.TERMINAL_STATES).exists()

    wait_until(done, timeout=timeout, interval=0.25, message=f"{len(ids)} submissions to finish")


def start_workers(scenario: Scenario, env: dict[str, str], workdir: Path) -> list[WorkerProcess]:
    workers = []
    for index, concurrency in enumerate(scenario.processes):
        log_path = workdir / f"{scenario.name}-worker{index}.log"
        worker = WorkerProcess(env, concurrency=concurrency, log=log_path)
        worker.start()
        workers.append(worker)
    for worker in workers:
        wait_until(
            lambda w=worker: "ready." in w.log.read_text(errors="replace"), timeout=60, message="the worker to be ready"
        )
    return workers


def summarise(ids: list[int], scenario: Scenario) -> dict[str, Any]:
    from labs.models import Submission

    rows = list(
        Submission.objects.filter(pk__in=ids).values(
            "state", "created_at", "started_at", "finished_at", "generation_seconds", "grading_seconds"
        )
    )
    states: dict[str, int] = {}
    for row in rows:
        states[row["state"]] = states.get(row["state"], 0) + 1
    graded = [r for r in rows if r["state"] == "graded"]
    end_to_end = [(r["finished_at"] - r["created_at"]).total_seconds() for r in rows]
    task = [(r["finished_at"] - r["started_at"]).total_seconds() for r in graded]
    generation = [r["generation_seconds"] for r in graded]
    overhead = [(t - g) / g for t, g in zip(task, generation, strict=True) if g]
    makespan = (max(r["finished_at"] for r in rows) - min(r["created_at"] for r in rows)).total_seconds()
    per_minute = len(rows) / makespan * 60 if makespan else 0.0
    return {
        "queued": scenario.queued,
        "worker_processes": len(scenario.processes),
        "concurrency_per_process": list(scenario.processes),
        "states": states,
        "all_terminal": sum(states.values()) == scenario.queued and set(states) <= {"graded", "blocked", "failed"},
        "end_to_end_s": {
            "p50": _r(percentile(end_to_end, 50)),
            "p95": _r(percentile(end_to_end, 95)),
            "max": _r(max(end_to_end)),
        },
        "task_s": {"p50": _r(percentile(task, 50)), "mean": _r(statistics.fmean(task))} if task else {},
        "generation_s_mean": _r(statistics.fmean(generation)) if generation else None,
        "analysis_s_mean": _r(statistics.fmean(r["grading_seconds"] for r in graded)) if graded else None,
        "makespan_s": _r(makespan),
        "submissions_per_minute": _r(per_minute, 1),
        "submissions_per_minute_per_pool_process": _r(per_minute / scenario.pool_processes, 1),
        "overhead_vs_generation": {"mean": _r(statistics.fmean(overhead)), "median": _r(statistics.median(overhead))}
        if overhead
        else {},
    }


def _r(value: float, digits: int = 3) -> float:
    return round(value, digits)


def run_scenario(scenario: Scenario, lab, learners, env: dict[str, str], workdir: Path) -> dict[str, Any]:
    clear_attempts(lab)
    workers = start_workers(scenario, env, workdir)
    try:
        # One attempt per pool process first: the first task of a fresh process imports the media stack.
        warm = submit_all(lab, learners, scenario.pool_processes * 2)
        wait_terminal(warm, timeout=120)
        clear_attempts(lab)
        log(f"{scenario.name}: {scenario.queued} submissions on {scenario.processes}")
        began = time.perf_counter()
        ids = submit_all(lab, learners, scenario.queued)
        submit_seconds = time.perf_counter() - began
        wait_terminal(ids, timeout=60 + 15 * scenario.queued / scenario.pool_processes)
        result = summarise(ids, scenario)
        result["submit_attempt_ms_mean"] = _r(submit_seconds / scenario.queued * 1000, 1)
        log(f"  p95 {result['end_to_end_s']['p95']} s, {result['submissions_per_minute']}/min")
        return result
    finally:
        for worker in workers:
            worker.stop()


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=float, default=5.0, help="lab duration in seconds (the issue's targets assume 5)"
    )
    parser.add_argument("--scenarios", choices=sorted(SCENARIOS), default="all")
    parser.add_argument("--reseed", action="store_true", help="drop and recreate the bench database first")
    args = parser.parse_args()
    if not PrivateRedis.available():
        raise SystemExit("redis-server is not installed")

    workdir = Path(tempfile.mkdtemp(prefix="bench-labs-"))
    redis = PrivateRedis(workdir)
    try:
        redis.start()
        env = configure_environment(
            DATABASE_NAME,
            var_dir=workdir / "var",
            CELERY_BROKER_URL=redis.url,
            REDIS_URL=redis.url.rsplit("/", 1)[0] + "/1",
            LAB_SUBMISSION_RATE_COUNT="100000",
        )
        created = ensure_database(os.environ["DATABASE_URL"], recreate=args.reseed)
        log(f"database {'created' if created else 'reused'}: {os.environ['DATABASE_URL']}")
        setup_django()
        lab, learners = seed_lab(args.duration, 50)
        width, height = lab.frame_size("draft")
        scenarios = {s.name: run_scenario(s, lab, learners, env, workdir) for s in SCENARIOS[args.scenarios]}
        clear_attempts(lab)
        return {
            "setup": {
                "database": os.environ["DATABASE_URL"].rsplit("/", 1)[-1],
                "backend": "simulator (CPU)",
                "clip": {
                    "seconds": args.duration,
                    "aspect_ratio": lab.aspect_ratio,
                    "size": f"{width}x{height}",
                    "fps": 24,
                },
                "worker": "celery -A academy worker --pool prefork (acks_late, prefetch 1)",
                "broker": "private redis-server",
                "cpu_cores": os.cpu_count(),
                "load_average_at_start": [round(v, 2) for v in os.getloadavg()],
            },
            "scenarios": scenarios,
            "targets": _targets(scenarios),
        }
    finally:
        redis.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _targets(scenarios: dict[str, Any]) -> dict[str, Any]:
    checks: dict[str, Any] = {
        "p95_s_with_20_queued": f"<= {TARGET_P95_S}",
        "overhead": f"<= {TARGET_OVERHEAD:.0%} of generation",
    }
    for name, figures in scenarios.items():
        if figures["queued"] == TARGET_P95_QUEUED:
            checks[f"{name}.p95_met"] = figures["end_to_end_s"]["p95"] <= TARGET_P95_S
    single = scenarios.get("queued_50_one_process") or next(iter(scenarios.values()))
    if single["overhead_vs_generation"]:
        checks["overhead_met"] = single["overhead_vs_generation"]["median"] <= TARGET_OVERHEAD
    checks["all_terminal"] = all(figures["all_terminal"] for figures in scenarios.values())
    return checks


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # run the finally blocks: workers and Redis are stopped


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminate)
    print(json.dumps(main(), indent=2, ensure_ascii=False))
