"""Onboarding and offboarding of schools (regional admin's work). Schemas are made by a background job."""

import hashlib
import logging
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from regional.models import SchoolSnapshot
from tenants.importing import SCHOOL_COLUMNS, rows_read
from tenants.models import Domain, Invitation, OnboardingBatch, Role, School, User
from tenants.provisioning import schema_create, schema_drop, schema_is_complete
from tenants.schema_names import schema_name_generate, school_host
from tenants.selectors import user_is_regional_admin
from tenants.services import audit_record, invitation_create

logger = logging.getLogger(__name__)


def _require_regional_admin(actor: User | None) -> None:
    # Checked here as well as in views: a service is the last place a wrong caller can be stopped.
    if actor is not None and not user_is_regional_admin(actor):
        raise PermissionDenied("Только администратор региона подключает и отключает школы.")


def _provision_later(school_id: int) -> None:
    from tenants.tasks import school_provision_task

    transaction.on_commit(lambda: school_provision_task.delay(school_id))


@transaction.atomic
def school_onboard(*, data: dict[str, Any], actor: User | None) -> School:
    """Register a school from validated form data (SchoolOnboardForm) and queue its schema's creation."""
    _require_regional_admin(actor)
    school = School(schema_name=schema_name_generate(), status=School.Status.PENDING, **data)
    try:
        with transaction.atomic():
            school.save()
            Domain.objects.create(domain=school_host(school.slug), tenant=school, is_primary=True)
    except IntegrityError as error:
        # Two admins racing for the same ИНН or address: the database has the last word.
        raise ValidationError(
            "Школа с таким ИНН или адресом уже подключена.", code="duplicate_school"
        ) from error
    audit_record(
        actor=actor, action="school.onboard", obj=school, details={"inn": school.inn, "slug": school.slug}
    )
    _provision_later(school.pk)
    return school


def school_provision(*, school_id: int) -> School:
    """Create the school's schema and open it. Idempotent: a retry finishes what a failed run left."""
    school = School.objects.get(pk=school_id)
    if school.status in (School.Status.ACTIVE, School.Status.ARCHIVED):
        return school
    try:
        if not schema_is_complete(school.schema_name):
            schema_drop(school.schema_name)  # whatever a failed attempt left behind
            schema_create(school.schema_name)
    except Exception as error:
        logger.exception("Provisioning school %s failed", school.pk)
        School.objects.filter(pk=school.pk).update(
            status=School.Status.FAILED, provision_error=f"{type(error).__name__}: {error}"[:2000]
        )
        raise
    with transaction.atomic():
        school = School.objects.select_for_update().get(pk=school_id)
        school.status = School.Status.ACTIVE
        school.activated_at = timezone.now()
        school.provision_error = ""
        school.save(update_fields=["status", "activated_at", "provision_error"])
        if school.curator_email and not Invitation.objects.filter(school=school, role=Role.CURATOR).exists():
            invitation_create(email=school.curator_email, role=Role.CURATOR, school=school, invited_by=None)
    return school


@transaction.atomic
def school_provision_retry(*, school: School, actor: User | None) -> School:
    _require_regional_admin(actor)
    if school.status != School.Status.FAILED:
        raise ValidationError("Повторить можно только неудавшееся создание школы.", code="not_failed")
    School.objects.filter(pk=school.pk).update(status=School.Status.PENDING)
    audit_record(actor=actor, action="school.provision_retry", obj=school)
    _provision_later(school.pk)
    school.refresh_from_db()
    return school


@transaction.atomic
def school_archive(*, school: School, actor: User | None) -> School:
    _require_regional_admin(actor)
    if school.status != School.Status.ACTIVE:
        raise ValidationError("В архив можно перевести только работающую школу.", code="not_active")
    school.status = School.Status.ARCHIVED
    school.archived_at = timezone.now()
    school.save(update_fields=["status", "archived_at"])
    SchoolSnapshot.objects.filter(school=school).update(active=False)
    audit_record(actor=actor, action="school.archive", obj=school)
    return school


@transaction.atomic
def school_unarchive(*, school: School, actor: User | None) -> School:
    _require_regional_admin(actor)
    if school.status != School.Status.ARCHIVED:
        raise ValidationError("Школа не в архиве.", code="not_archived")
    school.status = School.Status.ACTIVE
    school.archived_at = None
    school.save(update_fields=["status", "archived_at"])
    SchoolSnapshot.objects.filter(school=school).update(active=True)
    audit_record(actor=actor, action="school.unarchive", obj=school)
    return school


def school_delete(*, school: School, actor: User | None, confirmation: str) -> None:
    """Delete a school for good: its schema, its files, its row. The typed address confirms the intent."""
    _require_regional_admin(actor)
    if confirmation.strip() != school.slug:
        raise ValidationError(
            {"confirmation": f"Введите адрес школы «{school.slug}», чтобы подтвердить удаление."},
            code="confirmation_mismatch",
        )
    schema_name, files = school.schema_name, Path(settings.MEDIA_ROOT) / school.schema_name
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="school.delete",
            obj=school,
            details={"name": school.name, "inn": school.inn, "slug": school.slug, "schema": schema_name},
        )
        schema_drop(schema_name)
        school.delete()
    # Files go only once the database agrees the school is gone.
    if files.is_dir():
        shutil.rmtree(files)


# --- bulk onboarding ----------------------------------------------------------------------------------


def batch_upload(*, upload: UploadedFile, actor: User | None) -> OnboardingBatch:
    """Parse and check a CSV/XLSX list; nothing but the preview is written."""
    from tenants.forms import SchoolOnboardForm

    _require_regional_admin(actor)
    content = upload.read()
    parsed = rows_read(content=content, file_name=upload.name or "", columns=SCHOOL_COLUMNS)
    rows: list[dict[str, Any]] = []
    seen: dict[str, dict[str, int]] = {"inn": {}, "slug": {}}
    for line, raw in parsed:
        form = SchoolOnboardForm(data=raw, batch=True)
        errors: list[str] = []
        existing: School | None = None
        if form.is_valid():
            existing = School.objects.filter(inn=form.cleaned_data["inn"]).first()
            if existing is None:
                for key in ("inn", "slug"):
                    value = form.cleaned_data[key]
                    if value in seen[key]:
                        label = "ИНН" if key == "inn" else "Адрес"
                        errors.append(f"{label} {value} уже встречается в строке {seen[key][value]}.")
                    seen[key][value] = line
        else:
            errors = [
                _row_error(form, field, message)
                for field, messages in form.errors.items()
                for message in messages
            ]
        rows.append(
            {
                "line": line,
                "data": raw,
                "slug": form.cleaned_data.get("slug", "") if not errors else raw.get("slug", ""),
                "errors": errors,
                "existing_school_id": existing.pk if existing else None,
            }
        )
    batch = OnboardingBatch.objects.create(
        created_by=actor,
        file_name=(upload.name or "list")[:255],
        file_sha256=hashlib.sha256(content).hexdigest(),
        rows=rows,
    )
    audit_record(actor=actor, action="batch.upload", obj=batch, details={"rows": len(rows)})
    return batch


def _row_error(form: Any, field: str, message: object) -> str:
    label = form.fields[field].label if field in form.fields else ""
    return f"{label}: {message}" if label else str(message)


def batch_confirm(*, batch: OnboardingBatch, actor: User | None) -> OnboardingBatch:
    """Register every new school of a clean preview at once; rows already onboarded are skipped."""
    from tenants.forms import SchoolOnboardForm

    _require_regional_admin(actor)
    with transaction.atomic():
        batch = OnboardingBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != OnboardingBatch.Status.PREVIEW:
            raise ValidationError("Этот список уже подтверждён.", code="batch_confirmed")
        if any(row["errors"] for row in batch.rows):
            raise ValidationError(
                "В списке есть ошибки: исправьте файл и загрузите его снова.", code="batch_errors"
            )
        created: list[School] = []
        for row in batch.rows:
            form = SchoolOnboardForm(data=row["data"], batch=True)
            if not form.is_valid():  # the world changed since the preview (e.g. an address was taken)
                raise ValidationError(
                    f"Строка {row['line']}: данные больше не проходят проверку, загрузите файл снова."
                )
            if School.objects.filter(inn=form.cleaned_data["inn"]).exists():
                continue
            created.append(school_onboard(data=form.cleaned_data, actor=actor))
        batch.schools.add(*created)
        batch.status = OnboardingBatch.Status.RUNNING if created else OnboardingBatch.Status.DONE
        batch.confirmed_at = timezone.now()
        batch.save(update_fields=["status", "confirmed_at"])
        audit_record(actor=actor, action="batch.confirm", obj=batch, details={"created": len(created)})
    return batch


def batch_refresh_status(*, batch: OnboardingBatch) -> OnboardingBatch:
    if (
        batch.status == OnboardingBatch.Status.RUNNING
        and not batch.schools.filter(status=School.Status.PENDING).exists()
    ):
        batch.status = OnboardingBatch.Status.DONE
        batch.save(update_fields=["status"])
    return batch
