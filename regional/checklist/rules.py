"""Checklist rules: each reads the current school's own data and says done / partial / not done / n.a.
with the evidence (which act, its number and date, counts, the URL), so nobody types a checklist by hand.

Rules run inside a school's schema (the snapshot job); region pages only read their results.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.acts.models import ActKind, LocalAct, SchoolProfile
from core.pairs.models import Pair
from core.pairs.selectors import active_on
from core.people.models import BankEntry
from core.programmes.models import Programme

DONE, PARTIAL, NOT_DONE, NA = "done", "partial", "not_done", "na"
STATE_LABELS = {DONE: "выполнено", PARTIAL: "частично", NOT_DONE: "не выполнено", NA: "не применимо"}


@dataclass(frozen=True)
class Result:
    state: str
    evidence: dict[str, Any] = field(default_factory=dict)
    hint: str = ""  # what the curator should do, and where


def _act_evidence(act: LocalAct) -> dict[str, Any]:
    return {
        "act_id": act.pk,
        "act": str(act),
        "number": act.number,
        "date": act.date.strftime("%d.%m.%Y") if act.date else "",
    }


def _act_rule(*kinds: str, optional: bool = False) -> Callable[[date], Result]:
    def rule(today: date) -> Result:
        in_force = LocalAct.objects.filter(kind__in=kinds, status=LocalAct.Status.IN_FORCE).exclude(number="")
        act = in_force.exclude(date__isnull=True).order_by("-date").first()
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
        Pair.objects.filter(active_on(today)).exclude(status=Pair.Status.ENDED).select_related("order")
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
    approved = Programme.objects.filter(
        pair__in=pairs,
        status__in=[Programme.Status.APPROVED, Programme.Status.RUNNING, Programme.Status.COMPLETED],
    ).count()
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


RULES: dict[str, Callable[[date], Result]] = {
    "site_section": site_section,
    "policy_act": _act_rule(ActKind.POLICY_TEACHERS, ActKind.POLICY_STUDENTS),
    "roadmap_act": _act_rule(ActKind.ROADMAP),
    "curator_order": _act_rule(ActKind.ORDER_CURATOR),
    "pairs_order": pairs_order,
    "mentor_bank": mentor_bank,
    "incentives_act": _act_rule(ActKind.INCENTIVES, optional=True),
    "programmes": programmes,
    "order_introduction": _act_rule(ActKind.ORDER_INTRODUCTION),
    "pairs_count": pairs_count,
}
