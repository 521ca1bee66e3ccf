"""An administrator's journey in a real browser: an OFPPT action set up, attendance recorded, the sheet downloaded."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import FRENCH_COURSE, log_in, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _last_full_week() -> tuple[datetime.date, datetime.date]:
    """Monday to Friday of a week already past, so its attendance counts in the rate."""
    today = datetime.date.today()
    monday = today - datetime.timedelta(days=today.weekday() + 14)
    return monday, monday + datetime.timedelta(days=4)


def test_admin_sets_up_an_ofppt_action_records_attendance_and_downloads_the_sheet(page, screenshot, tmp_path):
    from courses.models import Course
    from funding.models import Company, Participant, TrainingAction

    # given: the demo accounts and courses
    seed_demo()
    course = Course.objects.get(slug=FRENCH_COURSE)
    start, end = _last_full_week()
    log_in(page, "admin@demo.academy")
    page.goto("/financement/")
    screenshot(page, "funding-dashboard")

    # when: the admin records the employer
    page.goto("/financement/entreprises/nouvelle/")
    page.locator("#id_legal_name").fill("Atlas Argan Cosmétiques SARL")
    page.locator("#id_ice").fill("001 525 489 000 088")
    page.locator("#id_city").fill("Agadir")
    page.locator("#id_headcount_employes").fill("24")
    page.locator("#id_tfp_up_to_date").check()
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#messages")).to_contain_text("Atlas Argan Cosmétiques SARL")
    company = Company.objects.get(ice="001525489000088")

    # and a planned training action of the French course for it, with its days generated
    page.goto("/financement/actions/nouvelle/")
    page.locator("#id_course").select_option(str(course.pk))
    page.locator("#id_company").select_option(str(company.pk))
    page.locator("#id_action_type").select_option("planned")
    page.locator("#id_start_date").fill(start.isoformat())
    page.locator("#id_end_date").fill(end.isoformat())
    page.locator("#id_location").fill("Agadir, salle Tafraout")
    page.locator("#id_cost_excl_tax").fill("12000")
    page.locator("#id_cost_incl_tax").fill("14400")
    screenshot(page, "action-form")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#messages")).to_contain_text("Action créée.")
    action = TrainingAction.objects.get(company=company)
    assert action.days.count() == 5

    # and enrols two participants with their CIN and CNSS numbers
    for email, cin, cnss in (
        ("apprenant@demo.academy", "BE123456", "123456789"),
        ("learner@demo.academy", "JB98765", "987654321"),
    ):
        page.goto(f"/financement/actions/{action.pk}/participants/ajouter/")
        page.locator("#id_email").fill(email)
        page.locator("#id_cin").fill(cin)
        page.locator("#id_cnss_number").fill(cnss)
        page.get_by_role("button", name="Ajouter à l'action").click()
        expect(page).to_have_url(re.compile(rf"/financement/actions/{action.pk}/$"))
    expect(page.locator("#participants-title")).to_have_text("2 participants")
    screenshot(page, "action-detail")

    # and records attendance: the first participant present every half-day, the second on Monday only
    page.get_by_role("link", name="Saisir les présences").click()
    rows = page.locator("table.funding-grid tbody tr")
    expect(rows).to_have_count(2)
    youssef = rows.filter(has_text="Youssef Amrani")
    emma = rows.filter(has_text="Emma Martin")
    for box in youssef.locator("input[type=checkbox]").all():
        box.check()
    emma.locator("input[type=checkbox]").nth(0).check()
    emma.locator("input[type=checkbox]").nth(1).check()
    page.get_by_role("button", name="Enregistrer les présences").click()
    expect(page.locator("#messages")).to_contain_text("Présences enregistrées")
    expect(youssef).to_contain_text("100 %")
    expect(emma).to_contain_text("20 %")
    screenshot(page, "attendance-grid")
    youssef_participant = Participant.objects.get(action=action, learner__email="apprenant@demo.academy")
    assert youssef_participant.attendance.filter(present=True).count() == 10

    # then the attendance sheet downloads from the dossier as a PDF
    page.get_by_role("link", name="Dossier").click()
    screenshot(page, "dossier")
    generate = page.locator(f"form[action='/financement/actions/{action.pk}/liste-de-presence.pdf'] button")
    with page.expect_download() as download_info:
        generate.click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"liste-de-presence-{action.pk}-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
