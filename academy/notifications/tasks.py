from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from academy.notifications import selectors, services


@shared_task(
    name="academy.notifications.tasks.send_notification_mail",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
    ignore_result=True,
)
def send_notification_mail(notification_id: int) -> bool:
    """Mail one notification; a redelivered task finds it sent and does nothing."""
    return services.notification_mail_send(notification_id=notification_id)


@shared_task(name="academy.notifications.tasks.resend_unsent_mails", ignore_result=True)
def resend_unsent_mails() -> int:
    """Periodic (Celery beat): mails whose message was lost (broker down) are sent again."""
    now = timezone.now()
    pending = selectors.unsent_mails(older_than=now - timedelta(minutes=10), newer_than=now - timedelta(days=2))
    return sum(services.notification_mail_send(notification_id=pk) for pk in pending)
