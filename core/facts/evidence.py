"""Checklist evidence as an inspector reads it: «Приказ о назначении куратора № 5-н от 01.09.2025; куратор —
Белова О. С.», «пар: 3, закреплено приказом: 3 — Приказ …» — never a raw list such as
«3; ['Приказ …']; 3».

Rules write their own sentence (``Result.text``); ``evidence_describe`` turns any evidence dict into one — for
a rule that gives none and for snapshots stored before rules wrote text — so every page, the round pages
and the XLSX show the same words.
"""

from typing import Any

from core.acts.models import LocalAct

# Evidence keys a rule may give. Told first as they are (the act, the address); then the counts «label: n»
# joined by commas; then the orders. Parts are joined by « — »: «пар: 3, закреплено приказом: 3 — Приказ …».
_PLAIN = ("act", "students_act", "url")
_COUNTS = {
    "pairs": "пар",
    "covered": "закреплено приказом",
    "by_order": "по приказу",
    "with_programme": "с утверждённой программой",
    "mentors": "наставников в базе",
    "approved": "одобрено",
    "with_consents": "с действующими согласиями",
    "incentives": "поощрений наставникам",
    "trainings": "обучений наставников",
    "curator": "куратор",
    "since": "с",
}
_HIDDEN = {"act_id", "number", "date"}  # already inside «act»


def act_text(act: LocalAct) -> str:
    """«Положение о наставничестве педагогических работников № 12 от 01.09.2025» (kind, number, date)."""
    return str(act)


def _value(value: Any) -> str:
    if isinstance(value, (list, tuple, set)):
        return "; ".join(_value(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_value(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "да" if value else "нет"
    return str(value)


def evidence_describe(evidence: dict[str, Any] | None) -> str:
    """One readable line from an evidence dict (any keys; an unknown one as «key: value», never a repr)."""
    if not evidence:
        return ""
    shown = {k: v for k, v in evidence.items() if k not in _HIDDEN and v not in ("", None, [], {})}
    parts = [_value(shown[key]) for key in _PLAIN if key in shown]
    counts = [f"{label}: {_value(shown[key])}" for key, label in _COUNTS.items() if key in shown]
    counts += [
        f"{k}: {_value(v)}"
        for k, v in shown.items()
        if k not in _COUNTS and k not in _PLAIN and k != "orders"
    ]
    if counts:
        parts.append(", ".join(counts))
    if "orders" in shown:
        parts.append(_value(shown["orders"]))
    return " — ".join(parts)


def item_evidence_text(item: dict[str, Any] | None) -> str:
    """The evidence line of one evaluated checklist item (as stored in a snapshot or just computed)."""
    if not item:
        return ""
    return str(item.get("text") or evidence_describe(item.get("evidence")))
