"""Every page fits the screen it is read on, as each role sees it, on a 390 px phone and at 1,280 px.

A page may scroll sideways only inside its own frames (a wide table in an ``overflow-x: auto`` region);
the page itself never does. axe-core stays clean at both widths. The lab page is built for writing:
the prompt box and the coach are above the fold on a desktop, and one screen after the title on a phone.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import Error, Page

from tests.browser.helpers import (
    DEMO_PASSWORD,
    FRENCH_COURSE,
    PRODUCT_LAB,
    blocking_violations,
    graded_submission,
    log_in,
    seed_demo,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
WEAK_PROMPT = "Une bouteille d'huile d'argan sur une table, 4K, ultra HD."

# The element sticking out furthest to the right, that no scrolling frame of its own clips: the culprit.
WIDEST_OFFENDER = """
(width) => {
  // A frame clips its descendants, except absolutely positioned ones whose containing block lies outside it.
  const clippedByFrame = (element) => {
    let escapes = ["absolute", "fixed"].includes(getComputedStyle(element).position);
    for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
      const style = getComputedStyle(parent);
      const positioned = style.position !== "static";
      if (style.overflowX !== "visible" && (!escapes || positioned)) return true;
      if (escapes && positioned) escapes = ["absolute", "fixed"].includes(style.position);
    }
    return false;
  };
  let worst = null;
  let worstRight = width + 0.5;
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right < worstRight || clippedByFrame(element)) continue;
    worst = element;
    worstRight = box.right;
  }
  if (!worst) return "(no single element: check the body's margins)";
  const name = worst.tagName.toLowerCase() + (worst.id ? "#" + worst.id : "")
    + [...worst.classList].map((c) => "." + c).join("");
  const text = (worst.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 60);
  return `${name} (right edge at ${Math.round(worstRight)} px, ${Math.round(worst.getBoundingClientRect().width)} px wide) « ${text} »`;
}
"""


@dataclass(frozen=True)
class Role:
    name: str
    email: str | None
    pages: list[tuple[str, str]]


def _overflow(page: Page, label: str, width: int) -> str | None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width <= width:
        return None
    culprit = page.evaluate(WIDEST_OFFENDER, width)
    return f"{label} at {width} px ({page.url}): the page is {scroll_width} px wide; widest: {culprit}"


def _check_role(browser, live_server, role: Role) -> list[str]:
    """One logged-in context per role; each page at the phone's width, then the desktop's."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport=PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    try:
        if role.email:
            log_in(page, role.email, DEMO_PASSWORD)
        for label, url in role.pages:
            for viewport in (PHONE, DESKTOP):
                page.set_viewport_size(viewport)
                try:
                    response = page.goto(url)
                except Error as error:
                    problems.append(f"{role.name} · {label}: {url} did not load ({error.message.splitlines()[0]})")
                    break
                if response is None or not response.ok:
                    problems.append(f"{role.name} · {label}: {url} answered {response and response.status}")
                    break
                where = f"{role.name} · {label}"
                overflow = _overflow(page, where, viewport["width"])
                if overflow:
                    problems.append(overflow)
                problems += blocking_violations(page, f"{where} at {viewport['width']} px")
    finally:
        context.close()
    return problems


def _roles(workdir) -> list[Role]:
    """The demo course with everything its pages show: attempts, a gallery, a discussion, a funded action."""
    from academy.models import User
    from community.services.discussion import post_create
    from community.services.gallery import share_attempt
    from courses.models import Certificate, Course, Question, Step
    from courses.services.learning import step_complete
    from labs.models import Lab, PolicyRule
    from lti.services.platforms import platform_save
    from tests.funding.factories import CompanyFactory, ParticipantFactory, TrainingActionFactory

    seed_demo()
    course = Course.objects.get(slug=FRENCH_COURSE)
    lab = Lab.objects.get(slug=PRODUCT_LAB)
    learner = User.objects.get(email="apprenant@demo.academy")
    other = User.objects.get(email="learner@demo.academy")
    steps = Step.objects.filter(module__course=course).order_by("module__position", "position")
    lesson = steps.filter(kind=Step.Kind.LESSON).first()
    quiz = steps.filter(kind=Step.Kind.QUIZ).first()
    module = lesson.module

    strong = graded_submission(learner=learner, lab=lab, prompt=lab.reference_prompt.strip(), workdir=workdir / "a")
    weak = graded_submission(learner=learner, lab=lab, prompt=WEAK_PROMPT, workdir=workdir / "b", client_token="weak")
    graded_submission(learner=other, lab=lab, prompt=lab.reference_prompt.strip(), workdir=workdir / "c")
    item = share_attempt(learner=learner, submission=strong)
    post_create(author=learner, step=lesson, body="Comment décrire une lumière de fin de journée ?")
    for step in steps.filter(required=True):
        step_complete(user=learner, step=step)
    certificate = Certificate.objects.get(user=learner, course=course)
    question = Question.objects.filter(course=course).first()
    rule = PolicyRule.objects.first()

    action = TrainingActionFactory(course=course, company=CompanyFactory(legal_name="Atlas Argan Cosmétiques SARL"))
    participant = ParticipantFactory(action=action, learner=learner)
    ParticipantFactory(action=action, learner=other)
    platform = platform_save(
        name="Moodle de l'école",
        deployment_ids=["deployment-1"],
        issuer="https://moodle.example.ma",
        client_id="academy-tool",
        auth_url="https://moodle.example.ma/mod/lti/auth.php",
        token_url="https://moodle.example.ma/mod/lti/token.php",
        keyset_url="https://moodle.example.ma/mod/lti/certs.php",
    )

    visitor = Role(
        "visitor",
        None,
        [
            ("home", "/"),
            ("login", "/compte/connexion/"),
            ("signup", "/compte/inscription/"),
            ("password reset", "/compte/mot-de-passe/oubli/"),
            ("catalogue", "/cours/catalogue/"),
            ("course page", course.get_absolute_url()),
            ("certificate verification", certificate.get_verify_url()),
            ("video verification", "/verifier-une-video/"),
        ],
    )
    learner_role = Role(
        "learner",
        learner.email,
        [
            ("dashboard", "/cours/mes-cours/"),
            ("course page", course.get_absolute_url()),
            ("lesson", lesson.get_absolute_url()),
            ("quiz", quiz.get_absolute_url()),
            ("lab", lab.get_absolute_url()),
            ("graded attempt", strong.get_absolute_url()),
            ("weak attempt", weak.get_absolute_url()),
            ("compare", f"/labos/{lab.slug}/comparer/?a={weak.pk}&b={strong.pk}"),
            ("profile", "/compte/profil/"),
            ("delete account", "/compte/supprimer/"),
            ("password change", "/compte/mot-de-passe/"),
            ("notifications", "/notifications/"),
            ("community", "/communaute/"),
            ("gallery", f"/communaute/cours/{course.slug}/galerie/"),
            ("gallery item", item.get_absolute_url()),
            ("discussion", f"/communaute/discussion/etape/{lesson.pk}/"),
            ("my reviews", "/communaute/relectures/"),
        ],
    )
    trainer = Role(
        "trainer",
        "formatrice@demo.academy",
        [
            ("trainer dashboard", "/labos/formateur/"),
            ("authoring home", "/cours/formateur/"),
            ("new course", "/cours/formateur/nouveau/"),
            ("course settings", f"/cours/formateur/cours/{course.slug}/"),
            ("outline", f"/cours/formateur/cours/{course.slug}/programme/"),
            ("new module", f"/cours/formateur/cours/{course.slug}/modules/nouveau/"),
            ("module", f"/cours/formateur/modules/{module.pk}/"),
            ("question bank", f"/cours/formateur/cours/{course.slug}/questions/"),
            ("question", f"/cours/formateur/questions/{question.pk}/"),
            ("preview", f"/cours/formateur/cours/{course.slug}/apercu/"),
            ("preview step", f"/cours/formateur/cours/{course.slug}/apercu/etapes/{lesson.pk}/"),
            ("co-trainers", f"/cours/formateur/cours/{course.slug}/co-formateurs/"),
            ("learners grid", f"/cours/formateur/cours/{course.slug}/apprenants/"),
            ("images", f"/cours/formateur/cours/{course.slug}/images/"),
            ("lesson editor", f"/cours/formateur/etapes/{lesson.pk}/lecon/"),
            ("quiz editor", f"/cours/formateur/etapes/{quiz.pk}/quiz/"),
            ("lab authoring", f"/labos/formateur/labos/{lab.slug}/"),
            ("lab submissions", f"/labos/formateur/labos/{lab.slug}/tentatives/"),
            ("lab analytics", f"/labos/formateur/labos/{lab.slug}/statistiques/"),
            ("submission review", f"/labos/formateur/tentatives/{weak.pk}/"),
            ("policy rules", "/labos/formateur/regles/"),
            ("policy rule", f"/labos/formateur/regles/{rule.pk}/"),
            ("peer review setup", f"/communaute/formateur/labos/{lab.slug}/relecture/"),
            ("peer reviews", f"/communaute/formateur/labos/{lab.slug}/relectures/"),
            ("reports", f"/communaute/formateur/cours/{course.slug}/signalements/"),
            ("LTI courses", "/lti/cours/"),
            ("LTI roster", f"/lti/cours/{course.slug}/liste/"),
        ],
    )
    admin = Role(
        "admin",
        "admin@demo.academy",
        [
            ("funding dashboard", "/financement/"),
            ("companies", "/financement/entreprises/"),
            ("new company", "/financement/entreprises/nouvelle/"),
            ("company", f"/financement/entreprises/{action.company_id}/"),
            ("actions", "/financement/actions/"),
            ("new action", "/financement/actions/nouvelle/"),
            ("action", f"/financement/actions/{action.pk}/"),
            ("edit action", f"/financement/actions/{action.pk}/modifier/"),
            ("action days", f"/financement/actions/{action.pk}/journees/"),
            ("attendance grid", f"/financement/actions/{action.pk}/presences/"),
            ("dossier", f"/financement/actions/{action.pk}/dossier/"),
            ("add participant", f"/financement/actions/{action.pk}/participants/ajouter/"),
            ("participant", f"/financement/participants/{participant.pk}/"),
            ("exports", "/financement/exports/"),
            ("enrolments", f"/cours/{course.slug}/inscriptions/"),
            ("LTI platforms", "/lti/plateformes/"),
            ("LTI platform", f"/lti/plateformes/{platform.uuid}/"),
            ("new LTI platform", "/lti/plateformes/nouvelle/"),
        ],
    )
    return [visitor, learner_role, trainer, admin]


def test_no_page_of_any_role_is_wider_than_a_phone_or_a_desktop_screen(browser, live_server, tmp_path):
    # given: the demo course, attempts, a gallery, a discussion and a funded action
    roles = _roles(tmp_path)

    # when: each role opens each of its pages at 390 px and at 1,280 px
    problems = [problem for role in roles for problem in _check_role(browser, live_server, role)]

    # then: no page scrolls sideways, and axe finds nothing serious
    assert not problems, "pages wider than the screen or with serious accessibility violations:\n" + "\n".join(problems)


def _top(page: Page, selector: str) -> float:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not displayed"
    return box["y"]


def test_the_lab_page_puts_the_prompt_box_and_the_coach_in_view(browser, live_server):
    from labs.models import Lab

    # given: the demo lab, opened by the demo learner
    seed_demo()
    lab = Lab.objects.get(slug=PRODUCT_LAB)
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport=DESKTOP)
    page = context.new_page()
    log_in(page, "apprenant@demo.academy")

    # when: on a 1,280 × 800 screen
    page.goto(lab.get_absolute_url())

    # then: the prompt box and the coach start above the fold
    assert _top(page, "#id_prompt") < DESKTOP["height"]
    assert _top(page, "#coach") < DESKTOP["height"]

    # when: on a 390 × 844 phone
    page.set_viewport_size(PHONE)
    page.goto(lab.get_absolute_url())

    # then: the prompt box is less than one screen below the title
    assert _top(page, "#id_prompt") - _top(page, "h1") < PHONE["height"]
    context.close()


def test_the_brief_stays_closed_or_open_as_the_learner_left_it(browser, live_server):
    from labs.models import Lab

    # given: the demo lab, whose brief starts folded
    seed_demo()
    lab = Lab.objects.get(slug=PRODUCT_LAB)
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport=DESKTOP)
    page = context.new_page()
    log_in(page, "apprenant@demo.academy")
    page.goto(lab.get_absolute_url())
    brief = page.locator("details#brief")
    assert brief.get_attribute("open") is None

    # when: the learner opens it and comes back to the page
    brief.locator("summary").click()
    page.reload()

    # then: it is open again, and folding it is remembered too
    assert page.locator("details#brief").get_attribute("open") is not None
    page.locator("details#brief summary").click()
    page.reload()
    assert page.locator("details#brief").get_attribute("open") is None
    context.close()


def test_on_a_phone_each_criterion_of_an_attempt_is_a_card_that_is_still_a_table_row(browser, live_server, tmp_path):
    from academy.models import User
    from labs.models import Lab

    # given: a weak graded attempt of the demo learner
    seed_demo()
    lab = Lab.objects.get(slug=PRODUCT_LAB)
    learner = User.objects.get(email="apprenant@demo.academy")
    attempt = graded_submission(learner=learner, lab=lab, prompt=WEAK_PROMPT, workdir=tmp_path)
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport=PHONE)
    page = context.new_page()
    log_in(page, learner.email)

    # when: the learner opens it on a phone
    page.goto(attempt.get_absolute_url())

    # then: every comment is on screen, introduced by its column's name, and the rows remain table rows
    comments = page.locator("table.criteria td[data-label='Commentaire']:not(:empty)")
    assert comments.count() > 0
    for index in range(comments.count()):
        box = comments.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    label = comments.first.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == '"Commentaire\u00a0: "', label  # French punctuation: a no-break space before the colon
    table = page.get_by_role("table").filter(has=page.locator("td[data-label]"))
    assert table.get_by_role("row").count() > 1
    assert table.get_by_role("columnheader", name="Commentaire").count() == 1
    context.close()


def test_the_learners_grid_scrolls_in_its_own_frame_with_names_pinned_and_pills_on_one_line(
    browser, live_server, tmp_path
):
    from academy.models import User
    from courses.models import Course, Step
    from courses.services.learning import step_complete
    from labs.models import Lab

    # given: the demo learner has passed the product lab and finished the first steps
    seed_demo()
    course = Course.objects.get(slug=FRENCH_COURSE)
    lab = Lab.objects.get(slug=PRODUCT_LAB)
    learner = User.objects.get(email="apprenant@demo.academy")
    graded_submission(learner=learner, lab=lab, prompt=lab.reference_prompt.strip(), workdir=tmp_path)
    for step in Step.objects.filter(module__course=course).order_by("module__position", "position")[:3]:
        step_complete(user=learner, step=step)
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport=DESKTOP)
    page = context.new_page()
    log_in(page, "formatrice@demo.academy")

    # when: the trainer opens the grid at 1,280 px
    page.goto(f"/cours/formateur/cours/{course.slug}/apprenants/")
    frame = page.get_by_role("region", name="Progression par apprenant et par étape")

    # then: the page does not scroll sideways; the frame does, from the keyboard too
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    assert frame.get_attribute("tabindex") == "0"
    assert frame.evaluate("f => f.scrollWidth > f.clientWidth")
    # the « 100 % » pill stays on one line
    pill = frame.locator(".badge", has_text="100")
    assert pill.evaluate("b => b.getClientRects().length") == 1
    assert pill.evaluate("b => b.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(b).fontSize) * 1.3")
    # scrolled to the end, the learner's name and the header row are still where they were
    name = frame.get_by_role("rowheader").first
    before = name.bounding_box()
    frame.focus()
    page.keyboard.press("End")
    frame.evaluate("f => { f.scrollLeft = f.scrollWidth; }")
    after = name.bounding_box()
    assert frame.evaluate("f => f.scrollLeft") > 0
    assert after is not None and before is not None and abs(after["x"] - before["x"]) < 1
    assert frame.get_by_role("columnheader").first.evaluate(
        "th => getComputedStyle(th).position === 'sticky' && getComputedStyle(th).top === '0px'"
    )
    context.close()
