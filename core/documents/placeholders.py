"""What each user-supplied template may mention: one declaration per template kind.

The declaration is the contract between the code that builds a rendering context and the people who write
templates. The same object drives three things, so they cannot drift apart:

* validation — ``core.documents.sandbox`` refuses any placeholder not declared here, at upload and again at
  rendering (for templates stored before the rule existed);
* the sample context an uploaded template is test-rendered with (``sample_context``);
* the list shown to the regional admin and in the README (``placeholder_docs``).

``docx_render`` also checks that the context a service passes is declared here, so adding a field to a
context without declaring it fails loudly in the tests instead of silently becoming unusable.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Value:
    """A printable value: a string, a number or a flag."""

    label: str
    sample: Any = ""


@dataclass(frozen=True)
class Group:
    """A set of named values reached with a dot: ``school.name``."""

    label: str
    fields: Mapping[str, "Value | Group"] = field(default_factory=dict)


@dataclass(frozen=True)
class ListOf:
    """A list to go through with ``{% for x in name %}``; ``item`` says what each element is."""

    label: str
    item: Value | Group
    loop_name: str = "item"  # only used in the documentation: «{% for pair in pairs %}»


Spec = Mapping[str, Value | Group | ListOf]

# What «loop» offers inside a for-loop (Jinja's loop object); its methods (cycle, changed) are calls and refused.
LOOP = Group(
    "счётчик цикла",
    {
        name: Value(name, 1)
        for name in ("index", "index0", "revindex", "revindex0", "first", "last", "length")
    },
)

_SCHOOL_FIELDS: dict[str, Value | Group] = {
    "name": Value("полное наименование школы", "МОУ «Школа» & Ко"),
    "short_name": Value("краткое наименование школы", "Школа"),
    "inn": Value("ИНН школы", "6901043230"),
}


def _school(*names: str) -> Group:
    return Group("школа", {name: _SCHOOL_FIELDS[name] for name in names})


_NUMBER = Value("номер документа", "1-н")
_DATE = Value("дата документа (ДД.ММ.ГГГГ)", "01.09.2026")

_PLAN_ROW = Group(
    "строка плана: раздел или задание",
    {
        "is_section": Value("строка раздела (да/нет)", False),
        "number": Value("номер: «1» у раздела, «1.2» у задания", "1.2"),
        "text": Value("название раздела или формулировка задания", "Провести диагностическую беседу"),
        "note": Value("примечание к разделу или заданию", ""),
        "due_date": Value("срок задания (ДД.ММ.ГГГГ)", "30.09.2026"),
        "term": Value("срок по шаблону словами", "в течение первого месяца"),
        "planned_result": Value("планируемый результат", "Определён перечень дефицитных компетенций"),
        "result": Value("фактический результат (вид и описание)", "достигнут в полной мере"),
        "assessment": Value("оценка наставника", "Задание выполнено"),
    },
)


def _person(label: str) -> Group:
    """A person with the name in the cases orders need (core.documents.names.person_context)."""
    return Group(
        label,
        {
            "full_name": Value("ФИО", "Белова Ольга Сергеевна"),
            "short_name": Value("фамилия и инициалы", "Белова О. С."),
            "position": Value("должность", "учитель"),
            "genitive": Value("ФИО в родительном падеже (кого?)", "Беловой Ольги Сергеевны"),
            "dative": Value("ФИО в дательном падеже (кому?)", "Беловой Ольге Сергеевне"),
            "accusative": Value("ФИО в винительном падеже (кого?)", "Белову Ольгу Сергеевну"),
            "instrumental": Value("ФИО в творительном падеже (кем?)", "Беловой Ольгой Сергеевной"),
            "accusative_short": Value("фамилия и инициалы в винительном падеже", "Белову О. С."),
        },
    )


_CURATOR = _person("куратор (пусто, если не назначен)")

# A line of a count table in the yearly report: «учитель – ученик | 2».
_COUNTED = Group(
    "строка таблицы",
    {
        "name": Value("название (форма, модель, статус, вид)", "учитель – ученик"),
        "count": Value("количество", 2),
    },
)

# Derived from the contexts built in core/acts/services.py (curator_order_generate), core/acts/orders.py
# (the pairs, policy, introduction, early-end and incentives orders), core/consents/services.py
# (consent_document), core/people/rights.py (person_erase), core/programmes/services.py (programme_docx) and
# core/reporting/annual.py (annual_report_docx).
# Keys match tenants.catalogues.DocumentTemplate.Kind.
DOCX_PLACEHOLDERS: dict[str, Spec] = {
    "order_curator": {
        "school": _school("name", "short_name", "inn"),
        "number": _NUMBER,
        "date": _DATE,
        "curator": _person("куратор"),
    },
    "order_pairs": {
        "school": _school("name", "short_name"),
        "number": _NUMBER,
        "date": _DATE,
        "pairs": ListOf(
            "закрепляемые пары",
            Group(
                "пара",
                {
                    "mentors": Value("наставники пары (ФИО)", "Петров Пётр Петрович"),
                    "mentees": Value("наставляемые пары (ФИО)", "Сидоров Семён Семёнович"),
                    "mentors_instrumental": Value(
                        "наставники в творительном падеже", "Петровым Петром Петровичем"
                    ),
                    "mentees_accusative": Value(
                        "наставляемые в винительном падеже", "Сидорова Семёна Семёновича"
                    ),
                    "mentor_word": Value("«наставником» или «наставниками»", "наставником"),
                    "form": Value("форма наставничества", "учитель – ученик"),
                    "role_model": Value("ролевая модель", "успевающий – неуспевающий"),
                    "kind": Value("вид наставничества", "традиционное"),
                    "since": Value("начало работы пары (ДД.ММ.ГГГГ)", "01.09.2026"),
                    "term": Value("срок (по программе)", "с 01.09.2026 по 31.05.2027"),
                    "programme": Value(
                        "персонализированная программа", "«Программа пары № 1» (утверждена 01.09.2026)"
                    ),
                    "consents": Value(
                        "письменные согласия участников", "Петров П. П. — согласие от 01.09.2026"
                    ),
                },
            ),
            loop_name="pair",
        ),
        "policy": Group(
            "Положение о наставничестве, на котором основан приказ",
            {
                "name": Value("название Положения", "Положение о системе наставничества обучающихся"),
                "number": Value("номер", "151/1"),
                "date": Value("дата (ДД.ММ.ГГГГ)", "30.08.2026"),
                "text": Value("все Положения с номерами и датами", "«Положение…» (№ 151/1 от 30.08.2026)"),
            },
        ),
        "curator": _CURATOR,
        "curator_name": Value("куратор (фамилия и инициалы)", "Иванова М. П."),
    },
    "order_policy": {
        "school": _school("name", "short_name"),
        "number": _NUMBER,
        "date": _DATE,
        "audience": Value("чьё Положение: «педагогических работников» или «обучающихся»", "обучающихся"),
        "policy": Group(
            "Положение (приложение 1)", {"name": Value("название", "Положение о наставничестве")}
        ),
        "has_roadmap": Value("есть ли дорожная карта (приложение 2)", True),
        "roadmap": ListOf(
            "дорожная карта (приложение 2)",
            Group(
                "мероприятие",
                {
                    "stage": Value("этап", "Подготовка условий"),
                    "title": Value("мероприятие", "Разработка Положения"),
                    "period": Value("срок", "сентябрь 2026"),
                    "responsible": Value("ответственный", "куратор"),
                    "result": Value("результат (вид документа)", "приказ"),
                },
            ),
            loop_name="row",
        ),
        "curator": _CURATOR,
    },
    "order_introduction": {
        "school": _school("name", "short_name"),
        "number": _NUMBER,
        "date": _DATE,
        "basis": Value("основание (нормативные документы)", "распоряжением … № Р-145"),
        "since": Value("начало внедрения (ДД.ММ.ГГГГ)", "01.09.2026"),
        "until": Value("срок внедрения (ДД.ММ.ГГГГ)", "31.08.2028"),
        "curator": _person("куратор внедрения"),
    },
    "order_early_end": {
        "school": _school("name", "short_name"),
        "number": _NUMBER,
        "date": _DATE,
        "ended_on": Value("дата прекращения (ДД.ММ.ГГГГ)", "15.12.2026"),
        "reason": Value("причина", "заявление наставника"),
        "mentors_genitive": Value("наставники в родительном падеже", "Петрова Петра Петровича"),
        "mentees_genitive": Value("наставляемые в родительном падеже", "Сидорова Семёна Семёновича"),
        "pair_order": Value("приказ, которым пара была закреплена", "Приказ … № 3-н от 01.09.2026"),
        "curator": _CURATOR,
    },
    "order_incentives": {
        "school": _school("name", "short_name"),
        "number": _NUMBER,
        "date": _DATE,
        "lines": ListOf(
            "поощрения",
            Group(
                "поощрение",
                {
                    "text": Value(
                        "пункт приказа целиком", "Объявить благодарность Беловой Ольге Сергеевне, учителю."
                    ),
                    "kind": Value("вид поощрения", "благодарность"),
                    "name": Value("ФИО наставника", "Белова Ольга Сергеевна"),
                    "name_declined": Value("ФИО в нужном падеже", "Беловой Ольге Сергеевне"),
                    "amount": Value("сумма", "5 000,00 руб."),
                },
            ),
            loop_name="line",
        ),
        "curator": _CURATOR,
    },
    "consent": {
        "title": Value("заголовок: вид согласия прописными", "СОГЛАСИЕ"),
        "school": _school("name", "inn"),
        "person": Group(
            "участник",
            {
                "full_name": Value("ФИО участника", "Сидоров Семён Семёнович"),
                "birth_date": Value("дата рождения (ДД.ММ.ГГГГ)", "01.01.2012"),
            },
        ),
        "consent": Group(
            "согласие",
            {
                "kind": Value("вид: participation или personal_data", "participation"),
                "by_representative": Value("даёт законный представитель (да/нет)", True),
                "representative_name": Value("ФИО представителя", "Сидорова А. А."),
                "representative_relation": Value("кем приходится", "мать"),
                "representative_document": Value("документ представителя", "паспорт"),
            },
        ),
        "valid_from": Value("действует с (ДД.ММ.ГГГГ)", "01.09.2026"),
        "valid_until": Value("действует по (пусто — до отзыва)", ""),
        "signer_short": Value("кто подписывает", "Сидорова А. А."),
    },
    "erasure_act": {
        "school": _school("name"),
        "number": Value("номер акта", 1),
        "date": _DATE,
        "subject": Value("чьи данные уничтожены (ФИО)", "Сидоров Семён Семёнович"),
        "lines": ListOf("что уничтожено", Value("строка перечня", "карточка участника"), loop_name="line"),
        "performed_by": Value("кто уничтожил", "Иванова М. П."),
    },
    "programme": {
        "school": _school("name", "short_name"),
        "title": Value("название программы", "Персонализированная программа наставничества пары № 1"),
        "form": Value("форма наставничества", "учитель – учитель (педагог – педагог)"),
        "role_model": Value("ролевая модель", "опытный педагог – молодой специалист"),
        "mentors": Value("наставники: ФИО и должность", "Петров Пётр Петрович, учитель"),
        "mentees": Value("наставляемые: ФИО и класс или должность", "Сидорова Анна Ивановна, учитель"),
        "starts_on": Value("начало (ДД.ММ.ГГГГ)", "01.09.2026"),
        "ends_on": Value("окончание (ДД.ММ.ГГГГ)", "31.05.2027"),
        "stage": Value("этап", "проектировочный"),
        "status": Value("статус", "утверждена"),
        "version": Value("номер утверждённой версии (пусто — не утверждалась)", 1),
        "approved_on": Value("дата утверждения (ДД.ММ.ГГГГ)", "05.09.2026"),
        # One flat list, sections and their tasks in order: templates allow no loop inside a loop.
        "rows": ListOf("разделы и задания плана по порядку", _PLAN_ROW, loop_name="row"),
    },
    # core/reporting/annual.py (annual_report_context): the curator's yearly report, from the school's data.
    "annual_report": {
        "year": Value("год отчёта", 2026),
        "school": _school("name", "short_name"),
        "pairs_count": Value("работало пар и групп за год", 12),
        "by_form": ListOf("пары и группы по формам наставничества", _COUNTED, loop_name="row"),
        "by_role_model": ListOf("пары и группы по ролевым моделям", _COUNTED, loop_name="row"),
        "programmes_count": Value("персонализированных программ этих пар", 12),
        "programmes_completed": Value("программ, завершённых за год", 4),
        "programmes": ListOf("программы по статусам", _COUNTED, loop_name="row"),
        "dynamics": ListOf(
            "динамика этапа 2: показатели анкет на входе и на выходе (пусто — анкеты не заполнены)",
            Group(
                "показатель",
                {
                    "measure": Value("показатель (вопрос анкеты)", "Уверенность в своих силах"),
                    "entry": Value("среднее на входе («3,0»)", "3,0"),
                    "exit": Value("среднее на выходе («8,0»)", "8,0"),
                    "people": Value("участников с обеими анкетами", 5),
                },
            ),
            loop_name="row",
        ),
        "satisfaction": Value("средняя удовлетворённость 1–10 («7,5»; пусто — анкеты не заполнены)", "7,5"),
        "incentives_count": Value("поощрений за год", 3),
        "incentives": ListOf("поощрения по видам", _COUNTED, loop_name="row"),
        "trainings": Value("курсов (обучений) наставников за год", 2),
        "training_hours": Value("часов обучения («73,5»)", "73,5"),
        "recheck": ListOf(
            "педагоги, которых нужно включить в базу наставляемых (пусто — таких нет)",
            Group(
                "педагог",
                {
                    "full_name": Value("ФИО", "Новикова Дарья Игоревна"),
                    "reason": Value("основание", "молодой специалист (стаж с 01.09.2025)"),
                },
            ),
            loop_name="row",
        ),
    },
    # regional/rounds.py (round_note_docx): the region's own document, from the verdicts and snapshots.
    "round_note": {
        "title": Value("название раунда", "Мониторинг, I полугодие"),
        "municipality": Value("муниципалитет", "Тверь"),
        "date": Value("дата справки (ДД.ММ.ГГГГ)", "20.12.2026"),
        "due_date": Value("срок раунда (ДД.ММ.ГГГГ)", "25.12.2026"),
        "schools": Value("образовательных организаций в раунде", 12),
        "reviewed": Value("проверено полностью", 10),
        "remarks_count": Value("замечаний", 3),
        "no_data": Value("без данных (школа ничего не внесла)", 1),
        "start_on": Value("дата старта раунда (ДД.ММ.ГГГГ)", "01.12.2026"),
        "start_percent": Value("выполнение чек-листа на старте («нет данных» или «62 %»)", "62 %"),
        "end_label": Value("«на срок» или «на дату справки»", "на дату справки"),
        "end_on": Value("дата второго замера (ДД.ММ.ГГГГ)", "20.12.2026"),
        "end_percent": Value("выполнение чек-листа на эту дату", "75 %"),
        "previous_title": Value("предыдущий раунд муниципалитета (пусто — не было)", ""),
        "previous_percent": Value("выполнение на срок предыдущего раунда", ""),
        "items": ListOf(
            "пункты чек-листа",
            Group(
                "пункт",
                {
                    "title": Value("пункт чек-листа", "Раздел «Наставничество» на сайте"),
                    "done": Value("выполнено (авто), «N из M»", "10 из 12"),
                    "remarks": Value("замечаний по пункту", 1),
                },
            ),
            loop_name="item",
        ),
        "remarks": ListOf(
            "замечания инспекторов",
            Group(
                "замечание",
                {
                    "school": Value("школа (краткое наименование)", "Школа № 1"),
                    "item": Value("пункт чек-листа", "Раздел «Наставничество» на сайте"),
                    "comment": Value("текст замечания", "Нет раздела на сайте"),
                    "auto_state": Value("что показала автопроверка", "не выполнено"),
                },
            ),
            loop_name="remark",
        ),
    },
}


def _sample(entry: Value | Group | ListOf) -> Any:
    if isinstance(entry, Value):
        return entry.sample
    if isinstance(entry, Group):
        return {name: _sample(sub) for name, sub in entry.fields.items()}
    return [_sample(entry.item), _sample(entry.item)]


def sample_context(spec: Spec) -> dict[str, Any]:
    """A context with every declared placeholder filled: an uploaded template is test-rendered with it."""
    return {name: _sample(entry) for name, entry in spec.items()}


def placeholder_docs(spec: Spec) -> list[tuple[str, str]]:
    """(how to write it, what it is) for every placeholder, in declaration order."""
    return list(_docs(spec.items(), prefix=""))


def _docs(items: Any, prefix: str) -> Iterator[tuple[str, str]]:
    for name, entry in items:
        path = f"{prefix}{name}"
        if isinstance(entry, Value):
            yield "{{ " + path + " }}", entry.label
        elif isinstance(entry, Group):
            yield from _docs(entry.fields.items(), prefix=f"{path}.")
        else:
            yield "{% for " + entry.loop_name + " in " + path + " %}…{% endfor %}", entry.label
            if isinstance(entry.item, Group):
                yield from _docs(entry.item.fields.items(), prefix=f"{entry.loop_name}.")
            else:
                yield "{{ " + entry.loop_name + " }}", entry.item.label


def context_undeclared(spec: Spec, context: Mapping[str, Any]) -> list[str]:
    """Keys of a rendering context (and of its dict values) that the declaration does not list."""
    extra = []
    for key, value in context.items():
        entry = spec.get(key)
        if entry is None:
            extra.append(key)
        elif isinstance(entry, Group) and isinstance(value, Mapping):
            extra += [f"{key}.{sub}" for sub in value if sub not in entry.fields]
    return extra
