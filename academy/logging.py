"""Keeps personal identifiers (CIN, CNSS numbers) out of every log line."""

import logging
import re

# A Moroccan CIN is one or two letters then up to six digits; a CNSS
# affiliation number is nine digits. Both are masked wherever they appear.
_PATTERNS = [
    re.compile(r"\b[A-Za-z]{1,2}\d{5,6}\b"),
    re.compile(r"\b\d{9}\b"),
]


def mask_personal_data(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub("[masqué]", text)
    return text


_traceback_formatter = logging.Formatter()


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is not ours to fix here
            return True
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
        return True
