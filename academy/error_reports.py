"""Error reports (error e-mails, the DEBUG page) that never show a CIN or CNSS number.

Django hides the POST fields and variables a view or function declares
sensitive; this filter also masks identifier-shaped text in every variable of
every frame and every POST value, so a service that merely receives ``cin``
as an argument (or a decorator's ``kwargs``) cannot leak it into a report.
Enabled with ``DEFAULT_EXCEPTION_REPORTER_FILTER``.
"""

from __future__ import annotations

from pprint import pformat
from typing import Any

from django.http import QueryDict
from django.views.debug import SafeExceptionReporterFilter

from academy.logging import mask_personal_data


class _MaskedRepr:
    """Stands in for a frame variable: the report prints its repr, masked."""

    def __init__(self, value: Any):
        try:
            self.text = mask_personal_data(pformat(value))
        except Exception:  # a broken __repr__ must not break the error report
            self.text = "<repr failed>"

    def __repr__(self) -> str:
        return self.text


class PersonalDataExceptionReporterFilter(SafeExceptionReporterFilter):
    def get_traceback_frame_variables(self, request, tb_frame):
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [(name, _MaskedRepr(value)) for name, value in variables]

    def get_post_parameters(self, request):
        parameters = super().get_post_parameters(request)
        if not isinstance(parameters, QueryDict):
            return parameters
        masked = parameters.copy()
        for key in masked:
            masked.setlist(key, [mask_personal_data(str(value)) for value in masked.getlist(key)])
        return masked
