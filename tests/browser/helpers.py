"""Steps the browser journeys share: logging in, answering a quiz, doing a lab, checking a video."""

from __future__ import annotations

import io
from typing import Any

from django.core.management import call_command
from playwright.sync_api import Page, expect

DEMO_PASSWORD = "demo-academy-2026"  # noqa: S105 (the published demo password, see seed_demo)
FRENCH_COURSE = "creer-des-videos-avec-l-ia-generative"
PRODUCT_LAB = "teaser-produit-ecommerce"
GRADING_TIMEOUT_MS = 90_000


def seed_demo() -> None:
    """The demo course (French and English), its labs and the demo accounts."""
    call_command("seed_demo", stdout=io.StringIO())


def log_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form and wait until the site knows the user."""
    page.goto("/compte/connexion/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("form[action$='/compte/deconnexion/']")).to_be_visible()


def confirmation_link(*, to: str, timeout_s: float = 30.0) -> str:
    """The sign-up confirmation link the worker mailed to ``to`` (the test mail backend keeps mails in memory)."""
    import re
    import time

    from django.core import mail

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for message in mail.outbox:
            match = re.search(r"https?://\S+/compte/inscription/confirmer/\S+/", message.body)
            if to in message.to and match:
                return match.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no confirmation mail to {to} within {timeout_s} s")


def answer_quiz_correctly(page: Page, *, user: Any, step: Any) -> None:
    """Tick the right choices of the attempt the quiz page drew, read from the database."""
    from courses.models import Choice, QuizAttempt

    expect(page.locator("main form fieldset").first).to_be_visible()
    attempt = QuizAttempt.objects.filter(user=user, quiz__step=step, submitted_at__isnull=True).latest("pk")
    right = Choice.objects.filter(question_id__in=attempt.question_order, correct=True)
    for choice in right:
        page.locator(f"input[name='q{choice.question_id}'][value='{choice.pk}']").check()
    page.get_by_role("button", name="Envoyer mes réponses").click()


def wait_until_graded(page: Page) -> None:
    """The attempt page polls with htmx until the worker has graded the attempt."""
    status = page.locator("#submission-status")
    expect(status).to_have_attribute("data-state", "graded", timeout=GRADING_TIMEOUT_MS)
    expect(status.locator(".score")).to_be_visible()


def video_duration(page: Page, selector: str = "video") -> float:
    """The duration the browser decoded from the video's metadata (waits for readyState ≥ 1)."""
    page.wait_for_function("s => { const v = document.querySelector(s); return v && v.readyState >= 1; }", arg=selector)
    return float(page.evaluate("s => document.querySelector(s).duration", selector))


def play_video(page: Page, selector: str = "video") -> float:
    """Start playback (muted, as autoplay rules require without a gesture) and wait for time to advance."""
    page.evaluate("s => { const v = document.querySelector(s); v.muted = true; return v.play(); }", selector)
    page.wait_for_function("s => document.querySelector(s).currentTime > 0.2", arg=selector)
    return float(page.evaluate("s => document.querySelector(s).currentTime", selector))


BLOCKING_IMPACTS = ("serious", "critical")


def blocking_violations(page: Page, label: str) -> list[str]:
    """axe-core's serious and critical violations on the current page, one readable line per rule."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING_IMPACTS:
            targets = ", ".join(" ".join(map(str, node["target"])) for node in violation["nodes"][:5])
            lines.append(
                f"{label} ({page.url}): {violation['id']} [{violation['impact']}] {violation['help']} → {targets}"
            )
    return lines


def graded_submission(*, learner: Any, lab: Any, prompt: str, workdir: Any, client_token: str = "") -> Any:
    """An attempt graded by the real pipeline (simulator render, analysis, rubric), run here without a broker."""
    from labs.models import Submission
    from labs.services.pipeline import run_grading
    from labs.services.submissions import seed_for_prompt

    submission = Submission.objects.create(
        lab=lab,
        learner=learner,
        prompt=prompt,
        language="fr",
        client_token=client_token or f"browser-{learner.pk}-{lab.pk}",
        backend_alias=lab.backend_alias,
        seed=seed_for_prompt(prompt),
    )
    graded = run_grading(submission.pk, str(submission.task_token), workdir=workdir)
    assert graded is not None and graded.state == Submission.State.GRADED, graded and graded.state
    return graded
