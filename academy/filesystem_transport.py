"""The embedded broker: kombu's file-system transport, driven by the worker's event loop.

Celery runs its prefork pool in one of two modes. With a transport the
worker's event loop can drive (Redis, AMQP), each pool process gets its own
pipes (the asynchronous pool). With kombu's file-system transport, which
declares no event-loop support, Celery falls back to billiard's blocking
pool: every pool process waits for its next task on one shared pipe while
holding a shared semaphore. When such a process is killed (SIGKILL, the OOM
killer, a hard time limit) the semaphore stays taken, its replacements block
on it forever (``futex_wait``), and the worker processes nothing again.

This transport reads the same folders, but lets the event loop poll them on
a timer, so the demo's worker runs the asynchronous pool, as in production,
and a killed pool process is replaced without a lock left behind.
"""

from __future__ import annotations

from kombu.transport import filesystem

# Enough for one poll to hand every prefetched slot a message; the prefetch limit stops it earlier.
MAX_MESSAGES_PER_POLL = 100


class Transport(filesystem.Transport):
    implements = filesystem.Transport.implements.extend(asynchronous=True)

    def register_with_event_loop(self, connection, loop) -> None:
        loop.call_repeatedly(self.polling_interval, self._deliver_waiting, connection)

    def _deliver_waiting(self, connection) -> None:
        """Deliver the messages waiting in the folders, without blocking the event loop."""
        for _ in range(MAX_MESSAGES_PER_POLL):
            try:
                self.drain_events(connection, timeout=0)
            except TimeoutError:
                return
