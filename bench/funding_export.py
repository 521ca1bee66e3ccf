"""Funding export benchmark: 10,000 enrolments exported as CSV and XLSX through the real view.

Run from the repository root::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/academy_bench .venv/bin/python bench/funding_export.py [--reseed]

Without DATABASE_URL it says so and falls back to SQLite under /tmp. The
PostgreSQL database is created when missing and migrated; the data set is
seeded once (kept between runs, ``--reseed`` rebuilds it): 200 training actions
of 5 days for 20 companies, 50 participants each (10,000 enrolments, CIN and
CNSS encrypted row by row) and every half-day of attendance (100,000 marks).

Each export is downloaded through Django's test Client as an admin, consuming
the whole streamed body. Prints one JSON document: rows, bytes, seconds
(first byte and total), rows/s and the peak RSS of the process during that
export. Target: the 10,000-row enrolment export completes in under 5 s.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench._support import configure_environment, ensure_database, log, setup_django  # noqa: E402

DATABASE_NAME = "academy_bench"
SQLITE_FALLBACK = "sqlite:////tmp/academy-bench-funding.sqlite3"
ACTIONS = 200
PARTICIPANTS_PER_ACTION = 50
COMPANIES = 20
TARGET_SECONDS = 5.0
TITLE_PREFIX = "Bench export "


def _configure() -> str:
    if not os.environ.get("DATABASE_URL"):
        log(
            "hint: DATABASE_URL is not set; using SQLite under /tmp. For the real measure run with "
            f"DATABASE_URL=postgres://postgres@127.0.0.1:5432/{DATABASE_NAME}"
        )
        os.environ["DATABASE_URL"] = SQLITE_FALLBACK
    var_dir = Path("/tmp/academy-bench-funding-var")
    (var_dir / "static").mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing STATIC_ROOT
    configure_environment(
        DATABASE_NAME,
        var_dir=var_dir,
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
    )
    url = os.environ["DATABASE_URL"]
    if url.startswith(("postgres://", "postgresql://")) and ensure_database(url):
        log(f"created database {url.rsplit('/', 1)[-1]}")
    return url


# --- data set -----------------------------------------------------------------------------


def _seeded(expected: int) -> bool:
    from funding.models import Participant

    return Participant.objects.filter(action__title__startswith=TITLE_PREFIX).count() == expected


def _wipe() -> None:
    from academy.models import User
    from funding.models import Company, TrainingAction

    TrainingAction.objects.filter(title__startswith=TITLE_PREFIX).delete()
    Company.objects.filter(legal_name__startswith=TITLE_PREFIX).delete()
    User.objects.filter(email__endswith="@bench-funding.academy").delete()


def seed() -> None:
    """Bulk inserts only: a few thousand rows per statement; encryption of CIN/CNSS still runs per row."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from academy.models import User
    from courses.models import Course
    from funding.models import ActionDay, Attendance, Company, Participant, TrainingAction

    started = time.perf_counter()
    unusable = make_password(None)
    with transaction.atomic():
        _wipe()
        owner = User.objects.create(email="owner@bench-funding.academy", role=User.Role.TRAINER, password=unusable)
        course, _created = Course.objects.get_or_create(
            slug="bench-export-video-ia", defaults={"title": "Vidéo IA (bench export)", "owner": owner}
        )
        companies = Company.objects.bulk_create(
            [
                Company(
                    legal_name=f"{TITLE_PREFIX}Société {index:02d}",
                    ice=f"{900000000000000 + index:015d}",
                    city="Casablanca",
                )
                for index in range(COMPANIES)
            ]
        )
        learners = User.objects.bulk_create(
            [
                User(
                    email=f"learner{index:05d}@bench-funding.academy",
                    first_name=f"Prénom{index}",
                    last_name=f"Nom{index:05d}",
                    password=unusable,
                )
                for index in range(ACTIONS * PARTICIPANTS_PER_ACTION)
            ],
            batch_size=2000,
        )
        log(f"seed: {len(learners)} learners in {time.perf_counter() - started:.1f}s")
        actions = []
        first_monday = datetime.date(2025, 1, 6)
        for index in range(ACTIONS):
            start = first_monday + datetime.timedelta(weeks=index % 100)
            actions.append(
                TrainingAction(
                    course=course,
                    company=companies[index % COMPANIES] if index % 10 else None,
                    title=f"{TITLE_PREFIX}{index:03d}",
                    plan_year=start.year,
                    start_date=start,
                    end_date=start + datetime.timedelta(days=4),
                    location="Casablanca",
                    cost_excl_tax=Decimal("50000"),
                    cost_incl_tax=Decimal("60000"),
                    rate_applied=Decimal("70"),
                    expected_reimbursement=Decimal("35000"),
                )
            )
        actions = TrainingAction.objects.bulk_create(actions)
        days = ActionDay.objects.bulk_create(
            [
                ActionDay(action=action, date=action.start_date + datetime.timedelta(days=offset))
                for action in actions
                for offset in range(5)
            ]
        )
        days_by_action: dict[int, list[ActionDay]] = {}
        for day in days:
            days_by_action.setdefault(day.action_id, []).append(day)
        statuses = [status for status, _label in Participant.FundingStatus.choices]
        participants = Participant.objects.bulk_create(
            [
                Participant(
                    action=action,
                    learner=learners[a_index * PARTICIPANTS_PER_ACTION + p_index],
                    cin=f"BK{100000 + a_index * PARTICIPANTS_PER_ACTION + p_index}",
                    cnss_number=f"{100000000 + a_index * PARTICIPANTS_PER_ACTION + p_index:09d}",
                    funding_status=statuses[p_index % len(statuses)],
                )
                for a_index, action in enumerate(actions)
                for p_index in range(PARTICIPANTS_PER_ACTION)
            ],
            batch_size=2000,
        )
        log(f"seed: {len(participants)} participants in {time.perf_counter() - started:.1f}s")
        marks = (
            Attendance(participant=participant, day=day, half=half, present=(participant.pk + day.pk) % 7 != 0)
            for participant in participants
            for day in days_by_action[participant.action_id]
            for half in ("am", "pm")
        )
        batch: list[Attendance] = []
        for mark in marks:
            batch.append(mark)
            if len(batch) == 10000:
                Attendance.objects.bulk_create(batch)
                batch = []
        Attendance.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        # What autovacuum would do soon after such a load: without statistics the planner guesses badly.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    log(f"seed: done in {time.perf_counter() - started:.1f}s")


# --- measure ------------------------------------------------------------------------------


def _reset_peak_rss() -> bool:
    """Linux lets a process reset its high-water mark, so each export gets its own peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def _peak_rss_mb() -> float:
    peak = _status_mb("VmHWM")
    return peak if peak is not None else round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _xlsx_rows(body: bytes) -> int:
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    return sum(1 for _row in sheet.iter_rows(values_only=True)) - 1


def measure(client, *, kind: str, file_format: str, identifiers: bool = False) -> dict:
    """Download one export as the browser would, keeping only what is needed to count its rows."""
    data = {"kind": kind, "format": file_format, "sep": "semicolon"}
    if identifiers:
        data["include_identifiers"] = "on"
    rss_before = _status_mb("VmRSS")
    peak_reset = _reset_peak_rss()
    started = time.perf_counter()
    response = client.post("/financement/exports/", data)
    if response.status_code != 200 or not response.streaming:
        raise RuntimeError(f"export {kind}/{file_format} answered {response.status_code}")
    first_byte = None
    size = lines = 0
    xlsx_parts: list[bytes] = []
    for chunk in response.streaming_content:
        if first_byte is None:
            first_byte = time.perf_counter() - started
        size += len(chunk)
        if file_format == "csv":
            lines += chunk.count(b"\r\n")  # the bench data has no line breaks inside cells
        else:
            xlsx_parts.append(chunk)
    seconds = time.perf_counter() - started
    response.close()
    peak = _peak_rss_mb()
    rows = lines - 1 if file_format == "csv" else _xlsx_rows(b"".join(xlsx_parts))
    return {
        "kind": kind,
        "format": file_format,
        "identifiers": identifiers,
        "rows": rows,
        "bytes": size,
        "first_byte_seconds": round(first_byte or seconds, 3),
        "seconds": round(seconds, 3),
        "rows_per_second": round(rows / seconds) if seconds else None,
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak,
        "peak_rss_scope": "this export" if peak_reset else "whole process",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reseed", action="store_true", help="rebuild the data set even if it is there")
    args = parser.parse_args()
    database_url = _configure()
    setup_django(migrate=True)
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from academy.models import User

    setup_test_environment()  # lets the test Client's "testserver" host through ALLOWED_HOSTS
    expected = ACTIONS * PARTICIPANTS_PER_ACTION
    if args.reseed or not _seeded(expected):
        seed()
    admin, _created = User.objects.get_or_create(
        email="admin@bench-funding.academy", defaults={"role": User.Role.ADMIN, "is_staff": True}
    )
    client = Client()
    client.force_login(admin)
    results = [
        measure(client, kind="enrolments", file_format="csv"),
        measure(client, kind="enrolments", file_format="csv", identifiers=True),
        measure(client, kind="enrolments", file_format="xlsx"),
        measure(client, kind="attendance", file_format="csv"),
        measure(client, kind="attendance", file_format="xlsx"),
    ]
    enrolment_exports = [result for result in results if result["kind"] == "enrolments"]
    print(
        json.dumps(
            {
                "benchmark": "funding_export",
                "database": connection.vendor,
                "database_name": database_url.rsplit("/", 1)[-1],
                "enrolments": expected,
                "target_seconds": TARGET_SECONDS,
                "target_met": all(result["seconds"] < TARGET_SECONDS for result in enrolment_exports),
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
