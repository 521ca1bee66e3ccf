"""Cross-site scripting: hostile text in every rendered field comes back escaped or sanitised.

Each case stores one payload (script tag, event handler, attribute break-out,
javascript: link, iframe) in a field, then requests a page that renders it and
parses the HTML: no inline script, no on* attribute, no javascript: URL, no
frame or SVG may appear. A marker word proves the field was rendered at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from academy.models import Organisation
from courses.models import Certificate, Choice, Course, Question
from labs.models import PolicyRule, Submission
from tests.security.conftest import World

MARKER = "Zorro"
PAYLOAD = (
    f'{MARKER} <script>alert(1)</script><img src=x onerror=alert(1)>"><svg onload=alert(1)>'
    '[x](javascript:alert(1)) <a href="javascript:alert(1)">y</a><iframe src=//evil.example></iframe>'
)
# Names are at most 150 characters (PostgreSQL enforces it): the markup part only.
NAME_PAYLOAD = f'{MARKER} <script>alert(1)</script><img src=x onerror=alert(1)>"><svg onload=alert(1)>'
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "hx-get", "hx-post"}
FORBIDDEN_TAGS = {"iframe", "svg", "object", "embed", "frame", "frameset", "base"}


class _DangerFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "script" and not values.get("src") and values.get("type") != "application/json":
            self.problems.append("inline <script>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and (value or "").strip().lower().startswith(
                ("javascript:", "vbscript:", "data:text")
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def dangerous_markup(html: str) -> list[str]:
    finder = _DangerFinder()
    finder.feed(html)
    return finder.problems


@dataclass
class Request:
    role: str
    url: str
    method: str = "GET"
    data: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)


def _course_texts(w: World) -> Request:
    Course.objects.filter(pk=w.course.pk).update(
        title=PAYLOAD, summary=PAYLOAD, description=PAYLOAD, prerequisites=PAYLOAD
    )
    return Request("anonymous", reverse("courses:detail", args=[w.course.slug]))


def _catalogue(w: World) -> Request:
    Course.objects.filter(pk=w.course.pk).update(title=PAYLOAD, summary=PAYLOAD)
    return Request("anonymous", reverse("courses:catalogue"))


def _lesson_body(w: World) -> Request:
    w.lesson_step.lesson.body = PAYLOAD
    w.lesson_step.lesson.video_caption = PAYLOAD
    w.lesson_step.lesson.save()
    return Request("learner", reverse("courses:step", args=[w.course.slug, w.lesson_step.pk]))


def _quiz_review(w: World) -> Request:
    Question.objects.filter(pk=w.question.pk).update(text=PAYLOAD, explanation=PAYLOAD)
    Choice.objects.filter(question=w.question).update(text=PAYLOAD[:300])
    return Request("learner", reverse("courses:step", args=[w.course.slug, w.quiz_step.pk]))


def _question_bank(w: World) -> Request:
    Question.objects.filter(pk=w.question.pk).update(text=PAYLOAD)
    return Request("trainer", reverse("courses:authoring_questions", args=[w.course.slug]))


def _markdown_preview(w: World) -> Request:
    data = {"_md_field": "body", "body": PAYLOAD}
    return Request("trainer", reverse("courses:authoring_markdown_preview"), "POST", data)


def _names_for_trainer(w: World) -> Request:
    type(w.learner).objects.filter(pk=w.learner.pk).update(first_name=NAME_PAYLOAD, last_name=NAME_PAYLOAD)
    return Request("trainer", reverse("courses:authoring_learners", args=[w.course.slug]))


def _names_in_attempts_list(w: World) -> Request:
    type(w.learner).objects.filter(pk=w.learner.pk).update(first_name=NAME_PAYLOAD)
    return Request("trainer", reverse("labs:trainer_submissions", args=[w.lab.slug]))


def _prompt_on_attempt_page(w: World) -> Request:
    Submission.objects.filter(pk=w.submission.pk).update(prompt=PAYLOAD)
    return Request("learner", reverse("labs:submission", args=[w.submission.pk]))


def _prompt_for_the_trainer(w: World) -> Request:
    type(w.learner).objects.filter(pk=w.learner.pk).update(first_name=NAME_PAYLOAD)
    Submission.objects.filter(pk=w.submission.pk).update(prompt=PAYLOAD, override_comment=PAYLOAD)
    return Request("trainer", reverse("labs:trainer_submission", args=[w.submission.pk]))


def _coach_highlight(w: World) -> Request:
    return Request(
        "learner", reverse("labs:check", args=[w.lab.slug]), "POST", {"prompt": PAYLOAD}, {"HX-Request": "true"}
    )


def _draft_in_editor(w: World) -> Request:
    w.lab.drafts.filter(learner=w.learner).update(prompt=PAYLOAD)
    return Request("learner", reverse("labs:lab", args=[w.lab.slug]))


def _lab_brief(w: World) -> Request:
    type(w.lab).objects.filter(pk=w.lab.pk).update(brief=PAYLOAD)
    return Request("learner", reverse("labs:lab", args=[w.lab.slug]))


def _blocked_attempt_explanation(w: World) -> Request:
    start = PAYLOAD.index("script")
    finding = {"category": "violence", "text": PAYLOAD, "explanation": PAYLOAD, "start": start, "end": start + 6}
    result = {"policy": {"allowed": False, "findings": [finding], "moderation_categories": []}}
    Submission.objects.filter(pk=w.submission.pk).update(state=Submission.State.BLOCKED, prompt=PAYLOAD, result=result)
    return Request("learner", reverse("labs:submission", args=[w.submission.pk]))


def _policy_rule_list(w: World) -> Request:
    PolicyRule.objects.filter(pk=w.policy_rule.pk).update(explanation=PAYLOAD, terms=[PAYLOAD])
    return Request("trainer", reverse("labs:trainer_policy_rules"))


def _policy_test(w: World) -> Request:
    PolicyRule.objects.filter(pk=w.policy_rule.pk).update(explanation=PAYLOAD)
    return Request("trainer", reverse("labs:trainer_policy_test"), "POST", {"prompt": f"massacre {PAYLOAD}"})


def _organisation_on_profile(w: World) -> Request:
    organisation = Organisation.objects.create(name=PAYLOAD)
    type(w.learner).objects.filter(pk=w.learner.pk).update(organisation=organisation, first_name=NAME_PAYLOAD)
    return Request("learner", reverse("profile"))


def _certificate_name(w: World) -> Request:
    Certificate.objects.filter(pk=w.certificate.pk).update(learner_name=PAYLOAD, course_title=PAYLOAD)
    return Request("anonymous", reverse("courses:certificate_verify", args=[w.certificate.code]))


def _company_list(w: World) -> Request:
    type(w.action.company).objects.filter(pk=w.action.company_id).update(legal_name=PAYLOAD, city=NAME_PAYLOAD)
    return Request("admin", reverse("funding:company_list"))


def _action_page(w: World) -> Request:
    type(w.action.company).objects.filter(pk=w.action.company_id).update(legal_name=PAYLOAD)
    type(w.learner).objects.filter(pk=w.learner.pk).update(first_name=NAME_PAYLOAD)
    type(w.action).objects.filter(pk=w.action.pk).update(title=PAYLOAD, location=PAYLOAD)
    return Request("admin", reverse("funding:action_detail", args=[w.action.pk]))


def _attendance_grid(w: World) -> Request:
    type(w.learner).objects.filter(pk=w.learner.pk).update(first_name=NAME_PAYLOAD)
    return Request("trainer", reverse("funding:attendance_grid", args=[w.action.pk]))


def _participant_page(w: World) -> Request:
    type(w.learner).objects.filter(pk=w.learner.pk).update(first_name=NAME_PAYLOAD, last_name=NAME_PAYLOAD)
    return Request("admin", reverse("funding:participant_edit", args=[w.participant.pk]))


def _gallery_card(w: World) -> Request:
    Submission.objects.filter(pk=w.peer_item.submission_id).update(prompt=PAYLOAD)
    type(w.peer).objects.filter(pk=w.peer.pk).update(first_name=NAME_PAYLOAD)
    return Request("learner", reverse("community:gallery", args=[w.course.slug]))


def _shared_attempt_page(w: World) -> Request:
    from community.models import GalleryItem

    Submission.objects.filter(pk=w.gallery_item.submission_id).update(prompt=PAYLOAD)
    GalleryItem.objects.filter(pk=w.gallery_item.pk).update(hidden_reason=PAYLOAD, hidden_at=w.gallery_item.shared_at)
    return Request("learner", reverse("community:item", args=[w.gallery_item.pk]))


def _review_texts(w: World) -> Request:
    from community.models import Review, ReviewScore, TimelineMark

    Review.objects.filter(pk=w.peer_review.pk).update(
        suggestion=PAYLOAD, comment=PAYLOAD, usefulness_comment=PAYLOAD[:300]
    )
    ReviewScore.objects.filter(review=w.peer_review).update(comment=PAYLOAD)
    TimelineMark.objects.create(review=w.peer_review, at_seconds=1, note=PAYLOAD[:200])
    return Request("learner", reverse("community:item", args=[w.gallery_item.pk]))


def _discussion_post(w: World) -> Request:
    from community.models import Post

    Post.objects.filter(pk=w.post.pk).update(body=PAYLOAD)
    type(w.peer).objects.filter(pk=w.peer.pk).update(first_name=NAME_PAYLOAD)
    return Request("learner", reverse("community:discussion", args=[w.lesson_step.pk]))


def _reported_post(w: World) -> Request:
    from community.models import Post, PostReport

    Post.objects.filter(pk=w.post.pk).update(body=PAYLOAD)
    PostReport.objects.filter(pk=w.report.pk).update(comment=PAYLOAD[:500])
    return Request("trainer", reverse("community:reports", args=[w.course.slug]))


def _rubric_for_reviewers(w: World) -> Request:
    from community.models import ReviewSettings, RubricCriterion

    RubricCriterion.objects.filter(lab=w.lab).update(label=NAME_PAYLOAD[:120], guidance=PAYLOAD[:300])
    ReviewSettings.objects.filter(lab=w.lab).update(instructions=PAYLOAD)
    return Request("learner", reverse("community:review", args=[w.assignment.pk]))


CASES: dict[str, Callable[[World], Request]] = {
    "community: gallery card prompt and author": _gallery_card,
    "community: shared attempt prompt and hiding reason": _shared_attempt_page,
    "community: review comments, suggestion, marks": _review_texts,
    "community: discussion message (Markdown) and author": _discussion_post,
    "community: reported message and report": _reported_post,
    "community: rubric and instructions (review form)": _rubric_for_reviewers,
    "course title, summary, description, prerequisites": _course_texts,
    "catalogue card": _catalogue,
    "lesson body and video caption": _lesson_body,
    "question text, choices, explanation (quiz review)": _quiz_review,
    "question bank": _question_bank,
    "markdown preview": _markdown_preview,
    "learner names (course learners)": _names_for_trainer,
    "learner names (lab attempts)": _names_in_attempts_list,
    "prompt (attempt page highlight)": _prompt_on_attempt_page,
    "prompt and comment (trainer review)": _prompt_for_the_trainer,
    "prompt (live coach highlight)": _coach_highlight,
    "draft prompt (lab editor)": _draft_in_editor,
    "lab brief": _lab_brief,
    "policy finding and explanation (blocked attempt)": _blocked_attempt_explanation,
    "policy rule explanation and terms": _policy_rule_list,
    "policy test result": _policy_test,
    "organisation and name (profile)": _organisation_on_profile,
    "certificate learner name": _certificate_name,
    "company legal name (list)": _company_list,
    "company, action, participant names (action page)": _action_page,
    "participant names (attendance grid)": _attendance_grid,
    "participant names (participant page)": _participant_page,
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_text_is_escaped_or_sanitised(world: World, case: str):
    # given a payload stored in the field(s)
    request = CASES[case](world)
    client = world.client(request.role)
    # when the page rendering it is requested
    if request.method == "GET":
        response = client.get(request.url, headers=request.headers)
    else:
        response = client.post(request.url, request.data, headers=request.headers)
    html = response.content.decode()
    # then the page rendered the field, and nothing in it is live markup
    assert response.status_code in (200, 400), response.status_code
    assert MARKER in html, "the page did not render the field under test"
    assert dangerous_markup(html) == []


def test_the_detector_catches_live_markup():
    # the control case: the raw payload, unescaped, is caught
    assert len(dangerous_markup(PAYLOAD)) >= 4
