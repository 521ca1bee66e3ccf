from django import forms
from django.utils.translation import gettext_lazy as _
from lti_tool.models import LtiRegistration

from lti.models import PlatformProfile


class PlatformForm(forms.Form):
    name = forms.CharField(label=_("Nom de la plateforme"), max_length=255)
    product = forms.ChoiceField(label=_("Plateforme"), choices=PlatformProfile.Product.choices)
    issuer = forms.CharField(
        label=_("Émetteur (issuer)"), max_length=255, help_text=_("Par exemple https://moodle.exemple.ma")
    )
    client_id = forms.CharField(label=_("Identifiant client (client ID)"), max_length=255)
    deployment_ids = forms.CharField(
        label=_("Identifiants de déploiement"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Un par ligne. Les lancements d'un déploiement absent de la liste sont refusés."),
    )
    auth_url = forms.URLField(label=_("URL d'authentification (OIDC)"), max_length=200, assume_scheme="https")
    token_url = forms.URLField(label=_("URL du jeton d'accès"), max_length=200, assume_scheme="https")
    keyset_url = forms.URLField(label=_("URL du jeu de clés (JWKS)"), max_length=200, assume_scheme="https")
    audience = forms.CharField(
        label=_("Audience du jeton (facultatif)"),
        max_length=255,
        required=False,
        help_text=_("Seulement si la plateforme l'exige (Canvas, Brightspace) ; sinon l'URL du jeton."),
    )
    frame_origins = forms.CharField(
        label=_("Origines autorisées à afficher l'Academy dans un cadre"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=PlatformProfile._meta.get_field("frame_origins").help_text,
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, registration: LtiRegistration | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if registration is not None and not self.is_bound:
            profile = getattr(registration, "academy_profile", None)
            self.initial.update(
                {
                    "name": registration.name,
                    "issuer": registration.issuer,
                    "client_id": registration.client_id,
                    "auth_url": registration.auth_url,
                    "token_url": registration.token_url,
                    "keyset_url": registration.keyset_url,
                    "audience": registration.audience,
                    "is_active": registration.is_active,
                    "deployment_ids": "\n".join(
                        registration.deployments.filter(is_active=True).values_list("deployment_id", flat=True)
                    ),
                    "product": profile.product if profile else PlatformProfile.Product.OTHER,
                    "frame_origins": profile.frame_origins if profile else "",
                }
            )
