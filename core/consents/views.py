from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from core.access import school_staff_required
from core.audit.services import audit_log
from core.consents.forms import ConsentForm, WithdrawForm
from core.consents.models import Consent
from core.consents.services import consent_create, consent_document, consent_withdraw
from core.people.selectors import person_get
from tenants.context import request_school, request_user

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@school_staff_required
@require_POST
def consent_new(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_get(pk=pk)
    form = ConsentForm(request.POST, person=person)
    if form.is_valid():
        try:
            consent_create(
                person=person,
                data=form.cleaned_data,
                scan=request.FILES.get("scan"),
                actor=request_user(request),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("school-person", pk=person.pk)
        messages.success(request, "Согласие добавлено.")
    else:
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
    return redirect("school-person", pk=person.pk)


@school_staff_required
@require_POST
def consent_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    consent = get_object_or_404(Consent, pk=pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            consent_withdraw(
                consent=consent,
                on=form.cleaned_data["withdrawn_on"],
                reason=form.cleaned_data["reason"],
                actor=request_user(request),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Согласие отозвано.")
    else:
        messages.error(request, "Укажите дату отзыва.")
    return redirect("school-person", pk=consent.person_id)


@school_staff_required
@require_GET
def consent_document_view(request: HttpRequest, pk: int) -> HttpResponse:
    consent = get_object_or_404(Consent.objects.select_related("person"), pk=pk)
    content = consent_document(consent=consent, school=request_school(request))  # type: ignore[arg-type]
    response = HttpResponse(content, content_type=DOCX)
    name = f"Согласие_{consent.person.last_name}_{consent.get_kind_display()[:20]}.docx".replace(" ", "_")
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    return response


@school_staff_required
@require_GET
def consent_scan_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    consent = get_object_or_404(Consent, pk=pk)
    if not consent.scan:
        return redirect("school-person", pk=consent.person_id)
    audit_log(actor=request_user(request), action="scan_download", obj=consent)
    return FileResponse(
        consent.scan.open("rb"), as_attachment=True, filename=consent.scan.name.rsplit("/", 1)[-1]
    )
