"""Read many prompts as a lab's coach and ethics gate would, without generating any video.

manage.py check_prompts FILE --lab SLUG [--json]

FILE holds one prompt per line ("-" reads standard input); blank lines are skipped. For each prompt
the command prints the elements found (with the words that carry them), the main subject and its
type, and the ethics verdict with its findings, in the lab's language. With --json it prints one
JSON object per line. Prompts are parsed in batches, so thousands go through in seconds.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from labs.grading.anatomy import ELEMENT_LABELS, detect_language, parse_prompt
from labs.grading.language.analysis import analyse_many
from labs.grading.policy import category_label, check_prompt
from labs.models import Lab
from labs.selectors import lab_constraints, lab_policy_rules

BATCH = 256  # prompts parsed together; below the analysis cache's size, so each is parsed once


class Command(BaseCommand):
    help = "Print the elements and the ethics verdict of each prompt of FILE (one per line) for a lab, without video."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a text file with one prompt per line, or - for standard input")
        parser.add_argument("--lab", required=True, help="the lab's slug: its rules and constraints apply")
        parser.add_argument("--json", action="store_true", help="one JSON object per prompt and line")

    def handle(self, *args, **options):
        lab = Lab.objects.select_related("step__module__course").filter(slug=options["lab"]).first()
        if lab is None:
            known = ", ".join(Lab.objects.order_by("slug").values_list("slug", flat=True)) or "—"
            raise CommandError(f"Unknown lab {options['lab']!r}. Labs: {known}")
        rules, constraints = lab_policy_rules(), lab_constraints(lab)
        checked = 0
        with translation.override(lab.course.language):
            for batch in _batches(_read_prompts(options["file"]), BATCH):
                by_language: dict[str, list[str]] = {}
                for prompt in batch:
                    by_language.setdefault(detect_language(prompt), []).append(prompt)
                for language, prompts in by_language.items():
                    analyse_many(prompts, language)
                for prompt in batch:
                    language = detect_language(prompt)
                    anatomy = parse_prompt(prompt, language)
                    policy = check_prompt(prompt, rules, constraints=constraints, language=language)
                    self._print(prompt, anatomy, policy, as_json=options["json"])
                    checked += 1
        if not options["json"]:
            self.stderr.write(f"{checked} prompt{'' if checked == 1 else 's'} checked against “{lab.title}”.")

    def _print(self, prompt, anatomy, policy, *, as_json: bool) -> None:
        if as_json:
            record = {
                "prompt": prompt,
                "language": anatomy.language,
                "allowed": policy.allowed,
                "elements": anatomy.found_keys,
                "missing": anatomy.missing_keys,
                "subject": anatomy.to_dict()["subject"],
                "matches": [{"key": m.key, "concept": m.concept, "text": m.text} for m in anatomy.matches],
                "findings": [f.to_dict() for f in policy.findings],
            }
            self.stdout.write(json.dumps(record, ensure_ascii=False))
            return
        verdict = self.style.SUCCESS("allowed") if policy.allowed else self.style.ERROR("BLOCKED")
        self.stdout.write(f"{verdict}  {prompt}")
        if anatomy.subject is not None:
            self.stdout.write(f"  subject: « {anatomy.subject.text} » ({anatomy.subject.kind})")
        for key in anatomy.found_keys:
            words = ", ".join(dict.fromkeys(f"« {m.text} »" for m in anatomy.matches_for(key)))
            self.stdout.write(f"  {ELEMENT_LABELS[key]}: {words}")
        missing = ", ".join(str(ELEMENT_LABELS[key]) for key in anatomy.missing_keys)
        if missing:
            self.stdout.write(f"  — {missing}")
        for finding in policy.findings:
            self.stdout.write(f"  [{category_label(finding.category)}] « {finding.text} » — {finding.explanation}")


def _read_prompts(path: str) -> Iterator[str]:
    if path == "-":
        lines: Iterable[str] = sys.stdin
    else:
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {path}")
        lines = file.read_text(encoding="utf-8").splitlines()
    for line in lines:
        if line.strip():
            yield line.strip()


def _batches(items: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
