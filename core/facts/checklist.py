"""Checklist rules: each reads the current school's own data and says done / partial / not done / n.a.
with the evidence (which act, its number and date, counts, the URL), so nobody types a checklist by hand.

This is the school's side of the checklist: rules run inside a school's schema and take the checklist's
items as plain data (the region owns the versioned template), so nothing here imports the region.
The region's snapshot job calls ``checklist_evaluate`` and ``school_counts`` and stores their results.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Protocol

from django.db.models import Avg, Count, Q, QuerySet

from core.acts.models import ActKind, CuratorAppointment, LocalAct, SchoolProfile
from core.acts.selectors import acts_in_force
from core.consents.selectors import consent_check
from core.facts.evidence import act_text, evidence_describe
from core.incentives.models import Incentive, Training
from core.pairs.models import Pair
from core.pairs.selectors import person_token, running_on
from core.people.models import BankEntry
from core.programmes.models import Programme
from tenants.catalogues import MentoringForm

DONE, PARTIAL, NOT_DONE, NA = "done", "partial", "not_done", "na"
STATE_LABELS = {DONE: "выполнено", PARTIAL: "частично", NOT_DONE: "не выполнено", NA: "не применимо"}


@dataclass(frozen=True)
class Result:
    state: str
    evidence: dict[str, Any] = field(default_factory=dict)
    hint: str = ""  # what the curator should do, and where
    # An optional item («при наличии») whose rule found that it applies: it may not become «не применимо».
    applies: bool = False
    text: str = ""  # the evidence as an inspector reads it (the act, its number and date, the counts)


def _act_evidence(act: LocalAct) -> dict[str, Any]:
    return {
        "act_id": act.pk,
        "act": act_text(act),
        "number": act.number,
        "date": act.date.strftime("%d.%m.%Y") if act.date else "",
    }


def _in_force(kinds: Iterable[str], today: date) -> QuerySet[LocalAct]:
    """Acts of these kinds in force on ``today`` (core.acts.selectors: approved, numbered, dated no later than
    ``today``, not repealed by then), latest first."""
    return acts_in_force(on=today, kinds=kinds).order_by("-date", "-pk")


def _not_yet_in_force(kinds: Iterable[str], today: date) -> Result | None:
    """The nearest act of these kinds approved but dated after ``today``, as a «частично», or None."""
    act = (
        LocalAct.objects.filter(kind__in=list(kinds), status=LocalAct.Status.IN_FORCE, date__gt=today)
        .order_by("date", "pk")
        .first()
    )
    if act is None:
        return None
    return Result(
        PARTIAL,
        _act_evidence(act),
        f"Акт датирован {act.date:%d.%m.%Y} — на {today:%d.%m.%Y} он ещё не действует.",
        text=f"{act_text(act)} — ещё не действует",
    )


def _draft(kinds: Iterable[str]) -> Result | None:
    """A project of such an act (or one marked in force without its number or date)."""
    draft = (
        LocalAct.objects.filter(kind__in=list(kinds))
        .filter(
            Q(status=LocalAct.Status.DRAFT)
            | Q(status=LocalAct.Status.IN_FORCE) & (Q(number="") | Q(date__isnull=True))
        )
        .order_by("-pk")
        .first()
    )
    if draft is None:
        return None
    return Result(
        PARTIAL,
        _act_evidence(draft),
        "Акт есть, но не утверждён (номер, дата, «действует»).",
        text=f"{act_text(draft)} — проект",
    )


def _act_rule(*kinds: str, optional: bool = False) -> Callable[[date], Result]:
    def rule(today: date) -> Result:
        act = _in_force(kinds, today).first()
        if act is not None:
            return Result(DONE, _act_evidence(act), text=act_text(act))
        pending = _not_yet_in_force(kinds, today) or _draft(kinds)
        if pending is not None:
            return pending
        if optional:
            return Result(NA, {}, "Меры стимулирования не приняты — пункт не применяется.")
        return Result(NOT_DONE, {}, "Добавьте акт в разделе «Акты и приказы».")

    return rule


def policy_act(today: date) -> Result:
    """Item 2 (seed 002): the act approving the Положение о системе наставничества ПЕДАГОГИЧЕСКИХ РАБОТНИКОВ.

    The students' Положение (Р-145) is a different document and never satisfies it; it is named in the
    hint so the curator sees why the item is not done."""
    done = _act_rule(ActKind.POLICY_TEACHERS)(today)
    if done.state != NOT_DONE:
        return done
    students = _in_force([ActKind.POLICY_STUDENTS], today).first()
    if students is not None:
        return Result(
            NOT_DONE,
            {"students_act": act_text(students)},
            "Есть только положение о наставничестве обучающихся: пункт ИМЦ требует положение о системе "
            "наставничества педагогических работников.",
            text=f"{act_text(students)} — не относится к педагогическим работникам",
        )
    return done


def curator_order(today: date) -> Result:
    """Item 4: a curator appointed by an order in force, and the appointment itself current today.

    An appointment recorded with its order (generated orders record one) counts while it lasts (``since`` ≤
    today ≤ ``until``) and its order is in force; an uploaded order in force with no appointment recorded
    counts as it stands. An order whose appointments all ended, or repealed, or dated ahead, does not."""
    kinds = [ActKind.ORDER_CURATOR]
    in_force = list(_in_force(kinds, today))
    acts = {act.pk: act for act in in_force}
    appointments = list(
        CuratorAppointment.objects.filter(order__in=in_force).select_related("person", "order")
    )
    current = [a for a in appointments if a.since <= today and (a.until is None or a.until >= today)]
    if current:
        appointment = max(current, key=lambda a: (a.since, a.pk))
        order = acts[appointment.order_id]  # type: ignore[index]  # filtered by order above
        return Result(
            DONE,
            {**_act_evidence(order), "curator": appointment.person.short_name,
             "since": appointment.since.strftime("%d.%m.%Y")},
            text=f"{act_text(order)}; куратор — {appointment.person.short_name} с {appointment.since:%d.%m.%Y}",
        )  # fmt: skip
    with_appointments = {a.order_id for a in appointments}
    standing = [act for act in in_force if act.pk not in with_appointments]
    if standing:
        return Result(DONE, _act_evidence(standing[0]), text=act_text(standing[0]))
    if appointments:
        ended = [a for a in appointments if a.until is not None and a.until < today]
        last = max(ended or appointments, key=lambda a: (a.until or a.since, a.pk))
        order = acts[last.order_id]  # type: ignore[index]
        when = f"закончилось {last.until:%d.%m.%Y}" if last.until else f"начнётся {last.since:%d.%m.%Y}"
        return Result(
            NOT_DONE,
            _act_evidence(order),
            f"Назначение куратора {last.person.short_name} {when}: назначьте куратора новым приказом.",
            text=f"{act_text(order)}; назначение {last.person.short_name} {when}",
        )
    return (
        _not_yet_in_force(kinds, today)
        or _draft(kinds)
        or Result(NOT_DONE, {}, "Сформируйте приказ о назначении куратора в разделе «Акты и приказы».")
    )


def site_section(today: date) -> Result:
    profile = SchoolProfile.objects.filter(pk=1).first()
    if profile and profile.site_section_url:
        return Result(DONE, {"url": profile.site_section_url}, text=profile.site_section_url)
    return Result(NOT_DONE, {}, "Укажите адрес раздела в «Настройках».")


def _current_pairs(today: date) -> list[Pair]:
    return list(
        Pair.objects.filter(running_on(today)).exclude(status=Pair.Status.ENDED).select_related("order")
    )


def pairs_order(today: date) -> Result:
    pairs = _current_pairs(today)
    if not pairs:
        return Result(NOT_DONE, {"pairs": 0}, "Пар пока нет.", text="пар: 0")
    covered = [p for p in pairs if p.order is not None and p.order.in_force_on(today)]
    orders = sorted({p.order for p in covered if p.order is not None}, key=lambda a: (a.date, a.pk))
    evidence = {"pairs": len(pairs), "covered": len(covered), "orders": [act_text(a) for a in orders]}
    text = f"пар: {len(pairs)}, закреплено приказом: {len(covered)}"  # only orders in force count
    if orders:
        text += f" — {'; '.join(act_text(a) for a in orders)}"
    if len(covered) == len(pairs):
        return Result(DONE, evidence, text=text)
    if covered:
        return Result(PARTIAL, evidence, "Не все пары закреплены действующим приказом.", text=text)
    return Result(NOT_DONE, evidence, "Сформируйте приказ о закреплении пар.", text=text)


def _teacher_mentor_tokens() -> set[str]:
    """Who may mentor a teacher in some active form (the catalogue's forms whose mentees are teachers)."""
    tokens: set[str] = set()
    for form in MentoringForm.objects.filter(is_active=True, mentee_categories__contains=["teacher"]):
        tokens.update(form.mentor_categories)
    return tokens


def mentor_bank(today: date) -> Result:
    """Item 6 «Информационная база наставников» (seeds 001, 002): mentors of teachers the curator APPROVED
    (an approval on record: an entry pushed into «в паре» without one does not count), with valid consents
    to take part and to the processing of personal data. A pupil in the mentor bank (peer mentoring of
    students) is not a mentor of teachers and does not make this item."""
    tokens = _teacher_mentor_tokens()
    entries = [
        e
        for e in BankEntry.objects.filter(bank=BankEntry.Bank.MENTOR)
        .exclude(status=BankEntry.Status.LEFT)
        .select_related("person")
        .prefetch_related("person__consents")
        if person_token(e.person) in tokens
    ]
    approved = [
        e
        for e in entries
        if e.status in (BankEntry.Status.APPROVED, BankEntry.Status.IN_PAIR) and e.approved_at is not None
    ]
    consented = [e for e in approved if consent_check(person=e.person, on=today).allowed]
    evidence = {"mentors": len(entries), "approved": len(approved), "with_consents": len(consented)}
    text = (
        f"наставников педагогов в базе: {len(entries)}, одобрено куратором: {len(approved)}, "
        f"с действующими согласиями: {len(consented)}"
    )  # «педагогов»: item 6 is about mentors of teachers (seed 002)
    if consented:
        return Result(DONE, evidence, text=text)
    if approved:
        return Result(
            PARTIAL,
            evidence,
            "У одобренных наставников нет действующих согласий (на участие и на обработку персональных данных).",
            text=text,
        )
    if entries:
        return Result(PARTIAL, evidence, "Наставники в базе не одобрены куратором.", text=text)
    return Result(NOT_DONE, evidence, "Включите педагогов в базу наставников.", text=text)


def programmes(today: date) -> Result:
    pairs = _current_pairs(today)
    if not pairs:
        return Result(NOT_DONE, {"pairs": 0}, "Пар пока нет.", text="пар: 0")
    approved = (
        Programme.objects.filter(pair__in=pairs)
        .filter(  # resume_status: an approved plan being reworked keeps its approved version
            Q(status__in=[Programme.Status.APPROVED, Programme.Status.RUNNING, Programme.Status.COMPLETED])
            | Q(resume_status__gt="")
        )
        .count()
    )
    evidence = {"pairs": len(pairs), "with_programme": approved}
    text = f"пар: {len(pairs)}, с утверждённой программой: {approved}"
    if approved == len(pairs):
        return Result(DONE, evidence, text=text)
    if approved:
        return Result(PARTIAL, evidence, "Не у всех пар есть утверждённая программа.", text=text)
    return Result(NOT_DONE, evidence, "Составьте и утвердите программы пар.", text=text)


def pairs_count(today: date) -> Result:
    pairs = _current_pairs(today)
    ordered = sum(1 for p in pairs if p.order is not None)
    return Result(
        DONE if pairs and ordered == len(pairs) else (PARTIAL if ordered else NOT_DONE),
        {"pairs": len(pairs), "by_order": ordered},
        text=f"пар: {len(pairs)}, по приказу: {ordered}",
    )


def incentives_act(today: date) -> Result:
    """Item 7 (seed 002): «не применимо» only while no incentive is recorded; once mentors have been given
    incentives, they need a regulating act in force — an incentives act or a supplementary agreement."""
    given = Incentive.objects.filter(given_on__lte=today).count()
    trained = Training.objects.filter(starts_on__lte=today).count()
    kinds = [ActKind.INCENTIVES, ActKind.SUPPLEMENTARY]
    act = acts_in_force(on=today, kinds=kinds).order_by("-date", "-pk").first()
    counts = {"incentives": given, "trainings": trained}
    if act is not None:
        return Result(DONE, {**_act_evidence(act), **counts}, applies=True)
    if not given:
        return Result(NA, counts, "Поощрения наставникам не записаны — пункт не применяется.")
    pending = _not_yet_in_force(kinds, today)  # approved, dated ahead: «частично» with its date, as items 2–4
    if pending is not None:
        return replace(pending, evidence={**pending.evidence, **counts}, applies=True)
    draft = LocalAct.objects.filter(kind__in=kinds, status=LocalAct.Status.DRAFT).order_by("-pk").first()
    if draft is not None:
        return Result(
            PARTIAL,
            {**_act_evidence(draft), **counts},
            "Поощрения есть, акт о стимулировании не утверждён (номер, дата, «действует»).",
            applies=True,
        )
    return Result(
        NOT_DONE,
        counts,
        "Наставники поощрены, но нет действующего положения о стимулировании или дополнительного соглашения.",
        applies=True,
    )


RULES: dict[str, Callable[[date], Result]] = {
    "site_section": site_section,
    "policy_act": policy_act,
    "roadmap_act": _act_rule(ActKind.ROADMAP),
    "curator_order": curator_order,
    "pairs_order": pairs_order,
    "mentor_bank": mentor_bank,
    "incentives_act": incentives_act,
    "programmes": programmes,
    "order_introduction": _act_rule(ActKind.ORDER_INTRODUCTION),
    "pairs_count": pairs_count,
}


class ChecklistItemSpec(Protocol):
    """What a checklist item must say for evaluation (the region's ChecklistItem has these attributes)."""

    code: str
    title: str
    rule: str
    optional: bool


class RegionChecklist(Protocol):
    """What the school's own checklist page needs from the region: the current items and the ИМЦ's remarks.

    The region registers its implementation at start-up (regional.apps); the school side never imports it.
    """

    def items(self) -> Iterable[ChecklistItemSpec]: ...

    def remarks(self, school_id: int) -> Iterable[Any]: ...


_region_checklist: list[RegionChecklist] = []


def region_checklist_register(source: RegionChecklist) -> None:
    _region_checklist[:] = [source]


def region_checklist() -> RegionChecklist:
    if not _region_checklist:
        raise RuntimeError("No checklist source registered (the regional app provides it)")
    return _region_checklist[0]


def checklist_evaluate(items: Iterable[ChecklistItemSpec], today: date) -> dict[str, dict[str, Any]]:
    """The checklist of the school whose schema is active: {code: state, label, evidence, hint}."""
    from tenants.context import in_public_schema

    if in_public_schema():
        raise RuntimeError("checklist_evaluate runs in a school's schema")
    results = {}
    for item in items:
        rule = RULES.get(item.rule)
        if rule is None:
            continue
        result = rule(today)
        state = NA if item.optional and result.state != DONE and not result.applies else result.state
        results[item.code] = {
            "title": item.title,
            "state": state,
            "label": STATE_LABELS[state],
            "evidence": result.evidence,
            "text": result.text or evidence_describe(result.evidence),
            "hint": result.hint,
        }
    return results


def school_counts() -> dict[str, Any]:
    """The figures of the school whose schema is active that the region shows beside its checklist."""
    from core.monitoring.services import satisfaction_average
    from core.people.models import Person

    people = dict(Person.objects.values_list("category").annotate(n=Count("pk")).values_list("category", "n"))
    return {
        "people": sum(people.values()),
        "students": people.get("student", 0),
        "teachers": people.get("teacher", 0),
        "pairs": Pair.objects.exclude(status=Pair.Status.ENDED).count(),
        "mentors": BankEntry.objects.filter(bank="mentor").count(),
        "mentees": BankEntry.objects.filter(bank="mentee").count(),
        "programmes": Programme.objects.count(),
        "programmes_completed": Programme.objects.filter(status=Programme.Status.COMPLETED).count(),
        "satisfaction": satisfaction_average(),
        "meeting_hours": float(Pair.objects.aggregate(h=Avg("meetings__hours"))["h"] or 0),
    }
