"""Pieces the built-in DOCX templates are made of (python-docx), shared by defaults.py and report_defaults.py."""

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt


def blank_document() -> DocxDocument:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    return doc


def centered(doc: DocxDocument, text: str, bold: bool = False) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = bold


def order_header(doc: DocxDocument, title: str) -> None:
    centered(doc, "{{ school.name }}", bold=True)
    centered(doc, "ПРИКАЗ", bold=True)
    doc.add_paragraph("от {{ date }}\t\t\t\t\t\t\t№ {{ number }}")
    centered(doc, title, bold=True)


def control_clause(doc: DocxDocument, number: int | str) -> None:
    doc.add_paragraph(
        # The initials end the sentence with their own dot: «…на куратора Белову О. С.», never «О. С..».
        f"{number}. Контроль исполнения приказа {{% if curator.full_name %}}возложить на куратора "
        "{{ curator.accusative_short }}{% else %}оставляю за собой.{% endif %}"
    )
    doc.add_paragraph("")
    doc.add_paragraph("Руководитель ____________________ / ____________________")


def loop_paragraphs(doc: DocxDocument, opening: str, *texts: str) -> None:
    """A docxtpl paragraph loop: «{%p … %}» takes its whole paragraph, so the tags sit in their own."""
    doc.add_paragraph("{%p " + opening + " %}")
    for text in texts:
        doc.add_paragraph(text)
    doc.add_paragraph("{%p end" + opening.split()[0] + " %}")


def loop_table(doc: DocxDocument, heads: tuple[str, ...], loop: str, cells: tuple[str, ...]) -> None:
    """A header row, then one row per element (docxtpl: each «{%tr %}» tag takes a whole row of its own)."""
    table = doc.add_table(rows=4, cols=len(heads))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, heads, strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr " + loop + " %}"
    for cell, text in zip(table.rows[2].cells, cells, strict=True):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
