# The Academy: one image for web, worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media

RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 academy

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Compile the translations and collect static files at build time, with a
# throwaway key that exists only in this build step.
RUN DEBUG=1 python manage.py compile_translations \
    && DEBUG=1 STATICFILES_BACKEND=academy.staticfiles.RememberedManifestStaticFilesStorage \
       python manage.py collectstatic --noinput \
    && mkdir -p /app/var /app/media \
    && chown -R academy:academy /app/var /app/media

USER academy
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS -H "X-Forwarded-Proto: https" http://127.0.0.1:8000/healthz || exit 1
CMD ["gunicorn", "academy.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--access-logfile", "-"]
