"""Forms of the trainer's side of labs: lab settings, rubric, ethics rules, reviews."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from academy.validators import RejectControlCharactersFormMixin
from courses.api import MarkdownField, MarkdownFormMixin, lesson_steps
from labs.backends import UnknownBackend, backend_choices, get_backend
from labs.backends.validation import check_request
from labs.grading.anatomy import ELEMENT_KEYS, ELEMENT_LABELS
from labs.grading.colours import COLOUR_KEYS, colour_name
from labs.grading.language.concepts import CONCEPTS, concept_label
from labs.grading.rubric import VIDEO_CHECK_LABELS, VIDEO_CHECKS
from labs.models import RESERVED_LAB_SLUGS, Criterion, Lab, PolicyRule, Submission
from labs.services.authoring import LAB_FIELDS
from labs.services.pipeline import generation_request
from labs.services.submissions import MAX_PROMPT_CHARS

_TERM_SEPARATORS = re.compile(r"[\n,;]+")


def split_terms(text: str) -> list[str]:
    """Terms typed one per line or separated by commas, stripped, without duplicates."""
    seen: set[str] = set()
    terms = []
    for raw in _TERM_SEPARATORS.split(text or ""):
        term = " ".join(raw.split())
        if term and term.casefold() not in seen:
            seen.add(term.casefold())
            terms.append(term)
    return terms


def join_terms(terms: list[str]) -> str:
    return "\n".join(terms or [])


class TermsField(forms.CharField):
    """A textarea of terms, cleaned into a list; « @concept » names must be known concepts."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return split_terms(super().to_python(value))

    def validate(self, value: Any) -> None:
        super().validate(value)
        unknown = [term for term in value or () if term.startswith("@") and term not in CONCEPTS]
        if unknown:
            raise forms.ValidationError(
                _("Concept inconnu : %(unknown)s. Concepts possibles : %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(sorted(CONCEPTS))}
            )


def concepts_help() -> str:
    """The « @concepts » a trainer may use in terms, with what each stands for."""
    # Translators: the list separator between concepts (« ; » in French, "; " in English).
    separator = _(" ; ")
    return str(separator).join(
        _("%(label)s : %(value)s") % {"label": name, "value": concept_label(name)} for name in sorted(CONCEPTS)
    )

    def prepare_value(self, value: Any) -> Any:
        return join_terms(value) if isinstance(value, list) else value


# --- Lab settings --------------------------------------------------------------


class LabForm(RejectControlCharactersFormMixin, MarkdownFormMixin, forms.ModelForm):
    brief = MarkdownField(
        label=_("Consigne (Markdown)"),
        required=True,
        help_text=_("Ce que l'apprenant doit produire : le sujet, le public, les contraintes de la vidéo."),
    )

    class Meta:
        model = Lab
        fields = LAB_FIELDS
        widgets = {"reference_prompt": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.wire_markdown_fields()
        choices = backend_choices()
        current = self.instance.backend_alias if self.instance.pk else None
        if current and current not in dict(choices):
            # Keep a backend that was removed from settings visible, so the form says so.
            choices.append((current, _("%(alias)s (non configuré)") % {"alias": current}))
        self.fields["backend_alias"] = forms.ChoiceField(
            label=capfirst(Lab._meta.get_field("backend_alias").verbose_name),
            choices=choices,
            initial=self.instance.backend_alias or "default",
        )
        final_current = self.instance.final_backend_alias if self.instance.pk else ""
        final_choices = [("", _("Le même moteur que les essais")), *backend_choices()]
        if final_current and final_current not in dict(final_choices):
            final_choices.append((final_current, _("%(alias)s (non configuré)") % {"alias": final_current}))
        self.fields["final_backend_alias"] = forms.ChoiceField(
            label=capfirst(Lab._meta.get_field("final_backend_alias").verbose_name),
            choices=final_choices,
            required=False,
            initial=final_current,
            help_text=_("Le rendu final refait l'essai choisi en 1280×720 (paysage) ; un autre modèle peut le servir."),
        )
        self.fields["budget_finals_per_learner"].required = False
        self.fields["pass_mark"].validators += [MinValueValidator(0), MaxValueValidator(100)]
        self.fields["pass_mark"].widget.attrs.update(min=0, max=100)
        self.fields["duration_s"].widget.attrs.update(min="0.5", step="0.5")
        self.fields["slug"].help_text = _("Lettres minuscules, chiffres et tirets ; forme l'adresse du labo.")
        ethics = self.fields["ethics_step"]
        ethics.queryset = lesson_steps(self.instance.course)
        ethics.label_from_instance = lambda step: f"{step.module.title} — {step.title}"
        ethics.empty_label = _("Aucune (le programme du cours)")

    def clean_budget_finals_per_learner(self) -> int:
        value = self.cleaned_data.get("budget_finals_per_learner")
        return Lab._meta.get_field("budget_finals_per_learner").default if value is None else value

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_LAB_SLUGS:
            raise forms.ValidationError(
                _("« %(slug)s » est réservé : choisissez un autre identifiant.") % {"slug": slug}
            )
        return slug

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        alias, duration, aspect = cleaned.get("backend_alias"), cleaned.get("duration_s"), cleaned.get("aspect_ratio")
        if alias and duration is not None and aspect:
            for field, message in backend_problems(alias=alias, duration_s=duration, aspect_ratio=aspect):
                self.add_error(field, message)
        return cleaned


def backend_problems(*, alias: str, duration_s: Any, aspect_ratio: str) -> list[tuple[str | None, str]]:
    """(form field, message) for each thing the backend cannot do for this duration and format."""
    try:
        backend = get_backend(alias)
    except UnknownBackend:
        return [("backend_alias", str(_("Ce moteur n'est pas configuré sur ce serveur.")))]
    request = generation_request(
        lab=Lab(duration_s=duration_s, aspect_ratio=aspect_ratio), prompt="x", seed=0, language="fr"
    )
    field_for = {"duration": "duration_s", "size": "aspect_ratio"}
    return [
        (field_for.get(problem.code), str(problem.message)) for problem in check_request(request, backend.capabilities)
    ]


# --- Rubric --------------------------------------------------------------------


class CriterionForm(RejectControlCharactersFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Criterion.Kind.choices)
    element = forms.ChoiceField(label=_("Élément du prompt"), required=False)
    video_check = forms.ChoiceField(label=_("Contrôle vidéo"), required=False)
    colour = forms.ChoiceField(label=_("Couleur (contrôle « couleur présente »)"), required=False)
    label = forms.CharField(
        label=_("Libellé"),
        max_length=200,
        required=False,
        help_text=_("Montré à l'apprenant. Laissez vide pour le libellé par défaut (sauf « doit mentionner »)."),
    )
    terms = TermsField(
        label=_("Termes"),
        required=False,
        help_text=_("Un par ligne ou séparés par des virgules ; ajoutez les synonymes en français et en anglais."),
    )
    blocking = forms.BooleanField(
        label=_("Bloquer le prompt avant la génération"),
        required=False,
        help_text=_(
            "Pour une contrainte éthique de la consigne (« aucun enfant ») : un prompt qui la viole est refusé "
            "avec une explication, sans générer de vidéo."
        ),
    )
    weight = forms.IntegerField(label=_("Poids"), min_value=1, max_value=100, initial=10)
    hidden = forms.BooleanField(label=_("Caché à l'apprenant jusqu'à la réussite"), required=False)
    hint = forms.CharField(
        label=_("Indice pour un critère caché"),
        max_length=200,
        required=False,
        help_text=_(
            "Tant que le critère est caché, l'apprenant qui perd des points lit cet indice au lieu de la règle "
            "(« un réglage technique est écrit dans le prompt »). Vide = un indice général selon le type."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["terms"].help_text = _(
            "Un par ligne ou séparés par des virgules, à la forme du dictionnaire (« enfant » trouve « enfants », "
            "« boire » trouve « boit ») ; ajoutez les synonymes en français et en anglais. Concepts : %(concepts)s."
        ) % {"concepts": concepts_help()}
        blank = [("", "—")]
        self.fields["element"].choices = blank + [(key, ELEMENT_LABELS[key]) for key in ELEMENT_KEYS]
        self.fields["video_check"].choices = blank + [
            (check, VIDEO_CHECK_LABELS.get(check, check)) for check in VIDEO_CHECKS
        ]
        self.fields["colour"].choices = blank + [(key, colour_name(key, get_language() or "fr")) for key in COLOUR_KEYS]
        for name in ("kind", "element", "video_check", "colour"):
            self.fields[name].widget.attrs["data-criterion-field"] = name

    @classmethod
    def for_criterion(cls, criterion: Criterion, data: Any = None) -> CriterionForm:
        initial = {
            "kind": criterion.kind,
            "element": criterion.element,
            "video_check": criterion.video_check,
            "colour": (criterion.params or {}).get("colour", ""),
            "label": criterion.label,
            "terms": criterion.terms,
            "blocking": bool((criterion.params or {}).get("block")),
            "weight": criterion.weight,
            "hidden": criterion.hidden,
            "hint": criterion.hint,
        }
        return cls(data, initial=initial, prefix=f"criterion-{criterion.pk}")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == Criterion.Kind.ANATOMY and not cleaned.get("element"):
            self.add_error("element", _("Choisissez l'élément du prompt à vérifier."))
        if kind in (Criterion.Kind.MUST_MENTION, Criterion.Kind.MUST_NOT_MENTION):
            if not cleaned.get("terms"):
                self.add_error("terms", _("Donnez au moins un terme (et ses synonymes)."))
            if not cleaned.get("label"):
                self.add_error("label", _("Donnez un libellé : il explique la consigne à l'apprenant."))
        if kind == Criterion.Kind.VIDEO:
            if not cleaned.get("video_check"):
                self.add_error("video_check", _("Choisissez le contrôle de la vidéo."))
            elif cleaned["video_check"] == "colour_present" and not cleaned.get("colour"):
                self.add_error("colour", _("Choisissez la couleur attendue."))
        return cleaned

    def criterion_fields(self) -> dict[str, Any]:
        """Keyword arguments for labs.services.authoring: only what the kind uses."""
        data = self.cleaned_data
        kind = data["kind"]
        video_check = data["video_check"] if kind == Criterion.Kind.VIDEO else ""
        uses_terms = kind in (Criterion.Kind.MUST_MENTION, Criterion.Kind.MUST_NOT_MENTION)
        params: dict[str, Any] = {}
        if video_check == "colour_present":
            params["colour"] = data["colour"]
        if kind == Criterion.Kind.MUST_NOT_MENTION and data.get("blocking"):
            params["block"] = True
        return {
            "kind": kind,
            "element": data["element"] if kind == Criterion.Kind.ANATOMY else "",
            "video_check": video_check,
            "label": data["label"].strip(),
            "terms": data["terms"] if uses_terms else [],
            "params": params,
            "weight": data["weight"],
            "hidden": data["hidden"],
            "hint": data["hint"].strip(),
        }


class PromptTryForm(RejectControlCharactersFormMixin, forms.Form):
    prompt = forms.CharField(
        label=_("Prompt à tester"), max_length=MAX_PROMPT_CHARS, widget=forms.Textarea(attrs={"rows": 4})
    )


# --- Ethics rules --------------------------------------------------------------


class PolicyRuleForm(RejectControlCharactersFormMixin, forms.Form):
    category = forms.ChoiceField(label=_("Catégorie"), choices=PolicyRule.Category.choices)
    terms = TermsField(
        label=_("Termes"), help_text=_("Un par ligne ou séparés par des virgules, en français et en anglais.")
    )
    context_terms = TermsField(
        label=_("Termes de contexte"),
        required=False,
        help_text=_(
            "Facultatif : la règle ne s'applique que si l'un de ces termes apparaît aussi, dans la portée choisie."
        ),
    )
    unless_terms = TermsField(
        label=_("Exceptions"),
        required=False,
        help_text=_(
            "Facultatif : la règle ne s'applique pas si l'un de ces termes apparaît dans la portée (« fictif »)."
        ),
    )
    scope = forms.ChoiceField(
        label=_("Portée du contexte et des exceptions"),
        choices=PolicyRule.Scope.choices,
        initial=PolicyRule.Scope.SENTENCE,
        required=False,
        help_text=_(
            "« Le groupe nominal » : « le capitaine de l'équipe nationale » ; « la phrase » ; « tout le prompt »."
        ),
    )
    explanation = forms.CharField(
        label=_("Explication montrée à l'apprenant"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean_scope(self) -> str:
        return self.cleaned_data.get("scope") or PolicyRule.Scope.SENTENCE

    @classmethod
    def for_rule(cls, rule: PolicyRule, data: Any = None) -> PolicyRuleForm:
        initial = {
            "category": rule.category,
            "terms": rule.terms,
            "context_terms": rule.context_terms,
            "unless_terms": rule.unless_terms,
            "scope": rule.scope,
            "explanation": rule.explanation,
            "active": rule.active,
        }
        return cls(data, initial=initial)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["terms"].help_text = _(
            "Un par ligne ou séparés par des virgules, en français et en anglais, à la forme du dictionnaire. "
            "Concepts : %(concepts)s."
        ) % {"concepts": concepts_help()}


# --- Reviewing attempts --------------------------------------------------------


class SubmissionFilterForm(RejectControlCharactersFormMixin, forms.Form):
    state = forms.ChoiceField(label=_("État"), required=False, choices=[("", _("Tous"))] + Submission.State.choices)
    outcome = forms.ChoiceField(
        label=_("Résultat"),
        required=False,
        choices=[("", _("Tous")), ("passed", _("Réussies")), ("failed", _("Non réussies"))],
    )
    q = forms.CharField(
        label=_("Apprenant"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Nom ou e-mail")}),
    )
    date_from = forms.DateField(label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("La date de fin précède la date de début."))
        return cleaned

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for labs.selectors.trainer_lab_submissions; none when the form is invalid."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "state": data["state"],
            "outcome": data["outcome"],
            "query": data["q"].strip(),
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }


class OverrideForm(RejectControlCharactersFormMixin, forms.Form):
    score = forms.IntegerField(label=_("Note corrigée (sur 100)"), min_value=0, max_value=100)
    comment = forms.CharField(
        label=_("Commentaire pour l'apprenant"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire : l'apprenant voit la note corrigée, ce commentaire, votre nom et la date."),
    )
