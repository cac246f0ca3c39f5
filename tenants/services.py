"""Writes to the region's own data: schools, memberships, invitations."""

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Model
from django.template.loader import render_to_string
from django.utils import timezone

from tenants.models import (
    REGION_ROLES,
    SCHOOL_ROLES,
    AuditEvent,
    Invitation,
    Membership,
    Municipality,
    Role,
    School,
    User,
)
from tenants.schema_names import school_host
from tenants.selectors import invitable_roles
from tenants.urls_util import site_url


def audit_record(
    *, actor: User | None, action: str, obj: Model, details: dict[str, Any] | None = None
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk or ""),
        object_repr=str(obj)[:500],
        details=details or {},
    )


def membership_grant(
    *, user: User, role: str, school: School | None = None, municipality: Municipality | None = None
) -> Membership:
    _validate_scope(role=role, school=school, municipality=municipality)
    membership, _ = Membership.objects.get_or_create(
        user=user, role=role, school=school, municipality=municipality
    )
    return membership


def _validate_scope(*, role: str, school: School | None, municipality: Municipality | None) -> None:
    if role == Role.REGIONAL_ADMIN and (school or municipality):
        raise ValidationError("Роль администратора региона не привязывается к школе или муниципалитету.")
    if role == Role.INSPECTOR and (municipality is None or school is not None):
        raise ValidationError("Специалисту ИМЦ нужно указать муниципалитет.")
    if role in SCHOOL_ROLES and (school is None or municipality is not None):
        raise ValidationError("Для этой роли нужно указать школу.")
    if role not in REGION_ROLES | SCHOOL_ROLES:
        raise ValidationError("Неизвестная роль.")


def invitation_url(invitation: Invitation) -> str:
    host = school_host(invitation.school.slug) if invitation.school else None
    return site_url(host, f"/invite/{invitation.token}/")


def invitation_create(
    *,
    email: str,
    role: str,
    invited_by: User | None,
    school: School | None = None,
    municipality: Municipality | None = None,
) -> Invitation:
    """Invite a person to a role; the e-mail leaves after commit and links to the host they will work on.

    ``invited_by=None`` is the system itself (the curator invitation sent when a school goes live).
    """
    _validate_scope(role=role, school=school, municipality=municipality)
    if invited_by is not None and role not in invitable_roles(invited_by, school=school):
        raise PermissionDenied("Эту роль вы пригласить не можете.")
    email = email.strip().lower()
    pending = Invitation.objects.filter(
        email=email,
        role=role,
        school=school,
        municipality=municipality,
        accepted_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    if pending.exists():
        raise ValidationError(
            {"email": "Приглашение уже отправлено и ещё действует: его можно отправить повторно."}
        )
    invitation = Invitation.objects.create(
        email=email,
        role=role,
        school=school,
        municipality=municipality,
        invited_by=invited_by,
        token=secrets.token_urlsafe(32),
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    audit_record(actor=invited_by, action="invitation.create", obj=invitation, details={"role": role})
    transaction.on_commit(lambda: invitation_send(invitation=invitation))
    return invitation


def invitation_send(*, invitation: Invitation) -> None:
    context = {
        "invitation": invitation,
        "url": invitation_url(invitation),
        "role": invitation.get_role_display(),
    }
    send_mail(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Приглашение в систему наставничества",
        message=render_to_string("tenants/invitation_email.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: User | None) -> Invitation:
    """A fresh link and a fresh term; the old link stops working."""
    if invitation.accepted_at is not None:
        raise ValidationError("Приглашение уже принято.", code="invitation_accepted")
    invitation.token = secrets.token_urlsafe(32)
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS)
    invitation.save(update_fields=["token", "expires_at"])
    audit_record(actor=actor, action="invitation.resend", obj=invitation)
    transaction.on_commit(lambda: invitation_send(invitation=invitation))
    return invitation


def invitation_get_valid(*, token: str) -> Invitation | None:
    invitation = Invitation.objects.select_related("school", "municipality").filter(token=token).first()
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at <= timezone.now():
        return None
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, password: str, last_name: str, first_name: str, middle_name: str = ""
) -> User:
    """Create (or reuse) the login for the invited address and grant the role."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None or invitation.expires_at <= timezone.now():
        raise ValidationError("Приглашение уже использовано или истекло.", code="invitation_invalid")
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User(
            email=invitation.email, last_name=last_name, first_name=first_name, middle_name=middle_name
        )
        validate_password(password, user)
        user.set_password(password)
        user.save()
    membership_grant(
        user=user, role=invitation.role, school=invitation.school, municipality=invitation.municipality
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user
