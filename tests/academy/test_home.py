"""The home page shows what a lab looks like: a prompt with the coach's highlighting and a graded result."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_home_page_shows_a_lab_excerpt_with_highlighting_and_a_score(client):
    page = client.get(reverse("home")).content.decode()
    assert "À quoi ressemble un labo" in page
    assert '<mark class="el el-camera_movement"' in page and "travelling avant lent" in page
    assert '<p class="score"><strong>78</strong> / 100</p>' in page
    assert "css/labs.css" in page


def test_the_lab_excerpt_is_in_english_for_english_visitors(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("home")).content.decode()
    assert "What a lab looks like" in page
    assert "slow dolly-in" in page and "travelling avant" not in page
