"""Forming, suspending and ending pairs and groups; logging meetings; the order that fixes them."""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.acts import orders
from core.acts.models import LocalAct
from core.audit.services import audit_log
from core.consents.selectors import consent_check, consent_first_gap
from core.documents.render import ru_date
from core.pairs.models import Meeting, Pair, PairMember, PairSuspension
from core.pairs.selectors import mentor_load, pair_suspended_on, person_token
from core.people.models import BankEntry, Person
from tenants.models import School, User


def _catalogue(form_code: str, role_model_id: int, kind_code: str) -> Any:
    from tenants.catalogues import MentoringForm, MentoringKind, RoleModel

    form = MentoringForm.objects.filter(code=form_code, is_active=True).first()
    if form is None:
        raise ValidationError({"form_code": "Выберите форму наставничества из справочника."})
    if not RoleModel.objects.filter(pk=role_model_id, form=form, is_active=True).exists():
        raise ValidationError({"role_model_id": "Ролевая модель не относится к выбранной форме."})
    if not MentoringKind.objects.filter(code=kind_code).exists():
        raise ValidationError({"kind_code": "Выберите вид наставничества из справочника."})
    return form


PAIRABLE = (BankEntry.Status.APPROVED, BankEntry.Status.IN_PAIR)


def pair_check_people(*, form: Any, mentors: list[Person], mentees: list[Person], on: date) -> list[str]:
    """Every reason these people cannot form a pair of this form on this date (empty: they can)."""
    problems: list[str] = []
    if not mentors or not mentees:
        problems.append("Нужен хотя бы один наставник и хотя бы один наставляемый.")
    if {p.pk for p in mentors} & {p.pk for p in mentees}:
        problems.append("Один человек не может быть наставником и наставляемым в одной паре.")
    for role, people, allowed in (
        ("наставником", mentors, form.mentor_categories),
        ("наставляемым", mentees, form.mentee_categories),
    ):
        for person in people:
            if person_token(person) not in allowed:
                problems.append(f"{person.short_name} не может быть {role} в форме «{form.name}».")
            # Valid on the start date and on every day since, when the pair is formed after its start.
            gap = consent_first_gap(person=person, since=on, until=max(on, timezone.localdate()))
            if gap is not None:
                problems.extend(f"{person.short_name}: {p}" for p in gap.problems)
    # Only approved people are paired (the bank's «кандидат → одобрен → в паре»): the curator approves first.
    for role, people, bank in (
        ("наставников", mentors, BankEntry.Bank.MENTOR),
        ("наставляемых", mentees, BankEntry.Bank.MENTEE),
    ):
        for person in people:
            entry = person.bank_entries.filter(bank=bank).first()
            if entry is None:
                problems.append(f"{person.short_name} не включён(а) в базу {role}.")
            elif entry.status not in PAIRABLE:
                problems.append(
                    f"{person.short_name}: в базе {role} статус «{entry.get_status_display()}» — "
                    "в пару включают только одобренных куратором."
                )
            elif bank == BankEntry.Bank.MENTOR:
                load = mentor_load(person=person, on=on) + len(mentees)
                if load > entry.capacity:
                    problems.append(
                        f"{person.short_name}: будет наставляемых {load}, а можно не больше {entry.capacity}."
                    )
    return problems


@transaction.atomic
def pair_create(
    *,
    form_code: str,
    role_model_id: int,
    kind_code: str,
    mentors: list[Person],
    mentees: list[Person],
    started_on: date,
    actor: User | None,
) -> Pair:
    form = _catalogue(form_code, role_model_id, kind_code)
    problems = pair_check_people(form=form, mentors=mentors, mentees=mentees, on=started_on)
    if problems:
        raise ValidationError(problems, code="pair_not_allowed")
    pair = Pair.objects.create(
        form_code=form_code, role_model_id=role_model_id, kind_code=kind_code, started_on=started_on
    )
    for role, people in ((PairMember.Role.MENTOR, mentors), (PairMember.Role.MENTEE, mentees)):
        for person in people:
            PairMember.objects.create(pair=pair, person=person, role=role, since=started_on)
    # Each person's entry of the bank of their role only (a mentee's own candidacy as a mentor stays as it is).
    for bank, people in ((BankEntry.Bank.MENTOR, mentors), (BankEntry.Bank.MENTEE, mentees)):
        BankEntry.objects.filter(person__in=people, bank=bank, status=BankEntry.Status.APPROVED).update(
            status=BankEntry.Status.IN_PAIR
        )
    audit_log(
        actor=actor,
        action="create",
        obj=pair,
        changes={"form": form_code, "members": [p.short_name for p in [*mentors, *mentees]]},
    )
    # Checked above already; kept so that every path that adds members goes through the one rule.
    pairs_enforce_consents(on=max(started_on, timezone.localdate()), people=[*mentors, *mentees], actor=actor)
    return pair


@transaction.atomic
def pair_end(*, pair: Pair, on: date, reason_code: str, actor: User | None) -> Pair:
    from tenants.catalogues import EndReason

    reason = EndReason.objects.filter(code=reason_code).first()
    if reason is None:
        raise ValidationError({"reason_code": "Выберите причину завершения."})
    if pair.status == Pair.Status.ENDED:
        raise ValidationError("Пара уже завершена.")
    if on < pair.started_on:
        raise ValidationError({"ended_on": "Дата завершения раньше начала работы пары."})
    pair.ended_on, pair.end_reason_code, pair.status = on, reason.code, Pair.Status.ENDED
    pair.save(update_fields=["ended_on", "end_reason_code", "status"])
    pair.members.filter(until__isnull=True).update(until=on)
    # A suspension lasts at most as long as the pair.
    pair.suspensions.filter(since__gt=on).delete()
    pair.suspensions.filter(Q(until__isnull=True) | Q(until__gt=on)).update(until=on)
    programme = getattr(pair, "programme", None)
    # resume_status: an approved programme whose plan is being reworked («на доработке») ends like one
    if programme is not None and (programme.status in ("approved", "running") or programme.resume_status):
        programme.status = "terminated" if reason.early else "completed"
        programme.completed_on = on
        programme.save(update_fields=["status", "completed_on"])
    # Back to «одобрен» in the bank of their role, unless another pair not ended still holds them in it.
    for member in pair.members.all():
        still_paired = PairMember.objects.filter(
            person=member.person, role=member.role, until__isnull=True
        ).exclude(pair__status=Pair.Status.ENDED)
        if not still_paired.exists():
            BankEntry.objects.filter(
                person=member.person, bank=member.role, status=BankEntry.Status.IN_PAIR
            ).update(status=BankEntry.Status.APPROVED)
    audit_log(actor=actor, action="end", obj=pair, changes={"reason": reason.code, "on": ru_date(on)})
    return pair


def _first_breach(
    pair: Pair, *, on: date, periods: list[PairSuspension]
) -> tuple[date, date | None, str] | None:
    """The earliest day up to ``on`` when a member of ``pair`` lacked valid consents and none of its
    suspension ``periods`` covered it: (that day, where the needed period ends or None, the reason)."""
    bounds = {p.since for p in periods} | {p.until + timedelta(days=1) for p in periods if p.until}

    def covered(day: date) -> bool:
        return any(p.covers(day) for p in periods)

    first: tuple[date, date | None, str] | None = None
    for member in pair.members.all():
        lo = max(pair.started_on, member.since)
        hi = min(d for d in (on, member.until, pair.ended_on) if d is not None)
        if lo > hi:
            continue
        gap = consent_first_gap(person=member.person, since=lo, until=hi, also=bounds, skip=covered)
        if gap is not None and (first is None or gap.on < first[0]):
            # Stopped from that day until the curator resumes it, or only until this person's part or the
            # pair itself ended, when it has (then the pair was in order again afterwards).
            ends = [d for d in (member.until, pair.ended_on) if d is not None]
            first = (gap.on, min(ends) if ends else None, f"{member.person.short_name}: {gap.problems[0]}")
    return first


@transaction.atomic
def pairs_enforce_consents(
    *, on: date, people: Iterable[Person] | None = None, reason: str = "", actor: User | None = None
) -> list[PairSuspension]:
    """THE consent rule, in one place: nobody takes part in a working pair without valid consents.

    Every pair (of ``people``, or all) is checked for each day up to ``on`` on which a member's consents
    were not valid and no suspension covered it; such a pair is suspended from that day, also when the day
    lies in the past (a withdrawal dated back) or when the pair has ended since (then up to its end).
    Called by every path that can break the rule: forming a pair, editing a person, adding or withdrawing
    a consent, and the daily job that sees consents expire. Idempotent: a second call finds nothing.
    """
    today = timezone.localdate()
    pairs = Pair.objects.filter(started_on__lte=on)
    if people is not None:
        ids = [p.pk for p in people]
        pairs = pairs.filter(pk__in=PairMember.objects.filter(person__in=ids).values("pair_id"))
    pairs = pairs.prefetch_related("members__person__consents", "suspensions").order_by("pk")
    created: list[PairSuspension] = []
    for pair in pairs.select_for_update(of=("self",)):
        periods = list(pair.suspensions.all())
        for _attempt in range(100):  # each round covers one more breach; a pair has few of them
            breach = _first_breach(pair, on=on, periods=periods)
            if breach is None:
                break
            since, until, why = breach
            text = (f"{reason}. {why}" if reason else why)[:300]
            period = PairSuspension.objects.create(pair=pair, since=since, until=until, reason=text)
            periods.append(period)
            created.append(period)
            audit_log(
                actor=actor,
                action="suspend",
                obj=pair,
                changes={"reason": text, "since": ru_date(since), "until": ru_date(until)},
            )
            if pair.status == Pair.Status.ACTIVE and period.covers(today):
                pair.status, pair.suspended_reason = Pair.Status.SUSPENDED, text
                pair.save(update_fields=["status", "suspended_reason"])
    return created


def pair_require_working(pair: Pair, *, on: date, what: str) -> None:
    """Refuse ``what`` on a pair that is suspended on ``on``: the rule stops the work, not only the figures."""
    if pair.status == Pair.Status.SUSPENDED or pair_suspended_on(pair, on):
        raise ValidationError(
            f"Пара № {pair.pk} приостановлена на {on:%d.%m.%Y}: {what} нельзя. "
            "Куратор возобновит её, когда согласия всех участников снова будут действовать.",
            code="pair_suspended",
        )


@transaction.atomic
def pair_resume(*, pair: Pair, on: date, actor: User | None) -> Pair:
    """The curator restarts a suspended pair from ``on``: its open periods end the day before."""
    if pair.status != Pair.Status.SUSPENDED:
        raise ValidationError("Пара не приостановлена.")
    problems = [
        f"{m.person.short_name}: {p}"
        for m in pair.members.filter(Q(until__isnull=True) | Q(until__gte=on))
        .select_related("person")
        .prefetch_related("person__consents")
        for p in consent_check(person=m.person, on=on).problems
    ]
    if problems:
        raise ValidationError(problems)
    for period in pair.suspensions.filter(Q(until__isnull=True) | Q(until__gte=on)):
        if period.since >= on:
            period.delete()  # suspended and resumed the same day: the pair never stopped for a whole day
        else:
            period.until = on - timedelta(days=1)
            period.save(update_fields=["until"])
    pair.status, pair.suspended_reason = Pair.Status.ACTIVE, ""
    pair.save(update_fields=["status", "suspended_reason"])
    audit_log(actor=actor, action="resume", obj=pair, changes={"on": ru_date(on)})
    return pair


@transaction.atomic
def meeting_add(*, pair: Pair, data: dict[str, Any], actor: User | None) -> Meeting:
    if pair.status == Pair.Status.ENDED and data["date"] > (pair.ended_on or data["date"]):
        raise ValidationError({"date": "Пара уже завершена."})
    if data["date"] < pair.started_on:
        raise ValidationError({"date": "Встреча раньше начала работы пары."})
    pair_require_working(pair, on=data["date"], what="записывать встречи")
    meeting = Meeting.objects.create(pair=pair, created_by_id=actor.pk if actor else None, **data)
    audit_log(actor=actor, action="meeting", obj=pair, changes={"date": ru_date(meeting.date)})
    return meeting


def pairs_order_generate(
    *, school: School, pairs: list[Pair], on: date, curator_name: str = "", actor: User | None
) -> LocalAct:
    """The order fixing these pairs/groups (``core.acts.orders``); the curator in charge is the one
    currently appointed, so ``curator_name`` is no longer used."""
    return orders.pairs_order_generate(school=school, pairs=pairs, on=on, actor=actor)
