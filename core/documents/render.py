"""Filling DOCX templates. The region's uploaded template wins over the built-in one."""

import io
from typing import Any

from django.core.exceptions import ValidationError
from docxtpl import DocxTemplate
from jinja2 import TemplateError

from core.documents.defaults import default_template


def template_bytes(kind: str) -> bytes:
    from regional.models import DocumentTemplate

    custom = DocumentTemplate.objects.filter(kind=kind).first()
    if custom is not None:
        with custom.file.open("rb") as handle:
            return handle.read()
    return default_template(kind)


def docx_render(*, kind: str, context: dict[str, Any], template: bytes | None = None) -> bytes:
    """Render with autoescape, so «&» or «<» in a school's or person's name stays text in the XML."""
    doc = DocxTemplate(io.BytesIO(template if template is not None else template_bytes(kind)))
    try:
        doc.render(context, autoescape=True)
    except TemplateError as error:
        raise ValidationError(f"Ошибка в шаблоне документа: {error}", code="template_error") from error
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def ru_date(value: Any) -> str:
    return value.strftime("%d.%m.%Y") if value else ""
