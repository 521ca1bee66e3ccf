"""The Celery application: configuration comes from Django settings (CELERY_*)."""

import os

from celery import Celery
from celery.schedules import crontab
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings")

app = Celery("academy")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    # A task is acknowledged only once it has finished, and handed back to
    # the broker if its worker dies: nothing in flight is lost.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_track_started=True,
    broker_connection_retry_on_startup=True,
    worker_cancel_long_running_tasks_on_connection_loss=True,
    task_default_queue="default",
    # Attempts on a local-GPU backend are sent to that backend's queue (labs.services.dispatch.grading_queue).
    beat_schedule={
        "sweep-stuck-submissions": {
            "task": "labs.tasks.sweep_stuck_submissions",
            "schedule": settings.LAB_SWEEP_SECONDS,
        },
        "lti-rotate-keys": {
            "task": "lti.tasks.rotate_keys",
            "schedule": crontab(hour=3, minute=15),
        },
        "lti-resend-scores": {
            "task": "lti.tasks.resend_unacknowledged_scores",
            "schedule": 900.0,
        },
        "notifications-resend-mails": {
            "task": "academy.notifications.tasks.resend_unsent_mails",
            "schedule": 600.0,
        },
        "community-reassign-overdue-reviews": {
            "task": "community.tasks.reassign_overdue_reviews",
            "schedule": 300.0,
        },
        "funding-deadline-reminders": {
            "task": "funding.tasks.send_deadline_reminders",
            "schedule": crontab(hour=7, minute=30),
        },
    },
)
app.autodiscover_tasks()
