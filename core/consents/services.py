from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from core.audit.services import audit_log
from core.consents.models import Consent
from core.documents.render import docx_render, ru_date
from core.pairs.services import pairs_enforce_consents
from core.people.models import Person
from tenants.models import School, User
from tenants.uploads import upload_check


@transaction.atomic
def consent_create(
    *, person: Person, data: dict[str, Any], scan: UploadedFile | None, actor: User | None
) -> Consent:
    if scan is not None:
        upload_check(scan)
    consent = Consent(person=person, created_by_id=actor.pk if actor else None, **data)
    if scan is not None:
        consent.scan.save(
            f"consent-{person.pk}-{data['kind']}.{upload_check(scan).extension}", scan, save=False
        )
    consent.save()
    audit_log(actor=actor, action="consent_add", obj=consent, changes={"kind": consent.kind})
    # A new consent can only help, but every path that touches consents answers to the one rule.
    pairs_enforce_consents(on=timezone.localdate(), people=[person], actor=actor)
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, on: date, reason: str, actor: User | None) -> Consent:
    """Withdrawal ends the consent from ``on``; every pair the person was in on or after ``on`` is suspended
    from that day (also pairs formed later or ended since: a withdrawal dated back is still the truth)."""
    if consent.withdrawn_on is not None:
        raise ValidationError("Согласие уже отозвано.", code="already_withdrawn")
    if on < consent.valid_from:
        raise ValidationError("Дата отзыва раньше начала действия согласия.", code="withdraw_before_start")
    if on > timezone.localdate():
        # A withdrawal is a fact that has happened; a future one would leave pairs working until the day.
        raise ValidationError("Дата отзыва не может быть позже сегодняшнего дня.", code="withdraw_in_future")
    consent.withdrawn_on = on
    consent.withdrawal_reason = reason
    consent.save(update_fields=["withdrawn_on", "withdrawal_reason"])
    audit_log(actor=actor, action="consent_withdraw", obj=consent, changes={"withdrawn_on": f"{on:%d.%m.%Y}"})
    pairs_enforce_consents(
        on=timezone.localdate(),
        people=[consent.person],
        reason=f"Отозвано: {consent.get_kind_display()}",
        actor=actor,
    )
    return consent


def consent_document(*, consent: Consent, school: School) -> bytes:
    """The consent form filled from the data, ready to print and sign."""
    person = consent.person
    signer = consent.representative_name if consent.by_representative else person.full_name
    return docx_render(
        kind="consent",
        context={
            "title": consent.get_kind_display().upper(),
            "school": {"name": school.name, "inn": school.inn},
            "person": {"full_name": person.full_name, "birth_date": ru_date(person.birth_date)},
            "consent": {
                "kind": consent.kind,
                "by_representative": consent.by_representative,
                "representative_name": consent.representative_name,
                "representative_relation": consent.representative_relation,
                "representative_document": consent.representative_document,
            },
            "valid_from": ru_date(consent.valid_from),
            "valid_until": ru_date(consent.valid_until),
            "signer_short": signer,
        },
    )
