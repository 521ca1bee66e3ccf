"""The « Vérifier une vidéo » upload: size and type checked from the bytes, not from the name."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

#: Formats content credentials can be read from, recognised by their first bytes.
ACCEPT = "video/mp4,video/quicktime,image/jpeg,image/png,image/webp"


def sniff_mime_type(head: bytes) -> str | None:
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:10] == b"qt" else "video/mp4"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=_("Vidéo ou image à vérifier"),
        help_text=_("MP4, MOV, JPEG, PNG ou WebP. Le fichier est lu puis oublié : rien n'est conservé."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={
            "required": _("Choisissez un fichier à vérifier."),
            "empty": _("Ce fichier est vide."),
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.PROVENANCE_VERIFY_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("Ce fichier pèse %(size)s ; la limite est de %(limit)s."),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
                code="too_large",
            )
        upload.seek(0)
        head = upload.read(16)
        mime_type = sniff_mime_type(head)
        if mime_type is None:
            raise forms.ValidationError(
                _(
                    "Ce fichier n'est ni une vidéo (MP4, MOV) ni une image (JPEG, PNG, WebP) : "
                    "il ne peut pas porter d'informations de provenance."
                ),
                code="unsupported_type",
            )
        upload.seek(0)
        self.mime_type = mime_type
        return upload
