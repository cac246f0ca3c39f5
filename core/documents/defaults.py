"""The built-in DOCX templates (docxtpl/Jinja placeholders), used until the region uploads its own.

They are built with python-docx rather than kept as binary files, so their text is reviewable here: the
orders, the consent form and the erasure act here, the programme and the reports in report_defaults.py.
"""

import io
from collections.abc import Callable
from functools import cache

from docx.document import Document as DocxDocument

from core.documents.docx_parts import blank_document, centered, control_clause, loop_paragraphs, order_header
from core.documents.report_defaults import _annual_report, _programme, _round_note


def _curator_order() -> DocxDocument:
    doc = blank_document()
    order_header(doc, "О назначении куратора внедрения целевой модели наставничества")
    doc.add_paragraph(
        "В соответствии с распоряжением Министерства просвещения Российской Федерации от 25.12.2019 № Р-145 "
        "«Об утверждении методологии (целевой модели) наставничества обучающихся» и письмом Минпросвещения России "
        "от 21.12.2021 № АЗ-1128/08, в целях внедрения целевой модели наставничества в {{ school.short_name }}"
    )
    doc.add_paragraph("ПРИКАЗЫВАЮ:")
    doc.add_paragraph(
        "1. Назначить куратором внедрения целевой модели наставничества {{ curator.accusative }}"
        "{% if curator.position %} ({{ curator.position }}){% endif %} с {{ date }}."
    )
    doc.add_paragraph(
        "2. Куратору обеспечить формирование базы наставников и наставляемых, организацию программ "
        "наставничества и мониторинг их реализации."
    )
    doc.add_paragraph("3. Контроль исполнения приказа оставляю за собой.")
    doc.add_paragraph("")
    doc.add_paragraph("Руководитель ____________________ / ____________________")
    doc.add_paragraph(
        "С приказом ознакомлен(а): ____________________ {{ curator.short_name }}   «___» ________ 20__ г."
    )
    return doc


def _pairs_order() -> DocxDocument:
    doc = blank_document()
    order_header(doc, "О закреплении наставнических пар (групп)")
    doc.add_paragraph(
        "В соответствии с Положением о системе наставничества: {{ policy.text }}, в целях реализации "
        "программы наставничества в {{ school.short_name }}"
    )
    doc.add_paragraph("ПРИКАЗЫВАЮ:")
    doc.add_paragraph(
        "1. Закрепить с {{ date }} с письменного согласия их участников (законных представителей "
        "несовершеннолетних участников) наставнические пары (группы):"
    )
    loop_paragraphs(
        doc,
        "for pair in pairs",
        "1.{{ loop.index }}. Закрепить {{ pair.mentees_accusative }} за {{ pair.mentor_word }} "
        "{{ pair.mentors_instrumental }}. Форма наставничества «{{ pair.form }}», ролевая модель "
        "«{{ pair.role_model }}», вид наставничества: {{ pair.kind }}. Срок: {{ pair.term }}. "
        "Персонализированная программа наставничества: {{ pair.programme }}. Письменные согласия: "
        "{{ pair.consents }}.",
    )
    doc.add_paragraph("2. Список наставнических пар (групп):")
    # docxtpl: a «{%tr %}» tag takes its whole row, so the loop needs a row of its own on each side.
    columns = ("№", "Наставник", "Наставляемый", "Форма наставничества", "Ролевая модель", "Срок")
    table = doc.add_table(rows=4, cols=len(columns))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, columns, strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for pair in pairs %}"
    for cell, text in zip(
        table.rows[2].cells,
        ("{{ loop.index }}", "{{ pair.mentors }}", "{{ pair.mentees }}", "{{ pair.form }}",
         "{{ pair.role_model }}", "{{ pair.term }}"),
        strict=True,
    ):  # fmt: skip
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    doc.add_paragraph(
        "3. Наставникам обеспечить реализацию персонализированных программ наставничества в установленные сроки."
    )
    control_clause(doc, 4)
    return doc


def _policy_order() -> DocxDocument:
    doc = blank_document()
    order_header(doc, "Об утверждении Положения о системе наставничества {{ audience }}")
    doc.add_paragraph(
        "В целях внедрения целевой модели наставничества в {{ school.short_name }} в соответствии с "
        "распоряжением Минпросвещения России от 25.12.2019 № Р-145 и письмом Минпросвещения России от "
        "21.12.2021 № АЗ-1128/08"
    )
    doc.add_paragraph("ПРИКАЗЫВАЮ:")
    doc.add_paragraph("1. Утвердить Положение о системе наставничества {{ audience }} (приложение 1).")
    doc.add_paragraph(
        "{% if has_roadmap %}2. Утвердить дорожную карту (план мероприятий) по реализации Положения о системе "
        "наставничества {{ audience }} (приложение 2).{% else %}2. Дорожную карту утвердить отдельным "
        "приказом.{% endif %}"
    )
    control_clause(doc, 3)
    doc.add_paragraph("")
    doc.add_paragraph("Приложение 1 к приказу от {{ date }} № {{ number }}: {{ policy.name }} (прилагается).")
    doc.add_paragraph("{%p if has_roadmap %}")
    doc.add_paragraph("Приложение 2 к приказу от {{ date }} № {{ number }}")
    centered(doc, "Дорожная карта (план мероприятий) по реализации Положения о системе наставничества", True)
    columns = ("№", "Этап", "Мероприятие", "Срок", "Ответственный", "Результат (вид документа)")
    table = doc.add_table(rows=4, cols=len(columns))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, columns, strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for row in roadmap %}"
    for cell, text in zip(
        table.rows[2].cells,
        ("{{ loop.index }}", "{{ row.stage }}", "{{ row.title }}", "{{ row.period }}", "{{ row.responsible }}",
         "{{ row.result }}"),
        strict=True,
    ):  # fmt: skip
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    doc.add_paragraph("{%p endif %}")
    return doc


def _introduction_order() -> DocxDocument:
    doc = blank_document()
    order_header(doc, "О внедрении целевой модели наставничества")
    doc.add_paragraph(
        "В соответствии с {{ basis }}, в целях внедрения целевой модели наставничества в {{ school.short_name }}"
    )
    doc.add_paragraph("ПРИКАЗЫВАЮ:")
    doc.add_paragraph(
        "1. Внедрить целевую модель наставничества в {{ school.short_name }} с {{ since }} по {{ until }}."
    )
    doc.add_paragraph(
        "2. Назначить куратором внедрения целевой модели наставничества {{ curator.accusative }}"
        "{% if curator.position %} ({{ curator.position }}){% endif %}."
    )
    doc.add_paragraph(
        "3. Куратору {{ curator.dative }} разработать Положение о системе наставничества и дорожную карту его "
        "реализации, сформировать базы наставников и наставляемых, организовать разработку персонализированных "
        "программ наставничества и мониторинг их реализации."
    )
    doc.add_paragraph("4. Планируемые результаты внедрения целевой модели наставничества:")
    for result in (
        "— увеличение доли педагогов и обучающихся, вовлечённых в наставничество;",
        "— сокращение времени адаптации молодых и вновь принятых педагогов, закрепление их в организации;",
        "— разработка и реализация персонализированных программ наставничества для каждой пары (группы);",
        "— создание базы наставников и наставляемых, мониторинг эффективности программ наставничества.",
    ):
        doc.add_paragraph(result)
    doc.add_paragraph("5. Контроль исполнения приказа оставляю за собой.")
    doc.add_paragraph("")
    doc.add_paragraph("Руководитель ____________________ / ____________________")
    doc.add_paragraph("С приказом ознакомлен(а): ____________________ {{ curator.short_name }}")
    return doc


def _early_end_order() -> DocxDocument:
    doc = blank_document()
    order_header(doc, "О досрочном прекращении наставничества")
    doc.add_paragraph("В соответствии с Положением о системе наставничества, на основании: {{ reason }}")
    doc.add_paragraph("ПРИКАЗЫВАЮ:")
    doc.add_paragraph(
        "1. Досрочно прекратить с {{ ended_on }} наставничество {{ mentors_genitive }} в отношении "
        "{{ mentees_genitive }}{% if pair_order %}, закреплённое приказом «{{ pair_order }}»{% endif %}. "
        "Причина: {{ reason }}."
    )
    doc.add_paragraph(
        "2. Куратору{% if curator.full_name %} {{ curator.dative }}{% endif %} внести изменения в базы "
        "наставников и наставляемых и продолжить поиск наставника для наставляемого (при необходимости)."
    )
    control_clause(doc, 3)
    return doc


def _incentives_order() -> DocxDocument:
    doc = blank_document()
    order_header(doc, "О поощрении наставников")
    doc.add_paragraph(
        "За добросовестную наставническую деятельность, в соответствии с Положением о системе наставничества и "
        "локальными актами о мерах стимулирования наставников"
    )
    doc.add_paragraph("ПРИКАЗЫВАЮ:")
    loop_paragraphs(doc, "for line in lines", "{{ loop.index }}. {{ line.text }}")
    control_clause(doc, "{{ lines|length + 1 }}")
    return doc


def _consent() -> DocxDocument:
    doc = blank_document()
    centered(doc, "{{ title }}", bold=True)
    doc.add_paragraph(
        "Я, {% if consent.by_representative %}{{ consent.representative_name }}, {{ consent.representative_relation }}, "
        "документ: {{ consent.representative_document }}, действуя как законный представитель "
        "{{ person.full_name }}{% if person.birth_date %}, {{ person.birth_date }} г. р.{% endif %}"
        "{% else %}{{ person.full_name }}{% if person.birth_date %}, {{ person.birth_date }} г. р.{% endif %}"
        "{% endif %}, даю согласие {{ school.name }} (ИНН {{ school.inn }})"
    )
    doc.add_paragraph(
        "{% if consent.kind == 'participation' %}на участие в программе наставничества в соответствии с "
        "Положением о наставничестве образовательной организации.{% else %}на обработку персональных данных "
        "(фамилия, имя, отчество, дата рождения, класс или должность, контактные данные, сведения об участии в "
        "программе наставничества) в целях реализации программы наставничества в соответствии с Федеральным "
        "законом от 27.07.2006 № 152-ФЗ «О персональных данных».{% endif %}"
    )
    doc.add_paragraph(
        "Согласие действует с {{ valid_from }}{% if valid_until %} по {{ valid_until }}{% else %} до его отзыва{% endif %} "
        "и может быть отозвано письменным заявлением."
    )
    doc.add_paragraph("")
    doc.add_paragraph("«___» ____________ 20__ г.        ____________________ / {{ signer_short }}")
    return doc


def _erasure_act() -> DocxDocument:
    doc = blank_document()
    centered(doc, "{{ school.name }}", bold=True)
    centered(doc, "АКТ № {{ number }}", bold=True)
    centered(doc, "об уничтожении персональных данных")
    doc.add_paragraph("Дата: {{ date }}")
    doc.add_paragraph(
        "На основании обращения субъекта персональных данных (его законного представителя) уничтожены "
        "персональные данные: {{ subject }}."
    )
    doc.add_paragraph("Уничтожены сведения:")
    doc.add_paragraph("{% for line in lines %}— {{ line }}\n{% endfor %}")
    doc.add_paragraph(
        "Способ уничтожения: удаление записей из информационной системы «Наставник» и файлов сканов."
    )
    doc.add_paragraph("Уничтожение выполнил(а): {{ performed_by }}")
    doc.add_paragraph("")
    doc.add_paragraph(
        "Ответственный за обработку персональных данных ____________________ / ____________________"
    )
    return doc


BUILDERS: dict[str, Callable[[], DocxDocument]] = {
    "order_curator": _curator_order,
    "order_pairs": _pairs_order,
    "order_policy": _policy_order,
    "order_introduction": _introduction_order,
    "order_early_end": _early_end_order,
    "order_incentives": _incentives_order,
    "consent": _consent,
    "erasure_act": _erasure_act,
    "programme": _programme,
    "round_note": _round_note,
    "annual_report": _annual_report,
}


@cache
def default_template(kind: str) -> bytes:
    buffer = io.BytesIO()
    BUILDERS[kind]().save(buffer)
    return buffer.getvalue()
