"""manage.py check_prompts: many prompts read by a lab's coach and gate, without video."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from labs.models import Criterion
from tests.labs.factories import CriterionFactory, LabFactory

pytestmark = pytest.mark.django_db

PROMPTS = [
    "Gros plan sur un flacon d'huile d'argan en verre ambré posé sur une table en bois, lumière douce.",
    "Le président de la France boit une canette de thé glacé sur un balcon.",
    "Un enfant de 8 ans boit une canette dans un stade.",
]


@pytest.fixture
def prompts_file(tmp_path):
    path = tmp_path / "prompts.txt"
    path.write_text("\n".join(PROMPTS) + "\n\n", encoding="utf-8")
    return path


@pytest.fixture
def lab():
    lab = LabFactory(slug="ethique")
    CriterionFactory(
        lab=lab, kind=Criterion.Kind.MUST_NOT_MENTION, label="Aucun enfant", terms=["@minor"], params={"block": True}
    )
    return lab


def run(*args) -> str:
    out = io.StringIO()
    call_command("check_prompts", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_each_prompt_gets_its_elements_and_verdict_as_json(lab, prompts_file):
    records = [json.loads(line) for line in run(str(prompts_file), "--lab", lab.slug, "--json").splitlines()]

    assert [r["allowed"] for r in records] == [True, False, False]
    assert records[0]["subject"]["kind"] == "product" and "lighting" in records[0]["elements"]
    assert records[1]["findings"][0]["category"] == "real_person"
    assert records[2]["findings"][0]["category"] == "brief"  # the lab's own constraint


def test_text_output_names_the_reason(lab, prompts_file):
    text = run(str(prompts_file), "--lab", lab.slug)

    assert "BLOCKED" in text and "Personne réelle identifiable" in text and "Aucun enfant" in text


def test_an_unknown_lab_or_file_is_a_clear_error(lab, prompts_file, tmp_path):
    with pytest.raises(CommandError, match="Unknown lab"):
        run(str(prompts_file), "--lab", "nope")
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "missing.txt"), "--lab", lab.slug)
