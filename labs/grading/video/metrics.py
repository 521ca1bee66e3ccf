"""Weight-free video metrics on a list of small BGR frames (numpy + OpenCV).

Formulas follow the research notes (shared/reference/video_eval.md, section 2): VBench's dynamic
degree rule with Farneback flow instead of RAFT, VBench's temporal flickering formula, a flow-midpoint
proxy for AMT motion smoothness and PySceneDetect's ContentDetector rule. All of them run on the
*sampled* frames (about 8 fps), not on every frame, so values are comparable between our clips but not
numerically identical to the original benchmarks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from ..colours import colour_fractions_of

# Tutorial Farneback parameters, as in Data-Juicer's video_motion_score_filter.
_FARNEBACK = {"pyr_scale": 0.5, "levels": 3, "winsize": 15, "iterations": 3, "poly_n": 5, "poly_sigma": 1.2, "flags": 0}
SCENE_CUT_THRESHOLD = 27.0  # PySceneDetect ContentDetector default
SCENE_MIN_LEN_FRAMES = 15  # PySceneDetect default min_scene_len, in source frames
FROZEN_MAE = 0.5  # mean absolute difference (0-255) under which two frames are the same picture
DOMINANT_MIN_FRACTION = 0.03
DOMINANT_MAX = 5
# Cap on triplets used by the smoothness proxy: each costs one extra flow computation (~10 ms at 320x180).
_MAX_SMOOTHNESS_TRIPLETS = 8


def farneback(previous: np.ndarray, following: np.ndarray) -> np.ndarray:
    return cv2.calcOpticalFlowFarneback(previous, following, None, **_FARNEBACK)


def top_share_mean(magnitude: np.ndarray, share: float = 0.05) -> float:
    """Mean of the largest ``share`` of values (VBench dynamic_degree's per-pair score)."""
    flat = magnitude.ravel()
    count = max(1, int(flat.size * share))
    return float(np.partition(flat, flat.size - count)[flat.size - count :].mean())


@dataclass(frozen=True)
class MotionStats:
    dynamic_degree: float
    is_moving: bool
    motion_magnitude: float
    pair_scores: tuple[float, ...]


def motion_stats(greys: Sequence[np.ndarray]) -> MotionStats:
    """VBench rule: moving if #(m > 6*min(H,W)/256) >= round(4*N/16), N = number of sampled frames.

    VBench lets round() reach 0 for N < 3, which calls any two-frame clip moving; we require at least one pair.
    """
    if len(greys) < 2:
        return MotionStats(0.0, False, 0.0, ())
    height, width = greys[0].shape[:2]
    threshold = 6.0 * min(height, width) / 256.0
    diagonal = float(np.hypot(height, width))
    scores: list[float] = []
    means: list[float] = []
    for previous, following in zip(greys[:-1], greys[1:], strict=True):
        flow = farneback(previous, following)
        magnitude = np.hypot(flow[..., 0], flow[..., 1])
        scores.append(top_share_mean(magnitude))
        means.append(float(magnitude.mean()))
    moving_pairs = sum(score > threshold for score in scores)
    required = max(1, round(4 * len(greys) / 16))
    return MotionStats(
        dynamic_degree=moving_pairs / len(scores),
        is_moving=moving_pairs >= required,
        motion_magnitude=float(np.mean(means)) / diagonal,
        pair_scores=tuple(scores),
    )


def temporal_flicker(maes: Sequence[float]) -> float:
    """VBench temporal_flickering from consecutive BGR MAEs: (255 - mean MAE) / 255. Meaningful on static shots only."""
    return 1.0 - float(np.mean(maes)) / 255.0 if maes else 1.0


def consecutive_mae(frames: Sequence[np.ndarray]) -> list[float]:
    """Mean absolute difference (0-255) between each pair of consecutive frames."""
    return [
        float(cv2.absdiff(previous, following).mean())
        for previous, following in zip(frames[:-1], frames[1:], strict=True)
    ]


def motion_smoothness(frames: Sequence[np.ndarray], greys: Sequence[np.ndarray]) -> float | None:
    """Flow-midpoint proxy for VBench's AMT motion smoothness.

    For odd i, warp F[i-1] half-way along the flow F[i-1] -> F[i+1] and compare with F[i]:
    score = 1 - mean|mid - F[i]| / 255. Jerky motion leaves F[i] away from the midpoint.
    """
    if len(frames) < 3:
        return None
    middles = list(range(1, len(frames) - 1, 2))
    if len(middles) > _MAX_SMOOTHNESS_TRIPLETS:
        picks = np.linspace(0, len(middles) - 1, _MAX_SMOOTHNESS_TRIPLETS).round().astype(int)
        middles = [middles[i] for i in picks]
    height, width = greys[0].shape[:2]
    grid_x, grid_y = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    errors = []
    for i in middles:
        flow = farneback(greys[i - 1], greys[i + 1])
        map_x = grid_x - 0.5 * flow[..., 0]
        map_y = grid_y - 0.5 * flow[..., 1]
        middle = cv2.remap(frames[i - 1], map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        errors.append(float(cv2.absdiff(middle, frames[i]).mean()))
    return 1.0 - float(np.mean(errors)) / 255.0


class ContentCutDetector:
    """PySceneDetect's ContentDetector with weights (1, 1, 1, 0), fed every decoded frame.

    Score = mean of the per-channel mean |delta| of H, S and V against the previous frame. A cut at frame n
    needs score >= threshold and at least ``min_scene_len`` frames since the previous cut (or the first
    frame). Fed every frame rather than the ~8 fps samples, because camera moves between samples far
    apart read as cuts.
    """

    def __init__(self, threshold: float = SCENE_CUT_THRESHOLD, min_scene_len: int = SCENE_MIN_LEN_FRAMES) -> None:
        self.threshold = threshold
        self.min_scene_len = min_scene_len
        self.cut_times_s: list[float] = []
        self._previous: np.ndarray | None = None
        self._last_cut = 0
        self._index = 0

    def push(self, bgr: np.ndarray, time_s: float) -> None:
        hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
        if self._previous is not None:
            delta = cv2.absdiff(self._previous, hsv)
            score = float(np.mean(cv2.mean(delta)[:3]))
            if score >= self.threshold and self._index - self._last_cut >= self.min_scene_len:
                self.cut_times_s.append(time_s)
                self._last_cut = self._index
        self._previous = hsv
        self._index += 1


@dataclass(frozen=True)
class Exposure:
    brightness: float
    contrast: float
    clipped_fraction: float


def exposure(greys_full_range: Sequence[np.ndarray]) -> Exposure:
    """Mean luma, RMS contrast std(Y/255) per frame, share of clipped pixels (Y <= 5 or >= 250), averaged."""
    brightness, contrast, clipped = [], [], []
    for grey in greys_full_range:
        luma = grey.astype(np.float32) / 255.0
        brightness.append(float(luma.mean()))
        contrast.append(float(luma.std()))
        clipped.append(float(np.count_nonzero((grey <= 5) | (grey >= 250))) / grey.size)
    return Exposure(float(np.mean(brightness)), float(np.mean(contrast)), float(np.mean(clipped)))


def colour_fractions(hsv_frames: Sequence[np.ndarray]) -> dict[str, float]:
    """Median over frames of each colour key's area fraction (every other pixel: area shares need no more)."""
    per_frame = [colour_fractions_of(hsv[::2, ::2]) for hsv in hsv_frames]
    keys = per_frame[0].keys()
    return {key: float(np.median([fractions[key] for fractions in per_frame])) for key in keys}


def dominant_colours(fractions: dict[str, float]) -> tuple[str, ...]:
    ranked = sorted((item for item in fractions.items() if item[1] >= DOMINANT_MIN_FRACTION), key=lambda kv: -kv[1])
    return tuple(key for key, _ in ranked[:DOMINANT_MAX])


def is_frozen(maes: Sequence[float]) -> bool:
    """Every consecutive sampled-frame MAE below FROZEN_MAE (a single frame counts as frozen)."""
    return all(mae < FROZEN_MAE for mae in maes)
