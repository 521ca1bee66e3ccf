"""A hidden criterion keeps its rule secret, but the learner learns that it cost points and gets a hint."""

from __future__ import annotations

import pytest
from django.urls import reverse

from labs.forms.trainer import CriterionForm
from labs.models import Criterion
from labs.presentation.criteria import hidden_criterion_hint
from tests.factories import EnrolmentFactory, UserFactory
from tests.labs.factories import CriterionFactory, LabFactory, SubmissionFactory, criterion_item, graded_result

pytestmark = pytest.mark.django_db

PROMPT = "Un flacon de parfum sur une table, 4K, ultra détaillé."


@pytest.fixture
def lab():
    return LabFactory()


@pytest.fixture
def learner_client(client, lab):
    learner = UserFactory()
    EnrolmentFactory(user=learner, course=lab.course)
    client.force_login(learner)
    client.learner = learner
    return client


def _no_4k(lab, **extra) -> Criterion:
    fields = {"kind": "must_not_mention", "element": "", "label": "Pas de résolution", "terms": ["4K", "8K"]}
    return CriterionFactory(lab=lab, hidden=True, **{**fields, **extra})


def _attempt_page(client, lab, criterion, *, score: float) -> str:
    item = criterion_item(criterion, score=score, feedback="Retirez « 4K » : la consigne l'exclut.")
    submission = SubmissionFactory(
        lab=lab,
        learner=client.learner,
        prompt=PROMPT,
        graded=True,
        score=40,
        passed=False,
        result=graded_result(score=40, passed=False, items=[item]),
    )
    return client.get(reverse("labs:submission", args=[submission.pk])).content.decode()


def test_a_hidden_criterion_that_cost_points_says_so_with_a_hint(learner_client, lab):
    page = _attempt_page(learner_client, lab, _no_4k(lab), score=0.0)
    assert "Ce critère vous a coûté des points." in page
    assert "Un réglage technique est écrit dans le prompt" in page
    # the rule itself stays hidden
    assert "Pas de résolution" not in page and "la consigne l&#x27;exclut" not in page


def test_the_trainers_hint_is_shown_instead_of_the_default(learner_client, lab):
    criterion = _no_4k(lab, hint="Le modèle ne lit pas les réglages de caméra.")
    page = _attempt_page(learner_client, lab, criterion, score=0.0)
    assert "Le modèle ne lit pas les réglages de caméra." in page
    assert "Un réglage technique est écrit" not in page


def test_a_hidden_criterion_fully_met_gives_no_hint(learner_client, lab):
    page = _attempt_page(learner_client, lab, _no_4k(lab), score=1.0)
    assert "Rien à corriger ici." in page
    assert "coûté des points" not in page and "Un réglage technique" not in page


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"kind": "must_not_mention", "terms": ["1080p"]}, "Un réglage technique est écrit dans le prompt"),
        ({"kind": "must_not_mention", "terms": ["logo"]}, "un mot que ce labo demande d'éviter"),
        ({"kind": "must_mention", "terms": ["logo"]}, "un mot que la consigne attend"),
        ({"kind": "anatomy", "element": "setting"}, "regardez du côté de « Décor »"),
        ({"kind": "video", "video_check": "motion"}, "contrainte visuelle"),
        ({"kind": "policy"}, "charte éthique"),
    ],
)
def test_each_kind_of_criterion_has_a_default_hint(lab, fields, expected):
    criterion = Criterion(lab=lab, hidden=True, **{"element": "", **fields})
    hint = hidden_criterion_hint(criterion)
    assert expected in hint
    assert "logo" not in hint  # never the criterion's own terms


def test_the_trainer_writes_the_hint_in_the_criterion_form():
    data = {
        "c-kind": "must_not_mention",
        "c-label": "Pas de résolution",
        "c-terms": "4K, 8K",
        "c-weight": "10",
        "c-hidden": "on",
        "c-hint": "  Un réglage technique est écrit dans le prompt.  ",
    }
    form = CriterionForm(data, prefix="c")
    assert form.is_valid(), form.errors
    assert form.criterion_fields()["hint"] == "Un réglage technique est écrit dans le prompt."
