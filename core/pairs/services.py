"""Forming, suspending and ending pairs and groups; logging meetings; the order that fixes them."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.acts.models import ActKind, LocalAct
from core.acts.services import act_attach_generated_docx, order_number_next
from core.audit.services import audit_log
from core.consents.selectors import consent_check
from core.documents.render import docx_render, ru_date
from core.pairs.models import Meeting, Pair, PairMember
from core.pairs.selectors import active_on, mentor_load, person_token
from core.people.models import BankEntry, Person
from tenants.models import School, User


def _catalogue(form_code: str, role_model_id: int, kind_code: str) -> Any:
    from regional.models import MentoringForm, MentoringKind, RoleModel

    form = MentoringForm.objects.filter(code=form_code, is_active=True).first()
    if form is None:
        raise ValidationError({"form_code": "Выберите форму наставничества из справочника."})
    if not RoleModel.objects.filter(pk=role_model_id, form=form, is_active=True).exists():
        raise ValidationError({"role_model_id": "Ролевая модель не относится к выбранной форме."})
    if not MentoringKind.objects.filter(code=kind_code).exists():
        raise ValidationError({"kind_code": "Выберите вид наставничества из справочника."})
    return form


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
            check = consent_check(person=person, on=on)
            if not check.allowed:
                problems.extend(f"{person.short_name}: {p}" for p in check.problems)
    for mentor in mentors:
        entry = mentor.bank_entries.filter(bank=BankEntry.Bank.MENTOR).first()
        if entry is None or entry.status not in (BankEntry.Status.APPROVED, BankEntry.Status.IN_PAIR):
            problems.append(f"{mentor.short_name} не одобрен(а) в базе наставников.")
            continue
        load = mentor_load(person=mentor, on=on) + len(mentees)
        if load > entry.capacity:
            problems.append(
                f"{mentor.short_name}: будет наставляемых {load}, а можно не больше {entry.capacity}."
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
    BankEntry.objects.filter(person__in=[*mentors, *mentees]).exclude(status=BankEntry.Status.LEFT).update(
        status=BankEntry.Status.IN_PAIR
    )
    audit_log(
        actor=actor,
        action="create",
        obj=pair,
        changes={"form": form_code, "members": [p.short_name for p in [*mentors, *mentees]]},
    )
    return pair


@transaction.atomic
def pair_end(*, pair: Pair, on: date, reason_code: str, actor: User | None) -> Pair:
    from regional.models import EndReason

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
    programme = getattr(pair, "programme", None)
    if programme is not None and programme.status in ("approved", "running"):
        programme.status = "terminated" if reason.early else "completed"
        programme.save(update_fields=["status"])
    for member in pair.members.all():
        still_paired = PairMember.objects.filter(
            person=member.person, until__isnull=True, pair__status="active"
        )
        if not still_paired.exists():
            BankEntry.objects.filter(person=member.person, status=BankEntry.Status.IN_PAIR).update(
                status=BankEntry.Status.APPROVED
            )
    audit_log(actor=actor, action="end", obj=pair, changes={"reason": reason.code, "on": ru_date(on)})
    return pair


def pairs_suspend_for_person(*, person: Person, on: date, reason: str, actor: User | None) -> list[Pair]:
    """A withdrawn consent stops the person's current pairs until the curator sorts it out."""
    pairs = list(
        Pair.objects.filter(
            active_on(on), status=Pair.Status.ACTIVE, members__person=person, members__until__isnull=True
        ).distinct()
    )
    for pair in pairs:
        pair.status, pair.suspended_reason = Pair.Status.SUSPENDED, reason
        pair.save(update_fields=["status", "suspended_reason"])
        audit_log(actor=actor, action="suspend", obj=pair, changes={"reason": reason})
    return pairs


@transaction.atomic
def pair_resume(*, pair: Pair, on: date, actor: User | None) -> Pair:
    if pair.status != Pair.Status.SUSPENDED:
        raise ValidationError("Пара не приостановлена.")
    problems = [
        f"{m.person.short_name}: {p}"
        for m in pair.members.filter(until__isnull=True)
        .select_related("person")
        .prefetch_related("person__consents")
        for p in consent_check(person=m.person, on=on).problems
    ]
    if problems:
        raise ValidationError(problems)
    pair.status, pair.suspended_reason = Pair.Status.ACTIVE, ""
    pair.save(update_fields=["status", "suspended_reason"])
    audit_log(actor=actor, action="resume", obj=pair)
    return pair


@transaction.atomic
def meeting_add(*, pair: Pair, data: dict[str, Any], actor: User | None) -> Meeting:
    if pair.status == Pair.Status.ENDED and data["date"] > (pair.ended_on or data["date"]):
        raise ValidationError({"date": "Пара уже завершена."})
    if data["date"] < pair.started_on:
        raise ValidationError({"date": "Встреча раньше начала работы пары."})
    meeting = Meeting.objects.create(pair=pair, created_by_id=actor.pk if actor else None, **data)
    audit_log(actor=actor, action="meeting", obj=pair, changes={"date": ru_date(meeting.date)})
    return meeting


@transaction.atomic
def pairs_order_generate(
    *, school: School, pairs: list[Pair], on: date, curator_name: str, actor: User | None
) -> LocalAct:
    """The order fixing these pairs/groups with their members, numbered like every generated order."""
    from regional.models import MentoringForm

    if not pairs:
        raise ValidationError("Выберите пары для приказа.")
    forms = dict(MentoringForm.objects.values_list("code", "name"))
    number = order_number_next(on=on)
    act = LocalAct.objects.create(
        kind=ActKind.ORDER_PAIRS,
        number=number,
        date=on,
        generated=True,
        title=f"О закреплении наставнических пар (групп): {len(pairs)}",
        created_by_id=actor.pk if actor else None,
    )
    rows = []
    for pair in pairs:
        members = [m for m in pair.members.select_related("person") if m.until is None]
        rows.append(
            {
                "mentors": ", ".join(
                    m.person.short_name for m in members if m.role == PairMember.Role.MENTOR
                ),
                "mentees": ", ".join(
                    m.person.short_name for m in members if m.role == PairMember.Role.MENTEE
                ),
                "form": forms.get(pair.form_code, pair.form_code),
            }
        )
    content = docx_render(
        kind="order_pairs",
        context={
            "school": {"name": school.name, "short_name": school.short_name},
            "number": number,
            "date": ru_date(on),
            "pairs": rows,
            "curator_name": curator_name,
        },
    )
    act_attach_generated_docx(act=act, content=content, actor=actor)
    Pair.objects.filter(pk__in=[p.pk for p in pairs]).update(order=act)
    audit_log(actor=actor, action="generate", obj=act, changes={"pairs": [p.pk for p in pairs]})
    return act
