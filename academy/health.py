"""Reachability checks for /healthz."""

from django.conf import settings
from django.db import connection
from kombu import Connection


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "unreachable"
        return False, type(error).__name__
    return True, connection.vendor


def check_broker(timeout: float = 2.0) -> tuple[bool, str]:
    # A fresh connection, not the pool: the check must see the broker as it is now.
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=timeout,
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
            transport = conn.transport_cls
    except Exception as error:
        return False, type(error).__name__
    return True, str(transport)
