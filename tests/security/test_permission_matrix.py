"""Every named URL, requested as each role, against the status this table expects.

The table is written by hand, one row per URL name: a new view without a row
fails ``test_every_url_name_has_a_row``, so nobody adds an unprotected page
silently. ``LOGIN`` means "302 to the login page". Objects a role may not see
answer 404 (no existence leak); pages reserved to a role answer 403.

State-changing requests run inside a savepoint that is rolled back, so each
request sees the same world.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from courses.models import LessonImage
from tests.security.conftest import ROLES, World, png_bytes

LOGIN = "login"
SKIPPED_PREFIXES = ("admin/", "static/", "i18n/")

Kwargs = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Row:
    method: str
    expected: dict[str, int | str]
    kwargs: Kwargs = lambda w: {}  # noqa: E731
    data: Callable[[World], dict[str, Any]] = lambda w: {}  # noqa: E731


def row(method: str, statuses: tuple, kwargs: Kwargs | None = None, data=None) -> Row:
    """``statuses`` in ROLES order: anonymous, learner, other_learner, trainer, other_trainer, admin."""
    assert len(statuses) == len(ROLES)
    return Row(method, dict(zip(ROLES, statuses, strict=True)), kwargs or (lambda w: {}), data or (lambda w: {}))


def course(w: World) -> dict:
    return {"slug": w.course.slug}


def lab(w: World) -> dict:
    return {"slug": w.lab.slug}


def action(w: World) -> dict:
    return {"pk": w.action.pk}


def participant(w: World) -> dict:
    return {"pk": w.participant.pk}


def learner_notification(w: World) -> int:
    from academy.notifications.api import notify

    return notify(recipient=w.learner, kind="courses.certificate_earned", data={"course": w.course.title}).pk


def submission(w: World) -> dict:
    return {"pk": w.submission.pk}


def provenance_sample() -> dict:
    from provenance.samples import STILL_IMAGE, samples_dir

    samples_dir().mkdir(parents=True, exist_ok=True)
    (samples_dir() / STILL_IMAGE).write_bytes(png_bytes())
    return {"name": STILL_IMAGE}


PUBLIC = (200, 200, 200, 200, 200, 200)
SIGNED_IN = (LOGIN, 200, 200, 200, 200, 200)
GUESTS_ONLY = (200, 302, 302, 302, 302, 302)
TRAINERS = (LOGIN, 403, 403, 200, 200, 200)
COURSE_EDITORS = (LOGIN, 403, 403, 200, 404, 200)
LAB_EDITORS = (LOGIN, 404, 404, 200, 404, 200)
ADMINS = (LOGIN, 403, 403, 403, 403, 200)
ADMINS_POST = (LOGIN, 403, 403, 403, 403, 302)
OWNER_AND_TEACHERS = (LOGIN, 200, 404, 200, 404, 200)
# The course's community: its learners and trainers; a learner of another course (and any other trainer) gets 404.
COMMUNITY = (LOGIN, 200, 404, 200, 404, 200)
COMMUNITY_POST = (LOGIN, 302, 404, 302, 404, 302)
MODERATORS_POST = (LOGIN, 404, 404, 302, 404, 302)
ONLY_L1 = (LOGIN, 200, 404, 404, 404, 404)


def item(w: World) -> dict:
    return {"pk": w.gallery_item.pk}


def step_of_lesson(w: World) -> dict:
    return {"step_id": w.lesson_step.pk}


TABLE: dict[str, Row] = {
    # --- accounts -------------------------------------------------------------
    "home": row("GET", GUESTS_ONLY),
    "healthz": row("GET", PUBLIC),
    "login": row("GET", GUESTS_ONLY),
    "logout": row("POST", (302, 302, 302, 302, 302, 302)),
    "signup": row("GET", GUESTS_ONLY),
    "signup_done": row("GET", PUBLIC),
    # An unknown (or used, or expired) confirmation link explains itself to anyone.
    "signup_confirm": row("GET", (400,) * 6, lambda w: {"token": "no-such-token"}),
    "profile": row("GET", SIGNED_IN),
    "my_data": row("GET", SIGNED_IN),
    "account_delete": row("GET", SIGNED_IN),
    "password_change": row("GET", SIGNED_IN),
    "password_change_done": row("GET", SIGNED_IN),
    "password_reset": row("GET", PUBLIC),
    "password_reset_done": row("GET", PUBLIC),
    "password_reset_confirm": row("GET", PUBLIC, lambda w: {"uidb64": "MQ", "token": "bad-token"}),
    "password_reset_complete": row("GET", PUBLIC),
    "set_language": row("POST", (302,) * 6, data=lambda w: {"language": "en"}),
    # --- notifications: one's own only ------------------------------------------------
    "notifications:list": row("GET", SIGNED_IN),
    "notifications:read_all": row("POST", (LOGIN, 302, 302, 302, 302, 302)),
    "notifications:open": row("POST", (LOGIN, 302, 404, 404, 404, 404), lambda w: {"pk": learner_notification(w)}),
    # --- courses: learner -------------------------------------------------------
    "courses:catalogue": row("GET", PUBLIC),
    "courses:dashboard": row("GET", SIGNED_IN),
    # A certificate PDF: its learner and admins only (trainers verify it with the public code).
    "courses:certificate_pdf": row("GET", (LOGIN, 200, 404, 404, 404, 200), lambda w: {"code": w.certificate.code}),
    "courses:certificate_verify": row("GET", PUBLIC, lambda w: {"code": w.certificate.code}),
    # Images of a published course are as public as its pages (see test_lesson_image_of_a_draft_course_is_private).
    "courses:image": row("GET", PUBLIC, lambda w: {"pk": w.image.pk}),
    "courses:lesson_video": row("GET", OWNER_AND_TEACHERS, lambda w: {"step_id": w.lesson_step.pk}),
    "courses:detail": row("GET", PUBLIC, course),
    "courses:cover": row("GET", PUBLIC, course),
    "courses:outline": row("GET", (302,) * 6, course),
    "courses:enrol": row("POST", (LOGIN, 302, 302, 302, 302, 302), course),
    "courses:unenrol": row("GET", (LOGIN, 200, 302, 302, 302, 302), course),
    "courses:enrolments_admin": row("GET", ADMINS, course),
    "courses:step": row("GET", (LOGIN, 200, 302, 200, 302, 200), lambda w: {**course(w), "step_id": w.lesson_step.pk}),
    "courses:step_complete": row(
        "POST", (LOGIN, 302, 302, 403, 302, 403), lambda w: {**course(w), "step_id": w.lesson_step.pk}
    ),
    "courses:step_heartbeat": row(
        "POST", (LOGIN, 200, 404, 404, 404, 404), lambda w: {**course(w), "step_id": w.lesson_step.pk}
    ),
    "courses:quiz_retry": row(
        "POST", (LOGIN, 302, 302, 404, 302, 404), lambda w: {**course(w), "step_id": w.quiz_step.pk}
    ),
    # --- courses: authoring -------------------------------------------------------
    "courses:authoring_home": row("GET", TRAINERS),
    "courses:authoring_course_create": row("GET", TRAINERS),
    "courses:authoring_markdown_preview": row("POST", TRAINERS),
    "courses:authoring_course_edit": row("GET", COURSE_EDITORS, course),
    # An empty upload is refused with the form (400) to the course's editors only.
    "courses:authoring_course_cover": row("POST", (LOGIN, 403, 403, 400, 404, 400), course),
    "courses:authoring_outline": row("GET", COURSE_EDITORS, course),
    "courses:authoring_reorder": row("POST", (LOGIN, 403, 403, 400, 404, 400), course),
    "courses:authoring_publish": row("POST", (LOGIN, 403, 403, 302, 404, 302), course),
    "courses:authoring_module_create": row("GET", COURSE_EDITORS, course),
    "courses:authoring_questions": row("GET", COURSE_EDITORS, course),
    "courses:authoring_question_create": row("GET", COURSE_EDITORS, course),
    "courses:authoring_preview": row("GET", COURSE_EDITORS, course),
    "courses:authoring_preview_step": row("GET", COURSE_EDITORS, lambda w: {**course(w), "step_id": w.lesson_step.pk}),
    "courses:authoring_cotrainers": row("GET", COURSE_EDITORS, course),
    "courses:authoring_learners": row("GET", COURSE_EDITORS, course),
    "courses:authoring_learners_csv": row("GET", COURSE_EDITORS, course),
    "courses:authoring_image_upload": row("GET", COURSE_EDITORS, course),
    "courses:authoring_module_edit": row("GET", COURSE_EDITORS, lambda w: {"module_id": w.lesson_step.module_id}),
    "courses:authoring_module_delete": row("GET", COURSE_EDITORS, lambda w: {"module_id": w.lesson_step.module_id}),
    "courses:authoring_module_move": row(
        "POST", (LOGIN, 403, 403, 302, 404, 302), lambda w: {"module_id": w.lesson_step.module_id, "direction": "up"}
    ),
    "courses:authoring_step_create": row(
        "GET", COURSE_EDITORS, lambda w: {"module_id": w.lesson_step.module_id, "kind": "lesson"}
    ),
    "courses:authoring_lesson_edit": row("GET", COURSE_EDITORS, lambda w: {"step_id": w.lesson_step.pk}),
    "courses:authoring_lesson_video": row(
        "POST", (LOGIN, 403, 403, 400, 404, 400), lambda w: {"step_id": w.lesson_step.pk}
    ),
    "courses:authoring_quiz_edit": row("GET", COURSE_EDITORS, lambda w: {"step_id": w.quiz_step.pk}),
    "courses:authoring_step_delete": row("GET", COURSE_EDITORS, lambda w: {"step_id": w.lesson_step.pk}),
    "courses:authoring_step_move": row(
        "POST", (LOGIN, 403, 403, 302, 404, 302), lambda w: {"step_id": w.lesson_step.pk, "direction": "down"}
    ),
    "courses:authoring_question_edit": row("GET", COURSE_EDITORS, lambda w: {"question_id": w.question.pk}),
    "courses:authoring_question_delete": row("GET", COURSE_EDITORS, lambda w: {"question_id": w.question.pk}),
    # --- labs: learner -----------------------------------------------------------------
    "labs:lab_for_step": row("GET", (LOGIN, 302, 302, 302, 302, 302), lambda w: {"step_id": w.lab_step.pk}),
    "labs:submission": row("GET", OWNER_AND_TEACHERS, submission),
    "labs:submission_retry": row("POST", (LOGIN, 302, 404, 404, 404, 404), submission),
    "labs:submission_cancel": row("POST", (LOGIN, 302, 404, 404, 404, 404), submission),
    "labs:submission_media": row("GET", OWNER_AND_TEACHERS, lambda w: {**submission(w), "kind": "video"}),
    "labs:submission_download": row("GET", OWNER_AND_TEACHERS, submission),
    # Only the attempt's author asks for its final render (refused or created: a redirect either way).
    "labs:submission_final": row("POST", (LOGIN, 302, 404, 404, 404, 404), submission),
    "labs:lab": row("GET", (LOGIN, 200, 302, 200, 302, 200), lab),
    "labs:check": row("POST", (LOGIN, 302, 302, 302, 302, 302), lab, data=lambda w: {"prompt": "Un plan large."}),
    "labs:submit": row("POST", (LOGIN, 400, 302, 400, 302, 400), lab),
    "labs:compare": row("GET", (LOGIN, 200, 302, 200, 302, 200), lab),
    # --- labs: trainer -------------------------------------------------------------------
    "labs:authoring_lab_for_step": row("GET", (LOGIN, 404, 404, 302, 404, 302), lambda w: {"step_id": w.lab_step.pk}),
    "labs:authoring_lab": row("GET", LAB_EDITORS, lab),
    "labs:authoring_criterion_add": row("POST", (LOGIN, 404, 404, 400, 404, 400), lab),
    "labs:authoring_rubric_try": row("POST", LAB_EDITORS, lab),
    "labs:authoring_criterion_edit": row("GET", LAB_EDITORS, lambda w: {"pk": w.criterion.pk}),
    "labs:authoring_criterion_delete": row("POST", (LOGIN, 404, 404, 302, 404, 302), lambda w: {"pk": w.criterion.pk}),
    "labs:authoring_criterion_move": row(
        "POST", (LOGIN, 404, 404, 302, 404, 302), lambda w: {"pk": w.criterion.pk, "direction": "up"}
    ),
    "labs:trainer_submissions": row("GET", LAB_EDITORS, lab),
    "labs:trainer_regrade": row("POST", (LOGIN, 404, 404, 302, 404, 302), lab),
    "labs:trainer_regrade_status": row("GET", LAB_EDITORS, lab),
    "labs:trainer_analytics": row("GET", LAB_EDITORS, lab),
    "labs:trainer_submission": row("GET", LAB_EDITORS, submission),
    "labs:trainer_dashboard": row("GET", TRAINERS),
    "labs:trainer_submission_reviewed": row("POST", (LOGIN, 404, 404, 302, 404, 302), submission),
    "labs:trainer_submission_override": row("POST", (LOGIN, 404, 404, 400, 404, 400), submission),
    "labs:trainer_submission_media": row("GET", LAB_EDITORS, lambda w: {**submission(w), "kind": "video"}),
    # The ethics rules are shared by every lab: any trainer.
    "labs:trainer_policy_rules": row("GET", TRAINERS),
    "labs:trainer_policy_test": row("POST", TRAINERS),
    "labs:trainer_policy_rule_edit": row("GET", TRAINERS, lambda w: {"pk": w.policy_rule.pk}),
    "labs:trainer_policy_rule_deactivate": row(
        "POST", (LOGIN, 403, 403, 302, 302, 302), lambda w: {"pk": w.policy_rule.pk}
    ),
    # --- funding: administrators only (CIN, CNSS, company data) ---------------------------
    "funding:company_list": row("GET", ADMINS),
    "funding:company_create": row("GET", ADMINS),
    "funding:company_edit": row("GET", ADMINS, lambda w: {"pk": w.action.company_id}),
    "funding:action_list": row("GET", ADMINS),
    "funding:action_create": row("GET", ADMINS),
    "funding:action_detail": row("GET", ADMINS, action),
    "funding:action_edit": row("GET", ADMINS, action),
    "funding:action_days": row("GET", ADMINS, action),
    "funding:action_day_add": row("POST", (LOGIN, 403, 403, 403, 403, 400), action),
    "funding:action_days_generate": row("POST", ADMINS_POST, action),
    "funding:action_day_delete": row(
        "POST", ADMINS_POST, lambda w: {"pk": w.action.pk, "day_pk": w.action.days.first().pk}
    ),
    "funding:participant_add": row("GET", ADMINS, action),
    # The one funding page a trainer sees: the attendance grid of an action they teach.
    "funding:attendance_grid": row("GET", (LOGIN, 403, 403, 200, 403, 200), action),
    "funding:attendance_derive": row("POST", ADMINS_POST, action),
    "funding:dossier": row("GET", ADMINS, action),
    "funding:document_upload": row("POST", ADMINS_POST, action),
    "funding:pdf_attendance_sheet": row("GET", ADMINS, action),
    # Without a date the filing form comes back with its errors (what was typed stays).
    "funding:action_mark_filed": row("POST", (LOGIN, 403, 403, 403, 403, 400), action),
    "funding:action_mark_reimbursed": row("POST", ADMINS_POST, action),
    "funding:participant_edit": row("GET", ADMINS, participant),
    "funding:participant_status": row("POST", (LOGIN, 403, 403, 403, 403, 400), participant),
    "funding:pdf_evaluation_sheet": row("GET", ADMINS, participant),
    "funding:pdf_attestation": row("GET", ADMINS, participant),
    "funding:document_file": row("GET", ADMINS, lambda w: {"pk": w.document.pk}),
    "funding:dashboard": row("GET", ADMINS),
    "funding:export": row("GET", ADMINS),
    # --- LTI: protocol endpoints answer everyone (a bad request gets a clear page), pages by role ----
    "lti:jwks": row("GET", PUBLIC),
    "lti:canvas_config": row("GET", PUBLIC),
    "lti:login": row("GET", (403,) * 6),
    "lti:login_for": row("GET", (403,) * 6, lambda w: {"registration_uuid": "6f1c2d9e-4b7a-4c1e-9a55-0d8f3b2a1c44"}),
    "lti:launch": row("POST", (400,) * 6),
    "lti:enter": row("GET", (400,) * 6, lambda w: {"token": "not-a-ticket"}),
    "lti:check": row("GET", (400,) * 6),  # without its fallback ticket
    "lti:deep_link": row("GET", (LOGIN, 403, 403, 403, 403, 403)),
    "lti:platforms": row("GET", ADMINS),
    "lti:platform_new": row("GET", ADMINS),
    "lti:platform_edit": row(
        "GET", (LOGIN, 403, 403, 403, 403, 404), lambda w: {"registration_uuid": "6f1c2d9e-4b7a-4c1e-9a55-0d8f3b2a1c44"}
    ),
    "lti:keys_rotate": row("POST", ADMINS_POST),
    "lti:roster_courses": row("GET", TRAINERS),
    "lti:course_roster": row("GET", (LOGIN, 404, 404, 200, 404, 200), course),
    # --- provenance: public by design (anyone may check a file, and the workshop samples are demo material) ---
    "provenance:verify": row("GET", PUBLIC),
    "provenance:sample": row("GET", PUBLIC, lambda w: provenance_sample()),
    # --- community: the course's learners and trainers only; a learner of another course sees nothing ---
    "community:home": row("GET", SIGNED_IN),
    "community:gallery": row("GET", COMMUNITY, course),
    "community:lab_panel": row("GET", COMMUNITY, lambda w: {"step_id": w.lab_step.pk}),
    # Without a chosen attempt the form comes back with its error (trainers have none to share).
    "community:share": row("POST", (LOGIN, 400, 404, 400, 404, 400), lambda w: {"step_id": w.lab_step.pk}),
    "community:item": row("GET", COMMUNITY, item),
    "community:item_media": row("GET", COMMUNITY, lambda w: {**item(w), "kind": "poster"}),
    "community:item_vote": row("POST", COMMUNITY_POST, item),
    "community:item_withdraw": row("POST", COMMUNITY_POST, item),
    "community:item_request_reviews": row("POST", COMMUNITY_POST, item),
    "community:item_hide": row("GET", LAB_EDITORS, item),
    "community:item_unhide": row("POST", MODERATORS_POST, item),
    "community:my_reviews": row("GET", SIGNED_IN),
    # An assignment's page is its reviewer's (trainers read reviews on the attempt's page).
    "community:review": row("GET", ONLY_L1, lambda w: {"pk": w.assignment.pk}),
    # Only the reviewed attempt's author rates a review (an empty rating comes back as a message).
    "community:review_rate": row("POST", (LOGIN, 302, 404, 404, 404, 404), lambda w: {"pk": w.peer_review.pk}),
    "community:calibration": row("GET", COMMUNITY, lab),
    "community:calibration_review": row("GET", COMMUNITY, lambda w: {"pk": w.calibration.pk}),
    "community:calibration_media": row("GET", COMMUNITY, lambda w: {"pk": w.calibration.pk, "kind": "video"}),
    "community:discussion": row("GET", COMMUNITY, step_of_lesson),
    "community:post_reply": row("POST", (LOGIN, 400, 404, 400, 404, 400), lambda w: {"pk": w.post.pk}),
    "community:post_edit": row("GET", ONLY_L1, lambda w: {"pk": w.own_post.pk}),
    "community:post_delete": row("GET", ONLY_L1, lambda w: {"pk": w.own_post.pk}),
    "community:post_report": row("GET", COMMUNITY, lambda w: {"pk": w.post.pk}),
    "community:post_answer": row("POST", MODERATORS_POST, lambda w: {"pk": w.post.pk}),
    "community:post_reopen": row("POST", MODERATORS_POST, lambda w: {"pk": w.post.pk}),
    "community:post_remove": row("GET", LAB_EDITORS, lambda w: {"pk": w.post.pk}),
    "community:review_setup": row("GET", LAB_EDITORS, lab),
    "community:criterion_add": row("POST", (LOGIN, 404, 404, 400, 404, 400), lab),
    # The grid already has criteria: the template is refused with a message.
    "community:rubric_template": row("POST", MODERATORS_POST, lab),
    "community:calibration_add": row("POST", (LOGIN, 404, 404, 400, 404, 400), lab),
    "community:lab_reviews": row("GET", LAB_EDITORS, lab),
    "community:criterion_edit": row("GET", LAB_EDITORS, lambda w: {"pk": w.peer_criterion.pk}),
    "community:criterion_delete": row("POST", MODERATORS_POST, lambda w: {"pk": w.peer_criterion.pk}),
    "community:criterion_move": row(
        "POST", MODERATORS_POST, lambda w: {"pk": w.peer_criterion.pk, "direction": "down"}
    ),
    "community:reference_review": row("GET", LAB_EDITORS, lambda w: {"pk": w.calibration.pk}),
    "community:calibration_remove": row("POST", MODERATORS_POST, lambda w: {"pk": w.calibration.pk}),
    "community:review_remove": row("GET", LAB_EDITORS, lambda w: {"pk": w.peer_review.pk}),
    "community:reports": row("GET", LAB_EDITORS, course),
    "community:report_dismiss": row("POST", MODERATORS_POST, lambda w: {"pk": w.report.pk}),
}


def url_names(resolver: URLResolver | None = None, namespace: str = "", prefix: str = "") -> list[str]:
    """Every named pattern of the URL conf, through includes, namespaced ("labs:submission")."""
    resolver = resolver or get_resolver()
    names = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += url_names(pattern, inner, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.append(namespace + pattern.name)
    return names


def observed(response, login_url: str) -> int | str:
    if response.status_code == 302 and response["Location"].startswith(login_url):
        return LOGIN
    return response.status_code


def test_every_url_name_has_a_row():
    names = set(url_names())
    assert not names - TABLE.keys(), "URLs without an expected-status row (add one to TABLE)"
    assert not TABLE.keys() - names, "rows for URL names that no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_each_url_answers_each_role_as_the_table_says(world: World, role: str):
    # given a client signed in as the role
    client: Client = world.client(role, raise_request_exception=False)
    login_url = reverse("login")
    mismatches = []
    # Signing out and switching language change the client itself: they go last.
    for name in sorted(set(url_names()), key=lambda n: (n in ("logout", "set_language"), n)):
        spec = TABLE[name]
        url = reverse(name, kwargs=spec.kwargs(world))
        # when the URL is requested (inside a savepoint rolled back afterwards)
        with transaction.atomic():
            response = client.get(url) if spec.method == "GET" else client.post(url, spec.data(world))
            transaction.set_rollback(True)
        # then the status is the expected one
        got, expected = observed(response, login_url), spec.expected[role]
        if got != expected:
            mismatches.append(f"{spec.method} {name} {url}: expected {expected}, got {got}")
    assert not mismatches, f"{role}:\n" + "\n".join(mismatches)


# --- IDOR spot checks beyond the matrix ------------------------------------------------


@pytest.mark.parametrize("kind", ["video", "poster", "sheet"])
@pytest.mark.parametrize("route", ["labs:submission_media", "labs:trainer_submission_media"])
def test_another_learners_attempt_media_is_not_found(world: World, route: str, kind: str):
    client = world.client("other_learner")
    response = client.get(reverse(route, kwargs={"pk": world.submission.pk, "kind": kind}))
    assert response.status_code == 404


def test_attempt_media_is_served_privately_to_its_owner(world: World):
    response = world.client("learner").get(reverse("labs:submission_media", args=[world.submission.pk, "video"]))
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_compare_refuses_another_learners_attempt(world: World):
    # given L1 asks to compare their attempt with L2's (ids are guessable)
    client = world.client("learner")
    url = reverse("labs:compare", args=[world.lab.slug])
    response = client.get(url, {"a": world.other_submission.pk, "b": world.submission.pk})
    # then the form refuses it and L2's prompt never reaches the page
    assert response.status_code == 400
    assert world.other_submission.prompt not in response.content.decode()


@pytest.mark.parametrize("role", ["anonymous", "learner", "other_learner", "other_trainer"])
def test_a_draft_course_and_its_images_are_hidden(world: World, role: str):
    image = LessonImage(course=world.draft_course, alt_text="Brouillon", width=8, height=8)
    image.image.save("brouillon.png", ContentFile(png_bytes()))
    client = world.client(role)
    assert client.get(reverse("courses:detail", args=[world.draft_course.slug])).status_code == 404
    assert client.get(reverse("courses:image", args=[image.pk])).status_code == 404
    assert client.get(reverse("courses:cover", args=[world.draft_course.slug])).status_code == 404


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 302), ("learner", 302), ("trainer", 302), ("admin", 200)])
def test_admin_site_is_for_staff_only(world: World, role: str, expected: int):
    response = world.client(role).get("/admin/")
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/admin/login/")


def test_admin_site_lists_participants_without_leaking_to_trainers(world: World):
    response = world.client("trainer").get("/admin/funding/participant/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
