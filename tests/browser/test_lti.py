"""The LTI tool in a real browser: inside a platform's iframe, and its pages under axe-core."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.browser.helpers import blocking_violations
from tests.lti.platform import INSTRUCTOR, LEARNER, LaunchSpec, Platform

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def platform(live_server):
    from lti.services.platforms import platform_save

    server = Platform(tool_base=live_server.url)
    server.start()
    server.registration = platform_save(
        name="Moodle de test", deployment_ids=[server.deployment_id], product="moodle", **server.registration_fields()
    )
    yield server
    server.stop()


def test_in_the_platform_s_iframe_a_browser_without_third_party_cookies_gets_a_working_new_tab(
    page, platform, tmp_path
):
    from tests.labs.factories import LabFactory

    lab = LabFactory(step__title="Teaser produit")
    spec = LaunchSpec(
        user_id="u-1", roles=[LEARNER], resource_link_id="rl-1", custom={"academy_target": f"lab:{lab.slug}"}
    )
    # given the platform's course page framing the activity (platform and tool are different sites)
    page.goto(f"{platform.url}/course?start={quote(platform.start_url(spec), safe='')}")
    frame = page.frame_locator("iframe")
    # then: the launch went through (the frame is allowed), but this HTTP frame cannot keep our session cookie,
    # so the page offers a new tab instead of failing
    link = frame.get_by_role("link", name="Ouvrir dans un nouvel onglet")
    link.wait_for()
    page.screenshot(path=str(tmp_path / "lti-iframe.png"))
    with page.context.expect_page() as popup_info:
        link.click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.url.endswith(lab.get_absolute_url())
    assert popup.get_by_role("heading", name="Teaser produit").first.is_visible()


def test_lti_pages_have_no_serious_accessibility_violations(page, platform, live_server):
    from tests.factories import AdminFactory
    from tests.labs.factories import LabFactory

    LabFactory(step__title="Teaser produit")
    problems: list[str] = []
    # the deep linking picker, opened from the platform in a first-party window
    page.goto(platform.start_url(LaunchSpec(user_id="t-1", roles=[INSTRUCTOR], kind="deeplink")))
    page.get_by_role("heading", name="Ajouter un contenu de l'Academy").wait_for()
    problems += blocking_violations(page, "deep linking picker")
    # an administrator's pages
    admin = AdminFactory()
    page.context.clear_cookies()
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(admin.email)
    page.get_by_label("Mot de passe").fill("motdepasse-solide-42")
    page.get_by_role("button", name="Se connecter").click()
    for label, url in [
        ("platforms", "/lti/plateformes/"),
        ("platform form", f"/lti/plateformes/{platform.registration.uuid}/"),
        ("new platform", "/lti/plateformes/nouvelle/"),
    ]:
        response = page.goto(url)
        assert response is not None and response.ok, f"{label}: {response and response.status}"
        problems += blocking_violations(page, label)
    page.get_by_role("button", name="Enregistrer").click()
    problems += blocking_violations(page, "new platform with errors")
    assert not problems, "\n".join(problems)
