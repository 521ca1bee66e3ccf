"""The video measurements on the trainer's attempt review: labelled, translated, with units, colours as swatches."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from labs.presentation.measurements import MEASUREMENTS, measurement_rows
from tests.labs.factories import LabFactory, SubmissionFactory, graded_result

NBSP = "\u00a0"

METRICS = {
    "duration_s": 5.0,
    "fps": 24.0,
    "width": 360,
    "height": 640,
    "codec": "h264",
    "is_moving": True,
    "frozen": False,
    "flicker": None,
    "clipped_fraction": 0.125,
    "cut_times_s": [1.5, 3.25],
    "dominant_colours": ["red", "brown"],
    "colour_fractions": {"black": 0.0, "red": 0.6017, "brown": 0.3206},
    "exposure_ok": True,
}


def rows_by_key(metrics, language="fr"):
    with translation.override(language):
        return {row.key: row for row in measurement_rows(metrics)}


def test_each_measurement_has_a_french_label_and_its_unit():
    # given / when
    rows = rows_by_key(METRICS)

    # then
    assert (rows["clipped_fraction"].label, rows["clipped_fraction"].text) == ("Pixels écrêtés", f"12,5{NBSP}%")
    assert (rows["duration_s"].label, rows["duration_s"].text) == ("Durée", f"5{NBSP}s")
    assert rows["fps"].text == f"24{NBSP}fps"
    assert rows["width"].text == f"360{NBSP}px"
    assert rows["cut_times_s"].text == f"1,5{NBSP}s, 3,3{NBSP}s"


def test_english_pages_read_english_labels_and_numbers():
    rows = rows_by_key(METRICS, "en")

    assert (rows["clipped_fraction"].label, rows["clipped_fraction"].text) == ("Clipped pixels", "12.5%")
    assert (rows["is_moving"].label, rows["is_moving"].text) == ("In motion", "Yes")


@pytest.mark.parametrize(("key", "expected"), [("is_moving", "Oui"), ("frozen", "Non"), ("flicker", "—")])
def test_booleans_read_oui_non_and_missing_values_a_dash(key, expected):
    assert rows_by_key(METRICS)[key].text == expected


def test_colours_are_swatches_with_their_names_most_present_first():
    rows = rows_by_key(METRICS)

    fractions = rows["colour_fractions"].swatches
    assert [(s.name, s.hex, s.share) for s in fractions] == [
        ("rouge", "#d32f2f", f"60{NBSP}%"),
        ("marron", "#7b4a24", f"32{NBSP}%"),
    ]
    assert [s.name for s in rows["dominant_colours"].swatches] == ["rouge", "marron"]


def test_an_unknown_key_shows_humanised_with_a_readable_value():
    rows = rows_by_key({"noise_level": 0.12345, "extra_flags": {"is_hdr": True}, "zoom": [1, 2]})

    assert (rows["noise_level"].label, rows["noise_level"].text) == ("Noise level", "0,123")
    assert (rows["extra_flags"].label, rows["extra_flags"].text) == ("Extra flags", f"Is hdr{NBSP}: Oui")
    assert rows["zoom"].text == "1, 2"


def test_known_keys_come_first_in_table_order():
    keys = [row.key for row in measurement_rows({"zzz": 1, "width": 2, "duration_s": 3})]

    assert keys == ["duration_s", "width", "zzz"]


def test_every_analysed_metric_has_a_label():
    from labs.grading.video_analysis import VideoMetrics

    analysed = set(VideoMetrics.__dataclass_fields__) | {"exposure_ok", "alignment"}

    assert analysed <= set(MEASUREMENTS)


@pytest.mark.django_db
def test_the_review_page_shows_no_raw_keys_or_python_values(client):
    # given
    lab = LabFactory()
    result = graded_result(score=80, passed=True, items=[])
    result["metrics"] = METRICS
    submission = SubmissionFactory(lab=lab, graded=True, result=result)
    client.force_login(lab.course.owner)

    # when
    html = client.get(reverse("labs:trainer_submission", args=[submission.pk])).content.decode()

    # then
    assert "Pixels écrêtés" in html
    assert 'fill="#d32f2f"' in html
    for raw in ("clipped_fraction", "{&#x27;", "True", "False", "None"):
        assert raw not in html
