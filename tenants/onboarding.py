"""Onboarding and offboarding of schools (regional admin's work). Schemas are made by a background job."""

import hashlib
import logging
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from tenants.importing import SCHOOL_COLUMNS, rows_read
from tenants.locks import advisory_try_lock
from tenants.models import Domain, Invitation, OnboardingBatch, Role, School, User
from tenants.notifications.region import onboarding_notify
from tenants.provisioning import schema_create, schema_drop, schema_is_complete
from tenants.schema_names import schema_name_generate, school_host
from tenants.selectors import user_is_regional_admin
from tenants.services import audit_record, invitation_create
from tenants.signals import school_provisioned, school_status_changed

logger = logging.getLogger(__name__)


def _require_regional_admin(actor: User | None) -> None:
    # Checked here as well as in views: a service is the last place a wrong caller can be stopped.
    if actor is not None and not user_is_regional_admin(actor):
        raise PermissionDenied("Только администратор региона подключает и отключает школы.")


def _provision_later(school_id: int) -> None:
    from tenants.tasks import school_provision_task

    def queue() -> None:
        try:
            school_provision_task.delay(school_id)
        except Exception:  # the broker is away: the school stays «создаётся» and the sweeper queues it again
            logger.exception("Could not queue the provisioning of school %s", school_id)

    transaction.on_commit(queue)


# A provisioning job is bounded by its hard time limit (tenants.tasks); a school «создаётся» with no sign
# of life for longer than this has lost its job (a killed worker, a lost message).
PROVISION_STALE = timedelta(minutes=6)
PROVISION_ATTEMPTS = 3
_PROVISION_LOCK = 7_305_003  # pg advisory lock namespace: (class, school id) = one provisioning at a time


def school_provision_stalled(school: School, *, now: Any = None) -> bool:
    """«Создаётся», but its job shows no sign of life (never started, or stopped) for PROVISION_STALE."""
    if school.status != School.Status.PENDING:
        return False
    last_sign = school.provision_heartbeat_at or school.created_at
    return last_sign < (now or timezone.now()) - PROVISION_STALE


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
    """Create the school's schema and open it. Idempotent: a retry finishes what a failed run left.

    One run per school at a time (an advisory lock: a resumed job and a redelivered one may meet); each
    run leaves a heartbeat and counts its attempt, which the sweeper reads. Once active, the school's first
    snapshot is written (``school_provisioned``), so it is in the region's picture at once.
    """
    with advisory_try_lock(_PROVISION_LOCK, school_id) as acquired:
        school = School.objects.get(pk=school_id)
        if not acquired or school.status in (School.Status.ACTIVE, School.Status.ARCHIVED):
            return school
        School.objects.filter(pk=school_id).update(
            provision_heartbeat_at=timezone.now(), provision_attempts=F("provision_attempts") + 1
        )
        try:
            if not schema_is_complete(school.schema_name):
                schema_drop(school.schema_name)  # whatever a failed attempt left behind
                schema_create(school.schema_name)
        except Exception as error:
            logger.exception("Provisioning school %s failed", school.pk)
            School.objects.filter(pk=school.pk).update(
                status=School.Status.FAILED, provision_error=f"{type(error).__name__}: {error}"[:2000]
            )
            try:
                onboarding_notify(school_id=school.pk)
            except Exception:  # e.g. the database is the failure: keep the original error for the raise
                logger.exception("Notifying about school %s failed", school.pk)
            raise
        with transaction.atomic():
            school = School.objects.select_for_update().get(pk=school_id)
            if school.status != School.Status.PENDING:  # failed by the sweeper meanwhile: «Повторить» decides
                return school
            school.status = School.Status.ACTIVE
            school.activated_at = timezone.now()
            school.provision_error = ""
            school.provision_heartbeat_at = timezone.now()
            school.save(update_fields=["status", "activated_at", "provision_error", "provision_heartbeat_at"])
            if (
                school.curator_email
                and not Invitation.objects.filter(school=school, role=Role.CURATOR).exists()
            ):
                invitation_create(
                    email=school.curator_email, role=Role.CURATOR, school=school, invited_by=None
                )
            # In the same transaction: a school is never active without its first snapshot (a worker killed
            # in between would otherwise leave it out of the region's picture until the repair pass).
            school_provisioned.send(sender=School, school=school)
            onboarding_notify(school_id=school.pk)
    return school


def school_provision_sweep(*, now: Any = None) -> dict[str, list[int]]:
    """Onboardings whose job stopped making progress: queue them again, or fail them with the reason.

    Called by the periodic sweeper (tenants.sweeper). Idempotent; the provisioning lock keeps a resumed
    job from running beside a job that is merely slow.
    """
    now = now or timezone.now()
    resumed: list[int] = []
    failed: list[int] = []
    stale = School.objects.filter(status=School.Status.PENDING).filter(
        Q(provision_heartbeat_at__lt=now - PROVISION_STALE)
        | Q(provision_heartbeat_at__isnull=True, created_at__lt=now - PROVISION_STALE)
    )
    for school in stale:
        with transaction.atomic():
            locked = School.objects.select_for_update(skip_locked=True).filter(pk=school.pk).first()
            if locked is None or not school_provision_stalled(locked, now=now):
                continue
            school = locked
            if school.provision_attempts >= PROVISION_ATTEMPTS:
                school.status = School.Status.FAILED
                school.provision_error = (
                    f"Создание школы прервалось: фоновое задание перестало отвечать "
                    f"(попыток: {school.provision_attempts}). Нажмите «Повторить»."
                )
                school.save(update_fields=["status", "provision_error"])
                onboarding_notify(school_id=school.pk)
                failed.append(school.pk)
            else:
                # A sign of life now, so the next sweep waits for this resumed job before judging it.
                School.objects.filter(pk=school.pk).update(provision_heartbeat_at=now)
                _provision_later(school.pk)
                resumed.append(school.pk)
    if resumed or failed:
        logger.warning("Onboarding sweep: resumed %s, failed %s", resumed, failed)
    return {"resumed": resumed, "failed": failed}


@transaction.atomic
def school_provision_retry(*, school: School, actor: User | None) -> School:
    """«Повторить»: a failed onboarding, or one stuck «создаётся» whose job stopped making progress."""
    _require_regional_admin(actor)
    school = School.objects.select_for_update().get(pk=school.pk)
    if school.status != School.Status.FAILED and not school_provision_stalled(school):
        raise ValidationError("Повторить можно только неудавшееся создание школы.", code="not_failed")
    School.objects.filter(pk=school.pk).update(
        status=School.Status.PENDING, provision_attempts=0, provision_heartbeat_at=timezone.now()
    )
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
    school_status_changed.send(sender=School, school=school)
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
    school_status_changed.send(sender=School, school=school)
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
