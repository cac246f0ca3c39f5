"""Region site: the DOCX templates of generated documents — replace one, reset it, download it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from core.documents.placeholders import DOCX_PLACEHOLDERS, placeholder_docs
from core.documents.render import template_bytes
from regional.services import document_template_reset, document_template_upload
from regional.views import regional_admin_required
from tenants.catalogues import DocumentTemplate
from tenants.context import request_user

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@regional_admin_required
@require_http_methods(["GET", "POST"])
def document_templates(request: HttpRequest) -> HttpResponse:
    """The region's DOCX templates for generated documents; each can be replaced or reset to the built-in one."""
    status = 200
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        try:
            if request.POST.get("reset"):
                document_template_reset(kind=kind, actor=request_user(request))
                messages.success(request, "Возвращён встроенный шаблон.")
            else:
                upload = request.FILES.get("file")
                if upload is None:
                    raise ValidationError("Выберите файл DOCX.")
                document_template_upload(kind=kind, upload=upload, actor=request_user(request))
                messages.success(request, "Шаблон загружен и проверен.")
            return redirect("region-document-templates")
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            status = 400
    custom = {t.kind: t for t in DocumentTemplate.objects.all()}
    # The placeholders shown are the very list the upload check enforces (core/documents/placeholders.py).
    rows = [
        (kind, label, custom.get(kind), placeholder_docs(DOCX_PLACEHOLDERS[kind]))
        for kind, label in DocumentTemplate.Kind.choices
    ]
    return render(request, "region/document_templates.html", {"rows": rows}, status=status)


@regional_admin_required
@require_GET
def document_template_download(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in DocumentTemplate.Kind.values:
        raise Http404
    response = HttpResponse(template_bytes(kind), content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, f"Шаблон_{kind}.docx") or ""
    return response
