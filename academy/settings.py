"""Settings for the Academy, read from the environment (django-environ).

The defaults give the embedded run: SQLite and a file-system Celery broker
under ``var/``, no service to install. Production sets ``DATABASE_URL``,
``REDIS_URL``, ``CELERY_BROKER_URL``, ``SECRET_KEY`` and ``ALLOWED_HOSTS``;
with ``DEBUG`` off it refuses to start on a missing or insecure secret key.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)

# --- Secret key -------------------------------------------------------------

_DEV_SECRET_KEY = "dev-only-secret-key-never-use-in-production-8f3a1c9e7b2d4f6a0e5c"  # noqa: S105 (refused when DEBUG is off)


def _secret_key_problem(key: str) -> str | None:
    """Say why ``key`` is unfit for production, or None when it is fine."""
    if not key:
        return "SECRET_KEY is not set"
    if key == _DEV_SECRET_KEY or key.startswith("django-insecure") or key.startswith("dev-only"):
        return "SECRET_KEY is the development default"
    if len(key) < 50 or len(set(key)) < 5:
        return "SECRET_KEY must be at least 50 characters with at least 5 distinct ones"
    return None


SECRET_KEY = env("SECRET_KEY", default="")
if DEBUG and not SECRET_KEY:
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (problem := _secret_key_problem(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"Refusing to start with DEBUG off: {problem}. Generate one with "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'` and set it "
        "in the SECRET_KEY environment variable (or set DEBUG=1 for local development)."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Applications -----------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "academy",
    "academy.notifications",
    "courses",
    "labs",
    "funding",
    "provenance",
    "demo",
    "lti_tool",
    "lti",
    "community",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "academy.middleware.ContentSecurityPolicyMiddleware",
    # Between CSP and sessions: lets the launching platform frame an LTI session's pages.
    "lti.middleware.LtiFrameMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "academy.middleware.UserLanguageMiddleware",
    "academy.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes must come last: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]
# Server-Timing headers (bench/pages.py reads them); off in production, where timings would leak.
SERVER_TIMING = env.bool("SERVER_TIMING", default=False)
if SERVER_TIMING:
    MIDDLEWARE.insert(0, "academy.middleware.ServerTimingMiddleware")

# Hot reads are prepared once per PostgreSQL connection (academy.compiled_queries). Turn off behind
# a pooler in transaction mode (PgBouncer's pool_mode = transaction), which does not keep them.
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)

ROOT_URLCONF = env("ROOT_URLCONF", default="academy.urls")
WSGI_APPLICATION = "academy.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "academy.context_processors.site",
            ],
            # After Django's own builtins, they replace two of its tags with the same tags made cheaper:
            # {% url %} whose links are remembered, {% extends %} that lists the layout's blocks once.
            "builtins": ["academy.templatetags.memo_url", "academy.templatetags.extends_blocks"],
            # Django's i18n library with {% translate "a literal" %} remembered per language.
            "libraries": {"i18n": "academy.templatetags.i18n_remembered"},
        },
    },
]

# --- Data -------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'academy.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web and worker processes share the file: wait for locks, don't fail.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Django's Redis cache, sharing one client per connection pool (academy/cache.py).
    CACHES = {"default": {"BACKEND": "academy.cache.SharedClientRedisCache", "LOCATION": REDIS_URL}}
else:
    # A file cache is shared by the web server and the worker of the embedded run.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Accounts ---------------------------------------------------------------

AUTH_USER_MODEL = "academy.User"
# Sessions are read from the cache (Redis in production), written through to the database.
# Django's cached_db sessions, read in the same cache round trip as the keys every page needs next.
SESSION_ENGINE = "academy.sessions"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed logins: 5 tries per account and address, then a 15-minute pause.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login form posts the e-mail address in Django's "username" field.
AXES_USERNAME_FORM_FIELD = "username"
# Every spelling of an address (case, spaces) counts against the same account.
AXES_USERNAME_CALLABLE = "academy.authentication.lockout_username"
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_SENSITIVE_PARAMETERS = ["password", "cin", "cnss_number"]
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)

# A sign-up creates the account once the address is confirmed through a mailed link, valid this long.
SIGNUP_CONFIRMATION_HOURS = env.int("SIGNUP_CONFIRMATION_HOURS", default=72)
# Mails about an account (sign-up, password reset): (count, seconds) per address and per client IP.
ACCOUNT_MAIL_RATE_PER_ADDRESS = (
    env.int("ACCOUNT_MAIL_RATE_PER_ADDRESS_COUNT", default=3),
    env.int("ACCOUNT_MAIL_RATE_PER_ADDRESS_SECONDS", default=3600),
)
ACCOUNT_MAIL_RATE_PER_IP = (
    env.int("ACCOUNT_MAIL_RATE_PER_IP_COUNT", default=10),
    env.int("ACCOUNT_MAIL_RATE_PER_IP_SECONDS", default=3600),
)

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Africa/Casablanca"
USE_TZ = True
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365

# --- Static and media -------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Private media (videos, uploads, dossier files) are never served from a
# public URL: views check permissions and stream them.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="academy.staticfiles.RememberedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Mail -------------------------------------------------------------------

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Academy <no-reply@academy.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ---------------------------------------------------------------

HTTPS = env.bool("HTTPS", default=not DEBUG)
# The site's address, for the links in mails the worker sends (notifications).
SITE_URL = env("SITE_URL", default="") or f"{'https' if HTTPS else 'http'}://{ALLOWED_HOSTS[0]}"
SECURE_SSL_REDIRECT = HTTPS
# Container health checks call /healthz over plain HTTP from inside the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", default=False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
# W003 names every template library replaced through TEMPLATES' "libraries": the i18n library is,
# on purpose (academy.templatetags.i18n_remembered).
SILENCED_SYSTEM_CHECKS = ["templates.W003"]
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "style-src 'self'; script-src 'self'; connect-src 'self'; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# Error reports (admin e-mails) mask CIN/CNSS-shaped values in POST data and frame variables.
DEFAULT_EXCEPTION_REPORTER_FILTER = "academy.error_reports.PersonalDataExceptionReporterFilter"

# Key for personal data encrypted at rest (CIN, CNSS): Fernet keys, newest
# first, so keys can be rotated. Defaults to one derived from SECRET_KEY.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

# --- Celery -----------------------------------------------------------------

BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    # The worker's event loop polls the folders, so its pool processes can be replaced safely.
    CELERY_BROKER_TRANSPORT = "academy.filesystem_transport:Transport"
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# The longest task (a real hosted generation) is bounded by these limits;
# the broker's visibility timeout must be longer or Redis would redeliver
# a task that is still running.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=15 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=16 * 60)
CELERY_BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 5 * 60)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- LTI 1.3 (Moodle, Canvas, Open edX) -------------------------------------

# Calls to platforms (key sets, tokens, scores, rosters) give up after this many seconds.
LTI_HTTP_TIMEOUT = env.float("LTI_HTTP_TIMEOUT", default=10.0)
LTI_PLATFORM_KEYS_CACHE_SECONDS = env.int("LTI_PLATFORM_KEYS_CACHE_SECONDS", default=3600)
LTI_STATE_SECONDS = env.int("LTI_STATE_SECONDS", default=600)
LTI_NONCE_SECONDS = env.int("LTI_NONCE_SECONDS", default=86400)
LTI_CLOCK_LEEWAY_SECONDS = env.int("LTI_CLOCK_LEEWAY_SECONDS", default=60)
# The tool's signing key is replaced this often; the old one stays published for the overlap.
LTI_KEY_ROTATION_DAYS = env.int("LTI_KEY_ROTATION_DAYS", default=90)
LTI_KEY_OVERLAP_DAYS = env.int("LTI_KEY_OVERLAP_DAYS", default=7)
LTI_SCORE_MAX_RETRIES = env.int("LTI_SCORE_MAX_RETRIES", default=6)
LTI_SCORE_RETRY_BACKOFF_SECONDS = env.float("LTI_SCORE_RETRY_BACKOFF_SECONDS", default=30.0)

# --- Labs -------------------------------------------------------------------

# Attempts per learner per window: (count, seconds).
LAB_SUBMISSION_RATE = (
    env.int("LAB_SUBMISSION_RATE_COUNT", default=6),
    env.int("LAB_SUBMISSION_RATE_SECONDS", default=60),
)
# Past these, the sweeper re-enqueues an attempt (queued: broker was down or
# the message was lost; running: the worker died).
LAB_QUEUED_DEADLINE_SECONDS = env.int("LAB_QUEUED_DEADLINE_SECONDS", default=120)
LAB_RUNNING_DEADLINE_SECONDS = env.int("LAB_RUNNING_DEADLINE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60)
LAB_RETRY_BACKOFF_SECONDS = env.float("LAB_RETRY_BACKOFF_SECONDS", default=2.0)
# Web processes load the French and English prompt-reading pipelines when they start (else on first use).
LANGUAGE_MODELS_PRELOAD = env.bool("LANGUAGE_MODELS_PRELOAD", default=True)
# A running attempt's task writes a heartbeat this often; after this much silence its worker is
# taken for dead and the sweeper (run this often) requeues the attempt: within
# LAB_HEARTBEAT_TIMEOUT_SECONDS + LAB_SWEEP_SECONDS of the death, not at the running deadline.
LAB_HEARTBEAT_SECONDS = env.float("LAB_HEARTBEAT_SECONDS", default=10.0)
LAB_HEARTBEAT_TIMEOUT_SECONDS = env.int("LAB_HEARTBEAT_TIMEOUT_SECONDS", default=30)
LAB_SWEEP_SECONDS = env.float("LAB_SWEEP_SECONDS", default=15.0)
# A learner may cancel an attempt that has not moved (state or progress) for this long.
LAB_CANCEL_AFTER_SECONDS = env.int("LAB_CANCEL_AFTER_SECONDS", default=30)

# --- Community (gallery, peer review, discussions) ---------------------------

# Discussion messages (new, replies, edits) per person per window: (count, seconds).
COMMUNITY_POST_RATE = (
    env.int("COMMUNITY_POST_RATE_COUNT", default=5),
    env.int("COMMUNITY_POST_RATE_SECONDS", default=60),
)

# --- Video generation -------------------------------------------------------

VIDEO_BACKENDS = {
    "default": {"BACKEND": "labs.backends.simulator.SimulatorBackend", "OPTIONS": {}},
}
if env("OPENAI_VIDEOS_API_KEY", default=""):
    VIDEO_BACKENDS["openai_videos"] = {
        "BACKEND": "labs.backends.openai_videos.OpenAIVideosBackend",
        "OPTIONS": {
            "api_key": env("OPENAI_VIDEOS_API_KEY"),
            "base_url": env("OPENAI_VIDEOS_BASE_URL", default="https://api.openai.com/v1"),
            "model": env("OPENAI_VIDEOS_MODEL", default="sora-2"),
        },
    }
if env("RUNWAY_API_KEY", default=""):
    VIDEO_BACKENDS["runway"] = {
        "BACKEND": "labs.backends.runway.RunwayBackend",
        "OPTIONS": {
            "api_key": env("RUNWAY_API_KEY"),
            "base_url": env("RUNWAY_BASE_URL", default="https://api.dev.runwayml.com"),
            "model": env("RUNWAY_MODEL", default="gen4.5"),
        },
    }
if env("GEMINI_API_KEY", default=""):
    VIDEO_BACKENDS["veo"] = {
        "BACKEND": "labs.backends.veo.VeoBackend",
        "OPTIONS": {
            "api_key": env("GEMINI_API_KEY"),
            "base_url": env("GEMINI_BASE_URL", default="https://generativelanguage.googleapis.com"),
            "model": env("VEO_MODEL", default="veo-3.1-fast-generate-preview"),
        },
    }


def _aggregator_backends(provider: str, backend: str, *, key: str, models: list[str], base_url: str) -> None:
    """One alias per configured model ("fal", "fal-wan"…), so a trainer picks the model with the backend."""
    for index, model in enumerate(models):
        name = model.split(":")[0].rstrip("/").split("/")[1 if "/" in model else 0]
        alias = provider if index == 0 else f"{provider}-{name}"[:50]
        while alias in VIDEO_BACKENDS:
            alias = f"{alias[:47]}-{index}"
        VIDEO_BACKENDS[alias] = {
            "BACKEND": backend,
            "OPTIONS": {"api_key": key, "base_url": base_url, "model": model},
        }


if env("FAL_KEY", default=""):
    _aggregator_backends(
        "fal",
        "labs.backends.fal.FalBackend",
        key=env("FAL_KEY"),
        models=env.list("FAL_MODELS", default=["fal-ai/kling-video/v2.1/standard/text-to-video"]),
        base_url=env("FAL_BASE_URL", default="https://queue.fal.run"),
    )
if env("REPLICATE_API_TOKEN", default=""):
    _aggregator_backends(
        "replicate",
        "labs.backends.replicate.ReplicateBackend",
        key=env("REPLICATE_API_TOKEN"),
        models=env.list("REPLICATE_MODELS", default=["bytedance/seedance-1-lite"]),
        base_url=env("REPLICATE_BASE_URL", default="https://api.replicate.com"),
    )
if env("LUMAAI_API_KEY", default=""):
    _aggregator_backends(
        "luma",
        "labs.backends.luma.LumaBackend",
        key=env("LUMAAI_API_KEY"),
        models=env.list("LUMA_MODELS", default=["ray-2"]),
        base_url=env("LUMA_BASE_URL", default="https://api.lumalabs.ai/dream-machine/v1"),
    )
if env.bool("DIFFUSERS_ENABLED", default=False):
    VIDEO_BACKENDS["diffusers"] = {
        "BACKEND": "labs.backends.diffusers_backend.DiffusersBackend",
        "OPTIONS": {
            "model_path": env("DIFFUSERS_MODEL_PATH", default=""),
            "pipeline_class": env("DIFFUSERS_PIPELINE_CLASS", default=""),
            "gpu_cost_per_second": env("DIFFUSERS_GPU_COST_PER_SECOND", default=None),
            "queue": "gpu",
        },
    }

# Optional prompt–video alignment (GPU worker): a CLIP-family model saved with save_pretrained.
ALIGNMENT_MODEL_PATH = env("ALIGNMENT_MODEL_PATH", default="")

# Content credentials (C2PA) and the visible mark on generated videos. `make demo`
# creates a demonstration CA and signing certificate at these default paths.
PROVENANCE = {
    "SCHOOL_NAME": env("PROVENANCE_SCHOOL_NAME", default="Academy"),
    "SIGNING_CERT": env("PROVENANCE_SIGNING_CERT", default=str(VAR_DIR / "provenance" / "signing-chain.pem")),
    "SIGNING_KEY": env("PROVENANCE_SIGNING_KEY", default=str(VAR_DIR / "provenance" / "signing-key.pem")),
    "SIGNING_ALGORITHM": env("PROVENANCE_SIGNING_ALGORITHM", default="es256"),
    "TSA_URL": env("PROVENANCE_TSA_URL", default=""),
    "TRUST_ANCHORS": env("PROVENANCE_TRUST_ANCHORS", default=str(VAR_DIR / "provenance" / "demo-root-ca.pem")),
    "MARK_TEXT": env("PROVENANCE_MARK_TEXT", default="Généré par IA"),
    "MARK_POSITION": env("PROVENANCE_MARK_POSITION", default="bottom-right"),
    "MARK_OPACITY": env.float("PROVENANCE_MARK_OPACITY", default=0.75),
}
# « Vérifier une vidéo »: the largest upload read, and uploads per visitor per hour.
PROVENANCE_VERIFY_MAX_BYTES = env.int("PROVENANCE_VERIFY_MAX_BYTES", default=50 * 1024 * 1024)
PROVENANCE_VERIFY_RATE_PER_HOUR = env.int("PROVENANCE_VERIFY_RATE_PER_HOUR", default=30)

# Optional moderation pre-check (OpenAI omni-moderation contract).
MODERATION = {
    "api_key": env("MODERATION_API_KEY", default=""),
    "base_url": env("MODERATION_BASE_URL", default="https://api.openai.com/v1"),
    "model": env("MODERATION_MODEL", default="omni-moderation-latest"),
}

# --- Logging ----------------------------------------------------------------

# Every log record is masked when created (academy.logging.configure), whichever handler writes it.
LOGGING_CONFIG = "academy.logging.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "academy.logging.PersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["personal_data"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
