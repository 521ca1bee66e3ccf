"""The one CSV-safety rule (academy.spreadsheets) used by every export."""

import pytest

from academy.spreadsheets import neutralise_formula


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+33 6", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_text_a_spreadsheet_would_run_becomes_plain_text(text):
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("text", ["Zineb El Amrani", "", "3 = 3", "a-b"])
def test_other_text_is_left_alone(text):
    assert neutralise_formula(text) == text
