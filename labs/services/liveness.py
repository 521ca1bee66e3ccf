"""The running grading task's heartbeat: proof to the sweeper that its worker is alive.

A generation can sit inside one backend call for minutes (a local model
renders inside ``start``), so progress updates alone cannot tell a slow run
from a dead one. While the task runs, a thread writes the attempt's
``heartbeat_at`` every LAB_HEARTBEAT_SECONDS; when the worker process dies,
the beats stop with it and the sweeper requeues the attempt once they have
been silent for LAB_HEARTBEAT_TIMEOUT_SECONDS.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

from labs.services.transitions import submission_heartbeat

logger = logging.getLogger(__name__)


def _beat(submission_id: int, token: str, interval: float, stop: threading.Event) -> None:
    try:
        while not stop.wait(interval):
            try:
                submission_heartbeat(submission_id=submission_id, token=token)
            except Exception:  # a busy database must not kill the run; the next beat tries again
                logger.warning("submission %s: heartbeat not written", submission_id, exc_info=True)
    finally:
        connection.close()  # this thread's own connection


@contextmanager
def heartbeat(*, submission_id: int, token: str, interval: float | None = None) -> Iterator[None]:
    """Beat for the attempt while the block runs; stop as soon as it ends."""
    stop = threading.Event()
    thread = threading.Thread(
        target=_beat,
        args=(submission_id, token, interval or settings.LAB_HEARTBEAT_SECONDS, stop),
        name=f"heartbeat-{submission_id}",
        daemon=True,
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
