"""Settings for the test suite: the real settings plus test-only speed-ups.

Services come from the environment like everywhere else: CI points
DATABASE_URL, REDIS_URL and CELERY_BROKER_URL at PostgreSQL and Redis.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-suite-key-9Zq4rT7wXy2Lm8Nc3Vb6Hj1Kp5Df0Gs-not-for-production")
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="academy-test-var-"))

from academy.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if not os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 (quiets whitenoise's warning)
