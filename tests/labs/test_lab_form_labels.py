"""The lab settings form labels every field with a capital, like the rest of the site's forms."""

from __future__ import annotations

import pytest
from django.utils import translation

from labs.forms.trainer import LabForm
from tests.labs.factories import LabFactory

pytestmark = pytest.mark.django_db


def test_every_lab_form_label_starts_with_a_capital():
    with translation.override("fr"):
        labels = {
            name: str(field.label) for name, field in LabForm(instance=LabFactory()).fields.items() if field.label
        }

    assert labels["backend_alias"] == "Moteur de génération"
    assert [label for label in labels.values() if label[:1].islower()] == []
