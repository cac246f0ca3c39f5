"""Seed 003's ИПР templates read straight from the seed's text (tests/seeds/003_ipr_templates.txt is the
seed's section «ТИПОВЫЕ ИНДИВИДУАЛЬНЫЕ ПЛАНЫ РАЗВИТИЯ…» copied byte for byte; test_programme_templates checks
that against /work/shared/seeds when that file is present).

The seed is a table flattened to tab-separated lines: «№ ⇥ Проект, задание ⇥ Срок ⇥ Планируемый результат ⇥
Фактический результат ⇥ Оценка наставника». A row broken by a page («3.5.») continues on a line with an empty
number; «.....» rows are the blank lines to add one's own tasks; «<sup>n</sup>» are footnote marks.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

EXCERPT = Path(__file__).with_name("003_ipr_templates.txt")
SEED_FILE = Path("/work/shared/seeds/003_00f221d5d6f8327f.txt")


@dataclass
class Task:
    number: str
    task: str
    term: str
    planned_result: str


@dataclass
class Section:
    title: str
    tasks: list[Task] = field(default_factory=list)


@dataclass
class Template:
    heading: str
    sections: list[Section] = field(default_factory=list)

    @property
    def tasks(self) -> list[Task]:
        return [task for section in self.sections for task in section.tasks]


def _text(cell: str) -> str:
    cell = re.sub(r"<sup>\d+</sup>", "", cell)
    cell = re.sub(r"</?b>", "", cell).replace("**", "").replace("\\_", "_")
    return re.sub(r"^#+ ", "", cell.strip()).strip()


def seed_templates(text: str | None = None) -> list[Template]:
    text = EXCERPT.read_text(encoding="utf-8") if text is None else text
    templates: list[Template] = []
    for line in text.split("\n"):
        if line.startswith("Форма наставничества: «"):
            templates.append(Template(heading=line.strip()))
            continue
        if not templates:
            continue
        current = templates[-1]
        if _text(line).startswith("Раздел "):
            current.sections.append(Section(title=_text(line)))
            continue
        cells = line.split("\t")
        if len(cells) < 4 or not current.sections:
            continue
        number = cells[0].strip()
        if not number and current.sections[-1].tasks:  # the rest of a row broken by a page
            last = current.sections[-1].tasks[-1]
            last.task = f"{last.task} {_text(cells[1])}"
            last.planned_result = f"{last.planned_result} {_text(cells[3])}"
        elif re.match(r"\d", number) and not _text(cells[1]).startswith("....."):
            current.sections[-1].tasks.append(Task(number, _text(cells[1]), _text(cells[2]), _text(cells[3])))
    return templates
