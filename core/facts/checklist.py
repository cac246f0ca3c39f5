"""Checklist rules: each reads the current school's own data and says done / partial / not done / n.a.
with the evidence (which act, its number and date, counts, the URL), so nobody types a checklist by hand.

This is the school's side of the checklist: rules run inside a school's schema and take the checklist's
items as plain data (the region owns the versioned template), so nothing here imports the region.
The region's snapshot job calls ``checklist_evaluate`` and ``school_counts`` and stores their results.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from django.db.models import Avg, Count, Q

from core.acts.models import ActKind, LocalAct, SchoolProfile
from core.acts.selectors import acts_in_force
from core.incentives.models import Incentive, Training
from core.pairs.models import Pair
from core.pairs.selectors import running_on
from core.people.models import BankEntry
from core.programmes.models import Programme

DONE, PARTIAL, NOT_DONE, NA = "done", "partial", "not_done", "na"
STATE_LABELS = {DONE: "выполнено", PARTIAL: "частично", NOT_DONE: "не выполнено", NA: "не применимо"}


@dataclass(frozen=True)
class Result:
    state: str
    evidence: dict[str, Any] = field(default_factory=dict)
    hint: str = ""  # what the curator should do, and where
    # An optional item («при наличии») whose rule found that it applies: it may not become «не применимо».
    applies: bool = False


def _act_evidence(act: LocalAct) -> dict[str, Any]:
    return {
        "act_id": act.pk,
        "act": str(act),
        "number": act.number,
        "date": act.date.strftime("%d.%m.%Y") if act.date else "",
    }


def _act_rule(*kinds: str, optional: bool = False) -> Callable[[date], Result]:
    def rule(today: date) -> Result:
        act = acts_in_force(on=today, kinds=kinds).order_by("-date").first()  # a future date: not yet
        if act is not None:
            return Result(DONE, _act_evidence(act))
        draft = LocalAct.objects.filter(kind__in=kinds).exclude(status=LocalAct.Status.REPEALED).first()
        if draft is not None:
            return Result(
                PARTIAL, _act_evidence(draft), "Акт есть, но не утверждён (номер, дата, «действует»)."
            )
        if optional:
            return Result(NA, {}, "Меры стимулирования не приняты — пункт не применяется.")
        return Result(NOT_DONE, {}, "Добавьте акт в разделе «Акты и приказы».")

    return rule


def site_section(today: date) -> Result:
    profile = SchoolProfile.objects.filter(pk=1).first()
    if profile and profile.site_section_url:
        return Result(DONE, {"url": profile.site_section_url})
    return Result(NOT_DONE, {}, "Укажите адрес раздела в «Настройках».")


def _current_pairs(today: date) -> list[Pair]:
    return list(
        Pair.objects.filter(running_on(today)).exclude(status=Pair.Status.ENDED).select_related("order")
    )


def pairs_order(today: date) -> Result:
    pairs = _current_pairs(today)
    if not pairs:
        return Result(NOT_DONE, {"pairs": 0}, "Пар пока нет.")
    covered = [p for p in pairs if p.order is not None and p.order.status == LocalAct.Status.IN_FORCE]
    evidence = {
        "pairs": len(pairs),
        "covered": len(covered),
        "orders": sorted({str(p.order) for p in covered}),
    }
    if len(covered) == len(pairs):
        return Result(DONE, evidence)
    if covered:
        return Result(PARTIAL, evidence, "Не все пары закреплены действующим приказом.")
    return Result(NOT_DONE, evidence, "Сформируйте приказ о закреплении пар.")


def mentor_bank(today: date) -> Result:
    mentors = BankEntry.objects.filter(bank=BankEntry.Bank.MENTOR)
    approved = mentors.filter(status__in=[BankEntry.Status.APPROVED, BankEntry.Status.IN_PAIR]).count()
    evidence = {"mentors": mentors.count(), "approved": approved}
    if approved:
        return Result(DONE, evidence)
    if mentors.exists():
        return Result(PARTIAL, evidence, "Наставники в базе не одобрены куратором.")
    return Result(NOT_DONE, evidence, "Включите педагогов в базу наставников.")


def programmes(today: date) -> Result:
    pairs = _current_pairs(today)
    if not pairs:
        return Result(NOT_DONE, {"pairs": 0}, "Пар пока нет.")
    approved = (
        Programme.objects.filter(pair__in=pairs)
        .filter(  # resume_status: an approved plan being reworked keeps its approved version
            Q(status__in=[Programme.Status.APPROVED, Programme.Status.RUNNING, Programme.Status.COMPLETED])
            | Q(resume_status__gt="")
        )
        .count()
    )
    evidence = {"pairs": len(pairs), "with_programme": approved}
    if approved == len(pairs):
        return Result(DONE, evidence)
    if approved:
        return Result(PARTIAL, evidence, "Не у всех пар есть утверждённая программа.")
    return Result(NOT_DONE, evidence, "Составьте и утвердите программы пар.")


def pairs_count(today: date) -> Result:
    pairs = _current_pairs(today)
    ordered = sum(1 for p in pairs if p.order is not None)
    return Result(
        DONE if pairs and ordered == len(pairs) else (PARTIAL if ordered else NOT_DONE),
        {"pairs": len(pairs), "by_order": ordered},
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
    "policy_act": _act_rule(ActKind.POLICY_TEACHERS, ActKind.POLICY_STUDENTS),
    "roadmap_act": _act_rule(ActKind.ROADMAP),
    "curator_order": _act_rule(ActKind.ORDER_CURATOR),
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
