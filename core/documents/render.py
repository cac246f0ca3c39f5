"""Filling DOCX templates. The region's uploaded template wins over the built-in one.

Every template, built-in or uploaded, is rendered in the sandbox (``core.documents.sandbox``) and may only
use the placeholders declared for its kind (``core.documents.placeholders.DOCX_PLACEHOLDERS``).
"""

import io
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from docxtpl import DocxTemplate
from jinja2 import TemplateError

from core.documents.defaults import default_template
from core.documents.placeholders import DOCX_PLACEHOLDERS, context_undeclared, sample_context
from core.documents.sandbox import TemplateRefused, TemplateSandbox
from tenants.uploads import DOCX_LIMITS, zip_bomb_check


def template_bytes(kind: str) -> bytes:
    from tenants.catalogues import DocumentTemplate

    custom = DocumentTemplate.objects.filter(kind=kind).first()
    if custom is not None:
        with custom.file.open("rb") as handle:
            return handle.read()
    return default_template(kind)


def docx_render(*, kind: str, context: dict[str, Any], template: bytes | None = None) -> bytes:
    """Render with autoescape, so «&» or «<» in a school's or person's name stays text in the XML.

    A template that uses anything undeclared (or breaks out of the sandbox) raises ``TemplateRefused``, a
    ValidationError that a view left uncaught turns into a 400 page — never the template's output.
    """
    spec = DOCX_PLACEHOLDERS[kind]
    undeclared = context_undeclared(spec, context)
    if undeclared:  # a programming error: declare the field so template writers can use it
        raise ImproperlyConfigured(
            f"DOCX context for {kind!r} has keys not declared in core/documents/placeholders.py: {undeclared}"
        )
    content = template if template is not None else template_bytes(kind)
    try:
        zip_bomb_check(io.BytesIO(content), limits=DOCX_LIMITS)
        doc = _open(content)
    except ValidationError as error:  # a stored file that is broken or a bomb: a 400 too, not a 500
        raise TemplateRefused(error.messages, code="broken_file") from error
    try:
        # docxtpl sets autoescape on the environment it is given; the sandbox already has it on.
        doc.render(context, jinja_env=TemplateSandbox(spec, autoescape=True))
    except TemplateRefused:
        raise
    except TemplateError as error:  # syntax errors, and SecurityError if the check ever let one through
        raise TemplateRefused(f"Ошибка в шаблоне документа: {error}", code="template_error") from error
    except (ArithmeticError, TypeError, ValueError) as error:  # arithmetic on real values: «{{ name - 1 }}»
        raise TemplateRefused(f"Ошибка в шаблоне документа: {error}", code="template_error") from error
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def docx_template_check(*, kind: str, content: bytes) -> None:
    """Accept an uploaded template only if it is a sane DOCX that renders with its kind's placeholders."""
    if kind not in DOCX_PLACEHOLDERS:
        raise ValidationError("Неизвестный вид документа.", code="template_kind")
    docx_render(kind=kind, context=sample_context(DOCX_PLACEHOLDERS[kind]), template=content)


def _open(content: bytes) -> DocxTemplate:
    doc = DocxTemplate(io.BytesIO(content))
    try:
        doc.init_docx()  # python-docx reads the package here
    except Exception as error:  # BadZipFile, KeyError, lxml's XMLSyntaxError, PackageNotFoundError…
        raise ValidationError("Файл повреждён или это не DOCX.", code="broken_file") from error
    return doc


def ru_date(value: Any) -> str:
    return value.strftime("%d.%m.%Y") if value else ""
