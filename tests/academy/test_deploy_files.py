"""The deployment files say what the README promises (no Docker engine runs here to try them)."""

import re
from pathlib import Path

import environ
import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_postgres_redis_web_worker_and_beat_with_health_checks():
    services = compose()["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("postgres", "redis", "web", "worker"):
        assert services[name]["healthcheck"]["test"], name
    assert "migrate" in services["web"]["command"]
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "academy", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "academy", "beat"]
    assert services["web"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_keeps_data_in_named_volumes():
    data = compose()
    assert {"pgdata", "media"} <= set(data["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in data["services"]["postgres"]["volumes"]
    assert "media:/app/media" in data["services"]["web"]["volumes"]


def test_compose_environment_is_read_by_the_settings():
    settings_source = (ROOT / "academy" / "settings.py").read_text()
    env = compose()["services"]["web"]["environment"]
    for name in env:
        assert f'"{name}"' in settings_source, f"{name} is set by docker-compose but never read"
    # the URLs it builds are ones django-environ understands
    assert environ.Env.db_url_config(env["DATABASE_URL"].replace("${POSTGRES_PASSWORD:-academy}", "x"))[
        "ENGINE"
    ].endswith("postgresql")


def test_the_image_compiles_translations_and_collects_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "compile_translations" in dockerfile
    assert "collectstatic" in dockerfile
    assert re.search(r"^USER academy$", dockerfile, re.M), "the image must not run as root"


def test_readme_gives_exactly_two_setup_commands():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^make \w+", quick_start, re.M)
    assert commands == ["make demo", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()
