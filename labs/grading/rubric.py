"""Rubric scoring: a pure function from prompt, metrics and policy to a grade.

Every criterion scores 0–1 with a weight and explains itself in the learner's
language: what was found (with its span) or what is missing, and how to fix
it. The total runs 0–100 with a passed flag. The result is the JSON stored
on the Submission (DESIGN.md, "Grading result"), so a regrade can re-score
from the stored metrics without decoding the video again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from labs.grading.anatomy import ELEMENT_HINTS, ELEMENT_LABELS, SUBJECT_DETAIL_HINTS, PromptAnatomy
from labs.grading.colours import colour_name
from labs.grading.language.analysis import analyse
from labs.grading.language.phrases import find_phrases
from labs.grading.policy import PolicyResult

RESULT_VERSION = 1

COLOUR_PRESENT_FULL = 0.03  # share of the frame, median over frames
COLOUR_PRESENT_PARTIAL = 0.01
DURATION_TOLERANCE_S = 0.5

VIDEO_CHECKS = (
    "motion_present",
    "motion_absent",
    "no_cuts",
    "exposure",
    "colour_present",
    "duration",
    "prompt_alignment",
)
ALIGNMENT_FULL = 0.6  # labs.grading.alignment's 0..1 score from which the video reads as the prompt
# Checks a previsualisation cannot answer: the simulator never cuts, whatever the prompt says, and draws
# shapes no image model would read as the prompt. On a simulation they are not scored and their weight
# goes to the other criteria.
SIMULATION_BLIND_CHECKS = frozenset({"no_cuts", "prompt_alignment"})


@dataclass(frozen=True)
class CriterionSpec:
    """One rubric line, as the pure scorer sees it (built from labs.models.Criterion)."""

    kind: str  # anatomy | must_mention | must_not_mention | video | policy
    weight: int
    key: str = ""
    element: str = ""
    video_check: str = ""
    label: str = ""
    terms: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    hidden: bool = False


@dataclass(frozen=True)
class CriterionScore:
    key: str
    kind: str
    label: str
    weight: int
    score: float
    feedback: str
    evidence: str = ""
    spans: tuple[tuple[int, int], ...] = ()
    hint: str = ""
    hidden: bool = False
    evaluated: bool = True  # False: not judged (a video check on a simulation); its weight is not counted

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "label": self.label,
            "weight": self.weight,
            "score": round(self.score, 3) if self.evaluated else None,
            "evaluated": self.evaluated,
            "feedback": self.feedback,
            "evidence": self.evidence,
            "spans": [list(span) for span in self.spans],
            "hint": self.hint,
            "hidden": self.hidden,
        }


def score_prompt_and_video(
    *,
    criteria: Sequence[CriterionSpec],
    anatomy: PromptAnatomy,
    metrics: dict[str, Any] | None,
    policy: PolicyResult,
    pass_mark: int,
    target_duration_s: float,
    language: str = "fr",
    simulated: bool = False,
) -> dict[str, Any]:
    """Score every criterion and return the result dict (without the "backend" part).

    ``simulated``: the video is a previsualisation (the simulator), so checks it cannot answer are
    reported as not evaluated rather than scored.
    """
    with translation.override(language):
        scores = [
            _not_evaluated(spec)
            if simulated and spec.kind == "video" and spec.video_check in SIMULATION_BLIND_CHECKS
            else _score(spec, anatomy=anatomy, metrics=metrics, policy=policy, target_duration_s=target_duration_s)
            for spec in criteria
        ]
        counted = [s for s in scores if s.evaluated]
        total_weight = sum(s.weight for s in counted) or 1
        total = round(100 * sum(s.weight * s.score for s in counted) / total_weight)
        passed = total >= pass_mark and policy.allowed
        return {
            "version": RESULT_VERSION,
            "score": total,
            "max_score": 100,
            "passed": passed,
            "pass_mark": pass_mark,
            "criteria": [s.to_dict() for s in scores],
            "next_steps": _next_steps(scores),
            "findings": [
                {"kind": f.kind, "start": f.start, "end": f.end, "text": f.text, "message": str(f.message)}
                for f in anatomy.findings
            ],
            "metrics": metrics or {},
            "policy": policy.to_dict(),
            "language": language,
        }


def _not_evaluated(spec: CriterionSpec) -> CriterionScore:
    spec = _with_label(spec, video_check_label(spec.video_check, spec.params))
    return _result(
        spec,
        0.0,
        _(
            "Non évalué sur une simulation : le prévisualiseur ne peut pas en juger. Son poids compte pour les autres critères."
        ),
        evaluated=False,
    )


def _score(spec: CriterionSpec, *, anatomy, metrics, policy, target_duration_s) -> CriterionScore:
    scorer = {
        "anatomy": _score_anatomy,
        "must_mention": _score_must_mention,
        "must_not_mention": _score_must_not_mention,
        "video": _score_video,
        "policy": _score_policy,
    }[spec.kind]
    return scorer(spec, anatomy=anatomy, metrics=metrics, policy=policy, target_duration_s=target_duration_s)


def _quote(text: str) -> str:
    return _("« %(text)s »") % {"text": text}


def _result(spec: CriterionSpec, score: float, feedback: str, **extra) -> CriterionScore:
    key = spec.key or spec.element or spec.video_check or spec.kind
    return CriterionScore(
        key=key,
        kind=spec.kind,
        label=spec.label or key,
        weight=spec.weight,
        score=score,
        feedback=feedback,
        hidden=spec.hidden,
        **extra,
    )


def _score_anatomy(spec: CriterionSpec, *, anatomy: PromptAnatomy, **_ignored) -> CriterionScore:
    element = spec.element
    label = spec.label or str(ELEMENT_LABELS.get(element, element))
    spec = CriterionSpec(**{**spec.__dict__, "label": label})
    hint = str(ELEMENT_HINTS.get(element, ""))
    matches = anatomy.matches_for(element)
    if not matches:
        return _result(spec, 0.0, _("Absent du prompt. %(hint)s") % {"hint": hint}, hint=hint)
    spans = tuple((m.start, m.end) for m in matches)
    evidence = ", ".join(_quote(m.text) for m in matches[:3])
    concepts = anatomy.concepts(element)
    score, feedback = 1.0, _("Trouvé : %(evidence)s.") % {"evidence": evidence}
    if element == "subject" and anatomy.subject is not None:
        # The main subject first: « capitaine », not the first subject word of the prompt.
        main = anatomy.subject
        evidence = ", ".join(
            dict.fromkeys(
                [_quote(main.text)] + [_quote(m.text) for m in matches if m.concept != "subject.detailed"][:2]
            )
        )
        feedback = _("Trouvé : %(evidence)s.") % {"evidence": evidence}
    detailed = anatomy.subject.detailed if anatomy.subject else "subject.detailed" in concepts
    if element == "subject" and not detailed:
        score = 0.6
        kind = anatomy.subject.kind if anatomy.subject else "object"
        feedback = _("Sujet trouvé (%(evidence)s) mais sans détail distinctif : ajoutez %(details)s.") % {
            "evidence": evidence,
            "details": SUBJECT_DETAIL_HINTS.get(kind, SUBJECT_DETAIL_HINTS["object"]),
        }
    elif element == "action" and "action.beats" not in concepts:
        score = 0.7
        feedback = _(
            "Action trouvée (%(evidence)s). Découpez-la en temps concrets : « fait trois pas, s'arrête, se retourne »."
        ) % {"evidence": evidence}
    elif element == "camera_movement" and any(f.kind == "multiple_camera_moves" for f in anatomy.findings):
        score = 0.5
        feedback = _("Plusieurs mouvements de caméra (%(evidence)s) : gardez-en un seul par plan.") % {
            "evidence": evidence
        }
    elif element == "style" and any(f.kind == "vague" for f in anatomy.findings):
        score = 0.7
        feedback = _(
            "Style trouvé (%(evidence)s), mais un mot vague l'affaiblit : remplacez-le par un détail concret."
        ) % {"evidence": evidence}
    return _result(spec, score, feedback, evidence=evidence, spans=spans, hint=hint if score < 1 else "")


def _mentions(anatomy: PromptAnatomy, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Where the brief's terms (dictionary forms or « @concepts ») occur, by meaning, negations aside."""
    if not anatomy.prompt.strip() or not terms:
        return []
    analysis = analyse(anatomy.prompt, anatomy.language)
    return [analysis.span(o.first, o.last) for o in find_phrases(analysis, terms)]


def _score_must_mention(spec: CriterionSpec, *, anatomy: PromptAnatomy, **_ignored) -> CriterionScore:
    spans = _mentions(anatomy, spec.terms)
    if spans:
        evidence = ", ".join(_quote(anatomy.prompt[s:e]) for s, e in spans[:3])
        return _result(
            spec,
            1.0,
            _("La consigne est respectée : %(evidence)s.") % {"evidence": evidence},
            evidence=evidence,
            spans=tuple(spans),
        )
    hint = _("La consigne demande de mentionner : %(label)s.") % {"label": spec.label}
    return _result(spec, 0.0, hint, hint=hint)


def _score_must_not_mention(spec: CriterionSpec, *, anatomy: PromptAnatomy, **_ignored) -> CriterionScore:
    spans = _mentions(anatomy, spec.terms)
    if not spans:
        return _result(spec, 1.0, _("Rien d'interdit par la consigne n'apparaît."))
    evidence = ", ".join(_quote(anatomy.prompt[s:e]) for s, e in spans[:3])
    hint = _("Retirez %(evidence)s : la consigne l'exclut (%(label)s).") % {"evidence": evidence, "label": spec.label}
    return _result(spec, 0.0, hint, evidence=evidence, spans=tuple(spans), hint=hint)


def _score_policy(spec: CriterionSpec, *, policy: PolicyResult, **_ignored) -> CriterionScore:
    spec = CriterionSpec(**{**spec.__dict__, "label": spec.label or _("Éthique et règles d'usage")})
    if policy.allowed:
        return _result(spec, 1.0, _("Aucun problème éthique détecté."))
    first = policy.findings[0] if policy.findings else None
    if first:
        feedback = _("Refusé : %(text)s. %(explanation)s") % {
            "text": _quote(first.text),
            "explanation": first.explanation,
        }
        return _result(spec, 0.0, feedback, evidence=first.text, spans=((first.start, first.end),), hint=feedback)
    categories = ", ".join(policy.moderation_categories)
    feedback = _("La modération a signalé ce prompt (%(categories)s).") % {"categories": categories}
    return _result(spec, 0.0, feedback, hint=feedback)


def _score_video(
    spec: CriterionSpec, *, metrics: dict[str, Any] | None, target_duration_s: float, **_ignored
) -> CriterionScore:
    check = spec.video_check
    spec = _with_label(spec, video_check_label(check, spec.params))
    if not metrics:
        return _result(spec, 0.0, _("La vidéo n'a pas pu être analysée."))
    if check == "motion_present":
        if metrics.get("is_moving"):
            return _result(
                spec,
                1.0,
                _("La vidéo bouge nettement (degré dynamique %(d).2f).") % {"d": metrics.get("dynamic_degree", 0)},
            )
        partial = min(0.5, float(metrics.get("dynamic_degree", 0)))
        hint = _("La vidéo est presque statique : décrivez une action visible et un mouvement de caméra.")
        return _result(spec, partial, hint, hint=hint)
    if check == "motion_absent":
        if not metrics.get("is_moving"):
            return _result(spec, 1.0, _("Le plan est stable, comme demandé."))
        hint = _("La vidéo bouge trop : choisissez un plan fixe et une action discrète.")
        return _result(spec, 0.0, hint, hint=hint)
    if check == "no_cuts":
        cuts = int(metrics.get("scene_cuts", 0))
        if cuts == 0:
            return _result(spec, 1.0, _("Aucune coupe : un seul plan continu."))
        hint = ngettext(
            "%(n)d coupe détectée : décrivez un seul plan continu.",
            "%(n)d coupes détectées : décrivez un seul plan continu.",
            cuts,
        ) % {"n": cuts}
        return _result(spec, 0.0, hint, hint=hint)
    if check == "exposure":
        brightness = float(metrics.get("brightness", 0))
        ok = (
            40 / 255 <= brightness <= 220 / 255
            and float(metrics.get("clipped_fraction", 0)) < 0.25
            and float(metrics.get("contrast", 0)) >= 0.08
        )
        if ok:
            return _result(spec, 1.0, _("Exposition correcte (luminosité %(b).0f %%).") % {"b": 100 * brightness})
        hint = _("Image trop sombre, trop claire ou sans contraste : précisez la lumière (source, qualité, direction).")
        return _result(spec, 0.5 if 0.1 < brightness < 0.95 else 0.0, hint, hint=hint)
    if check == "colour_present":
        colour = str(spec.params.get("colour", ""))
        name = colour_name(colour, translation.get_language() or "fr") if colour else colour
        fraction = float(metrics.get("colour_fractions", {}).get(colour, 0.0))
        if fraction >= COLOUR_PRESENT_FULL:
            return _result(
                spec, 1.0, _("%(colour)s bien présent (%(p).0f %% de l'image).") % {"colour": name, "p": 100 * fraction}
            )
        hint = _("Peu ou pas de %(colour)s : nommez cette couleur dans la palette ou sur le sujet.") % {"colour": name}
        return _result(spec, 0.5 if fraction >= COLOUR_PRESENT_PARTIAL else 0.0, hint, hint=hint)
    if check == "duration":
        duration = float(metrics.get("duration_s", 0))
        if abs(duration - target_duration_s) <= DURATION_TOLERANCE_S:
            return _result(spec, 1.0, _("Durée conforme : %(d).1f s.") % {"d": duration})
        hint = _("Durée de %(d).1f s au lieu de %(t).1f s : la durée est un paramètre du labo, pas du prompt.") % {
            "d": duration,
            "t": target_duration_s,
        }
        return _result(spec, 0.0, hint, hint=hint)
    if check == "prompt_alignment":
        return _score_alignment(spec, metrics.get("alignment"))
    return _result(spec, 0.0, _("Contrôle inconnu : %(check)s.") % {"check": check})


def _score_alignment(spec: CriterionSpec, alignment: dict[str, Any] | None) -> CriterionScore:
    """« Fidélité au prompt »: measured only where the worker has an alignment model; otherwise it does not count."""
    if not alignment:
        return _result(
            spec,
            0.0,
            _("Non mesurée : ce serveur n'a pas de modèle d'alignement ; ce critère ne compte pas."),
            evaluated=False,
        )
    score = float(alignment.get("score", 0.0))
    weakest = sorted((value, text) for text, value in (alignment.get("elements") or {}).items() if value < 0.5)
    if score >= ALIGNMENT_FULL and not weakest:
        return _result(spec, 1.0, _("Les images correspondent bien au prompt (%(p).0f %%).") % {"p": 100 * score})
    missing = ", ".join(_quote(text) for _value, text in weakest[:3])
    hint = (
        _("Le modèle retrouve mal à l'image : %(elements)s. Décrivez-les plus concrètement.") % {"elements": missing}
        if missing
        else _("Les images ne correspondent qu'en partie au prompt : précisez le sujet et le décor.")
    )
    return _result(spec, min(1.0, score / ALIGNMENT_FULL), hint, hint=hint)


VIDEO_CHECK_LABELS = {
    "motion_present": gettext_lazy("Mouvement visible"),
    "motion_absent": gettext_lazy("Plan stable"),
    "no_cuts": gettext_lazy("Un seul plan continu"),
    "exposure": gettext_lazy("Exposition et contraste"),
    "colour_present": gettext_lazy("Couleur présente"),
    "duration": gettext_lazy("Durée"),
    "prompt_alignment": gettext_lazy("Fidélité au prompt"),
}


def video_check_label(check: str, params: dict[str, Any] | None = None) -> str:
    """The default label of a video check in the active language: "Couleur présente : ambre"."""
    colour = str((params or {}).get("colour", ""))
    if check == "colour_present" and colour:
        name = colour_name(colour, translation.get_language() or "fr")
        return _("Couleur présente : %(colour)s") % {"colour": name}
    return str(VIDEO_CHECK_LABELS.get(check, check))


def _with_label(spec: CriterionSpec, default: str) -> CriterionSpec:
    return spec if spec.label else CriterionSpec(**{**spec.__dict__, "label": default})


def _next_steps(scores: Sequence[CriterionScore], limit: int = 3) -> list[str]:
    """The hints of the criteria that cost the most points, visible ones first."""
    missed = [s for s in scores if s.score < 1 and s.hint and not s.hidden]
    missed.sort(key=lambda s: s.weight * (1 - s.score), reverse=True)
    return [s.hint for s in missed[:limit]]
