"""The ethics rules as data: services, the trainers' page, its test box and the admin."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.urls import reverse

from labs.models import PolicyRule
from labs.selectors import lab_policy_rules
from labs.services.policy_rules import policy_rule_deactivate, policy_rule_save
from tests.factories import AdminFactory, TrainerFactory, UserFactory

pytestmark = pytest.mark.django_db

RULES_URL = "labs:trainer_policy_rules"


def rule_terms() -> list[tuple[str, ...]]:
    return [rule.terms for rule in lab_policy_rules()]


@pytest.fixture
def trainer():
    return TrainerFactory()


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client


# --- services ----------------------------------------------------------------------------------------


def test_saved_rule_applies_at_once_despite_the_cached_list(trainer):
    lab_policy_rules()  # the list is now cached

    rule = policy_rule_save(category="copyright", terms=[" Zorglub ", "zorglub", "Marsupilami"], user=trainer)

    assert rule.created_by == trainer
    assert rule.terms == ["Zorglub", "Marsupilami"]
    assert ("Zorglub", "Marsupilami") in rule_terms()


def test_deactivated_rule_no_longer_applies():
    rule = policy_rule_save(category="copyright", terms=["Zorglub"])
    lab_policy_rules()

    policy_rule_deactivate(rule=rule)

    assert ("Zorglub",) not in rule_terms()


# --- the page ---------------------------------------------------------------------------------------


def test_page_lists_rules_by_category(trainer_client):
    policy_rule_save(category="copyright", terms=["Zorglub"])

    html = trainer_client.get(reverse(RULES_URL)).content.decode()

    assert "Personnage ou franchise protégés" in html
    assert "Zorglub" in html


def test_trainer_adds_a_rule_recorded_as_theirs(trainer_client, trainer):
    data = {
        "category": "real_person",
        "terms": "Jean Dupont, J. Dupont",
        "context_terms": "",
        "explanation": "Personne réelle.",
        "active": "on",
    }

    response = trainer_client.post(reverse(RULES_URL), data)

    rule = PolicyRule.objects.get(created_by=trainer)
    assert response.status_code == 302
    assert (rule.terms, rule.created_by, rule.active) == (["Jean Dupont", "J. Dupont"], trainer, True)


def test_rule_without_terms_is_refused_in_place(trainer_client):
    count = PolicyRule.objects.count()

    response = trainer_client.post(reverse(RULES_URL), {"category": "real_person", "terms": " , ", "active": "on"})

    assert response.status_code == 400
    assert "terms" in response.context["rule_form"].errors
    assert PolicyRule.objects.count() == count


def test_editing_a_rule_updates_it_and_keeps_its_author(trainer_client):
    author = TrainerFactory()
    rule = policy_rule_save(category="copyright", terms=["Zorglub"], user=author)
    data = {"category": "copyright", "terms": "Zorglub\nSpip", "explanation": "Personnage protégé.", "active": "on"}

    trainer_client.post(reverse("labs:trainer_policy_rule_edit", args=[rule.pk]), data)

    rule.refresh_from_db()
    assert (rule.terms, rule.explanation, rule.created_by) == (["Zorglub", "Spip"], "Personnage protégé.", author)


def test_deactivate_button_switches_the_rule_off(trainer_client):
    rule = policy_rule_save(category="copyright", terms=["Zorglub"])

    trainer_client.post(reverse("labs:trainer_policy_rule_deactivate", args=[rule.pk]))

    rule.refresh_from_db()
    assert rule.active is False


def test_test_box_shows_which_rule_refuses_the_prompt(trainer_client):
    policy_rule_save(category="copyright", terms=["Zorglub"], explanation="Un personnage protégé.")

    response = trainer_client.post(
        reverse("labs:trainer_policy_test"), {"prompt": "Zorglub danse sur la plage."}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="policy-test-result"')
    assert "Refusé" in html and "Zorglub" in html and "Un personnage protégé." in html


def test_test_box_without_javascript_accepts_a_harmless_prompt(trainer_client):
    response = trainer_client.post(
        reverse("labs:trainer_policy_test"), {"prompt": "Un flacon de parfum sur une table."}
    )

    html = response.content.decode()
    assert "<html" in html and "Accepté" in html


# --- access ------------------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse(RULES_URL))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_learner_is_refused(client):
    client.force_login(UserFactory())

    assert client.get(reverse(RULES_URL)).status_code == 403
    assert client.post(reverse("labs:trainer_policy_test"), {"prompt": "x"}).status_code == 403


def test_admin_may_open_the_page(client):
    client.force_login(AdminFactory())

    assert client.get(reverse(RULES_URL)).status_code == 200


# --- admin -------------------------------------------------------------------------------------------


def test_admin_site_changes_apply_at_once(client):
    admin = AdminFactory(is_superuser=True)
    client.force_login(admin)
    lab_policy_rules()

    response = client.post(
        reverse("admin:labs_policyrule_add"),
        {
            "category": "copyright",
            "terms": '["Zorglub"]',
            "context_terms": "[]",
            "unless_terms": "[]",
            "scope": "sentence",
            "explanation": "",
            "active": "on",
        },
    )

    assert response.status_code == 302
    assert PolicyRule.objects.get(terms=["Zorglub"]).created_by == admin
    assert ("Zorglub",) in rule_terms()


def test_refreshing_the_built_in_rules_keeps_what_people_edited_or_switched_off():
    from django.apps import apps

    refresh = import_module("labs.migrations.0007_policy_rule_edited_at").refresh_unedited_default_rules
    defaults = PolicyRule.objects.filter(created_by__isnull=True).order_by("id")
    count = defaults.count()
    edited, switched_off = defaults[0], defaults[1]
    policy_rule_save(
        rule=edited,
        category=edited.category,
        terms=[*edited.terms, "Zorglub"],
        context_terms=edited.context_terms,
        unless_terms=edited.unless_terms,
        scope=edited.scope,
    )
    # Switched off before edits were recorded: no edited_at.
    PolicyRule.objects.filter(pk=switched_off.pk).update(active=False)
    authored = policy_rule_save(category="copyright", terms=["Marsupilami"], user=TrainerFactory())

    refresh(apps, None)

    built_in = PolicyRule.objects.filter(created_by__isnull=True)
    assert built_in.count() == count
    assert "Zorglub" in PolicyRule.objects.get(pk=edited.pk).terms
    assert built_in.filter(terms__0=edited.terms[0], category=edited.category).count() == 1
    assert not built_in.get(terms__0=switched_off.terms[0], category=switched_off.category).active
    assert PolicyRule.objects.filter(pk=authored.pk).exists()
