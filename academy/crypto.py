"""Encryption of personal data at rest (CIN, CNSS numbers), with key rotation.

Keys come from ``FIELD_ENCRYPTION_KEYS`` (Fernet keys, newest first). Without
it, one key is derived from SECRET_KEY, so the embedded run works out of the
box; production should set its own keys so rotating SECRET_KEY does not make
the data unreadable.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed
from django.db import models

from academy.identifiers import mask_for_display


@cache
def _fernet() -> MultiFernet:
    keys = list(getattr(settings, "FIELD_ENCRYPTION_KEYS", []) or [])
    if not keys:
        digest = hashlib.sha256(("academy-field-encryption:" + settings.SECRET_KEY).encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(key) for key in keys])


def _reset(*, setting: str, **kwargs) -> None:
    if setting in {"FIELD_ENCRYPTION_KEYS", "SECRET_KEY"}:
        _fernet.cache_clear()


setting_changed.connect(_reset)


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise ValueError("personal data cannot be decrypted with the configured keys") from error


class EncryptedCharField(models.TextField):
    """A text column holding a Fernet token; Python code sees the plain value.

    The plain value never reaches the database, and the field cannot be
    searched or ordered on (which is the point).
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def value_to_string(self, obj):
        return mask_for_display(self.value_from_object(obj) or "")
