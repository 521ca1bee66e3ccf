"""Celery tasks of the funding app; each is a thin wrapper around a service."""

from celery import shared_task

from funding.services.reminders import deadline_reminders_send


@shared_task(name="funding.tasks.send_deadline_reminders", ignore_result=True)
def send_deadline_reminders() -> int:
    """Daily (Celery beat): email the filing-deadline reminders that are due; safe to run twice."""
    return deadline_reminders_send()
