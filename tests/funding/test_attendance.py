"""Attendance: the grid, days outside the action, rates and threshold, platform-derived presence."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from courses.models import DailyActivity
from funding import selectors
from funding.models import Attendance, FundingSettings
from funding.services.attendance import attendance_derive_from_platform, attendance_save
from tests.factories import AdminFactory, TrainerFactory
from tests.funding.factories import ParticipantFactory, TrainingActionFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 3, 2)
TUESDAY = datetime.date(2026, 3, 3)


@pytest.fixture
def admin():
    return AdminFactory()


def _cell(participant, date, half):
    return f"{participant.pk}:{date.isoformat()}:{half}"


def _grid_post(participants, dates, present=()):
    cells = [_cell(p, d, h) for p in participants for d in dates for h in ("am", "pm")]
    return {"cell": cells, "present": list(present)}


def test_grid_saves_every_cell_in_one_post(client, admin):
    # given
    client.force_login(admin)
    participant = ParticipantFactory()
    action = participant.action
    # when: present on Monday morning only (the other 9 half-days shown unticked)
    dates = list(action.days.values_list("date", flat=True))
    response = client.post(
        reverse("funding:attendance_grid", args=[action.pk]),
        _grid_post([participant], dates, [_cell(participant, MONDAY, "am")]),
    )
    # then
    assert response.status_code == 302
    assert Attendance.objects.filter(participant=participant).count() == 10
    assert list(Attendance.objects.filter(present=True).values_list("day__date", "half", "source", "recorded_by")) == [
        (MONDAY, "am", "trainer", admin.pk)
    ]


def test_all_present_button_ticks_the_whole_day(client, admin):
    client.force_login(admin)
    first, second = ParticipantFactory(), None
    second = ParticipantFactory(action=first.action)
    data = _grid_post([first, second], [MONDAY, TUESDAY]) | {"all_present": TUESDAY.isoformat()}
    client.post(reverse("funding:attendance_grid", args=[first.action_id]), data)
    present = set(Attendance.objects.filter(present=True).values_list("participant", "day__date"))
    assert present == {(first.pk, TUESDAY), (second.pk, TUESDAY)}


def test_attendance_outside_the_action_is_refused_and_nothing_saved(client, admin):
    # given
    client.force_login(admin)
    participant = ParticipantFactory()
    outside = datetime.date(2026, 3, 9)
    data = _grid_post([participant], [MONDAY], [_cell(participant, MONDAY, "am"), _cell(participant, outside, "am")])
    # when
    response = client.post(reverse("funding:attendance_grid", args=[participant.action_id]), data, follow=True)
    # then
    assert response.status_code == 400
    assert "09/03/2026 ne fait pas partie des journées" in response.content.decode()
    assert not Attendance.objects.exists()


def test_a_half_the_day_does_not_have_is_refused(admin):
    participant = ParticipantFactory()
    day = participant.action.days.get(date=MONDAY)
    day.afternoon_hours = 0
    day.save()
    with pytest.raises(ValidationError):
        attendance_save(action=participant.action, marks={(participant.pk, MONDAY, "pm"): True}, by=admin)


def test_another_actions_participant_is_refused(admin):
    participant = ParticipantFactory()
    stranger = ParticipantFactory(
        action=TrainingActionFactory(start_date=datetime.date(2026, 5, 4), end_date=datetime.date(2026, 5, 4))
    )
    with pytest.raises(ValidationError):
        attendance_save(action=participant.action, marks={(stranger.pk, MONDAY, "am"): True}, by=admin)


def test_rate_and_threshold_flag(admin):
    # given: 10 scheduled half-days, threshold 80 %
    diligent, absent = ParticipantFactory(), None
    action = diligent.action
    absent = ParticipantFactory(action=action)
    dates = list(action.days.values_list("date", flat=True))
    marks = {(diligent.pk, d, h): True for d in dates for h in ("am", "pm")}
    marks |= {(absent.pk, d, h): d < dates[3] for d in dates for h in ("am", "pm")}  # 6 of 10
    # when
    attendance_save(action=action, marks=marks, by=admin)
    # then
    rows = selectors.attendance_by_participant(action, today=datetime.date(2026, 3, 31))
    assert (rows[diligent.pk].rate, rows[diligent.pk].below_threshold, rows[diligent.pk].hours_attended) == (
        100,
        False,
        35,
    )
    assert (rows[absent.pk].rate, rows[absent.pk].below_threshold) == (60, True)


def test_day_unit_counts_whole_days(admin):
    settings = FundingSettings.load()
    settings.attendance_unit = FundingSettings.AttendanceUnit.DAY
    settings.save()
    participant = ParticipantFactory()
    attendance_save(action=participant.action, marks={(participant.pk, MONDAY, "day"): True}, by=admin)
    row = selectors.attendance_by_participant(participant.action, today=datetime.date(2026, 3, 31))[participant.pk]
    assert (row.present_half_days, row.scheduled_half_days, row.rate) == (2, 10, 20)


def test_platform_time_gives_remote_attendance(admin):
    # given: a remote action, 2 h per half-day; 2 h 30 on Monday, 4 h on Tuesday, nothing after
    participant = ParticipantFactory(action=TrainingActionFactory(remote=True, location=""))
    action = participant.action
    DailyActivity.objects.create(user=participant.learner, course=action.course, day=MONDAY, seconds=9000)
    DailyActivity.objects.create(user=participant.learner, course=action.course, day=TUESDAY, seconds=4 * 3600)
    # when
    present = attendance_derive_from_platform(action=action, by=admin, today=datetime.date(2026, 3, 4))
    # then: Monday am, Tuesday am+pm; Wednesday derived absent; Thursday/Friday (future) untouched
    assert present == 3
    marks = set(Attendance.objects.filter(source="platform").values_list("day__date", "half", "present"))
    assert marks == {
        (MONDAY, "am", True),
        (MONDAY, "pm", False),
        (TUESDAY, "am", True),
        (TUESDAY, "pm", True),
        (datetime.date(2026, 3, 4), "am", False),
        (datetime.date(2026, 3, 4), "pm", False),
    }


def test_platform_derivation_is_for_remote_actions_only(admin):
    action = ParticipantFactory().action
    with pytest.raises(ValidationError):
        attendance_derive_from_platform(action=action, by=admin)


def test_grid_edit_after_derivation_keeps_the_platform_source_of_unchanged_cells(admin):
    participant = ParticipantFactory(action=TrainingActionFactory(remote=True, location=""))
    DailyActivity.objects.create(user=participant.learner, course=participant.action.course, day=MONDAY, seconds=9000)
    attendance_derive_from_platform(action=participant.action, by=admin, today=MONDAY)
    attendance_save(
        action=participant.action,
        marks={(participant.pk, MONDAY, "am"): True, (participant.pk, MONDAY, "pm"): True},
        by=admin,
    )
    sources = dict(Attendance.objects.values_list("half", "source"))
    assert sources == {"am": "platform", "pm": "trainer"}


def test_trainer_of_the_action_may_record_attendance(client):
    trainer = TrainerFactory()
    participant = ParticipantFactory()
    participant.action.trainers.add(trainer)
    client.force_login(trainer)
    url = reverse("funding:attendance_grid", args=[participant.action_id])
    page = client.get(url)
    assert page.status_code == 200
    assert participant.masked_cin not in page.content.decode()  # no identifiers on the trainer's grid
    response = client.post(url, _grid_post([participant], [MONDAY], [_cell(participant, MONDAY, "am")]))
    assert response.status_code == 302
    assert Attendance.objects.filter(present=True, recorded_by=trainer).count() == 1


def test_other_trainers_may_not_record_attendance(client):
    participant = ParticipantFactory()
    client.force_login(TrainerFactory())
    url = reverse("funding:attendance_grid", args=[participant.action_id])
    assert client.get(url).status_code == 403
    assert client.post(url, _grid_post([participant], [MONDAY], [_cell(participant, MONDAY, "am")])).status_code == 403
    assert not Attendance.objects.exists()


def test_rate_counts_only_days_already_past(admin):
    # given: present Monday and Tuesday, the action seen on Tuesday evening
    participant = ParticipantFactory()
    marks = {(participant.pk, day, half): True for day in (MONDAY, TUESDAY) for half in ("am", "pm")}
    attendance_save(action=participant.action, marks=marks, by=admin)
    # when
    row = selectors.attendance_by_participant(participant.action, today=TUESDAY)[participant.pk]
    # then: 4 of 4 half-days so far, not 4 of 10
    assert (row.rate, row.below_threshold) == (100, False)
