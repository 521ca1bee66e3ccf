"""The whole path: a learner launched from the platform submits an attempt, a real worker grades it,
and the platform's line item holds the grade that counts."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.faults.conftest import make_lab
from tests.lti.platform import LEARNER, LaunchSpec, wait_for

pytestmark = [pytest.mark.services, pytest.mark.slow]


def test_a_launched_learner_s_graded_attempt_lands_in_the_platform_gradebook(stack, platform, browser):
    from labs.models import Submission

    # given a lab placed in the platform course with its line item, and a worker
    lab = make_lab(slug="lti-lab")
    lineitem = platform.add_lineitem(label=lab.title, scoreMaximum=100, resourceLinkId="rl-1")["id"]
    worker = stack.worker(concurrency=1)
    worker.start()
    # when the learner opens it from the platform and submits a prompt
    page = browser.launch(
        platform,
        LaunchSpec(
            user_id="learner-1", roles=[LEARNER], resource_link_id="rl-1", custom={"academy_target": "lab:lti-lab"}
        ),
    )
    assert urlsplit(page.url).path == lab.get_absolute_url()
    browser.submit_form(data={"prompt": "Gros plan sur un flacon d'huile d'argan, lumière dorée, travelling lent."})
    submission = Submission.objects.get(lab=lab)
    # then the worker grades it and the score reaches the platform's line item
    score = wait_for(lambda: platform.score_of(lineitem, "learner-1"), timeout=120)
    submission.refresh_from_db()
    assert submission.state == Submission.State.GRADED
    assert score is not None, stack.environment and (worker.log.read_text() if worker.log.exists() else "")
    assert score["scoreGiven"] == submission.final_score and score["scoreMaximum"] == 100
    assert platform.score_posts == 1
