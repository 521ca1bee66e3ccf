"""Integration with the real services: PostgreSQL and a Celery worker on Redis."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from academy.models import User


def test_email_uniqueness_is_enforced_by_postgresql(postgres_db):
    User.objects.create_user(email="dup@example.ma", password="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        # bypass the manager's normalisation: the database itself must refuse
        User.objects.bulk_create([User(email="dup@example.ma")])


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_queued_mail(redis_broker_url):
    from celery.contrib.testing.worker import start_worker

    from academy.celery import app
    from academy.tasks import send_email

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = send_email.apply_async(args=["Sujet", "Corps", ["a@example.ma"]])
        # without a result backend, wait on the side effect
        import time

        deadline = time.monotonic() + 20
        while not mail.outbox and time.monotonic() < deadline:
            time.sleep(0.1)
    assert result.id
    assert [m.subject for m in mail.outbox] == ["Sujet"]
