from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from core.consents.selectors import consent_check
from core.pairs.models import Pair, PairMember, PairSuspension
from core.people.models import BankEntry, Person
from core.people.selectors import subject_key, subjects_split
from core.programmes.models import Programme


def person_token(person: Person) -> str:
    """The category a mentoring form's rules speak of: «teacher», or «external:employer» for externals."""
    return f"external:{person.external_kind}" if person.category == "external" else person.category


def running_on(on: date) -> Q:
    """Started by ``on`` and not ended before it, suspended or not (a suspended pair still holds its places)."""
    return Q(started_on__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gte=on))


def suspended_on(on: date) -> Exists:
    """The pair has a suspension period covering ``on``. Periods, not the current status, answer for a date,
    so a suspension recorded today leaves every earlier date as it was."""
    return Exists(
        PairSuspension.objects.filter(pair=OuterRef("pk"), since__lte=on).filter(
            Q(until__isnull=True) | Q(until__gte=on)
        )
    )


def active_on(on: date) -> Q:
    """Working on ``on``: started, not ended and not suspended on that date (from dated data only)."""
    return running_on(on) & ~Q(suspended_on(on))


def pair_suspended_on(pair: Pair, on: date) -> bool:
    return pair.suspensions.filter(since__lte=on).filter(Q(until__isnull=True) | Q(until__gte=on)).exists()


def programmes_completed_on(on: date) -> QuerySet[Programme]:
    """Programmes completed by ``on``, by their actual completion date (not the planned end)."""
    return Programme.objects.filter(status=Programme.Status.COMPLETED, completed_on__lte=on)


def consent_rule_breaches(on: date) -> list[PairMember]:
    """Members of pairs working on ``on`` whose consents are not valid that day. The rule says: none.

    Three queries however many members (memberships with their people, then the people's consents).
    """
    members = (
        PairMember.objects.filter(pair__in=Pair.objects.filter(active_on(on)), since__lte=on)
        .exclude(until__lt=on)
        .select_related("person")
        .prefetch_related("person__consents")
        .order_by("pair_id", "pk")
    )
    return [m for m in members if not consent_check(person=m.person, on=on).allowed]


def members_on(pair: Pair, on: date) -> list[PairMember]:
    return [m for m in pair.members.all() if m.since <= on and (m.until is None or m.until >= on)]


@dataclass(frozen=True)
class PairState:
    pair: Pair
    mentors: list[Person]
    mentees: list[Person]
    suspended: bool = False  # suspended on that date (a period covers it), whatever its status today


def pairs_on(*, on: date) -> list[PairState]:
    """Pairs and groups as they were on ``on``: who was in them that day."""
    states = []
    pairs = Pair.objects.filter(running_on(on)).annotate(suspended_then=suspended_on(on))
    # The list shows each pair's order: joined here, not one query per pair.
    for pair in pairs.select_related("order").prefetch_related("members__person").order_by("pk"):
        members = members_on(pair, on)
        states.append(
            PairState(
                pair=pair,
                mentors=[m.person for m in members if m.role == PairMember.Role.MENTOR],
                mentees=[m.person for m in members if m.role == PairMember.Role.MENTEE],
                suspended=pair.suspended_then,
            )
        )
    return states


def mentor_load(*, person: Person, on: date, exclude_pair: Pair | None = None) -> int:
    """How many mentees this mentor leads on ``on`` across current pairs."""
    pairs = (
        Pair.objects.filter(running_on(on))
        .exclude(status=Pair.Status.ENDED)
        .filter(members__person=person, members__role=PairMember.Role.MENTOR)
    )
    if exclude_pair is not None:
        pairs = pairs.exclude(pk=exclude_pair.pk)
    return PairMember.objects.filter(
        Q(pair__in=pairs),
        Q(role=PairMember.Role.MENTEE),
        Q(since__lte=on),
        Q(until__isnull=True) | Q(until__gte=on),
    ).count()


def pairs_for_user(*, user_id: int) -> QuerySet[Pair]:
    """The pairs a mentor or mentee with this login belongs to (any time)."""
    return (
        Pair.objects.filter(members__person__user_id=user_id).distinct().prefetch_related("members__person")
    )


def pairs_inactive(*, today: date, days: int) -> list[Pair]:
    """Current pairs without a meeting in the last ``days`` days (counting from their start)."""
    threshold = today - timedelta(days=days)
    pairs = (
        Pair.objects.filter(status=Pair.Status.ACTIVE)
        .filter(active_on(today))
        .annotate(last=Max("meetings__date"))
        # In SQL, not over every current pair in Python: the latest of start and last meeting is too old.
        .filter(Q(last__isnull=True) | Q(last__lt=threshold), started_on__lt=threshold)
    )
    return list(pairs)


# Weights of the ranking: each request of the mentee the mentor covers and each subject they share weighs
# 3; free places add at most 2, so they order equally fitting mentors but never outweigh a real match.
REQUEST_POINTS = 3
SUBJECT_POINTS = 3
FREE_PLACES_CAP = 2


@dataclass(frozen=True)
class Suggestion:
    entry: BankEntry
    score: int
    reasons: list[str]  # «совпадает: …» lines, shown beside the mentor
    free: int
    requests: list[str] = field(default_factory=list)  # the mentee's requests this mentor covers (names)
    subjects: list[str] = field(default_factory=list)  # the subjects they share


def mentee_needs(mentee: Person) -> list[str]:
    """What matching looks for in mentors: the mentee's requests (by name) and subjects, as shown above it."""
    from tenants.catalogues import bank_request_names

    need = mentee.bank_entries.filter(bank=BankEntry.Bank.MENTEE).first()
    if need is None:
        return []
    names = bank_request_names()
    return [names.get(code, code) for code in need.requests] + [
        f"предмет: {s}" for s in subjects_split(need.subjects)
    ]


def mentor_suggestions(*, mentee: Person, form_code: str, on: date) -> list[Suggestion]:
    """Approved mentors with a free place, allowed by the form, ranked for this mentee.

    A mentor scores for each of the mentee's requests they can help with (the requests of their bank entry)
    and for each subject the mentee needs that they teach (subjects compared by spelling-insensitive name,
    never for merely having some subject text), then for free places.
    """
    from tenants.catalogues import MentoringForm, bank_request_names

    form = MentoringForm.objects.filter(code=form_code).first()
    names = bank_request_names()
    need = mentee.bank_entries.filter(bank=BankEntry.Bank.MENTEE).first()
    wanted = list(dict.fromkeys(need.requests)) if need is not None else []
    wanted_subjects = {subject_key(s): s for s in subjects_split(need.subjects)} if need is not None else {}
    suggestions = []
    candidates = BankEntry.objects.filter(
        bank=BankEntry.Bank.MENTOR, status__in=[BankEntry.Status.APPROVED, BankEntry.Status.IN_PAIR]
    ).select_related("person")
    for candidate in candidates.exclude(person=mentee):
        if form is not None and person_token(candidate.person) not in form.mentor_categories:
            continue
        free = candidate.capacity - mentor_load(person=candidate.person, on=on)
        if free <= 0:
            continue
        covered = [names.get(code, code) for code in wanted if code in candidate.requests]
        teaches = {subject_key(s) for s in subjects_split(candidate.subjects)}
        shared = [subject for key, subject in wanted_subjects.items() if key in teaches]
        score = REQUEST_POINTS * len(covered) + SUBJECT_POINTS * len(shared) + min(free, FREE_PLACES_CAP)
        reasons = []
        if covered:
            reasons.append(f"совпадает: {', '.join(covered)}")
        if shared:
            reasons.append(f"совпадает предмет: {', '.join(shared)}")
        reasons.append(f"свободных мест: {free}")
        suggestions.append(
            Suggestion(
                entry=candidate, score=score, reasons=reasons, free=free, requests=covered, subjects=shared
            )
        )
    return sorted(suggestions, key=lambda s: (-s.score, s.entry.person.last_name, s.entry.pk))
