"""htmx helpers shared by every app's views."""

from django.http import HttpRequest


def wants_partial(request: HttpRequest) -> bool:
    """True for an htmx request that should get a named partial, not the full page.

    A history-restore request (the user pressed Back and htmx's cache missed)
    needs the full page.
    """
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request
