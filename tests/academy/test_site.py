import pytest
from django.conf import settings
from django.urls import reverse

from academy.models import User

pytestmark = pytest.mark.django_db


def test_home_is_french_by_default(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="fr">' in body
    assert "Apprenez à réaliser des vidéos" in body


def test_language_switcher_sets_the_cookie_and_english_is_served(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    body = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in body
    assert "Learn to make videos with generative AI" in body


def test_language_switcher_refuses_foreign_redirects(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_language_switcher_changes_this_browser_not_the_accounts_language(client):
    # given a French-speaking user who tries the site in English
    user = User.objects.create_user(email="k@example.ma", password="x", preferred_language="fr")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get(reverse("profile")).content.decode()
    # then their account keeps French (their mails stay in French)
    user.refresh_from_db()
    assert user.preferred_language == "fr"


def test_a_password_reset_asked_from_an_english_browser_is_mailed_in_the_owners_language(
    client, django_capture_on_commit_callbacks
):
    from django.core import mail

    from academy.celery import app

    # given a French user who switched the site to English, then signed out
    user = User.objects.create_user(email="k@example.ma", password="x", preferred_language="fr")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(reverse("logout"))
    # when they ask for a password reset from that (English) browser
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("password_reset"), {"email": "k@example.ma"})
    finally:
        app.conf.task_always_eager = False
    # then the mail is in French, their language
    (message,) = mail.outbox
    assert message.subject == "Réinitialisation de votre mot de passe Academy"


def test_unknown_page_gets_the_friendly_404(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_security_headers(client):
    response = client.get(reverse("home"))
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_htmx_is_served_from_our_own_static_files(client):
    body = client.get(reverse("home")).content.decode()
    assert "/static/django_htmx/htmx-2.min.js" in body
    assert "https://" not in body.split("<body")[0]


def test_healthz_reports_database_and_broker(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    payload = response.json()
    assert payload["status"] == "ok"
    assert payload["database"]["ok"] is True
    assert payload["broker"]["ok"] is True


def test_healthz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert response.json()["database"]["ok"] is True


def test_personal_identifiers_are_masked_in_log_lines():
    import logging

    from academy.logging import PersonalDataFilter

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "CIN %s CNSS %s", ("BE123456", "123456789"), None)
    PersonalDataFilter().filter(record)
    assert "BE123456" not in record.getMessage()
    assert "123456789" not in record.getMessage()
