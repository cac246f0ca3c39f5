"""The curator's overview of the school: counts over the subdomains, read-only."""

from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q

from core.acts.models import ActKind, LocalAct
from core.consents.models import Consent
from core.consents.selectors import consent_check, people_due_own_consent
from core.monitoring.services import survey_completion
from core.pairs.models import Pair
from core.pairs.selectors import pairs_inactive, running_on
from core.people.models import BankEntry, Category, Person
from core.programmes.models import Programme, ProgrammeTask
from core.roadmap.services import roadmap_overdue


def mentoring_summary(*, today: date) -> dict[str, Any]:
    """The curator's dashboard of the mentoring itself: pairs, programmes, tasks, meetings, surveys."""
    from tenants.catalogues import MentoringForm, RoleModel

    forms = dict(MentoringForm.objects.values_list("code", "name"))
    role_models = dict(RoleModel.objects.values_list("pk", "name"))
    current = Pair.objects.filter(running_on(today)).exclude(status=Pair.Status.ENDED)
    by_form = current.values("form_code", "role_model_id").annotate(n=Count("pk")).order_by("-n")
    programmes = Programme.objects.values("stage", "status").annotate(n=Count("pk"))
    filled, expected = survey_completion()
    waiting = Person.objects.filter(
        bank_entries__bank=BankEntry.Bank.MENTEE,
        bank_entries__status__in=[BankEntry.Status.CANDIDATE, BankEntry.Status.APPROVED],
    ).distinct()
    return {
        "pairs_total": current.count(),
        "by_form": [
            (forms.get(r["form_code"], r["form_code"]), role_models.get(r["role_model_id"], ""), r["n"])
            for r in by_form
        ],
        "programmes": [
            (Programme.Stage(r["stage"]).label, Programme.Status(r["status"]).label, r["n"])
            for r in programmes
        ],
        "overdue_tasks": ProgrammeTask.objects.filter(
            Q(section__programme__status__in=["approved", "running"])
            | Q(section__programme__resume_status__gt=""),  # a running plan being reworked still runs
            due_date__lt=today,
            result="",
        ).count(),
        "inactive": pairs_inactive(today=today, days=settings.PAIR_INACTIVE_DAYS),
        "inactive_days": settings.PAIR_INACTIVE_DAYS,
        "surveys": (filled, expected),
        "waiting": list(waiting[:20]),
        "waiting_total": waiting.count(),
    }


def school_summary(*, today: date) -> dict[str, Any]:
    by_category = dict(
        Person.objects.values_list("category").annotate(n=Count("pk")).values_list("category", "n")
    )
    banks = dict(BankEntry.objects.values_list("bank").annotate(n=Count("pk")).values_list("bank", "n"))
    in_force = set(LocalAct.objects.filter(status=LocalAct.Status.IN_FORCE).values_list("kind", flat=True))
    # Only people whose consents the database cannot vouch for are loaded and checked one by one: loading
    # every bank person with their consents cost about 0.3 s of the home page at 424 people (issue 14).
    bank_people = (
        Person.objects.filter(bank_entries__isnull=False)
        .distinct()
        .exclude(_consents_surely_valid(today))
        .prefetch_related("consents")
    )
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


def _consents_surely_valid(on: date) -> Q:
    """People for whom ``consent_check`` certainly allows ``on``, decided in SQL; never one it refuses.

    Each kind needs a consent valid on ``on``, given by a named representative (enough for anyone) or, for
    someone surely of age (19 or older, or no birth date), of any kind. Whoever is not matched here, e.g.
    an 18-year-old whose birthday arithmetic matters, is checked by ``consent_check`` itself.
    """
    valid = (
        Q(valid_from__lte=on)
        & (Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))
    )
    named = Q(by_representative=True) & ~Q(
        representative_last_name="", representative_first_name="", representative_middle_name=""
    )
    adult = Q(birth_date__isnull=True) | Q(birth_date__lte=on - relativedelta(years=19))
    surely = Q()
    for kind in Consent.Kind:
        of_kind = Consent.objects.filter(valid, person=OuterRef("pk"), kind=kind)
        surely &= Q(Exists(of_kind.filter(named))) | (Q(Exists(of_kind)) & adult)
    return surely


REQUIRED_ACTS = {ActKind.ORDER_INTRODUCTION, ActKind.POLICY_TEACHERS, ActKind.ROADMAP, ActKind.ORDER_CURATOR}
