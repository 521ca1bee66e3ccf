"""Deep linking: a trainer picks a lab in the platform; the platform gets a resource link and a line item."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

import pytest

from tests.labs.factories import LabFactory
from tests.lti.platform import INSTRUCTOR, LEARNER, LaunchSpec

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_trainer_picks_a_lab_and_the_platform_gets_a_resource_link_with_its_line_item(platform, browser):
    # given
    lab = LabFactory(step__title="Teaser produit")
    # when the trainer adds « un labo Academy » from the platform
    page = browser.launch(platform, LaunchSpec(user_id="teacher-1", roles=[INSTRUCTOR], kind="deeplink"))
    assert urlsplit(page.url).path == "/lti/liens-profonds/"
    assert "Teaser produit" in page.text
    returned = browser.submit_form(data={"target": f"lab:{lab.slug}"})
    assert urlsplit(returned.url).path == "/lti/liens-profonds/"
    assert f"form-action 'self' {platform.url}" in returned.headers["Content-Security-Policy"]
    saved = browser.submit_form()  # the page's form posts the signed response back to the platform
    # then
    assert saved.text == "saved"
    [item] = platform.deep_link_items
    assert item["type"] == "ltiResourceLink"
    assert item["title"] == "Teaser produit"
    assert item["url"].endswith("/lti/launch/")
    assert item["custom"] == {"academy_target": f"lab:{lab.slug}"}
    assert item["lineItem"]["scoreMaximum"] == 100
    assert item["lineItem"]["label"] == "Teaser produit"
    [lineitem] = platform.lineitems.values()
    assert lineitem["label"] == "Teaser produit" and lineitem["scoreMaximum"] == 100


def test_the_resource_link_then_launches_a_learner_into_the_lab(platform, browser, another_browser):
    lab = LabFactory()
    browser.launch(platform, LaunchSpec(user_id="teacher-1", roles=[INSTRUCTOR], kind="deeplink"))
    browser.submit_form(data={"target": f"lab:{lab.slug}"})
    browser.submit_form()
    [item] = platform.deep_link_items
    page = another_browser.launch(
        platform,
        LaunchSpec(
            user_id="learner-1", roles=[LEARNER], resource_link_id=item["resourceLinkId"], custom=item["custom"]
        ),
    )
    assert urlsplit(page.url).path == lab.get_absolute_url()


def test_a_learner_cannot_open_deep_linking(platform, browser):
    page = browser.launch(platform, LaunchSpec(user_id="learner-1", roles=[LEARNER], kind="deeplink"))
    assert page.status_code == 403
    assert "Seuls les formateurs et formatrices" in html.unescape(page.text)


def test_deep_linking_needs_a_deep_linking_launch_in_the_session(client):
    from tests.factories import TrainerFactory

    client.force_login(TrainerFactory())
    assert client.get("/lti/liens-profonds/").status_code == 403


def test_a_choice_outside_the_list_keeps_the_picker_with_a_message(platform, browser):
    LabFactory()
    browser.launch(platform, LaunchSpec(user_id="teacher-1", roles=[INSTRUCTOR], kind="deeplink"))
    page = browser.submit_form(data={"target": "lab:does-not-exist"})
    assert page.status_code == 400
    assert "Choisissez un cours, une leçon ou un labo dans la liste." in html.unescape(page.text)
    assert not platform.deep_link_items
