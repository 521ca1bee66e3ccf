"""Run the whole lab pipeline on one prompt, synchronously, with no worker.

manage.py grade_prompt --lab teaser-produit-ecommerce --prompt "…" [--json] [--keep DIR]
"""

import json
import shutil
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from labs.backends.base import BackendError
from labs.grading.video_analysis import VideoAnalysisError
from labs.models import Lab
from labs.selectors import lab_prompt_policy
from labs.services.pipeline import Blocked, render_and_score
from labs.services.submissions import SubmissionRefused, clean_prompt, seed_for_prompt


class Command(BaseCommand):
    help = "Generate, analyse and grade a prompt against a lab's rubric, without a worker, and print the result."

    def add_arguments(self, parser):
        parser.add_argument("--lab", required=True, help="the lab's slug")
        parser.add_argument("--prompt", required=True)
        parser.add_argument(
            "--language", choices=["fr", "en"], default=None, help="feedback language (default: the lab's course)"
        )
        parser.add_argument("--json", action="store_true", help="print the full result as JSON")
        parser.add_argument("--keep", metavar="DIR", help="copy the video, poster and contact sheet to DIR")

    def handle(self, *args, **options):
        lab = Lab.objects.select_related("step__module__course").filter(slug=options["lab"]).first()
        if lab is None:
            known = ", ".join(Lab.objects.order_by("slug").values_list("slug", flat=True)) or "—"
            raise CommandError(f"Unknown lab {options['lab']!r}. Labs: {known}")
        language = options["language"] or lab.course.language
        with translation.override(language):
            try:
                prompt = clean_prompt(options["prompt"])
            except SubmissionRefused as refusal:
                raise CommandError(refusal.messages[0]) from None
            policy = lab_prompt_policy(lab=lab, prompt=prompt)
            if not policy.allowed:
                return self._print(
                    {"state": "blocked", "score": 0, "passed": False, "policy": policy.to_dict()}, options
                )
            with tempfile.TemporaryDirectory(prefix="grade-prompt-") as workdir:
                try:
                    graded = render_and_score(
                        lab=lab, prompt=prompt, seed=seed_for_prompt(prompt), language=language, workdir=Path(workdir)
                    )
                except Blocked as blocked:
                    return self._print(
                        {"state": "blocked", "score": 0, "passed": False, "policy": blocked.policy.to_dict()}, options
                    )
                except (BackendError, VideoAnalysisError) as error:
                    raise CommandError(f"Generation failed: {error}") from None
                if options["keep"]:
                    keep = Path(options["keep"])
                    keep.mkdir(parents=True, exist_ok=True)
                    for path in (graded.video, graded.poster, graded.contact_sheet):
                        shutil.copy(path, keep / path.name)
                result = {"state": "graded", **graded.result}
                result["timings"] = {
                    "generation_s": round(graded.generation_seconds, 3),
                    "grading_s": round(graded.grading_seconds, 3),
                }
                self._print(result, options)

    def _print(self, result: dict, options) -> None:
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))
            return
        if result["state"] == "blocked":
            self.stdout.write(self.style.ERROR("Blocked by the ethics gate:"))
            for finding in result["policy"]["findings"]:
                self.stdout.write(f"  [{finding['category']}] « {finding['text']} » — {finding['explanation']}")
            for category in result["policy"]["moderation_categories"]:
                self.stdout.write(f"  [moderation] {category}")
            return
        verdict = self.style.SUCCESS("PASSED") if result["passed"] else self.style.WARNING("not passed")
        self.stdout.write(f"Score: {result['score']}/100 ({verdict}, pass mark {result['pass_mark']})")
        for criterion in result["criteria"]:
            score = "  —  " if criterion["score"] is None else f"{criterion['score']:>4.2f}"
            self.stdout.write(f"  {score} × {criterion['weight']:>3}  {criterion['label']}: {criterion['feedback']}")
        if result["next_steps"]:
            self.stdout.write("Next:")
            for hint in result["next_steps"]:
                self.stdout.write(f"  - {hint}")
        timings = result["timings"]
        self.stdout.write(f"Generation {timings['generation_s']} s, grading {timings['grading_s']} s")
