"""academy.wsgi: a web worker's start-up objects are kept out of the garbage collector's full rounds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, json
import academy.wsgi
print(json.dumps({"frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects())}))
"""


def test_a_worker_freezes_what_it_loaded_so_full_collections_skip_it(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}},
        "DEBUG": "1",
        "VAR_DIR": str(tmp_path),
        "LANGUAGE_MODELS_PRELOAD": "0",
    }
    # A process of its own: freezing this test process's objects would outlive the test.
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])

    # Django and the project's modules loaded: tens of thousands of objects, all frozen; the
    # collector is left with the few created since.
    assert figures["frozen"] > 50_000
    assert figures["tracked"] < figures["frozen"] / 20
