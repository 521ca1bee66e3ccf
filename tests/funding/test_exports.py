"""Exports of enrolments and attendance: rows and columns, streaming, personal identifiers, bad input."""

import csv
import datetime
import io
import logging
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funding.exports import ExportFilter, enrolment_rows
from funding.models import Attendance, FundingSettings, Participant
from tests.factories import AdminFactory, TrainerFactory, UserFactory
from tests.funding.factories import CompanyFactory, ParticipantFactory, TrainingActionFactory

pytestmark = pytest.mark.django_db

URL = "/financement/exports/"
CIN = "BK987654"
CNSS = "987654321"


@pytest.fixture
def admin():
    return AdminFactory()


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def data():
    """One 5-day action (Alpha, 2 funded places, 7 000 DH expected) and one in 2025 for Beta."""
    alpha = CompanyFactory(legal_name="Alpha")
    action = TrainingActionFactory(company=alpha, title="Vidéo IA", expected_reimbursement=Decimal("7000"))
    amina = ParticipantFactory(
        action=action,
        cin=CIN,
        cnss_number=CNSS,
        learner=UserFactory(first_name="Amina", last_name="Bennani"),
        category=Participant.Category.CADRE,
    )
    ParticipantFactory(action=action, learner=UserFactory(first_name="Youssef", last_name="Alaoui"))
    ParticipantFactory(
        action=action,
        learner=UserFactory(first_name="Nadia", last_name="Zerouali"),
        funding_status=Participant.FundingStatus.NOT_ELIGIBLE,
    )
    days = list(action.days.order_by("date"))
    # Amina: present on 3 half-days of 10 (10.5 h).
    Attendance.objects.bulk_create(
        [
            Attendance(participant=amina, day=days[0], half="am", present=True),
            Attendance(participant=amina, day=days[0], half="pm", present=True),
            Attendance(participant=amina, day=days[1], half="am", present=True),
            Attendance(participant=amina, day=days[1], half="pm", present=False),
        ]
    )
    old = TrainingActionFactory(
        company=CompanyFactory(legal_name="Beta"),
        plan_year=2025,
        start_date=datetime.date(2025, 5, 5),
        end_date=datetime.date(2025, 5, 6),
    )
    ParticipantFactory(action=old, learner=UserFactory(last_name="Ancien"))
    return {"action": action, "amina": amina, "alpha": alpha}


def _post(client, **fields):
    payload = {"kind": "enrolments", "format": "csv", "sep": "semicolon"} | fields
    return client.post(URL, payload)


def _csv(response, delimiter=";"):
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return body, list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))


def test_csv_enrolments_stream_with_the_expected_rows(admin_client, data):
    # when
    response = _post(admin_client, date_from="2026-01-01", date_to="2026-12-31")
    # then
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    _body, rows = _csv(response)
    header, lines = rows[0], rows[1:]
    assert [line[header.index("Nom")] for line in lines] == ["Alaoui", "Bennani", "Zerouali"]
    amina = dict(zip(header, lines[1], strict=True))
    assert amina["Entreprise"] == "Alpha"
    assert amina["Catégorie"] == "Cadre"
    assert amina["Statut du financement"] == "Éligible"
    assert amina["Début de l'action"] == "2026-03-02"
    assert amina["Heures prévues"] == "35,0"
    assert amina["Heures suivies"] == "10,5"
    assert amina["Assiduité (%)"] == "30"
    # 7 000 DH over the two funded places; the non-eligible place gets nothing.
    assert amina["Part du remboursement attendu (DH)"] == "3500,00"
    assert dict(zip(header, lines[2], strict=True))["Part du remboursement attendu (DH)"] == "0,00"


def test_identifiers_are_left_out_by_default(admin_client, data, caplog):
    with caplog.at_level(logging.INFO, logger="funding.audit"):
        body, rows = _csv(_post(admin_client))
    assert CIN.encode() not in body and CNSS.encode() not in body
    assert "CIN" not in rows[0]
    assert not [record for record in caplog.records if record.name == "funding.audit"]


def test_identifiers_on_request_are_exported_and_audited_without_values(admin_client, admin, data, caplog):
    # when
    with caplog.at_level(logging.INFO, logger="funding.audit"):
        body, rows = _csv(_post(admin_client, include_identifiers="on", company=str(data["alpha"].pk)))
    # then the file holds them in full
    header = rows[0]
    amina = next(dict(zip(header, row, strict=True)) for row in rows[1:] if row[header.index("Nom")] == "Bennani")
    assert (amina["CIN"], amina["N° CNSS"]) == (CIN, CNSS)
    # and one audit line says who exported what, without the values
    audit = [record.getMessage() for record in caplog.records if record.name == "funding.audit"]
    assert len(audit) == 1
    assert f"user_id={admin.pk}" in audit[0] and "kind=enrolments" in audit[0] and "rows=3" in audit[0]
    assert CIN not in audit[0] and CNSS not in audit[0]


def test_comma_separator_uses_decimal_points(admin_client, data):
    _body, rows = _csv(_post(admin_client, sep="comma", date_from="2026-01-01"), delimiter=",")
    header = rows[0]
    assert rows[1][header.index("Heures prévues")] == "35.0"


def test_xlsx_enrolments_read_back(admin_client, data):
    # when
    response = _post(admin_client, format="xlsx", include_identifiers="on", status="eligible")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    assert header[:3] == ["N° action", "Thème de l'action", "N° contrat CSF"]
    by_name = {row[header.index("Nom")]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_name) == {"Alaoui", "Bennani", "Ancien"}  # the non-eligible place is filtered out
    amina = by_name["Bennani"]
    assert amina["CIN"] == CIN
    assert amina["Heures suivies"] == pytest.approx(10.5)
    assert amina["Assiduité (%)"] == 30
    assert amina["Début de l'action"] == datetime.datetime(2026, 3, 2)


def test_xlsx_without_identifiers_does_not_contain_the_cin(admin_client, data):
    response = _post(admin_client, format="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    values = {cell for row in sheet.iter_rows(values_only=True) for cell in row}
    assert CIN not in values and "CIN" not in values


def test_attendance_export_has_one_row_per_participant_and_half_day(admin_client, data):
    # when
    _body, rows = _csv(_post(admin_client, kind="attendance", date_from="2026-01-01"))
    # then: 3 participants × 5 days × 2 half-days
    header, lines = rows[0], rows[1:]
    assert len(lines) == 30
    amina = [dict(zip(header, row, strict=True)) for row in lines if row[header.index("Nom")] == "Bennani"]
    assert [(row["Date"], row["Demi-journée"], row["Présence"]) for row in amina[:4]] == [
        ("2026-03-02", "Matin", "Présent"),
        ("2026-03-02", "Après-midi", "Présent"),
        ("2026-03-03", "Matin", "Présent"),
        ("2026-03-03", "Après-midi", "Absent"),
    ]
    assert amina[4]["Présence"] == "Non saisi"
    assert amina[0]["Heures"] == "3,5" and amina[0]["Saisie"] == "Saisie du formateur"


def test_attendance_export_per_day_when_configured(admin_client, data):
    FundingSettings.objects.filter(pk=FundingSettings.load().pk).update(attendance_unit="day")
    Attendance.objects.create(
        participant=data["amina"], day=data["action"].days.order_by("date").first(), half="day", present=True
    )
    _body, rows = _csv(_post(admin_client, kind="attendance", date_from="2026-01-01"))
    header = rows[0]
    assert len(rows) - 1 == 15
    first = dict(zip(header, rows[1], strict=True))
    assert (first["Demi-journée"], first["Heures"]) == ("Journée", "7,0")


def test_empty_period_shows_a_message_not_a_file(admin_client, data):
    # when
    response = _post(admin_client, date_from="2030-01-01", date_to="2030-12-31")
    # then
    assert response.status_code == 200
    assert not response.streaming and "Content-Disposition" not in response
    assert "Aucune inscription sur cette période : rien à exporter." in response.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"date_from": "2026-06-01", "date_to": "2026-01-01"},
            "La date de fin doit être postérieure ou égale à la date de début.",
        ),
        ({"date_from": "pas une date"}, "Saisissez une date valide."),
    ],
)
def test_invalid_dates_are_reported_in_place(admin_client, data, fields, message):
    response = _post(admin_client, **fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="' + fields.get("date_from", "") + '"' in html  # what the admin typed is kept


def test_formula_like_names_are_neutralised(admin_client, data):
    learner = data["amina"].learner
    learner.last_name = '=HYPERLINK("http://x")'
    learner.save()
    _body, rows = _csv(_post(admin_client))
    header = rows[0]
    assert '\'=HYPERLINK("http://x")' in [row[header.index("Nom")] for row in rows[1:]]


def test_export_page_prefills_from_the_dashboard_link(admin_client, data):
    response = admin_client.get(URL, {"date_from": "2026-01-01", "status": "eligible"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="2026-01-01"' in html
    assert "Inclure les identifiants personnels (CIN, CNSS)" in html


@pytest.mark.parametrize("factory", [UserFactory, TrainerFactory])
def test_exports_are_for_admins_only(client, data, factory):
    client.force_login(factory())
    assert _post(client).status_code == 403


def test_rows_take_a_fixed_number_of_queries(data):
    # given two more actions with participants
    for _ in range(2):
        ParticipantFactory(action=TrainingActionFactory())
    # when
    with CaptureQueriesContext(connection) as captured:
        rows = list(enrolment_rows(ExportFilter(include_identifiers=True), unit="half_day"))
    # then two GROUP BY per action and one SELECT for all the rows
    assert len(rows) == 6
    assert len(captured) == 3
