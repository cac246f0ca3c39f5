"""Reading acts: which are in force on a date, which numbers are taken."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from core.acts.models import LocalAct, number_register
from core.audit.models import AuditEntry


def acts_in_force(*, on: date, kinds: Iterable[str] | None = None) -> QuerySet[LocalAct]:
    """Acts in force on ``on``: numbered and dated no later than ``on`` (an act dated in the future is not in
    force until its date), approved, and not repealed by then. The same rule as ``LocalAct.in_force_on``."""
    acts = LocalAct.objects.exclude(number="").filter(date__isnull=False, date__lte=on)
    acts = acts.filter(
        Q(status=LocalAct.Status.IN_FORCE)
        | Q(
            status=LocalAct.Status.REPEALED,
            repealed_from=LocalAct.Status.IN_FORCE,
            repealed_on__gt=on,
        )
    )
    if kinds is not None:
        acts = acts.filter(kind__in=list(kinds))
    return acts


def act_number_taken(*, kind: str, number: str, year: int, exclude_pk: int | None = None) -> LocalAct | None:
    """Another act of the same number register (``number_register``) with this number in this year."""
    register = number_register(kind)
    if not number or not register:
        return None
    same = LocalAct.objects.filter(kind__in=list(register), date__year=year, number__iexact=number)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    return same.order_by("pk").first()


def act_repeal_candidates(act: LocalAct) -> QuerySet[LocalAct]:
    """Later acts that may repeal ``act``: other numbered, dated acts not themselves repealed."""
    candidates = LocalAct.objects.exclude(pk=act.pk).exclude(number="").filter(date__isnull=False)
    candidates = candidates.exclude(status=LocalAct.Status.REPEALED)
    if act.date is not None:
        candidates = candidates.filter(date__gte=act.date)
    return candidates.order_by("-date", "-pk")


_FIELD_LABELS = {
    "number": "номер", "date": "дата", "title": "название", "status": "статус", "version": "версия файла",
    "repealed_by": "на основании", "repealed_on": "утратил силу с", "curator": "куратор", "pairs": "пары",
}  # fmt: skip
_STATUS_LABELS = dict(LocalAct.Status.choices)


def _shown(value: Any) -> str:
    if value in (None, ""):
        return "—"
    return str(_STATUS_LABELS.get(value, value)) if isinstance(value, str) else str(value)


def act_journal(act: LocalAct, *, limit: int = 50) -> list[dict[str, Any]]:
    """The act's audit entries as readable lines: who, when, what, «поле: было → стало»."""
    rows = []
    for entry in AuditEntry.objects.filter(object_type="localact", object_id=str(act.pk))[:limit]:
        parts = []
        for name, value in (entry.changes or {}).items():
            label = _FIELD_LABELS.get(name, name)
            if isinstance(value, list) and len(value) == 2:
                parts.append(f"{label}: {_shown(value[0])} → {_shown(value[1])}")
            else:
                parts.append(f"{label}: {_shown(value)}")
        rows.append({"at": entry.at, "who": entry.actor_email or "система", "what": entry.action_label,
                     "changes": "; ".join(parts)})  # fmt: skip
    return rows
