"""The reimbursement dossier's documents: uploads recognised by content, checklist statuses."""

from __future__ import annotations

import logging
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from funding.models import DossierDocument, Participant, RequiredDocument, TrainingAction

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Uploaded dossier files are recognised by their first bytes, never by their name.
UPLOAD_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)


def check_upload(upload: UploadedFile) -> str:
    """The file's extension as recognised from its content; refuses other types and large files."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("Le fichier dépasse 10 Mo."), code="too_large")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, extension in UPLOAD_SIGNATURES:
        if head.startswith(signature):
            return extension
    raise ValidationError(_("Seuls les fichiers PDF, JPEG et PNG sont acceptés."), code="bad_type")


def document_attach_file(*, document: DossierDocument, upload: UploadedFile | None) -> None:
    """Store ``upload`` as the document's file, or remove the file when ``upload`` is None (row not saved).

    The file is recognised by its content and named by the dossier's rule
    (``<action>/<code>-<random>.<type>``); the file it replaces leaves the disk
    once the change is committed, never before (a rolled-back change keeps it).
    """
    old = document.file.name if document.file else ""
    if upload is None:
        document.file = ""
    else:
        extension = check_upload(upload)
        name = f"{document.action_id}/{document.required.code}-{uuid.uuid4().hex[:12]}.{extension}"
        document.file.save(name, ContentFile(upload.read()), save=False)
    if old and old != document.file.name:
        storage = document.file.storage
        transaction.on_commit(lambda: storage.delete(old))


def _document_for(
    *, action: TrainingAction, required: RequiredDocument, participant: Participant | None
) -> DossierDocument:
    if required.per_participant and participant is None:
        raise ValidationError(_("Cette pièce se fournit pour chaque participant."))
    if not required.per_participant:
        participant = None
    if participant is not None and participant.action_id != action.pk:
        raise ValidationError(_("Ce participant ne suit pas cette action."))
    document = (
        DossierDocument.objects.select_for_update()
        .filter(action=action, required=required, participant=participant)
        .first()
    )
    return document or DossierDocument(action=action, required=required, participant=participant)


@transaction.atomic
def document_update(
    *,
    action: TrainingAction,
    required: RequiredDocument,
    participant: Participant | None = None,
    status: str | None = None,
    upload: UploadedFile | None = None,
    notes: str | None = None,
    by,
) -> DossierDocument:
    """Set a dossier document's status and/or attach its file (an upload makes a missing piece prepared)."""
    document = _document_for(action=action, required=required, participant=participant)
    if upload is not None:
        document_attach_file(document=document, upload=upload)
        # A piece with its file is at least prepared, whatever the status select still says.
        if (status or document.status) == DossierDocument.Status.MISSING:
            status = DossierDocument.Status.PREPARED
    if status is not None:
        document.status = status
    if notes is not None:
        document.notes = notes
    document.updated_by = by
    document.full_clean()
    document.save()
    logger.info("funding document updated id=%s action=%s by=%s", document.pk, action.pk, getattr(by, "pk", None))
    return document


@transaction.atomic
def document_mark_generated(*, action: TrainingAction, kind: str, participant: Participant | None = None, by) -> int:
    """The platform produced a document of ``kind``: its missing checklist items become prepared."""
    marked = 0
    for required in RequiredDocument.objects.filter(active=True, generated=kind):
        if required.per_participant and participant is None:
            continue
        document = _document_for(action=action, required=required, participant=participant)
        if document.status == DossierDocument.Status.MISSING:
            document.status = DossierDocument.Status.PREPARED
            document.updated_by = by
            document.full_clean()
            document.save()
            marked += 1
    return marked
