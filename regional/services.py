"""Writes to region-wide reference data (document templates)."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from core.documents.render import docx_template_check
from tenants.catalogues import DocumentTemplate
from tenants.models import User
from tenants.services import audit_record
from tenants.uploads import upload_check


@transaction.atomic
def document_template_upload(*, kind: str, upload: UploadedFile, actor: User | None) -> DocumentTemplate:
    if kind not in DocumentTemplate.Kind.values:
        raise ValidationError("Неизвестный вид документа.")
    if upload_check(upload).extension != "docx":
        raise ValidationError("Шаблон должен быть файлом DOCX.")
    content = upload.read()
    upload.seek(0)
    # Refuses a zip bomb, a broken file and any placeholder not declared for the kind, then test-renders
    # in the sandbox with a sample of every declared placeholder.
    docx_template_check(kind=kind, content=content)
    template, _ = DocumentTemplate.objects.get_or_create(kind=kind, defaults={"uploaded_by": actor})
    template.file.save(f"{kind}.docx", upload, save=False)
    template.uploaded_by = actor
    template.save()
    audit_record(actor=actor, action="document_template.upload", obj=template)
    return template


@transaction.atomic
def document_template_reset(*, kind: str, actor: User | None) -> None:
    template = DocumentTemplate.objects.filter(kind=kind).first()
    if template is not None:
        audit_record(actor=actor, action="document_template.reset", obj=template)
        template.file.delete(save=False)
        template.delete()
