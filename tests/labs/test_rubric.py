"""The rubric scorer: a pure function, checked on many French and English prompts."""

from __future__ import annotations

import pytest

from labs.grading.anatomy import parse_prompt
from labs.grading.policy import check_prompt, default_rules
from labs.grading.rubric import CriterionSpec, score_prompt_and_video

RULES = default_rules()

ANATOMY_RUBRIC = [
    CriterionSpec(kind="anatomy", element=element, weight=10, key=element)
    for element in (
        "subject",
        "action",
        "setting",
        "time_weather",
        "lighting",
        "shot",
        "camera_movement",
        "lens",
        "style",
        "audio",
    )
]

METRICS_OK = {
    "duration_s": 5.0,
    "is_moving": True,
    "dynamic_degree": 0.6,
    "scene_cuts": 0,
    "brightness": 0.5,
    "contrast": 0.2,
    "clipped_fraction": 0.01,
    "colour_fractions": {"amber": 0.2, "blue": 0.0},
}


def grade(prompt, criteria=ANATOMY_RUBRIC, metrics=None, pass_mark=60, language="fr", duration=5.0):
    return score_prompt_and_video(
        criteria=criteria,
        anatomy=parse_prompt(prompt),
        metrics=metrics,
        policy=check_prompt(prompt, RULES),
        pass_mark=pass_mark,
        target_duration_s=duration,
        language=language,
    )


def scores(result) -> dict[str, float]:
    return {c["key"]: c["score"] for c in result["criteria"]}


STRONG = [
    "Gros plan en légère contre-plongée sur un flacon d'huile d'argan en verre ambré, bouchon en bois, posé sur une "
    "table en marbre dans une boutique de Marrakech à l'heure dorée. Une main saisit le flacon, le tourne lentement, "
    "puis le repose. Travelling avant lent. Objectif 85 mm, faible profondeur de champ. Lumière douce venant de la "
    "fenêtre à gauche. Palette : ambre, crème, brun. Son : musique oud douce.",
    "Plan large d'une plage d'Essaouira à l'aube, sous un léger brouillard. Un surfeur d'une trentaine d'années en "
    "combinaison noire marche vers l'eau, s'arrête, puis plonge. Caméra fixe. Objectif grand angle. Contre-jour "
    "doux venant du soleil levant. Style documentaire, grain de pellicule. Son : bruit des vagues.",
    "Close-up, low angle, of a glass perfume bottle with a gold cap on a marble table in a Casablanca boutique at "
    "golden hour. A hand picks up the bottle, turns it slowly, then puts it down. Slow dolly-in. 85mm lens, shallow "
    "depth of field. Soft window light from the left. Palette: amber, cream, walnut brown. Sound: soft oud music.",
    "Wide shot of a spice market in Marrakech at dawn, light rain. A vendor in a blue djellaba pours cumin into a "
    "paper cone three times. Handheld camera tracking slowly. Wide-angle lens. Warm lantern light from the right. "
    "Documentary style, 16mm film grain. Ambient sound of the crowd.",
]

WEAK = [
    "Une belle vidéo cinématique de parfum.",
    "Un produit magnifique.",
    "A beautiful cinematic video of our product.",
    "Something epic and stunning for Instagram.",
]


@pytest.mark.parametrize("prompt", STRONG)
def test_strong_prompts_pass(prompt):
    result = grade(prompt)
    assert result["passed"], [(c["key"], c["score"]) for c in result["criteria"]]
    assert result["score"] >= 80


@pytest.mark.parametrize("prompt", WEAK)
def test_vague_prompts_fail_and_say_what_to_add(prompt):
    result = grade(prompt)
    assert not result["passed"]
    assert result["score"] <= 30
    assert len(result["next_steps"]) == 3
    assert all(step for step in result["next_steps"])


@pytest.mark.parametrize(
    ("prompt", "element", "expected"),
    [
        ("Un flacon sur une table.", "subject", 0.6),  # a bare subject: half credit and advice
        ("Un flacon en verre ambré avec un bouchon en bois sur une table.", "subject", 1.0),
        ("Une femme marche dans la rue.", "action", 0.7),
        ("Une femme fait trois pas, s'arrête, puis se retourne.", "action", 1.0),
        ("Travelling avant lent vers le flacon.", "camera_movement", 1.0),
        ("Panoramique puis zoom avant et travelling latéral sur le flacon.", "camera_movement", 0.5),
        ("A woman walks, the camera pans then zooms in and orbits around her.", "camera_movement", 0.5),
        ("Le flacon est posé sur une table.", "lighting", 0.0),
    ],
)
def test_partial_credit_rules(prompt, element, expected):
    assert scores(grade(prompt))[element] == expected


def test_each_criterion_explains_itself_with_evidence_spans_in_the_prompt():
    prompt = STRONG[0]
    result = grade(prompt)
    for criterion in result["criteria"]:
        assert criterion["feedback"]
        for start, end in criterion["spans"]:
            assert prompt[start:end].strip()


def test_feedback_is_in_the_learners_language():
    french = grade("A bottle on a table.", language="fr")
    english = grade("A bottle on a table.", language="en")
    lighting_fr = next(c for c in french["criteria"] if c["key"] == "lighting")
    lighting_en = next(c for c in english["criteria"] if c["key"] == "lighting")
    assert lighting_fr["feedback"] != lighting_en["feedback"]
    assert "Absent" in lighting_fr["feedback"]


BRIEF = [
    CriterionSpec(
        kind="must_mention",
        label="le produit",
        terms=("flacon", "huile d'argan", "bottle", "argan oil"),
        weight=50,
        key="product",
    ),
    CriterionSpec(
        kind="must_not_mention",
        label="pas de célébrité",
        terms=("célébrité", "celebrity", "star"),
        weight=50,
        key="no_star",
    ),
]


@pytest.mark.parametrize(
    ("prompt", "product", "no_star"),
    [
        ("Gros plan sur un flacon d'huile d'argan.", 1.0, 1.0),
        ("Close-up of an argan oil bottle held by an anonymous fan.", 1.0, 1.0),
        ("Une célébrité tient le flacon.", 1.0, 0.0),
        ("A celebrity smiles at the camera.", 0.0, 0.0),
        ("Des Flacons d'Huile d'Argan alignés.", 1.0, 1.0),  # case, plural
        ("Un flacon tenu par un supporter, sans célébrité.", 1.0, 1.0),  # negated mention is not a mention
        ("Le départ d'une course, start de la course.", 0.0, 1.0),  # "start" is not "star"
    ],
)
def test_brief_requirements_match_whole_words_in_french_and_english(prompt, product, no_star):
    result = scores(grade(prompt, criteria=BRIEF))
    assert (result["product"], result["no_star"]) == (product, no_star)


VIDEO = [
    CriterionSpec(kind="video", video_check="motion_present", weight=20, key="motion"),
    CriterionSpec(kind="video", video_check="no_cuts", weight=20, key="cuts"),
    CriterionSpec(kind="video", video_check="exposure", weight=20, key="exposure"),
    CriterionSpec(kind="video", video_check="colour_present", params={"colour": "amber"}, weight=20, key="amber"),
    CriterionSpec(kind="video", video_check="duration", weight=20, key="duration"),
]


def test_video_checks_read_the_metrics():
    assert scores(grade("x", criteria=VIDEO, metrics=METRICS_OK)) == {
        "motion": 1.0,
        "cuts": 1.0,
        "exposure": 1.0,
        "amber": 1.0,
        "duration": 1.0,
    }
    bad = {
        **METRICS_OK,
        "is_moving": False,
        "dynamic_degree": 0.1,
        "scene_cuts": 2,
        "brightness": 0.05,
        "colour_fractions": {"amber": 0.015},
        "duration_s": 8.0,
    }
    result = scores(grade("x", criteria=VIDEO, metrics=bad))
    assert result == {"motion": 0.1, "cuts": 0.0, "exposure": 0.0, "amber": 0.5, "duration": 0.0}


def test_video_checks_without_metrics_score_zero_and_keep_their_label():
    result = grade("x", criteria=VIDEO, metrics=None)
    assert all(c["score"] == 0 for c in result["criteria"])
    assert next(c for c in result["criteria"] if c["key"] == "cuts")["label"] == "Un seul plan continu"


def test_a_policy_violation_fails_the_attempt_whatever_the_other_scores():
    prompt = STRONG[2].replace("A hand", "Cristiano Ronaldo's hand")
    result = grade(prompt, criteria=[*ANATOMY_RUBRIC, CriterionSpec(kind="policy", weight=1, key="policy")])
    assert result["score"] >= 80
    assert result["passed"] is False
    assert result["policy"]["allowed"] is False


def test_hidden_criteria_count_but_are_left_out_of_the_next_steps():
    criteria = [
        CriterionSpec(kind="anatomy", element="audio", weight=10, key="audio", hidden=True),
        CriterionSpec(kind="anatomy", element="lens", weight=10, key="lens"),
    ]
    result = grade("Un flacon sur une table.", criteria=criteria)
    assert result["score"] == 0
    assert len(result["next_steps"]) == 1
    assert next(c for c in result["criteria"] if c["key"] == "audio")["hidden"] is True


def test_the_total_is_the_weighted_mean():
    criteria = [
        CriterionSpec(kind="anatomy", element="subject", weight=30, key="s"),
        CriterionSpec(kind="anatomy", element="lighting", weight=10, key="l"),
    ]
    # a detailed subject (1.0 × 30) and no lighting (0 × 10): 30/40
    assert grade("Un flacon en verre ambré avec un bouchon en bois.", criteria=criteria)["score"] == 75
