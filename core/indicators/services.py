"""Writes of the indicators subdomain."""

from django.db import transaction

from core.audit.services import audit_log
from core.indicators.models import ContingentDeclaration
from tenants.models import User


@transaction.atomic
def contingent_declare(*, year: int, counts: dict[str, int | None], actor: User) -> ContingentDeclaration:
    """The contingent a school declares for a year (the denominators of its shares), journaled.

    One transaction with the journal entry: the entry marks the region's copy of the school's figures
    stale, so the mark commits with the new numbers, or neither does.
    """
    declaration, _ = ContingentDeclaration.objects.select_for_update().get_or_create(year=year)
    for field, value in counts.items():
        setattr(declaration, field, value)
    declaration.declared_by_email = actor.email
    declaration.save()
    audit_log(actor=actor, action="update", obj=declaration)
    return declaration
