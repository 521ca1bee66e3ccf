"""Registering platforms, the tool's key set with rotation, and the configuration pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from lti_tool.models import Key, LtiRegistration

from lti.services.keys import keys_rotate
from tests.factories import AdminFactory, TrainerFactory

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Moodle OFPPT",
    "product": "moodle",
    "issuer": "https://moodle.exemple.ma",
    "client_id": "abc123",
    "deployment_ids": "1\n2",
    "auth_url": "https://moodle.exemple.ma/mod/lti/auth.php",
    "token_url": "https://moodle.exemple.ma/mod/lti/token.php",
    "keyset_url": "https://moodle.exemple.ma/mod/lti/certs.php",
    "audience": "",
    "frame_origins": "",
    "is_active": "on",
}


def test_an_administrator_registers_a_platform_with_its_deployments(client):
    client.force_login(AdminFactory())
    response = client.post("/lti/plateformes/nouvelle/", FORM)
    registration = LtiRegistration.objects.get(client_id="abc123")
    assert response.status_code == 302
    assert sorted(registration.deployments.filter(is_active=True).values_list("deployment_id", flat=True)) == ["1", "2"]
    assert registration.academy_profile.origins() == ["https://moodle.exemple.ma"]
    page = client.get(response["Location"])
    assert f"/lti/login/{registration.uuid}/" in page.content.decode()
    # removing a deployment from the list switches it off
    client.post(f"/lti/plateformes/{registration.uuid}/", {**FORM, "deployment_ids": "2"})
    assert list(registration.deployments.filter(is_active=True).values_list("deployment_id", flat=True)) == ["2"]


def test_a_bad_registration_keeps_what_was_typed_with_messages(client):
    client.force_login(AdminFactory())
    response = client.post("/lti/plateformes/nouvelle/", {**FORM, "auth_url": "pas une url"})
    assert response.status_code == 400
    assert "https://moodle.exemple.ma/mod/lti/token.php" in response.content.decode()
    assert not LtiRegistration.objects.exists()


@pytest.mark.parametrize("url", ["/lti/plateformes/", "/lti/plateformes/nouvelle/"])
def test_platform_pages_are_for_administrators_only(client, url):
    client.force_login(TrainerFactory())
    assert client.get(url).status_code == 403


def test_the_platforms_page_lists_urls_to_paste_in_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    client.force_login(AdminFactory())
    for n in range(3):
        client.post("/lti/plateformes/nouvelle/", {**FORM, "client_id": f"c{n}"})
    with django_assert_max_num_queries(12):
        page = client.get("/lti/plateformes/").content.decode()
    assert "http://testserver/lti/login/" in page
    assert "http://testserver/lti/launch/" in page
    assert "http://testserver/lti/jwks/" in page
    assert "http://testserver/lti/canvas.json" in page


def test_canvas_json_configuration(client):
    config = client.get("/lti/canvas.json").json()
    assert config["oidc_initiation_url"] == "http://testserver/lti/login/"
    assert config["target_link_uri"] == "http://testserver/lti/launch/"
    assert config["public_jwk_url"] == "http://testserver/lti/jwks/"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in config["scopes"]
    placements = config["extensions"][0]["settings"]["placements"]
    assert {p["message_type"] for p in placements} == {"LtiDeepLinkingRequest"}


def test_keys_rotate_with_an_overlap(client, settings):
    settings.LTI_KEY_ROTATION_DAYS, settings.LTI_KEY_OVERLAP_DAYS = 90, 7
    start = timezone.now() - timedelta(days=100)
    first = keys_rotate(now=start)
    assert keys_rotate(now=start + timedelta(days=10)) is None  # not due yet
    second = keys_rotate(now=start + timedelta(days=91))
    kids = {k["kid"] for k in client.get("/lti/jwks/").json()["keys"]}
    assert kids == {str(first), str(second)}  # both published during the overlap
    keys_rotate(now=start + timedelta(days=99))
    kids = {k["kid"] for k in client.get("/lti/jwks/").json()["keys"]}
    assert kids == {str(second)}
    assert Key.objects.active().latest() == second  # the newest signs


def test_the_jwks_creates_the_first_key(client):
    keys = client.get("/lti/jwks/").json()["keys"]
    assert len(keys) == 1 and keys[0]["alg"] == "RS256" and keys[0]["use"] == "sig"
    assert "d" not in keys[0]  # never the private part


def test_session_cookies_of_an_lti_session_are_partitioned_over_https(rf, settings):
    from django.contrib.sessions.backends.cache import SessionStore
    from django.http import HttpResponse

    from lti.middleware import LtiFrameMiddleware

    def view(request):
        response = HttpResponse("ok")
        response.set_cookie(settings.SESSION_COOKIE_NAME, "abc", samesite="Lax", secure=True, httponly=True)
        return response

    request = rf.get("/", secure=True)
    request.session = SessionStore()
    request.session["lti"] = {"origins": ["https://moodle.exemple.ma"]}
    response = LtiFrameMiddleware(view)(request)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME].output()
    assert "Partitioned" in cookie and "SameSite=None" in cookie and "Secure" in cookie and "HttpOnly" in cookie
    assert response["Content-Security-Policy"].endswith("frame-ancestors https://moodle.exemple.ma")


def test_seed_demo_registers_a_demonstration_platform_once():
    import io

    from django.core.management import call_command

    for _ in range(2):
        call_command("seed_demo", stdout=io.StringIO())
    registration = LtiRegistration.objects.get(issuer="https://moodle.demo.academy")
    assert list(registration.deployments.values_list("deployment_id", flat=True)) == ["1"]
    assert Key.objects.active().count() == 1
