"""Reachability checks for /healthz."""

from django.db import connection

from academy.celery import app as celery_app


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "unreachable"
        return False, type(error).__name__
    return True, connection.vendor


def check_broker(timeout: float = 2.0) -> tuple[bool, str]:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
            transport = conn.transport_cls
    except Exception as error:
        return False, type(error).__name__
    return True, str(transport)
