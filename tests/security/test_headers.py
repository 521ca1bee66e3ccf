"""Security headers on every response, HSTS and secure cookies in production, and a clean `check --deploy`."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.conftest import World

REPO = Path(__file__).resolve().parents[2]


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


@pytest.mark.parametrize("url", ["/", "/compte/connexion/", "/cours/catalogue/", "/page-inexistante/"])
def test_pages_send_the_content_security_policy(db, url):
    response = Client().get(url)
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in " ".join(policy.get("script-src", []) + policy.get("default-src", []))


@pytest.mark.parametrize("url", ["/", "/cours/catalogue/"])
def test_pages_send_nosniff_referrer_policy_and_deny_framing(db, url):
    response = Client().get(url)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "route",
    [
        "courses:lesson_video",
        "courses:image",
        "labs:submission_media",
        "funding:document_file",
        "courses:certificate_pdf",
    ],
)
def test_private_files_are_not_cached_by_shared_caches(world: World, route: str):
    role, kwargs = {
        "courses:lesson_video": ("learner", {"step_id": world.lesson_step.pk}),
        "courses:image": ("learner", {"pk": world.image.pk}),
        "labs:submission_media": ("learner", {"pk": world.submission.pk, "kind": "video"}),
        "funding:document_file": ("admin", {"pk": world.document.pk}),
        "courses:certificate_pdf": ("learner", {"code": world.certificate.code}),
    }[route]
    response = world.client(role).get(reverse(route, kwargs=kwargs))
    assert response.status_code == 200
    cache_control = response.get("Cache-Control", "")
    assert "private" in cache_control or "no-store" in cache_control
    assert "public" not in cache_control


def test_personal_data_download_is_never_cached(world: World):
    response = world.client("learner").get(reverse("my_data"))
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_hsts_and_secure_cookies_over_https_in_production(db, settings):
    # given the production security settings (HTTPS=1)
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client = Client()
    # when a page is requested over HTTPS
    response = client.get("/compte/connexion/", secure=True)
    # then browsers are told to stay on HTTPS, and cookies never travel in clear
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in response["Strict-Transport-Security"]
    assert response.cookies["csrftoken"]["secure"]
    # and plain HTTP is redirected to HTTPS
    plain = client.get("/compte/connexion/")
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")


def test_session_cookie_is_secure_and_http_only_in_production(world: World, settings):
    settings.SESSION_COOKIE_SECURE = True
    client = Client()
    client.get(reverse("login"), secure=True)
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("login"),
        {"username": world.learner.email, "password": "motdepasse-solide-42", "csrfmiddlewaretoken": token},
        secure=True,
    )
    assert response.status_code == 302
    session_cookie = response.cookies["sessionid"]
    assert session_cookie["secure"] and session_cookie["httponly"]


def _production_env(tmp_path: Path) -> dict[str, str]:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "HTTPS", "SECRET_KEY")}
    env.update(
        DJANGO_SETTINGS_MODULE="academy.settings",
        DEBUG="0",
        HTTPS="1",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
        ALLOWED_HOSTS="academie.example.ma",
        VAR_DIR=str(tmp_path),
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
    )
    return env


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_an_insecure_secret_key(tmp_path):
    env = _production_env(tmp_path)
    env["SECRET_KEY"] = "django-insecure-short"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
