"""The curator's overview of the school: counts over the subdomains, read-only."""

from datetime import date
from typing import Any

from django.db.models import Count

from core.acts.models import ActKind, LocalAct
from core.consents.selectors import consent_check, people_due_own_consent
from core.people.models import BankEntry, Category, Person
from core.roadmap.services import roadmap_overdue


def school_summary(*, today: date) -> dict[str, Any]:
    by_category = dict(
        Person.objects.values_list("category").annotate(n=Count("pk")).values_list("category", "n")
    )
    banks = dict(BankEntry.objects.values_list("bank").annotate(n=Count("pk")).values_list("bank", "n"))
    in_force = set(LocalAct.objects.filter(status=LocalAct.Status.IN_FORCE).values_list("kind", flat=True))
    bank_people = Person.objects.filter(bank_entries__isnull=False).distinct().prefetch_related("consents")
    return {
        "people": [(Category(c).label, n) for c, n in sorted(by_category.items())],
        "people_total": sum(by_category.values()),
        "mentors": banks.get(BankEntry.Bank.MENTOR, 0),
        "mentees": banks.get(BankEntry.Bank.MENTEE, 0),
        "without_consent": [p for p in bank_people if not consent_check(person=p, on=today).allowed],
        "due_own_consent": people_due_own_consent(on=today),
        "overdue": roadmap_overdue(today=today).count(),
        "missing_acts": [
            label for kind, label in ActKind.choices if kind in REQUIRED_ACTS and kind not in in_force
        ],
    }


REQUIRED_ACTS = {ActKind.ORDER_INTRODUCTION, ActKind.POLICY_TEACHERS, ActKind.ROADMAP, ActKind.ORDER_CURATOR}
