"""The built-in DOCX templates of the programme and of the reports: the round's analytical note and the
curator's yearly report (docxtpl/Jinja placeholders, built with python-docx like defaults.py)."""

from docx.document import Document as DocxDocument

from core.documents.docx_parts import blank_document, centered, loop_table


def _programme() -> DocxDocument:
    doc = blank_document()
    centered(doc, "{{ school.name }}", bold=True)
    centered(doc, "ПЕРСОНАЛИЗИРОВАННАЯ ПРОГРАММА НАСТАВНИЧЕСТВА", bold=True)
    centered(doc, "(индивидуальный план развития под руководством наставника)")
    doc.add_paragraph("Форма наставничества: «{{ form }}». Ролевая модель: «{{ role_model }}».")
    doc.add_paragraph("Наставляемый: {{ mentees }}")
    doc.add_paragraph("Наставник: {{ mentors }}")
    doc.add_paragraph("Срок осуществления плана: с {{ starts_on }} по {{ ends_on }}.")
    doc.add_paragraph(
        "Этап: {{ stage }}. Статус: {{ status }}.{% if version %} Утверждена (версия {{ version }}) "
        "{{ approved_on }}.{% endif %}"
    )
    # docxtpl: a «{%tr %}» tag takes its whole row, so the loop needs a row of its own on each side.
    table = doc.add_table(rows=4, cols=6)
    table.style = "Table Grid"
    heads = (
        "№",
        "Проект, задание",
        "Срок",
        "Планируемый результат",
        "Фактический результат",
        "Оценка наставника",
    )
    for cell, text in zip(table.rows[0].cells, heads, strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for row in rows %}"
    cells = table.rows[2].cells
    cells[0].text = "{{ row.number }}"
    cells[1].text = "{{ row.text }}{% if row.note %} ({{ row.note }}){% endif %}"
    cells[2].text = "{{ row.due_date }}"
    cells[3].text = "{{ row.planned_result }}"
    cells[4].text = "{{ row.result }}"
    cells[5].text = "{{ row.assessment }}"
    table.rows[3].cells[0].text = "{%tr endfor %}"
    doc.add_paragraph("")
    doc.add_paragraph("Подпись наставника ____________________   «___» ____________ 20__ г.")
    doc.add_paragraph("Подпись наставляемого ____________________   «___» ____________ 20__ г.")
    doc.add_paragraph("Согласовано: куратор ____________________   «___» ____________ 20__ г.")
    return doc


def _round_note() -> DocxDocument:
    doc = blank_document()
    centered(doc, "АНАЛИТИЧЕСКАЯ СПРАВКА", bold=True)
    doc.add_paragraph(
        "по итогам мониторинга внедрения целевой модели наставничества «{{ title }}», {{ municipality }}, "
        "срок — {{ due_date }}."
    )
    doc.add_paragraph(
        "Образовательных организаций в раунде: {{ schools }}; проверено полностью: {{ reviewed }}; "
        "замечаний: {{ remarks_count }}; без данных (школа ещё ничего не внесла): {{ no_data }}."
    )
    doc.add_paragraph(
        "Выполнение чек-листа на старте раунда ({{ start_on }}): {{ start_percent }}; {{ end_label }} "
        "({{ end_on }}): {{ end_percent }}.{% if previous_title %} На срок предыдущего раунда «{{ previous_title }}»: "
        "{{ previous_percent }}.{% endif %}"
    )
    table = doc.add_table(rows=4, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ("Пункт чек-листа", "Выполнено (авто)", "Замечаний"), strict=True
    ):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for item in items %}"
    cells = table.rows[2].cells
    cells[0].text, cells[1].text, cells[2].text = "{{ item.title }}", "{{ item.done }}", "{{ item.remarks }}"
    table.rows[3].cells[0].text = "{%tr endfor %}"
    doc.add_paragraph("")
    doc.add_paragraph("Замечания:")
    doc.add_paragraph(
        "{% for remark in remarks %}{{ remark.school }} — {{ remark.item }}: {{ remark.comment }} "
        "(автопроверка: {{ remark.auto_state }})\n{% else %}нет{% endfor %}"
    )
    doc.add_paragraph("")
    doc.add_paragraph("Дата: {{ date }}        ____________________ / ____________________")
    return doc


def _annual_report() -> DocxDocument:
    """The curator's yearly report: the layout and wording the code-built report had (core/reporting)."""
    doc = blank_document()
    doc.add_heading(
        "Итоговый аналитический отчёт о реализации целевой модели наставничества за {{ year }} год", 1
    )
    doc.add_paragraph("{{ school.name }}")
    doc.add_heading("1. Наставнические пары и группы", 2)
    doc.add_paragraph("Работало пар и групп: {{ pairs_count }}.")
    counted = ("{{ row.name }}", "{{ row.count }}")
    loop_table(doc, ("Форма наставничества", "Пар и групп"), "for row in by_form", counted)
    loop_table(doc, ("Ролевая модель", "Пар и групп"), "for row in by_role_model", counted)
    doc.add_heading("2. Персонализированные программы и их результаты", 2)
    doc.add_paragraph("Программ: {{ programmes_count }}; завершено за год: {{ programmes_completed }}.")
    loop_table(doc, ("Статус программы", "Программ"), "for row in programmes", counted)
    doc.add_heading("3. Динамика (мониторинг, этап 2: на входе и на выходе)", 2)
    doc.add_paragraph("{%p if dynamics %}")
    loop_table(
        doc,
        ("Показатель", "На входе (среднее)", "На выходе (среднее)", "Участников"),
        "for row in dynamics",
        ("{{ row.measure }}", "{{ row.entry }}", "{{ row.exit }}", "{{ row.people }}"),
    )
    doc.add_paragraph("{%p else %}")
    doc.add_paragraph("Анкеты на входе и на выходе за год не заполнены.")
    doc.add_paragraph("{%p endif %}")
    doc.add_heading("4. Удовлетворённость участников", 2)
    doc.add_paragraph(
        "{% if satisfaction %}Средняя удовлетворённость (1–10): {{ satisfaction }}.{% else %}Анкеты "
        "удовлетворённости не заполнены.{% endif %}"
    )
    doc.add_heading("5. Поощрение наставников", 2)
    doc.add_paragraph("Поощрений за год: {{ incentives_count }}.")
    doc.add_paragraph("{%p if incentives %}")
    loop_table(doc, ("Вид поощрения", "Количество"), "for row in incentives", counted)
    doc.add_paragraph("{%p endif %}")
    doc.add_heading("6. Обучение наставников", 2)
    doc.add_paragraph("Курсов (обучений): {{ trainings }}; часов: {{ training_hours }}.")
    doc.add_heading("7. Кого включить в базу наставляемых (ежегодная актуализация)", 2)
    doc.add_paragraph("{%p if recheck %}")
    loop_table(doc, ("ФИО", "Основание"), "for row in recheck", ("{{ row.full_name }}", "{{ row.reason }}"))
    doc.add_paragraph("{%p else %}")
    doc.add_paragraph("Педагогов, которых нужно включить в наставничество в качестве наставляемых, нет.")
    doc.add_paragraph("{%p endif %}")
    return doc
