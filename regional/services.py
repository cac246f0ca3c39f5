"""Writes to region-wide reference data (document templates)."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from core.documents.render import docx_render
from core.files.validation import upload_check
from regional.models import DocumentTemplate, RoleModel
from tenants.models import User
from tenants.services import audit_record

# A context that exercises every placeholder of the built-in templates: an uploaded template must render with it.
SAMPLE_CONTEXT = {
    "school": {"name": "МОУ «Школа» & Ко", "short_name": "Школа", "inn": "6901043230"},
    "number": "1-н",
    "date": "01.09.2026",
    "curator": {"full_name": "Иванова Мария Петровна", "short_name": "Иванова М. П.", "position": "учитель"},
    "curator_name": "Иванова М. П.",
    "pairs": [{"mentors": "Петров П. П.", "mentees": "Сидоров С. С.", "form": "учитель – ученик"}],
    "title": "СОГЛАСИЕ",
    "person": {"full_name": "Сидоров Семён Семёнович", "birth_date": "01.01.2012"},
    "consent": {"kind": "participation", "by_representative": True, "representative_name": "Сидорова А. А.",
                "representative_relation": "мать", "representative_document": "паспорт"},
    "valid_from": "01.09.2026",
    "valid_until": "",
    "signer_short": "Сидорова А. А.",
    "subject": "Сидоров Семён Семёнович",
    "lines": ["карточка участника"],
    "performed_by": "Иванова М. П.",
}  # fmt: skip


@transaction.atomic
def document_template_upload(*, kind: str, upload: UploadedFile, actor: User | None) -> DocumentTemplate:
    if kind not in DocumentTemplate.Kind.values:
        raise ValidationError("Неизвестный вид документа.")
    if upload_check(upload).extension != "docx":
        raise ValidationError("Шаблон должен быть файлом DOCX.")
    content = upload.read()
    upload.seek(0)
    docx_render(
        kind=kind, context=SAMPLE_CONTEXT, template=content
    )  # refuses a template that does not render
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
    from regional.models import MentoringForm, RoleModel

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
    from regional.models import RoleModel

    role_model = RoleModel.objects.filter(pk=role_model_id).first()
    if role_model is None:
        raise ValidationError("Ролевая модель не найдена.")
    role_model.is_active = not role_model.is_active
    role_model.save(update_fields=["is_active"])
    audit_record(
        actor=actor, action="role_model.toggle", obj=role_model, details={"active": role_model.is_active}
    )
    return role_model
