"""Orders generated from the school's data as complete documents (seed 001, «Нормативное обеспечение»).

Each order is numbered in the school's order register, dated with the date the curator chose, filled
into its kind's DOCX template (region-replaceable, sandboxed: ``core.documents``) and stored as the act's
first file. Names are declined as an order writes them (``core.documents.names``).
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.acts.models import ActKind, CuratorAppointment, LocalAct
from core.acts.selectors import acts_in_force
from core.acts.services import act_attach_generated_docx, act_number_check, order_number_next
from core.audit.services import audit_log
from core.consents.selectors import consent_check, consent_valid_on
from core.documents.names import Case, full_name_in, person_context
from core.documents.render import docx_render, ru_date
from core.incentives.models import Incentive
from core.pairs.models import Pair, PairMember
from core.people.models import Category, Person
from core.roadmap.models import RoadmapItem
from tenants.models import School, User

BASIS = (
    "распоряжением Министерства просвещения Российской Федерации от 25.12.2019 № Р-145 «Об утверждении "
    "методологии (целевой модели) наставничества обучающихся для организаций, осуществляющих образовательную "
    "деятельность по общеобразовательным, дополнительным общеобразовательным и программам среднего "
    "профессионального образования, в том числе с применением лучших практик обмена опытом между "
    "обучающимися» и письмом Минпросвещения России и Общероссийского Профсоюза образования от 21.12.2021 "
    "№ АЗ-1128/08 «О направлении методических рекомендаций по разработке и внедрению системы (целевой модели) "
    "наставничества педагогических работников в образовательных организациях»"
)


def _school(school: School) -> dict[str, str]:
    return {"name": school.name, "short_name": school.short_name}


def _person(person: Person) -> dict[str, str]:
    return person_context(person, position=person.position)


def current_curator() -> Person | None:
    """The person of the latest open appointment (a filter on «appointments until is null» would also
    match everybody who has no appointment at all)."""
    appointment = (
        CuratorAppointment.objects.filter(until__isnull=True)
        .select_related("person")
        .order_by("-since", "-pk")
        .first()
    )
    return appointment.person if appointment else None


def _curator_context(curator: Person | None) -> dict[str, str]:
    """The curator in charge; without one the templates leave control to the head («оставляю за собой»)."""
    if curator is None:
        return dict.fromkeys(_person(Person(last_name="-", first_name="-")), "")
    return _person(curator)


def _new_order(*, kind: str, on: date, title: str, actor: User | None, **extra: Any) -> LocalAct:
    number = order_number_next(on=on)
    act_number_check(kind=kind, number=number, on=on)
    return LocalAct.objects.create(
        kind=kind,
        number=number,
        date=on,
        title=title,
        generated=True,
        created_by_id=actor.pk if actor else None,
        **extra,
    )


def _attach(act: LocalAct, *, kind: str, context: dict[str, Any], actor: User | None) -> None:
    act_attach_generated_docx(act=act, content=docx_render(kind=kind, context=context), actor=actor)


# --- the Положение an order rests on ---------------------------------------------------------------------

POLICY_FOR: dict[str, str] = {
    Category.TEACHER: ActKind.POLICY_TEACHERS
}  # any other mentee: the students' Положение


def policies_for(pairs: Iterable[Pair], *, on: date) -> list[LocalAct]:
    """The Положения in force on ``on`` the pairs rest on (teachers' for teacher mentees, students' else)."""
    needed: dict[str, None] = {}
    for pair in pairs:
        for member in pair.members.all():
            if member.role == PairMember.Role.MENTEE:
                needed[POLICY_FOR.get(member.person.category, str(ActKind.POLICY_STUDENTS))] = None
    found, missing = [], []
    for kind in needed:
        act = acts_in_force(on=on, kinds=[kind]).order_by("-date", "-pk").first()
        if act is None:
            missing.append(str(ActKind(kind).label))
        else:
            found.append(act)
    if missing:
        raise ValidationError(
            f"На {on:%d.%m.%Y} нет действующего акта: {'; '.join(missing)}. Приказ ссылается на Положение "
            "с его номером и датой — утвердите его в «Актах и приказах».",
            code="no_policy",
        )
    return found


def _policy_context(policies: list[LocalAct]) -> dict[str, str]:
    main = policies[0]
    return {
        "name": main.title,
        "number": main.number,
        "date": ru_date(main.date),
        "text": "; ".join(f"«{p.title}» (№ {p.number} от {ru_date(p.date)})" for p in policies),
    }


# --- the pairs order --------------------------------------------------------------------------------------


def _consent_text(person: Person, on: date) -> str:
    consents = [c for c in person.consents.all() if c.kind == "participation" and consent_valid_on(c, on)]
    if not consents:
        return f"{person.short_name} — нет"
    consent = max(consents, key=lambda c: c.valid_from)
    if consent.by_representative:
        representative = " ".join(
            p for p in (consent.representative_last_name, consent.representative_first_name) if p
        )
        who = f"законного представителя ({representative}, {consent.representative_relation})".replace(
            ", )", ")"
        )
        return f"{person.short_name} — согласие {who} от {ru_date(consent.valid_from)}"
    return f"{person.short_name} — согласие от {ru_date(consent.valid_from)}"


def _names(people: list[Person], case: Case) -> str:
    return ", ".join(full_name_in(p, case) for p in people)


def _programme_text(pair: Pair) -> tuple[str, str]:
    programme = getattr(pair, "programme", None)
    if programme is None:
        return "персонализированная программа не составлена", ""
    term = f"с {ru_date(programme.starts_on)} по {ru_date(programme.ends_on)}"
    state = (
        f"утверждена {programme.approved_at:%d.%m.%Y}"
        if programme.approved_at
        else f"статус: {programme.get_status_display()}"
    )
    return f"«{programme.title}» ({state})", term


def pair_rows(pairs: list[Pair], *, on: date) -> list[dict[str, Any]]:
    from tenants.catalogues import MentoringForm, MentoringKind, RoleModel

    forms = dict(MentoringForm.objects.values_list("code", "name"))
    kinds = dict(MentoringKind.objects.values_list("code", "name"))
    roles = dict(RoleModel.objects.filter(pk__in=[p.role_model_id for p in pairs]).values_list("pk", "name"))
    rows = []
    problems = []
    for pair in pairs:
        members = [m for m in pair.members.all() if m.until is None or m.until >= on]
        mentors = [m.person for m in members if m.role == PairMember.Role.MENTOR]
        mentees = [m.person for m in members if m.role == PairMember.Role.MENTEE]
        for person in [*mentors, *mentees]:
            check = consent_check(person=person, on=on)
            problems += [f"{person.short_name}: {p}" for p in check.problems]
        programme, term = _programme_text(pair)
        rows.append(
            {
                "mentors": ", ".join(p.full_name for p in mentors),
                "mentees": ", ".join(p.full_name for p in mentees),
                "mentors_instrumental": _names(mentors, Case.INSTRUMENTAL),
                "mentees_accusative": _names(mentees, Case.ACCUSATIVE),
                "mentor_word": "наставником" if len(mentors) == 1 else "наставниками",
                "form": forms.get(pair.form_code, pair.form_code),
                "role_model": roles.get(pair.role_model_id, ""),
                "kind": kinds.get(pair.kind_code, pair.kind_code),
                "since": ru_date(pair.started_on),
                "term": term or f"с {ru_date(pair.started_on)}",
                "programme": programme,
                "consents": "; ".join(_consent_text(p, on) for p in [*mentors, *mentees]),
            }
        )
    if problems:
        # «с письменного согласия их участников» (seed 001): the order cannot say so without the consents.
        raise ValidationError(problems, code="no_consent")
    return rows


@transaction.atomic
def pairs_order_generate(*, school: School, pairs: list[Pair], on: date, actor: User | None) -> LocalAct:
    """The order fixing these pairs/groups: members, form, role model, kind, term, the programme, the written
    consents, the Положение (number and date) it rests on, and the curator in charge."""
    if not pairs:
        raise ValidationError("Выберите пары для приказа.")
    pairs = list(
        Pair.objects.filter(pk__in=[p.pk for p in pairs])
        .select_related("programme")
        .prefetch_related("members__person__consents")
        .order_by("started_on", "pk")
    )
    late = [p for p in pairs if p.started_on > on]
    if late:
        raise ValidationError(
            f"Пара № {late[0].pk} начинает работу {ru_date(late[0].started_on)}, позже даты приказа.",
            code="order_before_pair",
        )
    policies = policies_for(pairs, on=on)
    rows = pair_rows(pairs, on=on)
    curator = _curator_context(current_curator())
    act = _new_order(
        kind=ActKind.ORDER_PAIRS,
        on=on,
        title=f"О закреплении наставнических пар (групп): {len(pairs)}",
        actor=actor,
    )
    context = {
        "school": _school(school),
        "number": act.number,
        "date": ru_date(on),
        "pairs": rows,
        "policy": _policy_context(policies),
        "curator": curator,
        "curator_name": curator["short_name"],
    }
    _attach(act, kind="order_pairs", context=context, actor=actor)
    Pair.objects.filter(pk__in=[p.pk for p in pairs]).update(order=act)
    audit_log(actor=actor, action="generate", obj=act, changes={"pairs": [p.pk for p in pairs]})
    return act


# --- об утверждении Положения (with the Положение and the roadmap as annexes) -----------------------------


@transaction.atomic
def policy_order_generate(
    *, school: School, policy: LocalAct, roadmap: LocalAct | None, on: date, actor: User | None
) -> LocalAct:
    """«Об утверждении Положения о системе наставничества…» with annex 1 the Положение and annex 2 the
    roadmap (seed 001). The annexed drafts take the order's number and date, as annexes do."""
    if policy.kind not in (ActKind.POLICY_TEACHERS, ActKind.POLICY_STUDENTS):
        raise ValidationError({"policy": "Выберите Положение о наставничестве."})
    if roadmap is not None and roadmap.kind != ActKind.ROADMAP:
        raise ValidationError({"roadmap": "Выберите дорожную карту."})
    for annex in (policy, roadmap):
        if annex is not None and annex.status != LocalAct.Status.DRAFT:
            raise ValidationError(f"«{annex.title}» уже утверждён(а): утверждается проект.", code="not_draft")
    items = list(RoadmapItem.objects.order_by("position", "pk"))
    if roadmap is not None and not items:
        raise ValidationError(
            "Дорожная карта пуста: заполните раздел «Дорожная карта», она станет приложением 2.",
            code="no_roadmap",
        )
    students = policy.kind == ActKind.POLICY_STUDENTS
    who = "обучающихся" if students else "педагогических работников"
    act = _new_order(
        kind=ActKind.ORDER_POLICY,
        on=on,
        title=f"Об утверждении Положения о системе наставничества {who}",
        actor=actor,
    )
    for annex in (policy, roadmap):
        if annex is not None:
            annex.number, annex.date = act.number, on
            annex.save(update_fields=["number", "date"])
            audit_log(actor=actor, action="update", obj=annex, changes={"number": ["", act.number]})
    context = {
        "school": _school(school),
        "number": act.number,
        "date": ru_date(on),
        "audience": who,
        "policy": {"name": policy.title},
        "has_roadmap": roadmap is not None,
        "roadmap": [
            {
                "stage": i.stage,
                "title": i.title,
                "period": i.period or ru_date(i.due_date),
                "responsible": i.responsible,
                "result": i.result,
            }
            for i in items
        ]
        if roadmap is not None
        else [],
        "curator": _curator_context(current_curator()),
    }
    _attach(act, kind="order_policy", context=context, actor=actor)
    audit_log(actor=actor, action="generate", obj=act, changes={"policy": str(policy)})
    return act


# --- о внедрении целевой модели ----------------------------------------------------------------------------


@transaction.atomic
def introduction_order_generate(
    *, school: School, curator: Person, on: date, until: date, actor: User | None
) -> LocalAct:
    """«О внедрении целевой модели наставничества» (seed 001: основание; сроки внедрения; назначение
    ответственных; планируемые результаты)."""
    if until <= on:
        raise ValidationError({"until": "Срок внедрения должен быть позже даты приказа."})
    act = _new_order(
        kind=ActKind.ORDER_INTRODUCTION,
        on=on,
        title="О внедрении целевой модели наставничества",
        actor=actor,
        curator=curator,
    )
    context = {
        "school": _school(school),
        "number": act.number,
        "date": ru_date(on),
        "basis": BASIS,
        "since": ru_date(on),
        "until": ru_date(until),
        "curator": _person(curator),
    }
    _attach(act, kind="order_introduction", context=context, actor=actor)
    audit_log(actor=actor, action="generate", obj=act, changes={"curator": curator.full_name})
    return act


# --- о досрочном прекращении наставничества ------------------------------------------------------------


@transaction.atomic
def early_end_order_generate(*, school: School, pair: Pair, on: date, actor: User | None) -> LocalAct:
    """The order ending a pair's mentoring early, with the reason it ended for (seed 003: заявление
    наставника, ненадлежащее исполнение обязанностей, ходатайство обучающихся)."""
    from tenants.catalogues import EndReason

    reason = EndReason.objects.filter(code=pair.end_reason_code).first()
    if pair.status != Pair.Status.ENDED or reason is None or not reason.early or pair.ended_on is None:
        raise ValidationError("Приказ о досрочном прекращении формируется для пары, завершённой досрочно.")
    if on < pair.ended_on:
        raise ValidationError({"date": f"Дата приказа раньше прекращения ({ru_date(pair.ended_on)})."})
    if pair.termination_orders.exclude(status=LocalAct.Status.REPEALED).exists():
        raise ValidationError("Приказ о досрочном прекращении этой пары уже есть.", code="exists")
    members = list(pair.members.select_related("person"))
    mentors = [m.person for m in members if m.role == PairMember.Role.MENTOR]
    mentees = [m.person for m in members if m.role == PairMember.Role.MENTEE]
    act = _new_order(
        kind=ActKind.ORDER_EARLY_END,
        on=on,
        title=f"О досрочном прекращении наставничества (пара № {pair.pk})",
        actor=actor,
        pair=pair,
    )
    context = {
        "school": _school(school),
        "number": act.number,
        "date": ru_date(on),
        "ended_on": ru_date(pair.ended_on),
        "reason": reason.name,
        "mentors_genitive": _names(mentors, Case.GENITIVE),
        "mentees_genitive": _names(mentees, Case.GENITIVE),
        "pair_order": str(pair.order) if pair.order_id else "",
        "curator": _curator_context(current_curator()),
    }
    _attach(act, kind="order_early_end", context=context, actor=actor)
    audit_log(actor=actor, action="generate", obj=act, changes={"pair": pair.pk, "reason": reason.name})
    return act


# --- о поощрении наставников --------------------------------------------------------------------------------

# What the order says for each kind of incentive, and the case the name takes after it.
INCENTIVE_WORDING: dict[str, tuple[str, Case]] = {
    Incentive.Kind.BONUS: ("Выплатить доплату за наставническую деятельность", Case.DATIVE),
    Incentive.Kind.CERTIFICATE: ("Наградить грамотой", Case.ACCUSATIVE),
    Incentive.Kind.GRATITUDE: ("Объявить благодарность", Case.DATIVE),
    Incentive.Kind.AWARD: ("Представить к награждению", Case.ACCUSATIVE),
    Incentive.Kind.OTHER: ("Поощрить", Case.ACCUSATIVE),
}


def _rub(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    whole, _, cents = f"{amount:,.2f}".partition(".")
    return f"{whole.replace(',', ' ')},{cents} руб."


@transaction.atomic
def incentives_order_generate(
    *, school: School, incentives: list[Incentive], on: date, actor: User | None
) -> LocalAct:
    """«О поощрении наставников» from the register: one line per incentive, linked to the order."""
    if not incentives:
        raise ValidationError("Отметьте поощрения для приказа.")
    incentives = list(
        Incentive.objects.filter(pk__in=[i.pk for i in incentives]).select_related("person").order_by("pk")
    )
    if any(i.order_id for i in incentives):
        raise ValidationError("Часть поощрений уже внесена в приказ.", code="has_order")
    act = _new_order(kind=ActKind.ORDER_INCENTIVES, on=on, title="О поощрении наставников", actor=actor)
    lines = []
    for incentive in incentives:
        verb, case = INCENTIVE_WORDING[incentive.kind]
        person = incentive.person
        name = full_name_in(person, case)
        position = f", {person.position}" if person.position else ""
        title = f" ({incentive.title})" if incentive.title else ""
        amount = f" в размере {_rub(incentive.amount)}" if incentive.amount else ""
        lines.append(
            {
                "text": f"{verb} {name}{position}{title}{amount}.",
                "kind": incentive.get_kind_display(),
                "name": person.full_name,
                "name_declined": name,
                "amount": _rub(incentive.amount),
            }
        )
    Incentive.objects.filter(pk__in=[i.pk for i in incentives]).update(order=act)
    context = {
        "school": _school(school),
        "number": act.number,
        "date": ru_date(on),
        "lines": lines,
        "curator": _curator_context(current_curator()),
    }
    _attach(act, kind="order_incentives", context=context, actor=actor)
    audit_log(actor=actor, action="generate", obj=act, changes={"incentives": [i.pk for i in incentives]})
    return act
