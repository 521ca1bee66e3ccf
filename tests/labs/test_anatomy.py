"""The prompt-anatomy parser: elements found, spans, robustness, findings, language."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from labs.grading.anatomy import (
    ELEMENT_HINTS,
    ELEMENT_KEYS,
    ELEMENT_LABELS,
    GROUP_KEYS,
    Match,
    PromptAnatomy,
    detect_language,
    normalise,
    parse_prompt,
)

VOCAB_DIR = Path(__file__).resolve().parents[2] / "labs" / "grading" / "vocab"

STRONG_FRENCH_PROMPT = (
    "Gros plan en légère contre-plongée sur un flacon de parfum en verre ambré posé sur une table en marbre, "
    "dans une boutique de Marrakech à l'heure dorée. Une main de femme aux ongles rouges saisit le flacon, "
    "le tourne lentement, puis le repose dans la dernière seconde. Travelling avant lent. Objectif 85 mm, "
    "faible profondeur de champ. Lumière douce venant de la fenêtre à gauche, contre-jour chaud. "
    "Palette : ambre, crème, brun noyer. Style publicité haut de gamme, grain de pellicule léger. "
    "Son : musique oud douce et bruit de la rue au loin."
)


@dataclass(frozen=True)
class Case:
    id: str
    prompt: str
    language: str
    expected: tuple[tuple[str, str], ...]  # (concept, exact matched text)
    findings: frozenset[str] = field(default_factory=frozenset)  # finding kinds that must be present
    absent: tuple[str, ...] = ()  # concepts that must not be found


CASES = [
    Case(
        "fr-ecommerce-babouche",
        "Plan d'ensemble d'une babouche en cuir jaune posée sur un fond blanc, vue de dessus. Une main la fait "
        "pivoter deux fois. Lumière douce de studio, ombres douces. Style publicitaire minimaliste.",
        "fr",
        (
            ("shot.wide", "Plan d'ensemble"),
            ("subject.product", "babouche"),
            ("subject.detailed", "cuir"),
            ("colour.yellow", "jaune"),
            ("setting.studio", "fond blanc"),
            ("shot.overhead", "vue de dessus"),
            ("action.beats", "deux fois"),
            ("light.soft", "Lumière douce"),
            ("style.advertising", "Style publicitaire"),
        ),
    ),
    Case(
        "fr-teaching-animation",
        "Animation 2D pour une capsule pédagogique : une formatrice en blazer vert explique les trois étapes du "
        "tri des déchets devant un tableau blanc. Plan moyen, caméra fixe. Voix off calme, musique douce.",
        "fr",
        (
            ("style.animation", "Animation 2D"),
            ("subject.person", "formatrice"),
            ("subject.detailed", "blazer"),
            ("colour.green", "vert"),
            ("action.speak", "explique"),
            ("setting.classroom", "tableau blanc"),
            ("shot.medium", "Plan moyen"),
            ("camera.static", "caméra fixe"),
            ("audio.voice_over", "Voix off"),
            ("audio.music", "musique douce"),
        ),
    ),
    Case(
        "fr-interview-artisan",
        "Interview d'un artisan potier de Fès dans son atelier, plan rapproché poitrine, de profil, faible "
        "profondeur de champ. Il façonne un vase en terre cuite puis lève les yeux vers l'objectif. Lumière "
        "naturelle latérale venant de la porte. Son ambiant de l'atelier.",
        "fr",
        (
            ("subject.person", "artisan"),
            ("setting.city", "Fès"),
            ("setting.factory", "atelier"),
            ("shot.medium_close_up", "plan rapproché poitrine"),
            ("shot.profile", "de profil"),
            ("lens.shallow_dof", "faible profondeur de champ"),
            ("action.craft", "façonne"),
            ("action.look", "lève les yeux"),
            ("light.natural", "Lumière naturelle"),
            ("light.from_side", "latérale"),
            ("audio.ambient", "Son ambiant"),
        ),
    ),
    Case(
        "fr-street-night-rain",
        "Plan large d'une ruelle de Tanger la nuit sous la pluie, pavés mouillés, reflets des néons dans les "
        "flaques. Un homme en imperméable noir marche lentement vers la caméra. Caméra à l'épaule. Bruit de la "
        "pluie sur les toits.",
        "fr",
        (
            ("shot.wide", "Plan large"),
            ("setting.city_street", "ruelle"),
            ("time.night", "nuit"),
            ("weather.rain", "sous la pluie"),
            ("light.neon", "néons"),
            ("subject.person", "homme"),
            ("subject.detailed", "imperméable"),
            ("action.walk", "marche"),
            ("pacing.slow", "lentement"),
            ("camera.handheld", "Caméra à l'épaule"),
            ("audio.ambient", "Bruit de la pluie"),
        ),
    ),
    Case(
        "fr-nature-dunes-timelapse",
        "Time-lapse d'un lever de soleil sur les dunes de Merzouga, brume légère, plan très large au grand "
        "angle. Palette ocre, orange et bleu pâle. Son du vent.",
        "fr",
        (
            ("pacing.time_lapse", "Time-lapse"),
            ("time.sunrise", "lever de soleil"),
            ("setting.desert", "dunes"),
            ("weather.fog", "brume"),
            ("shot.wide", "plan très large"),
            ("lens.wide_angle", "grand angle"),
            ("colour.ochre", "ocre"),
            ("colour.orange", "orange"),
            ("audio.ambient", "Son du vent"),
        ),
    ),
    Case(
        "fr-desert-caravan",
        "Travelling latéral qui accompagne une caravane de dromadaires dans le Sahara au coucher du soleil, en "
        "contre-jour. Les chameliers en chèche bleu avancent en file. Tons chauds, grain argentique.",
        "fr",
        (
            ("camera.tracking", "Travelling latéral"),
            ("subject.animal", "dromadaires"),
            ("setting.desert", "Sahara"),
            ("time.sunset", "coucher du soleil"),
            ("light.backlight", "en contre-jour"),
            ("subject.person", "chameliers"),
            ("light.warm", "Tons chauds"),
            ("style.film_grain", "grain argentique"),
        ),
        absent=("camera.whip_pan",),
    ),
    Case(
        "fr-tea-pour-slow-motion",
        "Gros plan sur des mains qui versent du thé à la menthe dans un verre ciselé, au ralenti, vapeur qui "
        "s'élève. Lumière chaude d'une lampe à gauche. Bruit du thé qui coule.",
        "fr",
        (
            ("shot.close_up", "Gros plan"),
            ("subject.person", "mains"),
            ("action.pour", "versent"),
            ("subject.food", "thé à la menthe"),
            ("pacing.slow_motion", "au ralenti"),
            ("light.warm", "Lumière chaude"),
            ("light.lamp", "lampe"),
            ("light.from_left", "à gauche"),
            ("audio.ambient", "Bruit du thé"),
        ),
    ),
    Case(
        "fr-corporate-meeting",
        "Plan moyen d'une équipe de quatre collègues dans une salle de réunion lumineuse à Casablanca, en fin "
        "d'après-midi. Une directrice présente un graphique, puis sourit. Style corporate, lumière naturelle "
        "douce, panoramique lent de gauche à droite.",
        "fr",
        (
            ("shot.medium", "Plan moyen"),
            ("setting.office", "salle de réunion"),
            ("time.afternoon", "fin d'après-midi"),
            ("action.show", "présente"),
            ("action.beats", "puis"),
            ("action.smile", "sourit"),
            ("style.corporate", "Style corporate"),
            ("camera.pan", "panoramique lent de gauche à droite"),
        ),
        absent=("light.from_left", "light.from_right"),
    ),
    Case(
        "fr-vague-beach",
        "Une vidéo cinématique magnifique d'une plage au Maroc, vraiment incroyable et sublime.",
        "fr",
        (("setting.beach", "plage"),),
        findings=frozenset({"vague"}),
    ),
    Case(
        "fr-negative-street",
        "Une rue de la médina sans voitures, pas de passants, évitez les logos sur les façades.",
        "fr",
        (("setting.city_street", "rue"), ("setting.medina", "médina")),
        findings=frozenset({"negative_only"}),
        absent=("subject.vehicle", "subject.person"),
    ),
    Case(
        "fr-parameters-cat",
        "Fais une vidéo de 20 secondes en 4K au format 16:9 d'un chat qui joue avec une pelote de laine.",
        "fr",
        (("subject.animal", "chat"),),
        findings=frozenset({"parameter_in_prompt"}),
    ),
    Case(
        "fr-three-camera-moves",
        "Travelling avant vers la fontaine, puis panoramique vers la droite et zoom arrière sur la place au "
        "crépuscule.",
        "fr",
        (
            ("camera.dolly_in", "Travelling avant"),
            ("camera.pan", "panoramique vers la droite"),
            ("camera.zoom_out", "zoom arrière"),
            ("setting.city_street", "sur la place"),
            ("time.dusk", "crépuscule"),
        ),
        findings=frozenset({"multiple_camera_moves"}),
    ),
    Case(
        "fr-without-accents",
        "gros plan sur une femme, lumiere douce venant de la fenetre, a l'heure doree, camera a l'epaule, "
        "style documentaire",
        "fr",
        (
            ("shot.close_up", "gros plan"),
            ("subject.person", "femme"),
            ("light.soft", "lumiere douce"),
            ("light.window", "venant de la fenetre"),
            ("time.golden_hour", "heure doree"),
            ("camera.handheld", "camera a l'epaule"),
            ("style.documentary", "style documentaire"),
        ),
    ),
    Case(
        "fr-upper-case",
        "GROS PLAN SUR UN FLACON DE PARFUM EN VERRE, CONTRE-JOUR, RALENTI, MUSIQUE DOUCE, PLAGE DE SABLE BLANC.",
        "fr",
        (
            ("shot.close_up", "GROS PLAN"),
            ("subject.product", "FLACON DE PARFUM"),
            ("light.backlight", "CONTRE-JOUR"),
            ("pacing.slow_motion", "RALENTI"),
            ("audio.music", "MUSIQUE DOUCE"),
            ("setting.beach", "PLAGE DE SABLE"),
        ),
    ),
    Case(
        "fr-plurals",
        "Gros plans successifs sur des flacons posés sur des étagères, lumières douces, couleurs pastel, "
        "bougies allumées.",
        "fr",
        (
            ("shot.close_up", "Gros plans"),
            ("subject.product", "flacons"),
            ("light.soft", "lumières douces"),
            ("style.pastel", "couleurs pastel"),
            ("light.candle", "bougies"),
        ),
    ),
    Case(
        "fr-curly-elisions",
        "À l’aube, l’artisane d’une soixantaine d’années qu’on filme en plan serré tisse un tapis berbère dans "
        "l’atelier d’une coopérative.",
        "fr",
        (
            ("time.dawn", "aube"),
            ("subject.person", "artisane"),
            ("subject.detailed", "soixantaine"),
            ("shot.close_up", "plan serré"),
            ("action.craft", "tisse"),
            ("subject.product", "tapis"),
            ("setting.factory", "atelier"),
        ),
    ),
    Case(
        "fr-classroom",
        "Dans une salle de classe, une enseignante écrit au tableau puis se retourne vers les élèves. Plan "
        "américain, caméra fixe, lumière du jour par les fenêtres, style pédagogique.",
        "fr",
        (
            ("setting.classroom", "salle de classe"),
            ("subject.person", "enseignante"),
            ("action.write", "écrit"),
            ("action.beats", "puis"),
            ("action.turn", "se retourne"),
            ("shot.medium", "Plan américain"),
            ("camera.static", "caméra fixe"),
            ("light.natural", "lumière du jour"),
            ("light.window", "par les fenêtres"),
            ("style.tutorial", "style pédagogique"),
        ),
    ),
    Case(
        "fr-product-smartphone",
        "Un smartphone noir mat tourne sur lui-même sur un socle en marbre blanc, fond noir, éclairage de studio "
        "avec lumière de contour bleue. Rotation lente, plan fixe, objectif 100 mm macro.",
        "fr",
        (
            ("subject.product", "smartphone"),
            ("colour.black", "noir mat"),
            ("action.rotate", "tourne sur lui-même"),
            ("setting.studio", "fond noir"),
            ("light.studio", "éclairage de studio"),
            ("light.rim", "lumière de contour"),
            ("camera.static", "plan fixe"),
            ("lens.focal_length", "objectif 100 mm"),
            ("lens.macro", "macro"),
        ),
        absent=("action.turn",),
    ),
    Case(
        "fr-souk-pov",
        "Caméra subjective qui traverse le souk des épices de Marrakech à midi, étals colorés, marchands qui "
        "interpellent les passants. Musique gnawa et brouhaha du marché.",
        "fr",
        (
            ("shot.pov", "Caméra subjective"),
            ("action.walk", "traverse"),
            ("setting.market", "souk"),
            ("setting.city", "Marrakech"),
            ("time.day", "midi"),
            ("subject.person", "marchands"),
            ("audio.music", "gnawa"),
            ("audio.ambient", "brouhaha"),
            ("setting.market", "du marché"),
        ),
        absent=("action.walk_market",),
    ),
    Case(
        "fr-drone-coast",
        "Plan drone au-dessus des falaises d'Essaouira au coucher du soleil, mouettes en vol, vagues qui se "
        "brisent. Couleurs saturées, son des vagues.",
        "fr",
        (
            ("camera.drone", "Plan drone"),
            ("setting.mountain", "falaises"),
            ("setting.city", "Essaouira"),
            ("time.sunset", "coucher du soleil"),
            ("subject.animal", "mouettes"),
            ("action.scene", "se brisent"),
            ("style.saturated", "Couleurs saturées"),
            ("audio.ambient", "son des vagues"),
        ),
    ),
    Case(
        "fr-dialogue-shop",
        "Dialogue : la vendeuse dit « Bienvenue ! » en souriant, plan moyen dans une boutique de tapis, lumière "
        "chaude des lanternes.",
        "fr",
        (
            ("audio.dialogue", "Dialogue"),
            ("subject.person", "vendeuse"),
            ("audio.dialogue", "dit"),
            ("shot.medium", "plan moyen"),
            ("setting.shop", "boutique"),
            ("light.warm", "lumière chaude"),
            ("light.lamp", "lanternes"),
        ),
    ),
    Case(
        "fr-snow-village",
        "Un village de l'Atlas sous la neige, brouillard matinal, plan d'ensemble en plongée. Un berger et ses "
        "moutons traversent le chemin, puis disparaissent derrière la colline.",
        "fr",
        (
            ("setting.countryside", "village"),
            ("weather.snow", "sous la neige"),
            ("weather.fog", "brouillard"),
            ("shot.wide", "plan d'ensemble"),
            ("shot.high_angle", "en plongée"),
            ("subject.person", "berger"),
            ("subject.animal", "moutons"),
            ("action.walk", "traversent"),
            ("action.beats", "puis"),
            ("action.appear", "disparaissent"),
        ),
    ),
    Case(
        "fr-stop-motion",
        "Stop-motion en pâte à modeler : un petit personnage orange saute trois fois sous la pluie, en "
        "contre-plongée, musique joyeuse au piano.",
        "fr",
        (
            ("style.stop_motion", "Stop-motion"),
            ("subject.character", "personnage"),
            ("subject.detailed", "petit"),
            ("action.jump", "saute"),
            ("action.beats", "trois fois"),
            ("weather.rain", "sous la pluie"),
            ("shot.low_angle", "en contre-plongée"),
            ("audio.music", "piano"),
        ),
    ),
    Case(
        "fr-long-take-cyclist",
        "Plan séquence en travelling arrière devant une cycliste qui pédale dans les rues de Rabat au petit "
        "matin, casque rouge, lumière rasante, sans musique, bruit de la ville.",
        "fr",
        (
            ("pacing.long_take", "Plan séquence"),
            ("camera.dolly_out", "travelling arrière"),
            ("subject.person", "cycliste"),
            ("action.ride", "pédale"),
            ("setting.city_street", "rues"),
            ("time.dawn", "petit matin"),
            ("light.hard", "lumière rasante"),
            ("audio.no_music", "sans musique"),
            ("audio.ambient", "bruit de la ville"),
        ),
    ),
    Case(
        "en-ecommerce-sneaker",
        "A white leather sneaker rotates slowly on a turntable against a seamless white background, soft studio "
        "lighting, shallow depth of field, 85mm lens, then stops in the final second.",
        "en",
        (
            ("subject.product", "sneaker"),
            ("subject.detailed", "leather"),
            ("action.rotate", "rotates slowly"),
            ("setting.studio", "white background"),
            ("light.soft", "soft studio lighting"),
            ("lens.shallow_dof", "shallow depth of field"),
            ("lens.focal_length", "85mm lens"),
            ("action.stop", "stops"),
            ("pacing.timing", "in the final second"),
        ),
    ),
    Case(
        "en-cyclist-beats",
        "Wet asphalt, zebra crosswalk, neon signs reflecting in puddles. A cyclist in a yellow raincoat pedals "
        "three times, brakes, and stops at the crosswalk.",
        "en",
        (
            ("weather.rain", "Wet asphalt"),
            ("setting.city_street", "zebra crosswalk"),
            ("light.neon", "neon signs"),
            ("light.reflections", "reflecting in puddles"),
            ("subject.person", "cyclist"),
            ("subject.detailed", "raincoat"),
            ("action.ride", "pedals"),
            ("action.beats", "three times"),
            ("action.stop", "brakes"),
        ),
    ),
    Case(
        "en-actor-four-steps",
        "Actor takes four steps to the window, pauses, and pulls the curtain in the final second.",
        "en",
        (
            ("subject.person", "Actor"),
            ("action.beats", "takes four steps"),
            ("action.stop", "pauses"),
            ("action.move", "pulls"),
            ("pacing.timing", "in the final second"),
        ),
    ),
    Case(
        "en-interview-engineer",
        "Medium close-up interview of an engineer in her forties wearing glasses, in a bright office. Soft key "
        "light from the left, shallow depth of field, 50mm lens. Dialogue: she says the project saved two hours "
        "a day. Background hum of the office.",
        "en",
        (
            ("shot.medium_close_up", "Medium close-up"),
            ("subject.person", "engineer"),
            ("subject.detailed", "glasses"),
            ("setting.office", "office"),
            ("light.soft", "Soft key light"),
            ("light.from_left", "from the left"),
            ("lens.focal_length", "50mm lens"),
            ("audio.dialogue", "Dialogue"),
            ("audio.ambient", "hum"),
        ),
    ),
    Case(
        "en-nature-aerial",
        "Aerial drone shot over a misty cedar forest in the Atlas Mountains at dawn, slow orbit around a lone "
        "hiker, volumetric light through the trees, birdsong.",
        "en",
        (
            ("camera.drone", "drone shot"),
            ("weather.fog", "misty"),
            ("setting.forest", "cedar forest"),
            ("setting.mountain", "Atlas Mountains"),
            ("time.dawn", "dawn"),
            ("camera.orbit", "slow orbit"),
            ("subject.person", "hiker"),
            ("light.volumetric", "volumetric light"),
            ("audio.ambient", "birdsong"),
        ),
    ),
    Case(
        "en-vague-city",
        "A stunning, epic, cinematic video of a beautiful city.",
        "en",
        (("setting.city", "city"),),
        findings=frozenset({"vague"}),
    ),
    Case(
        "en-negative-beach",
        "A beach with no people, no umbrellas, and don't show any buildings.",
        "en",
        (("setting.beach", "beach"),),
        findings=frozenset({"negative_only"}),
        absent=("subject.person",),
    ),
    Case(
        "en-parameters-dog",
        "Make it 20 seconds long in 4K, 16:9, 24 fps: a dog running on a beach at sunset.",
        "en",
        (
            ("subject.animal", "dog"),
            ("action.run", "running"),
            ("setting.beach", "beach"),
            ("time.sunset", "sunset"),
        ),
        findings=frozenset({"parameter_in_prompt"}),
    ),
    Case(
        "en-pacing-not-parameters",
        "In the final second, the woman smiles. For the first 2 seconds the camera holds on her hands in a close-up.",
        "en",
        (
            ("pacing.timing", "In the final second"),
            ("action.smile", "smiles"),
            ("pacing.timing", "first 2 seconds"),
            ("shot.close_up", "close-up"),
        ),
    ),
    Case(
        "en-three-camera-moves",
        "Slow dolly in on a riad courtyard, then a whip pan to the left and a crane up over the rooftops at night.",
        "en",
        (
            ("camera.dolly_in", "Slow dolly in"),
            ("setting.medina", "riad"),
            ("camera.whip_pan", "whip pan"),
            ("camera.crane", "crane up"),
            ("time.night", "at night"),
        ),
        findings=frozenset({"multiple_camera_moves"}),
    ),
    Case(
        "en-teaching-animation",
        "2D animation explainer: a cartoon robot mascot points at a whiteboard, then jumps twice. Flat pastel "
        "palette, upbeat music, static camera.",
        "en",
        (
            ("style.animation", "2D animation"),
            ("subject.character", "robot"),
            ("action.show", "points at"),
            ("setting.classroom", "whiteboard"),
            ("action.jump", "jumps"),
            ("action.beats", "twice"),
            ("style.pastel", "pastel palette"),
            ("audio.music", "upbeat music"),
            ("camera.static", "static camera"),
        ),
    ),
    Case(
        "en-handheld-tracking",
        "A handheld camera tracks the mechanical bull as it runs across the desert at golden hour, dust trailing "
        "behind. Live-action.",
        "en",
        (
            ("camera.handheld", "handheld camera"),
            ("camera.tracking", "tracks the"),
            ("subject.animal", "bull"),
            ("action.run", "runs"),
            ("setting.desert", "desert"),
            ("time.golden_hour", "golden hour"),
            ("style.photorealistic", "Live-action"),
        ),
    ),
    Case(
        "en-food-macro",
        "Macro shot of honey dripping onto a stack of pancakes, backlit by warm morning sunlight, slow motion, "
        "shallow depth of field, sizzle of butter in the pan.",
        "en",
        (
            ("lens.macro", "Macro shot"),
            ("subject.food", "honey"),
            ("action.fall", "dripping"),
            ("light.backlight", "backlit"),
            ("light.natural", "sunlight"),
            ("pacing.slow_motion", "slow motion"),
            ("audio.sfx", "sizzle"),
        ),
        absent=("camera.pan",),
    ),
    Case(
        "en-perfume-teaser",
        "Close-up of a glass perfume bottle with a gold cap on a marble table in a Marrakech boutique at golden "
        "hour, slow push-in, soft window light, amber and cream palette.",
        "en",
        (
            ("shot.close_up", "Close-up"),
            ("subject.detailed", "glass"),
            ("subject.product", "perfume bottle"),
            ("colour.gold", "gold"),
            ("subject.detailed", "cap"),
            ("setting.shop", "boutique"),
            ("time.golden_hour", "golden hour"),
            ("camera.dolly_in", "slow push-in"),
            ("light.soft", "soft window light"),
            ("colour.amber", "amber"),
            ("colour.cream", "cream"),
        ),
    ),
    Case(
        "en-16mm-documentary",
        "16mm black-and-white film, 1970s documentary style: a fisherman mends his nets at the harbour at dawn, "
        "film grain, handheld.",
        "en",
        (
            ("style.film_16mm", "16mm"),
            ("style.black_and_white", "black-and-white"),
            ("style.vintage", "1970s"),
            ("style.documentary", "documentary style"),
            ("subject.person", "fisherman"),
            ("action.craft", "mends"),
            ("setting.harbour", "harbour"),
            ("style.film_grain", "film grain"),
            ("camera.handheld", "handheld"),
        ),
    ),
    Case(
        "en-audio-block",
        "Wide shot of a quiet beach at sunrise. Ambient sound of waves, no music. Voice-over: a calm female "
        "narrator introduces the hotel.",
        "en",
        (
            ("shot.wide", "Wide shot"),
            ("time.sunrise", "sunrise"),
            ("audio.ambient", "Ambient sound"),
            ("audio.no_music", "no music"),
            ("audio.voice_over", "Voice-over"),
        ),
        absent=("audio.silence",),
    ),
    Case(
        "en-static-kitchen",
        "Locked-off static shot of a kitchen counter: a chef in a white apron slices a tomato, then pours olive "
        "oil. Overhead fluorescent light, cool tones.",
        "en",
        (
            ("camera.static", "static shot"),
            ("setting.kitchen", "kitchen counter"),
            ("subject.person", "chef"),
            ("subject.detailed", "apron"),
            ("action.cut", "slices"),
            ("action.beats", "then"),
            ("action.pour", "pours"),
            ("subject.food", "olive oil"),
            ("light.from_above", "Overhead fluorescent light"),
            ("light.cool", "cool tones"),
        ),
        absent=("shot.overhead", "colour.olive"),
    ),
    Case(
        "en-leather-bag-teaser",
        "Teaser for a handmade leather bag: extreme close-up of the stitching, then the bag opens. Warm rim light "
        "from behind, bokeh, 35mm film look, no dialogue, soft piano.",
        "en",
        (
            ("subject.detailed", "handmade"),
            ("subject.product", "leather bag"),
            ("shot.extreme_close_up", "extreme close-up"),
            ("action.open", "opens"),
            ("light.from_behind", "from behind"),
            ("lens.shallow_dof", "bokeh"),
            ("style.film_35mm", "35mm film look"),
            ("audio.no_dialogue", "no dialogue"),
            ("audio.music", "soft piano"),
        ),
        absent=("action.look",),
    ),
    Case(
        "en-teacher-classroom",
        "Teacher in a blue hijab explains photosynthesis next to a green plant, medium shot at eye level, tripod, "
        "classroom with large windows, natural light, gentle pacing, narration in French.",
        "en",
        (
            ("subject.person", "Teacher"),
            ("subject.detailed", "hijab"),
            ("action.speak", "explains"),
            ("subject.plant", "plant"),
            ("shot.medium", "medium shot"),
            ("shot.eye_level", "at eye level"),
            ("camera.static", "tripod"),
            ("setting.classroom", "classroom"),
            ("light.natural", "natural light"),
            ("audio.voice_over", "narration"),
        ),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_finds_the_intended_words_for_each_concept(case: Case):
    # when
    anatomy = parse_prompt(case.prompt)

    # then: language, concepts and the exact words that carry them
    assert anatomy.language == case.language
    found = {(m.concept, m.text) for m in anatomy.matches}
    assert set(case.expected) <= found, set(case.expected) - found
    assert not set(case.absent) & set(anatomy.concepts())
    assert case.findings <= {f.kind for f in anatomy.findings}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_spans_point_into_the_original_prompt_sorted_and_disjoint_per_key(case: Case):
    anatomy = parse_prompt(case.prompt)

    for item in (*anatomy.matches, *anatomy.findings):
        assert case.prompt[item.start : item.end] == item.text
        assert item.text.strip() == item.text and item.text
    starts = [m.start for m in anatomy.matches]
    assert starts == sorted(starts)
    for key in ELEMENT_KEYS:
        spans = sorted((m.start, m.end) for m in anatomy.matches_for(key))
        assert all(end <= next_start for (_, end), (next_start, _) in zip(spans, spans[1:], strict=False))


def test_strong_french_prompt_covers_every_element_without_findings():
    anatomy = parse_prompt(STRONG_FRENCH_PROMPT)

    assert anatomy.language == "fr"
    assert anatomy.missing_keys == []
    assert anatomy.coverage() == 1.0
    assert anatomy.findings == ()
    assert {
        "shot.close_up",
        "shot.low_angle",
        "subject.product",
        "subject.detailed",
        "setting.shop",
        "time.golden_hour",
        "action.grab",
        "action.turn",
        "action.beats",
        "pacing.timing",
        "camera.dolly_in",
        "lens.focal_length",
        "lens.shallow_dof",
        "light.soft",
        "light.window",
        "light.from_left",
        "light.backlight",
        "colour.amber",
        "colour.cream",
        "colour.walnut",
        "style.film_grain",
        "audio.music",
        "audio.ambient",
    } <= set(anatomy.concepts())


def test_accents_are_optional():
    with_accents = parse_prompt("Lumière douce à l'heure dorée", "fr")
    without_accents = parse_prompt("lumiere douce a l'heure doree", "fr")

    assert with_accents.concepts() == without_accents.concepts() == ["light.soft", "time.golden_hour"]


def test_decomposed_accents_still_match_and_keep_spans():
    prompt = "une lumie\u0300re douce"

    anatomy = parse_prompt(prompt, "fr")

    assert [(m.concept, m.text) for m in anatomy.matches] == [("light.soft", "lumie\u0300re douce")]


@pytest.mark.parametrize("apostrophe", ["'", "’", "‘", "`"])
def test_elisions_match_with_straight_and_curly_apostrophes(apostrophe: str):
    prompt = f"caméra à l{apostrophe}épaule, à l{apostrophe}aube, plan d{apostrophe}ensemble"

    anatomy = parse_prompt(prompt, "fr")

    assert anatomy.concepts() == ["camera.handheld", "time.dawn", "shot.wide"]


def test_case_does_not_matter():
    assert parse_prompt("CLOSE-UP, GOLDEN HOUR", "en").concepts() == ["shot.close_up", "time.golden_hour"]


@pytest.mark.parametrize(
    ("prompt", "language", "concept", "text"),
    [
        ("des gros plans", "fr", "shot.close_up", "gros plans"),
        ("trois chevaux", "fr", "subject.animal", "chevaux"),
        ("des animaux", "fr", "subject.animal", "animaux"),
        ("les lumières douces", "fr", "light.soft", "lumières douces"),
        ("two foxes", "en", "subject.animal", "foxes"),
        ("bright berries and puppies", "en", "subject.animal", "puppies"),
        ("she pauses", "en", "action.stop", "pauses"),
        ("walking slowly", "en", "action.walk", "walking"),
        ("the man poured tea", "en", "action.pour", "poured"),
    ],
)
def test_plurals_and_inflections_are_matched_without_listing_them(prompt: str, language: str, concept: str, text: str):
    anatomy = parse_prompt(prompt, language)

    assert (concept, text) in {(m.concept, m.text) for m in anatomy.matches}


@pytest.mark.parametrize(
    ("first", "second", "language", "concept"),
    [
        ("panoramique", "pano", "fr", "camera.pan"),
        ("contre-jour", "rétroéclairé", "fr", "light.backlight"),
        ("faible profondeur de champ", "bokeh", "fr", "lens.shallow_dof"),
        ("close-up", "closeup", "en", "shot.close_up"),
        ("static camera", "locked-off", "en", "camera.static"),
        ("time-lapse", "timelapse", "en", "pacing.time_lapse"),
    ],
)
def test_synonyms_share_a_concept(first: str, second: str, language: str, concept: str):
    assert parse_prompt(first, language).concepts() == [concept]
    assert parse_prompt(second, language).concepts() == [concept]


@pytest.mark.parametrize(
    ("prompt", "language"),
    [
        ("un homme à la barbe grise", "fr"),  # "bar" is a setting, "barbe" is not
        ("un portrait serré", "fr"),  # "port" is a setting, "portrait" is not
        ("elle est en train de lire", "fr"),  # "train" is not a vehicle here
        ("a pancake next to a cup", "en"),  # "next" is not a sequence word here
    ],
)
def test_terms_match_whole_words_only(prompt: str, language: str):
    anatomy = parse_prompt(prompt, language)

    assert not anatomy.has("setting")
    assert "subject.vehicle" not in anatomy.concepts()
    assert "pacing.sequence" not in anatomy.concepts()


def test_longest_term_wins_over_its_prefix():
    anatomy = parse_prompt("très gros plan puis plan large", "fr")

    assert [(m.concept, m.text) for m in anatomy.matches_for("shot")] == [
        ("shot.extreme_close_up", "très gros plan"),
        ("shot.wide", "plan large"),
    ]


def test_golden_hour_is_a_time_not_a_gold_colour():
    anatomy = parse_prompt("à l'heure dorée, un flacon doré", "fr")

    assert anatomy.concepts("time_weather") == ["time.golden_hour"]
    assert [m.text for m in anatomy.matches if m.concept == "colour.gold"] == ["doré"]


def test_subject_is_detailed_only_when_a_detail_is_attached():
    bare = parse_prompt("Une femme marche dans la rue.", "fr")
    detailed = parse_prompt("Une femme d'une trentaine d'années en blazer rouge marche dans la rue.", "fr")

    assert bare.concepts("subject") == ["subject.person"]
    assert detailed.concepts("subject") == [
        "subject.person",
        "subject.detailed",
        "colour.red",
    ]  # a colour of hers, no palette
    assert {m.text for m in detailed.matches if m.concept == "subject.detailed"} == {
        "d'une trentaine d'années",
        "blazer",
    }
    assert [m.text for m in detailed.matches if m.concept == "colour.red"] == ["rouge"]


def test_detail_in_another_sentence_does_not_detail_the_subject():
    anatomy = parse_prompt("A woman walks. The wall is red.", "en")

    assert "subject.detailed" not in anatomy.concepts()


def test_sequence_word_between_two_different_actions_is_a_beat():
    anatomy = parse_prompt("She grabs the cup, then drinks.", "en")

    assert [(m.concept, m.text) for m in anatomy.matches_for("action")][1] == ("action.beats", "then")


def test_sequence_word_without_a_second_action_is_not_a_beat():
    anatomy = parse_prompt("She walks, then the light changes.", "en")

    assert "action.beats" not in anatomy.concepts()
    assert "pacing.sequence" in anatomy.concepts()


def test_direction_counts_for_lighting_only_next_to_a_light():
    lit = parse_prompt("Lumière douce venant de la gauche.", "fr")
    unlit = parse_prompt("Une femme marche de gauche à droite dans la rue.", "fr")

    assert "light.from_left" in lit.concepts()
    assert not unlit.has("lighting")


def test_one_camera_move_is_fine():
    anatomy = parse_prompt("Travelling avant lent vers le comptoir d'une boutique.", "fr")

    assert "multiple_camera_moves" not in {f.kind for f in anatomy.findings}


def test_two_camera_moves_are_flagged_on_the_second_move():
    prompt = "A slow pan across the market, then a zoom in on the spices."

    anatomy = parse_prompt(prompt, "en")

    [finding] = [f for f in anatomy.findings if f.kind == "multiple_camera_moves"]
    assert finding.text == "zoom in"
    assert "« slow pan »" in str(finding.message) and "« zoom in »" in str(finding.message)


def test_a_rig_with_a_move_is_one_move():
    anatomy = parse_prompt("A handheld camera tracks the runner through the souk.", "en")

    assert "multiple_camera_moves" not in {f.kind for f in anatomy.findings}


def test_a_rig_with_a_static_camera_is_a_conflict():
    anatomy = parse_prompt("Plan fixe, caméra à l'épaule sur une vendeuse au souk.", "fr")

    assert "multiple_camera_moves" in {f.kind for f in anatomy.findings}


def test_repeating_the_same_move_is_not_flagged():
    anatomy = parse_prompt("Slow pan to the left over the medina; the pan ends on the minaret.", "en")

    assert "multiple_camera_moves" not in {f.kind for f in anatomy.findings}


def test_vague_word_without_technique_gets_the_firm_message():
    anatomy = parse_prompt("Une vidéo cinématique d'un marché de Fès avec des marchands.", "fr")

    [finding] = [f for f in anatomy.findings if f.kind == "vague"]
    assert finding.text == "cinématique"
    assert "ne dit pas au modèle quoi montrer" in str(finding.message)


def test_vague_word_with_technique_gets_the_gentle_message():
    anatomy = parse_prompt("Cinematic wide shot, low angle, soft backlight, 35mm lens, of a market in Fez.", "en")

    [finding] = [f for f in anatomy.findings if f.kind == "vague"]
    assert finding.text == "Cinematic"
    assert "n'ajoute rien aux détails techniques" in str(finding.message)


def test_vague_word_inside_a_concrete_phrase_is_not_vague():
    anatomy = parse_prompt("Un berger marche par beau temps dans la vallée de l'Ourika.", "fr")

    assert "weather.clear" in anatomy.concepts()
    assert "vague" not in {f.kind for f in anatomy.findings}


@pytest.mark.parametrize(
    ("prompt", "language", "text", "hidden"),
    [
        ("Une rue déserte, pas de voitures garées.", "fr", "pas de voitures garées", "subject.vehicle"),
        ("Une plage sans personne au lever du soleil.", "fr", "sans personne", "subject.person"),
        ("A market street with no people at dawn.", "en", "no people", "subject.person"),
        ("Don't show any cars in the street.", "en", "Don't show any cars", "subject.vehicle"),
    ],
)
def test_negative_phrasing_is_flagged_and_hides_what_it_negates(prompt: str, language: str, text: str, hidden: str):
    anatomy = parse_prompt(prompt, language)

    negatives = [f for f in anatomy.findings if f.kind == "negative_only"]
    assert [f.text for f in negatives] == [text]
    assert "rue déserte" in str(negatives[0].message)
    assert hidden not in anatomy.concepts()
    assert anatomy.has("setting")


def test_avoid_instruction_is_negative_phrasing():
    anatomy = parse_prompt("Évitez les logos sur les murs de la boutique.", "fr")

    assert [f.text for f in anatomy.findings if f.kind == "negative_only"] == ["Évitez les logos"]


@pytest.mark.parametrize(
    ("prompt", "language", "concept"),
    [
        ("Plage au lever du soleil, sans musique.", "fr", "audio.no_music"),
        ("Beach at sunrise, no music, waves only.", "en", "audio.no_music"),
        ("A woman reads by the window, no dialogue.", "en", "audio.no_dialogue"),
    ],
)
def test_sound_instructions_are_audio_not_negative_phrasing(prompt: str, language: str, concept: str):
    anatomy = parse_prompt(prompt, language)

    assert concept in anatomy.concepts("audio")
    assert "negative_only" not in {f.kind for f in anatomy.findings}


@pytest.mark.parametrize(
    ("prompt", "language", "text"),
    [
        ("Fais une vidéo de 20 secondes d'un marché.", "fr", "vidéo de 20 secondes"),
        ("Un chameau dans le désert, durée de 10 s.", "fr", "durée de 10 s"),
        ("Un chameau dans le désert, en 4K.", "fr", "en 4K"),
        ("Un chameau dans le désert, format 16:9.", "fr", "format 16:9"),
        ("A camel in the desert, make it 20 seconds long.", "en", "make it 20 seconds long"),
        ("A camel in the desert, 1080p.", "en", "1080p"),
        ("A 10-second video of a camel in the desert.", "en", "10-second video"),
        ("A camel in the desert at 24 fps.", "en", "24 fps"),
        ("A camel in the desert, 1920x1080.", "en", "1920x1080"),
    ],
)
def test_generation_parameters_in_the_prompt_are_flagged(prompt: str, language: str, text: str):
    anatomy = parse_prompt(prompt, language)

    assert [f.text for f in anatomy.findings if f.kind == "parameter_in_prompt"] == [text]


@pytest.mark.parametrize(
    ("prompt", "language", "text"),
    [
        ("Elle repose le flacon dans la dernière seconde.", "fr", "dans la dernière seconde"),
        ("Pendant les 3 premières secondes, la caméra reste fixe.", "fr", "3 premières secondes"),
        ("He pulls the curtain in the final second.", "en", "in the final second"),
        ("She waits for the last 2 seconds before turning.", "en", "last 2 seconds"),
        ("Le geste se fait en 3 temps.", "fr", "en 3 temps"),
    ],
)
def test_timing_inside_the_clip_is_pacing_not_a_parameter(prompt: str, language: str, text: str):
    anatomy = parse_prompt(prompt, language)

    assert text in [m.text for m in anatomy.matches_for("pacing")]
    assert "parameter_in_prompt" not in {f.kind for f in anatomy.findings}


def test_too_short_prompt_is_flagged():
    anatomy = parse_prompt("Un chat sur un toit.", "fr")

    [finding] = [f for f in anatomy.findings if f.kind == "too_short"]
    assert finding.text == "Un chat sur un toit"
    assert "5 mots" in str(finding.message)


def test_eight_words_are_not_too_short():
    anatomy = parse_prompt("Un chat roux dort sur un toit ensoleillé.", "fr")

    assert "too_short" not in {f.kind for f in anatomy.findings}


def test_too_long_prompt_is_flagged_from_the_first_word_over_the_limit():
    prompt = " ".join(["mot"] * 250 + ["fin", "encore"])

    anatomy = parse_prompt(prompt, "fr")

    [finding] = [f for f in anatomy.findings if f.kind == "too_long"]
    assert finding.text == "fin encore"
    assert "252 mots" in str(finding.message)


def test_exactly_the_word_limit_is_not_too_long():
    anatomy = parse_prompt(" ".join(["mot"] * 250), "fr")

    assert "too_long" not in {f.kind for f in anatomy.findings}


@pytest.mark.parametrize(
    ("prompt", "language"),
    [
        (STRONG_FRENCH_PROMPT, "fr"),
        ("A woman walks along the beach at sunset while the camera tracks her.", "en"),
        ("Une femme marche sur la plage au coucher du soleil.", "fr"),
        ("Close-up, golden hour, shallow depth of field", "en"),
        ("Gros plan, heure dorée, faible profondeur de champ", "fr"),
        ("", "fr"),
        ("16:9", "fr"),
    ],
)
def test_detects_language(prompt: str, language: str):
    assert detect_language(prompt) == language


def test_explicit_language_overrides_detection():
    anatomy = parse_prompt("Close-up of a bottle on a table with the sea behind it.", "fr")

    assert anatomy.language == "fr"
    assert "shot.close_up" not in anatomy.concepts()


@pytest.mark.parametrize("prompt", ["", "   \n "])
def test_empty_prompt_gives_an_empty_anatomy(prompt: str):
    anatomy = parse_prompt(prompt)

    assert anatomy == PromptAnatomy(prompt=prompt, language="fr")
    assert anatomy.missing_keys == list(ELEMENT_KEYS)
    assert anatomy.found_keys == []
    assert anatomy.coverage() == 0.0


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unsupported"):
        parse_prompt("Un chat.", "de")


def test_accessors_follow_element_and_prompt_order():
    anatomy = parse_prompt("Golden hour. A woman walks, then a woman runs. Close-up.", "en")

    assert anatomy.found_keys == ["subject", "action", "time_weather", "shot", "pacing"]
    assert anatomy.concepts("subject") == ["subject.person"]
    assert anatomy.concepts("action") == ["action.walk", "action.beats", "action.run"]
    assert anatomy.has("shot") and not anatomy.has("lens")
    assert all(isinstance(m, Match) and m.key == "action" for m in anatomy.matches_for("action"))
    assert anatomy.coverage() == pytest.approx(5 / 11)


def test_to_dict_is_json_serialisable_with_plain_messages():
    anatomy = parse_prompt("Une vidéo cinématique de 20 secondes, pas de voitures.", "fr")

    data = json.loads(json.dumps(anatomy.to_dict()))

    assert data["language"] == "fr"
    assert {f["kind"] for f in data["findings"]} >= {"vague", "negative_only", "parameter_in_prompt"}
    assert all(isinstance(f["message"], str) and f["message"] for f in data["findings"])
    assert data["missing_keys"] == anatomy.missing_keys
    assert data["matches"] == [
        {"key": m.key, "concept": m.concept, "start": m.start, "end": m.end, "text": m.text} for m in anatomy.matches
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lumière DORÉE", "lumiere doree"),
        ("l’heure", "l'heure"),
        ("Œil ÇA", "œil ca"),
        ("Straße İstanbul", "straße İstanbul"),
        ("café 🎬 ﬁlm", "cafe 🎬 ﬁlm"),
    ],
)
def test_normalise_casefolds_strips_accents_and_keeps_length(text: str, expected: str):
    assert normalise(text) == expected
    assert len(normalise(text)) == len(text)


def test_labels_and_hints_cover_every_element():
    assert set(ELEMENT_LABELS) == set(ELEMENT_HINTS) == set(ELEMENT_KEYS)
    assert all(str(ELEMENT_LABELS[key]) and str(ELEMENT_HINTS[key]) for key in ELEMENT_KEYS)
    assert str(ELEMENT_LABELS["camera_movement"]) == "Mouvement de caméra"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_vocabulary_covers_every_element_and_the_documented_concepts(language: str):
    data = json.loads((VOCAB_DIR / f"{language}.json").read_text(encoding="utf-8"))
    concepts = data["concepts"]

    assert data["language"] == language
    counted = [c for c in concepts if c.partition(".")[0] in GROUP_KEYS]
    assert {GROUP_KEYS[c.partition(".")[0]] for c in counted} == set(ELEMENT_KEYS)
    # Kinds of video (« pub », « interview ») are listed but count for no element.
    assert {c.partition(".")[0] for c in concepts if c not in counted} <= {"genre"}
    documented = {
        "camera.pan", "camera.dolly_in", "camera.orbit", "camera.handheld", "camera.tilt", "camera.zoom_in",
        "camera.static", "time.golden_hour", "time.night", "time.dawn", "time.day", "weather.rain", "weather.snow",
        "weather.fog", "light.backlight", "light.soft", "light.hard", "light.neon", "shot.close_up", "shot.wide",
        "shot.low_angle", "lens.shallow_dof", "lens.wide_angle", "lens.macro", "style.black_and_white",
        "style.sepia", "style.film_grain", "style.vintage", "style.animation", "colour.amber", "colour.red",
        "setting.beach", "setting.city_street", "setting.studio", "setting.office", "setting.desert",
        "setting.forest", "setting.kitchen", "setting.classroom", "subject.person", "subject.product",
        "subject.animal", "subject.vehicle", "action.walk", "action.turn", "action.pour", "action.run",
        "pacing.slow_motion", "pacing.beats", "audio.dialogue", "audio.music", "audio.ambient",
    }  # fmt: skip
    assert documented <= set(concepts)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_term_is_listed_under_two_concepts(language: str):
    data = json.loads((VOCAB_DIR / f"{language}.json").read_text(encoding="utf-8"))
    owners: dict[str, set[str]] = {}
    for concept, terms in data["concepts"].items():
        for term in terms:
            words = " ".join(normalise(term).replace("'", " ").replace("-", " ").split())
            owners.setdefault(words, set()).add(concept)

    assert {term: found for term, found in owners.items() if len(found) > 1} == {}


@pytest.mark.parametrize(
    "prompt",
    [
        "Une goutte perle, glisse le long du verre, puis tombe sur le bois.",
        "A woman picks up the bottle, turns it slowly, then puts it down.",
        "Actions : 1) il écarte les pieds ; 2) il fléchit les genoux ; 3) il saisit le carton.",
    ],
)
def test_actions_written_as_beats_are_recognised(prompt):
    assert "action.beats" in parse_prompt(prompt).concepts("action")


def test_the_same_verb_repeated_is_not_a_sequence_of_beats():
    assert "action.beats" not in parse_prompt("Il marche, puis marche encore dans la rue.").concepts("action")
