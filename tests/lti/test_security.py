"""Launches a tool must refuse, each with a clear page: the platform's side comes from lti1p3platform."""

from __future__ import annotations

import html

import pytest
from lti_tool.models import LtiUser

from tests.labs.factories import LabFactory
from tests.lti.platform import LEARNER, LaunchSpec, rsa_pem_pair

pytestmark = pytest.mark.django_db(transaction=True)


def _spec(lab, **overrides) -> LaunchSpec:
    values = {
        "user_id": "learner-1",
        "roles": [LEARNER],
        "resource_link_id": "rl-1",
        "custom": {"academy_target": f"lab:{lab.slug}"},
    }
    values.update(overrides)
    return LaunchSpec(**values)


def _text(page) -> str:
    return html.unescape(page.text)


def test_a_token_signed_with_a_key_the_platform_does_not_publish_is_refused(platform, browser):
    lab = LabFactory()
    platform.signing_pem = rsa_pem_pair()[1]
    page = browser.launch(platform, _spec(lab))
    assert page.status_code == 400
    assert "La signature du lancement n'a pas pu être vérifiée" in _text(page)
    assert not LtiUser.objects.exists()


def test_a_tampered_token_is_refused(platform, browser):
    lab = LabFactory()
    browser.get(platform.start_url(_spec(lab)))
    action, fields = browser.form_fields()
    header, body, signature = fields["id_token"].split(".")
    fields["id_token"] = ".".join([header, body, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")])
    page = browser.session.post(action, data=fields)
    assert page.status_code == 400
    assert "La signature du lancement n'a pas pu être vérifiée" in _text(page)


def test_an_expired_token_is_refused(platform, browser):
    lab = LabFactory()
    page = browser.launch(platform, _spec(lab, expires_in=-120))
    assert page.status_code == 400
    assert "La signature du lancement n'a pas pu être vérifiée" in _text(page)
    assert not LtiUser.objects.exists()


def test_a_replayed_launch_is_refused(platform, browser):
    lab = LabFactory()
    browser.get(platform.start_url(_spec(lab)))
    action, fields = browser.form_fields()
    assert browser.session.post(action, data=fields).status_code == 200
    replay = browser.session.post(action, data=fields)
    assert replay.status_code == 400
    assert "Ce lancement a expiré ou a déjà été utilisé" in _text(replay)


def test_an_id_token_replayed_under_a_fresh_state_is_refused_by_its_nonce(platform, browser):
    lab = LabFactory()
    browser.get(platform.start_url(_spec(lab)))
    action, first = browser.form_fields()
    assert browser.session.post(action, data=first).status_code == 200
    # a new login gives a new state (and nonce); the old id_token carries the old nonce
    browser.get(platform.start_url(_spec(lab)))
    _action, second = browser.form_fields()
    page = browser.session.post(action, data={"id_token": first["id_token"], "state": second["state"]})
    assert page.status_code == 400
    assert "Ce lancement a expiré ou a déjà été utilisé" in _text(page)


def test_a_launch_without_a_state_issued_by_the_tool_is_refused(platform, browser):
    lab = LabFactory()
    browser.get(platform.start_url(_spec(lab)))
    action, fields = browser.form_fields()
    page = browser.session.post(action, data={**fields, "state": "state-forged"})
    assert page.status_code == 400


def test_an_unknown_deployment_is_refused_and_not_created(platform, browser):
    lab = LabFactory()
    platform.deployment_id = "dep-unknown"
    page = browser.launch(platform, _spec(lab))
    assert page.status_code == 403
    assert "Ce déploiement n'est pas enregistré dans l'Academy" in _text(page)
    assert not platform.registration.deployments.filter(deployment_id="dep-unknown").exists()


def test_an_unknown_issuer_is_refused_at_login(platform, browser, live_server):
    page = browser.get(
        f"{live_server.url}/lti/login/?iss=https://lms.inconnu.example&login_hint=1&target_link_uri=x&client_id=zz"
    )
    assert page.status_code == 403
    assert "Cette plateforme n'est pas enregistrée dans l'Academy" in _text(page)


def test_a_client_id_the_issuer_did_not_register_is_refused_at_login(platform, browser):
    lab = LabFactory()
    platform.client_id = "someone-else"
    page = browser.get(platform.start_url(_spec(lab)))
    assert page.status_code == 403
    assert "Cette plateforme n'est pas enregistrée dans l'Academy" in _text(page)


def test_platform_keys_are_fetched_once_and_cached(platform, browser, monkeypatch):
    import requests

    lab = LabFactory()
    calls = []
    original = requests.Session.request

    def counting(self, method, url, **kwargs):
        if url.endswith("/jwks"):
            calls.append(kwargs.get("timeout"))
        return original(self, method, url, **kwargs)

    monkeypatch.setattr(requests.Session, "request", counting)
    browser.launch(platform, _spec(lab))
    browser.launch(platform, _spec(lab, user_id="learner-2"))
    assert len(calls) == 1
    assert calls[0] is not None  # a timeout is always set


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "another-tool"},
        {"aud": ["academy-tool", "another-tool"]},  # several audiences need azp
        {"aud": ["academy-tool", "another-tool"], "azp": "another-tool"},
        {"iat": 4102444800},  # issued in 2100
    ],
)
def test_audience_authorised_party_and_issue_time_are_checked(platform, browser, claims):
    import jwt
    from lti1p3platform.registration import Registration

    lab = LabFactory()
    browser.get(platform.start_url(_spec(lab)))
    action, fields = browser.form_fields()
    body = jwt.decode(fields["id_token"], options={"verify_signature": False})
    body.pop("azp", None)
    body.update(claims)
    kid = Registration.get_jwk(platform.private_pem)["kid"]
    forged = jwt.encode(body, platform.private_pem, algorithm="RS256", headers={"kid": kid})
    page = browser.session.post(action, data={**fields, "id_token": forged})
    assert page.status_code in (400, 403)  # unknown client, or a claim that fails the checks
    assert not LtiUser.objects.exists()


def test_a_platform_that_rotates_its_key_is_fetched_again_once(platform, browser):
    lab = LabFactory()
    assert browser.launch(platform, _spec(lab)).status_code == 200
    # the platform publishes a new key and signs with it: the cached key set lacks its kid
    platform.public_pem, platform.private_pem = rsa_pem_pair()
    page = browser.launch(platform, _spec(lab, user_id="learner-2"))
    assert page.status_code == 200
    assert LtiUser.objects.filter(sub="learner-2").exists()
