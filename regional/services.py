"""Writes to region-wide reference data (document templates)."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from core.documents.render import docx_template_check
from tenants.catalogues import DocumentTemplate, RoleModel
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


@transaction.atomic
def role_model_add(*, form_code: str, name: str, actor: User | None) -> RoleModel:
    from tenants.catalogues import MentoringForm, RoleModel

    name = " ".join(name.split())
    form = MentoringForm.objects.filter(code=form_code).first()
    if form is None:
        raise ValidationError("Форма наставничества не найдена.")
    if not 3 <= len(name) <= 200:
        raise ValidationError("Название ролевой модели — от 3 до 200 символов.")
    if RoleModel.objects.filter(form=form, name__iexact=name).exists():
        raise ValidationError("Такая ролевая модель уже есть.")
    role_model = RoleModel.objects.create(form=form, name=name)
    audit_record(actor=actor, action="role_model.add", obj=role_model)
    return role_model


@transaction.atomic
def role_model_toggle(*, role_model_id: int, actor: User | None) -> RoleModel:
    from tenants.catalogues import RoleModel

    role_model = RoleModel.objects.filter(pk=role_model_id).first()
    if role_model is None:
        raise ValidationError("Ролевая модель не найдена.")
    role_model.is_active = not role_model.is_active
    role_model.save(update_fields=["is_active"])
    audit_record(
        actor=actor, action="role_model.toggle", obj=role_model, details={"active": role_model.is_active}
    )
    return role_model
