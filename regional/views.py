"""Region site pages. Thin: forms validate, services act, selectors read."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from regional.forms import BatchUploadForm, MunicipalityForm, SchoolDeleteForm
from regional.selectors import (
    batch_progress,
    batch_rows_summary,
    municipalities_for_user,
    school_get_for_user,
    school_list_filtered,
)
from tenants.context import request_user
from tenants.forms import InvitationForm, SchoolOnboardForm
from tenants.importing import SCHOOL_COLUMNS, template_xlsx
from tenants.models import Invitation, Membership, Municipality, OnboardingBatch, Role, School
from tenants.onboarding import (
    batch_confirm,
    batch_refresh_status,
    batch_upload,
    school_archive,
    school_delete,
    school_onboard,
    school_provision_retry,
    school_unarchive,
)
from tenants.schema_names import school_host
from tenants.selectors import user_is_regional_admin
from tenants.services import invitation_create, invitation_resend
from tenants.urls_util import site_url


def regional_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not user_is_regional_admin(request.user):
            raise PermissionDenied("Доступно администратору региона.")
        return view(request, *args, **kwargs)

    return wrapper


def _int(value: str | None) -> int | None:
    try:
        return int(value or 0) or None
    except ValueError:
        return None


def _messages_from(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


# --- schools ------------------------------------------------------------------------------------------


@require_GET
def school_list(request: HttpRequest) -> HttpResponse:
    params: dict[str, Any] = {
        "search": request.GET.get("q", ""),
        "municipality_id": _int(request.GET.get("municipality")),
        "kind": request.GET.get("kind", ""),
        "status": request.GET.get("status", ""),
        "sort": request.GET.get("sort", "municipality"),
    }
    schools = school_list_filtered(user=request.user, **params)
    page = Paginator(schools, 25).get_page(request.GET.get("page"))
    for school in page.object_list:
        school.url = site_url(school_host(school.slug))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "region/school_list.html",
        {
            "page": page,
            "params": params,
            "query": query.urlencode(),
            "municipalities": municipalities_for_user(user=request.user),
            "kinds": School.Kind.choices,
            "statuses": School.Status.choices,
            "is_admin": user_is_regional_admin(request.user),
        },
    )


@regional_admin_required
@require_http_methods(["GET", "POST"])
def school_onboard_view(request: HttpRequest) -> HttpResponse:
    form = SchoolOnboardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            school = school_onboard(data=form.cleaned_data, actor=request_user(request))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Школа «{school.short_name}» создаётся. Страница обновится сама.")
            return redirect("region-school-detail", pk=school.pk)
    return render(request, "region/school_form.html", {"form": form})


@require_GET
def school_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_get_for_user(user=request.user, pk=pk)
    is_admin = user_is_regional_admin(request.user)
    # htmx polls the card every 2 s while the school's schema is being created: the card alone, not the page.
    template = "region/partials/school_card.html" if getattr(request, "htmx", False) else None
    return render(
        request,
        template or "region/school_detail.html",
        {
            "school": school,
            "url": site_url(school_host(school.slug)),
            "is_admin": is_admin,
            "invitations": Invitation.objects.filter(school=school).order_by("-created_at")
            if is_admin
            else [],
            "members": Membership.objects.filter(school=school).select_related("user").order_by("role")
            if is_admin
            else [],
            "invite_form": InvitationForm(roles=[Role.SCHOOL_ADMIN, Role.CURATOR]) if is_admin else None,
        },
    )


@require_GET
def school_status(request: HttpRequest, pk: int) -> JsonResponse:
    school = school_get_for_user(user=request.user, pk=pk)
    return JsonResponse(
        {"status": school.status, "label": school.get_status_display(), "error": school.provision_error}
    )


def _school_action(request: HttpRequest, pk: int, action: Callable[..., School], done: str) -> HttpResponse:
    school = school_get_for_user(user=request.user, pk=pk)
    try:
        action(school=school, actor=request_user(request))
    except ValidationError as error:
        for message in _messages_from(error):
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("region-school-detail", pk=school.pk)


@regional_admin_required
@require_POST
def school_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _school_action(request, pk, school_provision_retry, "Создание школы запущено повторно.")


@regional_admin_required
@require_POST
def school_archive_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _school_action(request, pk, school_archive, "Школа переведена в архив: только чтение.")


@regional_admin_required
@require_POST
def school_unarchive_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _school_action(request, pk, school_unarchive, "Школа снова работает.")


@regional_admin_required
@require_http_methods(["GET", "POST"])
def school_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_get_for_user(user=request.user, pk=pk)
    form = SchoolDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            school_delete(
                school=school, actor=request_user(request), confirmation=form.cleaned_data["confirmation"]
            )
        except ValidationError as error:
            form.add_error("confirmation", _messages_from(error))
        else:
            messages.success(request, f"Школа «{school.short_name}» удалена вместе со всеми данными.")
            return redirect("home")
    return render(request, "region/school_delete.html", {"school": school, "form": form})


@regional_admin_required
@require_POST
def school_invite_view(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_get_for_user(user=request.user, pk=pk)
    form = InvitationForm(request.POST, roles=[Role.SCHOOL_ADMIN, Role.CURATOR])
    if form.is_valid():
        try:
            invitation_create(
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                school=school,
                invited_by=request_user(request),
            )
        except ValidationError as error:
            for message in _messages_from(error):
                messages.error(request, message)
        else:
            messages.success(request, f"Приглашение отправлено на {form.cleaned_data['email']}.")
    else:
        messages.error(request, "Проверьте e-mail и роль.")
    return redirect("region-school-detail", pk=school.pk)


@regional_admin_required
@require_POST
def invitation_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        invitation_resend(invitation=invitation, actor=request_user(request))
    except ValidationError as error:
        for message in _messages_from(error):
            messages.error(request, message)
    else:
        messages.success(request, f"Приглашение отправлено повторно на {invitation.email}.")
    if invitation.school_id:
        return redirect("region-school-detail", pk=invitation.school_id)
    return redirect("region-municipality-detail", pk=invitation.municipality_id)


# --- bulk onboarding ----------------------------------------------------------------------------------

TEMPLATE_NOTES = [
    ("Столбец", "Что писать"),
    ("Полное наименование", "Как в уставе"),
    ("Краткое наименование", "Как в уставе; из него предложим адрес, если столбец «Адрес» пуст"),
    ("ИНН", "10 цифр; по ИНН повторная загрузка узнаёт уже подключённые школы"),
    ("ОГРН", "13 цифр"),
    ("КПП", "9 знаков, можно оставить пустым"),
    ("Муниципалитет", "Точно как в справочнике региона"),
    ("Тип", "общеобразовательная, ДО или СПО"),
    ("Адрес", "латиница, цифры и дефис: школа будет доступна по адресу <адрес>.<домен региона>"),
    ("E-mail куратора", "на него придёт приглашение, когда школа будет создана"),
]


@regional_admin_required
@require_GET
def batch_template(request: HttpRequest) -> HttpResponse:
    municipality = Municipality.objects.order_by("name").first()
    example = [
        "Муниципальное общеобразовательное учреждение «Средняя общеобразовательная школа № 1»",
        "МОУ СОШ № 1",
        "6901043237",
        "1026900512345",
        "690101001",
        municipality.name if municipality else "",
        "общеобразовательная",
        "sosh1",
        "curator@school1.ru",
    ]
    content = template_xlsx(columns=SCHOOL_COLUMNS, example=example, notes=TEMPLATE_NOTES)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(True, "Шаблон_подключения_школ.xlsx") or ""
    return response


@regional_admin_required
@require_http_methods(["GET", "POST"])
def batch_upload_view(request: HttpRequest) -> HttpResponse:
    form = BatchUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                batch = batch_upload(upload=form.cleaned_data["file"], actor=request_user(request))
            except ValidationError as error:
                form.add_error("file", _messages_from(error))
            else:
                return redirect("region-batch-detail", pk=batch.pk)
        status = 400
    batches = OnboardingBatch.objects.select_related("created_by")[:10]
    return render(request, "region/batch_upload.html", {"form": form, "batches": batches}, status=status)


@regional_admin_required
@require_http_methods(["GET", "POST"])
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(OnboardingBatch, pk=pk)
    if request.method == "POST":
        try:
            batch = batch_confirm(batch=batch, actor=request_user(request))
        except ValidationError as error:
            for message in _messages_from(error):
                messages.error(request, message)
            return render(
                request,
                "region/batch_detail.html",
                {"batch": batch, "summary": batch_rows_summary(batch.rows), "progress": None},
                status=400,
            )
        messages.success(request, "Список подтверждён: школы создаются.")
        return redirect("region-batch-detail", pk=batch.pk)
    batch = batch_refresh_status(batch=batch)
    # htmx polls the progress block every 2 s while the batch runs: that block alone, not the rows table.
    template = "region/partials/batch_progress.html" if getattr(request, "htmx", False) else None
    return render(
        request,
        template or "region/batch_detail.html",
        {
            "batch": batch,
            "summary": batch_rows_summary(batch.rows),
            "progress": batch_progress(batch=batch)
            if batch.status != OnboardingBatch.Status.PREVIEW
            else None,
        },
    )


@regional_admin_required
@require_GET
def batch_progress_view(request: HttpRequest, pk: int) -> JsonResponse:
    batch = batch_refresh_status(batch=get_object_or_404(OnboardingBatch, pk=pk))
    return JsonResponse({"status": batch.status, **batch_progress(batch=batch)})


# --- municipalities -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def municipality_list(request: HttpRequest) -> HttpResponse:
    is_admin = user_is_regional_admin(request.user)
    form = MunicipalityForm(request.POST or None) if is_admin else None
    if request.method == "POST":
        if not is_admin or form is None:
            raise PermissionDenied("Доступно администратору региона.")
        if form.is_valid():
            municipality = form.save()
            messages.success(request, f"Муниципалитет «{municipality.name}» добавлен.")
            return redirect("region-municipalities")
    return render(
        request,
        "region/municipality_list.html",
        {"municipalities": municipalities_for_user(user=request.user), "form": form, "is_admin": is_admin},
        status=400 if form is not None and form.errors else 200,
    )


@regional_admin_required
@require_http_methods(["GET", "POST"])
def municipality_detail(request: HttpRequest, pk: int) -> HttpResponse:
    municipality = get_object_or_404(Municipality, pk=pk)
    form = MunicipalityForm(request.POST or None, instance=municipality, prefix="m")
    invite_form = InvitationForm(roles=[Role.INSPECTOR], prefix="i")
    status = 200
    if request.method == "POST" and "i-email" in request.POST:
        invite_form = InvitationForm(request.POST, roles=[Role.INSPECTOR], prefix="i")
        if invite_form.is_valid():
            try:
                invitation_create(
                    email=invite_form.cleaned_data["email"],
                    role=Role.INSPECTOR,
                    municipality=municipality,
                    invited_by=request_user(request),
                )
            except ValidationError as error:
                invite_form.add_error("email", _messages_from(error))
            else:
                messages.success(request, f"Приглашение отправлено на {invite_form.cleaned_data['email']}.")
                return redirect("region-municipality-detail", pk=pk)
        status = 400
    elif request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Сохранено.")
            return redirect("region-municipality-detail", pk=pk)
        status = 400
    return render(
        request,
        "region/municipality_detail.html",
        {
            "municipality": municipality,
            "form": form,
            "invite_form": invite_form,
            "inspectors": Membership.objects.filter(
                municipality=municipality, role=Role.INSPECTOR
            ).select_related("user"),
            "invitations": Invitation.objects.filter(municipality=municipality).order_by("-created_at"),
            "school_count": municipality.schools.count(),
        },
        status=status,
    )
