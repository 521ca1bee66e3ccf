"""The tool's signing keys: the newest signs, older ones stay published for an overlap period."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from lti_tool.models import Key


@transaction.atomic
def keys_rotate(*, now: datetime | None = None, force: bool = False) -> Key | None:
    """Create a new key when the newest is older than ``LTI_KEY_ROTATION_DAYS`` (or ``force``).

    Keys superseded more than ``LTI_KEY_OVERLAP_DAYS`` ago leave the published key set: platforms
    that cached the set, and tokens signed just before the rotation, keep working meanwhile.
    Returns the new key, or None when none was needed.
    """
    now = now or timezone.now()
    keys = list(Key.objects.select_for_update().active().order_by("-datetime_created"))
    new_key = None
    if force or not keys or keys[0].datetime_created <= now - timedelta(days=settings.LTI_KEY_ROTATION_DAYS):
        new_key = Key.objects.generate()
        new_key.datetime_created = now
        new_key.save(update_fields=["datetime_created"])
        keys.insert(0, new_key)
    # A key is superseded when the next newer one was created; retire it after the overlap.
    overlap = timedelta(days=settings.LTI_KEY_OVERLAP_DAYS)
    retired = [
        older.pk for newer, older in zip(keys, keys[1:], strict=False) if newer.datetime_created <= now - overlap
    ]
    if retired:
        Key.objects.filter(pk__in=retired).update(is_active=False)
    return new_key


def signing_key() -> Key:
    """The key the tool signs with, created on first use."""
    key = Key.objects.active().order_by("-datetime_created").first()
    return key or keys_rotate(force=True)
