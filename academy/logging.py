"""Keeps personal identifiers (CIN, CNSS numbers) out of every log line.

Masking happens when a log record is created (``install_record_masking``,
run by Django's logging setup in every process: web workers, Celery workers,
management commands), so whichever handler writes the line masks it: the
app's, Celery's, gunicorn's error and access logs (query strings), a
library's own. ``PersonalDataFilter`` applies the same masking to records
built some other way (``logging.makeLogRecord``).
"""

from __future__ import annotations

import logging
import logging.config

from academy.identifiers import mask_in_text


def mask_personal_data(text: str) -> str:
    return mask_in_text(text)


_traceback_formatter = logging.Formatter()


def mask_record(record: logging.LogRecord) -> None:
    """Mask the record's message, traceback and stack text in place."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string is not ours to fix here
        message = None
    if message is not None:
        masked = mask_personal_data(message)
        if masked != message:
            record.msg, record.args = masked, None
    # An exception's message is part of the traceback text, which the
    # formatter would otherwise write unmasked: format it here, masked
    # (handlers reuse record.exc_text instead of formatting it again).
    if record.exc_info and not record.exc_text:
        record.exc_text = _traceback_formatter.formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_personal_data(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_personal_data(record.stack_info)


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


def install_record_masking() -> None:
    """Mask every log record of this process as it is created (idempotent)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "masks_personal_data", False):
        return

    def masked_record(*args, **kwargs) -> logging.LogRecord:
        record = current(*args, **kwargs)
        mask_record(record)
        return record

    masked_record.masks_personal_data = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masked_record)


def configure(logging_settings: dict) -> None:
    """``LOGGING_CONFIG``: Django's dictConfig of LOGGING, then masking of every record."""
    logging.config.dictConfig(logging_settings)
    install_record_masking()
