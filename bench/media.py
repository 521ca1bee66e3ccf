"""Benchmark of the media path on one core: simulator render and video analysis.

Run from the repository root: ``python bench/media.py``. Prints JSON.

The baseline is what FFmpeg alone costs for the same clip: H.264-encoding the
already rendered frames (PyAV, libx264, same settings as the simulator) plus
one full decode. The ratios say how much the simulator's drawing and the
analysis add on top of the unavoidable codec work.

Targets for a 5 s, 24 fps, 640x360 clip: render (drawing + encoding) at most
1.5 s, analysis at most 1.0 s.
"""

import os

# Must happen before numpy/OpenCV load their thread pools.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_variable] = "1"

import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings_test")

import av  # noqa: E402
import cv2  # noqa: E402
import django  # noqa: E402

cv2.setNumThreads(1)
django.setup()

from labs.backends.base import GenerationRequest  # noqa: E402
from labs.backends.simulator import SimulatorBackend  # noqa: E402
from labs.backends.simulator_render import SceneRenderer, render_scene, write_mp4  # noqa: E402

PROMPT = (
    "Gros plan d'un flacon de parfum ambré posé sur le sable d'une plage à l'heure dorée, "
    "contre-jour doux, la caméra tourne autour du flacon, faible profondeur de champ, "
    "palette ambre et crème, grain de film léger."
)
REQUEST = GenerationRequest(prompt=PROMPT, duration_s=5.0, width=640, height=360, fps=24, seed=42)
RUNS = 3
TARGET_RENDER_S = 1.5
TARGET_ANALYSIS_S = 1.0


def timed(action: Callable[[], Any], runs: int = RUNS) -> dict[str, Any]:
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - began)
    return {
        "best_s": round(min(seconds), 4),
        "median_s": round(statistics.median(seconds), 4),
        "runs_s": [round(s, 4) for s in seconds],
    }


def decode_all(path: Path) -> int:
    count = 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_count = 1
        for frame in container.decode(stream):
            frame.to_ndarray(format="rgb24")
            count += 1
    return count


def main() -> None:
    backend = SimulatorBackend()
    with tempfile.TemporaryDirectory(prefix="bench-media-") as workdir:
        clip = Path(workdir) / "clip.mp4"

        def render() -> None:
            # Anatomy parsing and scene building count: they are part of every simulated attempt.
            render_scene(backend.scene_for(REQUEST), clip, threads=1)

        result: dict[str, Any] = {
            "clip": {"seconds": REQUEST.duration_s, "fps": REQUEST.fps, "size": REQUEST.size, "prompt": PROMPT},
            "machine": {"python": platform.python_version(), "processor": platform.machine(), "threads": 1},
            "render": timed(render),
        }
        scene = backend.scene_for(REQUEST)
        result["frames_only"] = timed(lambda: list(SceneRenderer(scene)))
        frames = list(SceneRenderer(scene))
        baseline_clip = Path(workdir) / "baseline.mp4"

        def baseline() -> None:
            write_mp4(iter(frames), baseline_clip, width=scene.width, height=scene.height, fps=scene.fps, threads=1)
            decode_all(baseline_clip)

        result["baseline_ffmpeg_encode_decode"] = timed(baseline)
        result["file_bytes"] = clip.stat().st_size

        try:
            from labs.grading.video_analysis import analyse_video
        except ImportError as exc:
            result["analysis"] = {"skipped": f"labs.grading.video_analysis unavailable: {exc}"}
        else:
            result["analysis"] = timed(lambda: analyse_video(clip))

        base = result["baseline_ffmpeg_encode_decode"]["best_s"]
        result["ratios_to_baseline"] = {
            "render": round(result["render"]["best_s"] / base, 2),
            **({"analysis": round(result["analysis"]["best_s"] / base, 2)} if "best_s" in result["analysis"] else {}),
        }
        result["targets"] = {
            "render_s": TARGET_RENDER_S,
            "render_met": result["render"]["best_s"] <= TARGET_RENDER_S,
            "analysis_s": TARGET_ANALYSIS_S,
            "analysis_met": result["analysis"].get("best_s", float("inf")) <= TARGET_ANALYSIS_S,
        }
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
