"""bench/pages.py is not run by the suite (it needs gunicorn, wrk and minutes); its parts are checked here.

A seed with 5 learners (the 50 courses as in a run) must build the data shape the benchmark measures, the
judging must apply issue #17's targets to the figures of a run, and each page must be measured alongside the
minimal view (alternating blocks and load slots) so that the machine's drift falls on both.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import pages as bench  # noqa: E402

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_shape(monkeypatch):
    monkeypatch.setattr(bench, "LEARNERS", 5)


def test_the_seed_builds_courses_of_8_modules_of_6_steps_with_enrolled_learners(small_shape):
    bench.seed_site(random.Random(1))

    counts = bench.seed_counts()
    assert (counts.courses, counts.modules, counts.steps) == (50, 400, 2400)
    assert (counts.lessons, counts.quizzes, counts.labs) == (1600, 400, 400)
    assert counts.learners == 5
    assert counts.enrolments == 5 * bench.ENROLMENTS_PER_LEARNER
    assert bench.already_seeded()


def _figures(server_ms: float, rps: float, **extra) -> dict:
    return {
        "rps": rps,
        "p50_ms": 10.0,
        "p95_ms": 20.0,
        "server_ms": server_ms,
        "server_cpu_ms": server_ms,
        "queries": 4,
        "errors": 0,
        "statuses": [200],
        "round_trip_p95_ms": server_ms + 1,
        **extra,
    }


MINIMAL = _figures(1.5, 800.0, queries=1)


@pytest.mark.parametrize(
    ("server_ms", "rps", "meets"),
    [
        (4.5, 250.0, True),  # under 5 ms, 3x the minimal view, 31 % of its throughput
        (5.5, 250.0, False),  # over 5 ms
        (4.5, 150.0, False),  # under 25 % of the minimal view's throughput
    ],
)
def test_a_learner_page_is_judged_on_server_time_and_share_of_throughput(server_ms, rps, meets):
    judged = bench.judge("lesson", _figures(server_ms, rps), MINIMAL)

    assert judged["meets_target"] is meets
    assert judged["ratio_to_minimal_signed_in"]["server_ms"] == round(server_ms / 1.5, 2)
    assert judged["ratio_to_minimal_signed_in"]["queries"] == 4.0


def test_a_page_with_errors_never_meets_its_target():
    judged = bench.judge("catalogue", _figures(2.0, 700.0, errors=3), MINIMAL)

    assert judged["meets_target"] is False


@pytest.mark.parametrize(("p95", "meets"), [(24.0, True), (26.0, False)])
def test_the_coach_is_judged_on_its_p95(p95, meets):
    judged = bench.judge("coach", _figures(10.0, 50.0, round_trip_p95_ms=p95), MINIMAL)

    assert judged["meets_target"] is meets


def test_a_page_is_judged_against_the_minimal_view_measured_alongside_it():
    # the minimal view took 1.0 ms when measured first, 1.25 ms in the minutes of the page's own run
    alongside = {"server_ms": 1.25, "server_cpu_ms": 1.0, "rps": 1000.0, "p50_ms": 12.0, "p95_ms": 25.0}
    page = _figures(4.0, 300.0, minimal_signed_in_alongside=alongside)

    judged = bench.judge("lab", page, _figures(1.0, 1200.0, queries=1))

    assert judged["ratio_to_minimal_signed_in"]["server_ms"] == 3.2
    assert judged["ratio_to_minimal_signed_in"]["rps"] == 0.3
    assert judged["ratio_to_minimal_signed_in"]["queries"] == 4.0  # counted once, from the minimal view's entry
    assert judged["meets_target"] is True


def test_load_slots_alternate_so_that_drift_falls_on_both(monkeypatch):
    slots = []

    def fake_wrk(base_url, target, *, seconds, cookie_name, workdir):
        slots.append((target.name, seconds))
        rps = 1000.0 if target.name == "minimal_signed_in" else 300.0
        return {"rps": rps, "p50_ms": 10.0, "p95_ms": 20.0, "errors": 0, "requests": int(rps * 2), "seconds": 2.0}

    monkeypatch.setattr(bench, "run_wrk", fake_wrk)
    page, baseline = bench.PageTarget("lab", [("/lab", "k", "")]), bench.PageTarget("minimal_signed_in", [])

    load, baseline_load = bench.alternating_load("http://x", page, baseline, seconds=8, cookie_name="s", workdir=Path())

    assert [name for name, _ in slots] == ["minimal_signed_in", "lab", "lab", "minimal_signed_in"] * 2
    assert {seconds for _, seconds in slots} == {2.0}
    assert (load["rps"], baseline_load["rps"]) == (300.0, 1000.0)


def test_sequential_requests_alternate_in_blocks_and_skip_each_blocks_first(monkeypatch):
    # a server that answers the page in 3 ms and the minimal view in 1 ms, except the first three
    # requests of a block, which it answers slowly (caches still holding the other's work)
    import http.server
    import threading

    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self):
            settling = seen[-3:] != [self.path] * 3
            seen.append(self.path)
            base = 3.0 if self.path == "/page" else 1.0
            self.send_response(200)
            self.send_header("Server-Timing", f"app;dur={base * (9 if settling else 1)}, cpu;dur={base}")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = bench.PageTarget("lesson", [("/page", "k", "")])
        minimal = bench.PageTarget("minimal_signed_in", [("/minimal", "k", "")])
        figures = bench.sequential(
            f"http://127.0.0.1:{server.server_address[1]}", page, count=60, cookie_name="s", baseline=minimal
        )
    finally:
        server.shutdown()

    block = bench.SEQUENTIAL_BLOCK + bench.SEQUENTIAL_SETTLE
    after_warm_up = seen[10:]
    assert after_warm_up == (["/minimal"] * block + ["/page"] * block) * 2 + ["/minimal"] * block
    assert (figures["server_ms"], figures["baseline"]["server_ms"]) == (3.0, 1.0)
    assert figures["server_p95_ms"] == 3.0  # the slow first requests of each block were not counted
