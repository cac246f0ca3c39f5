from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import school_staff_required
from core.audit.models import AuditEntry
from core.audit.services import audit_log
from core.consents.forms import ConsentForm, WithdrawForm
from core.consents.selectors import consent_check, people_due_own_consent
from core.partials import is_htmx
from core.people.forms import BankEntryForm, PersonForm
from core.people.importing import PEOPLE_COLUMNS, people_rows_check
from core.people.models import BankEntry, Category, Person
from core.people.rights import person_erase, person_export
from core.people.selectors import (
    bank_list,
    person_duplicate_ids,
    person_duplicates_for,
    person_get,
    person_is_minor,
    person_list,
)
from core.people.services import (
    bank_entry_save,
    bank_entry_set_status,
    bank_status_next,
    people_import,
    person_create,
    person_link_user,
    person_update,
)
from tenants.catalogues import bank_request_names
from tenants.context import request_user, school_of
from tenants.importing import template_xlsx
from tenants.models import Membership, Role, School
from tenants.numbers import number_or_none
from tenants.selectors import user_school_roles


@school_staff_required
@require_GET
def people_list(request: HttpRequest) -> HttpResponse:
    search, category = request.GET.get("q", ""), request.GET.get("category", "")
    page = Paginator(person_list(search=search, category=category), 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "school/people_list.html",
        {
            "page": page,
            "search": search,
            "category": category,
            "categories": Category.choices,
            "duplicates": person_duplicate_ids(),
            "due_own_consent": people_due_own_consent(on=timezone.localdate()),
            "query": query.urlencode(),
        },
    )


@school_staff_required
@require_http_methods(["GET", "POST"])
def person_new(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        duplicates = _unconfirmed_duplicates(request, form.cleaned_data, exclude_pk=None)
        if duplicates:
            return _duplicates_warning(request, form, duplicates, person=None)
        person = person_create(data=form.cleaned_data, actor=request_user(request))
        messages.success(request, f"{person.full_name} добавлен(а).")
        return redirect("school-person", pk=person.pk)
    return render(request, "school/person_form.html", {"form": form}, status=400 if form.errors else 200)


def _unconfirmed_duplicates(
    request: HttpRequest, data: dict[str, Any], *, exclude_pk: int | None
) -> list[Person]:
    """People this form would duplicate, unless the curator has already said «сохранить всё равно»."""
    if request.POST.get("confirm_duplicate"):
        return []
    return person_duplicates_for(data=data, exclude_pk=exclude_pk)


def _duplicates_warning(
    request: HttpRequest, form: PersonForm, duplicates: list[Person], *, person: Person | None
) -> HttpResponse:
    # 409: nothing saved; the same form comes back with the people it matches and a «сохранить всё равно».
    return render(
        request,
        "school/person_form.html",
        {"form": form, "person": person, "duplicates": duplicates},
        status=409,
    )


@school_staff_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_get(pk=pk)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        duplicates = _unconfirmed_duplicates(request, form.cleaned_data, exclude_pk=person.pk)
        if duplicates:
            return _duplicates_warning(request, form, duplicates, person=person)
        person_update(person=person, data=form.cleaned_data, actor=request_user(request))
        messages.success(request, "Сохранено.")
        return redirect("school-person", pk=person.pk)
    return render(
        request,
        "school/person_form.html",
        {"form": form, "person": person},
        status=400 if form.errors else 200,
    )


@school_staff_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_get(pk=pk)
    today = timezone.localdate()
    minor = person_is_minor(person, today)
    if minor:
        audit_log(actor=request_user(request), action="view", obj=person)
    return render(
        request,
        "school/person_detail.html",
        {
            "person": person,
            "minor": minor,
            "check": consent_check(person=person, on=today),
            "consents": person.consents.all(),
            "bank_entries": _with_request_names(person.bank_entries.all()),
            "bank_form": BankEntryForm(),
            "consent_form": ConsentForm(
                person=person, initial={"valid_from": today, "by_representative": minor}
            ),
            "withdraw_form": WithdrawForm(initial={"withdrawn_on": today}),
            "logins": _school_logins(school_of(request)),
            "journal": AuditEntry.objects.filter(object_type="person", object_id=str(person.pk))[:20],
        },
    )


@school_staff_required
@require_POST
def person_bank(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_get(pk=pk)
    form = BankEntryForm(request.POST)
    if form.is_valid():
        try:
            entry = bank_entry_save(
                person=person, data=form.cleaned_data, actor=request_user(request), school=school_of(request)
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Сохранено: {entry.get_bank_display()}.")
    else:
        messages.error(request, "; ".join(str(m) for ms in form.errors.values() for m in ms))
    return redirect("school-person", pk=person.pk)


def _with_request_names(entries: Iterable[BankEntry]) -> list[BankEntry]:
    """Entries with ``request_names`` (their requests by the catalogue's names): one catalogue query."""
    names = bank_request_names()
    entries = list(entries)
    for entry in entries:
        entry.request_names = entry.request_labels(names)  # type: ignore[attr-defined]
    return entries


def _school_logins(school: School) -> list[Membership]:
    return list(
        Membership.objects.filter(school=school, role__in=[Role.MENTOR, Role.MENTEE]).select_related("user")
    )


@school_staff_required
@require_POST
def person_link_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_get(pk=pk)
    raw = request.POST.get("user_id", "")
    members = {m.user_id for m in _school_logins(school_of(request))}
    try:
        person_link_user(
            person=person,
            user_id=number_or_none(raw),
            school_member_ids=members,
            actor=request_user(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Связь с учётной записью сохранена.")
    return redirect("school-person", pk=person.pk)


def _bank_page(
    request: HttpRequest,
    bank: str,
    *,
    editing: BankEntry | None = None,
    form: BankEntryForm | None = None,
    status: int = 200,
) -> HttpResponse:
    status_filter = request.GET.get("status", "")
    roles = user_school_roles(request_user(request), school_of(request))
    entries = _bank_rows(bank_list(bank=bank, status=status_filter), roles)
    return render(
        request,
        "school/bank.html",
        {
            "bank": BankEntry.Bank(bank),
            "entries": entries,
            "status": status_filter,
            "statuses": BankEntry.Status.choices,
            "editing": editing.pk if editing else None,
            "form": form,
        },
        status=status,
    )


def _bank_rows(entries: Iterable[BankEntry], roles: set[str]) -> list[BankEntry]:
    """Entries as their rows show them: requests by name, and only the status steps these roles may take."""
    rows = _with_request_names(entries)
    for entry in rows:
        entry.next_statuses = [  # type: ignore[attr-defined]
            (s, BankEntry.Status(s).label) for s in bank_status_next(status=entry.status, roles=roles)
        ]
        entry.may_approve = any(s == BankEntry.Status.APPROVED for s, _ in entry.next_statuses)  # type: ignore[attr-defined]
    return rows


def _bank_row(
    request: HttpRequest,
    entry: BankEntry,
    *,
    form: BankEntryForm | None = None,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    """One bank row for htmx: shown, or open for editing with its errors."""
    roles = user_school_roles(request_user(request), school_of(request))
    context = {
        "e": _bank_rows([entry], roles)[0],
        "bank": BankEntry.Bank(entry.bank),
        "statuses": BankEntry.Status.choices,
        "editing": form is not None,
        "form": form,
        **extra,
    }
    return render(request, "school/partials/bank_row.html", context, status=status)


def _bank_entry(pk: int) -> BankEntry:
    return get_object_or_404(BankEntry.objects.select_related("person"), pk=pk)


@school_staff_required
@require_GET
def bank_view(request: HttpRequest, bank: str) -> HttpResponse:
    if bank not in BankEntry.Bank.values:
        return redirect("school-bank", bank=BankEntry.Bank.MENTOR)
    return _bank_page(request, bank)


@school_staff_required
@require_POST
def bank_entry_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The status changed from the row (htmx: the row comes back, with the reason if refused)."""
    entry = _bank_entry(pk)
    status = request.POST.get("status", "")
    error = ""
    try:
        entry = bank_entry_set_status(
            entry=entry, status=status, actor=request_user(request), school=school_of(request)
        )
    except ValidationError as refused:
        error = " ".join(refused.messages)
    except PermissionDenied as refused:  # a step of another role: the reason in the row, not a 403 page
        error = str(refused)
    if is_htmx(request):
        if error:
            entry.refresh_from_db()
            return _bank_row(request, entry, status=400, status_errors=[error])
        return _bank_row(request, entry, status_done="Сохранено.")
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"{entry.person.short_name}: {BankEntry.Status(status).label}.")
    return redirect("school-bank", bank=entry.bank)


@school_staff_required
@require_http_methods(["GET", "POST"])
def bank_entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Requests, competencies, subjects and capacity of one bank row, edited in place."""
    entry = _bank_entry(pk)
    if request.method == "GET":
        form = BankEntryForm(instance=entry)
        if is_htmx(request):
            return _bank_row(request, entry, form=form)
        return _bank_page(request, entry.bank, editing=entry, form=form)
    data = request.POST.copy()
    data["bank"] = entry.bank  # a row edits its own bank entry, never moves it to the other bank
    form = BankEntryForm(data, instance=entry)
    if not form.is_valid():
        entry.refresh_from_db()  # the form copied the refused values onto it
        if is_htmx(request):
            return _bank_row(request, entry, form=form, status=400)
        return _bank_page(request, entry.bank, editing=entry, form=form, status=400)
    entry = bank_entry_save(
        person=entry.person, data=form.cleaned_data, actor=request_user(request), school=school_of(request)
    )
    if is_htmx(request):
        return _bank_row(request, entry)
    messages.success(request, f"{entry.person.short_name}: сохранено.")
    return redirect("school-bank", bank=entry.bank)


@school_staff_required
@require_GET
def bank_entry_row(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _bank_entry(pk)
    if is_htmx(request):
        return _bank_row(request, entry)
    return redirect("school-bank", bank=entry.bank)


@school_staff_required
@require_GET
def person_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_get(pk=pk)
    data = person_export(person=person, actor=request_user(request))
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = (
        content_disposition_header(True, f"Данные_{person.last_name}.json") or ""
    )
    return response


@school_staff_required
@require_http_methods(["GET", "POST"])
def person_erase_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_get(pk=pk)
    if request.method == "POST":
        if request.POST.get("confirmation", "").strip().lower() != person.last_name.lower():
            messages.error(request, f"Введите фамилию «{person.last_name}», чтобы подтвердить удаление.")
            return render(request, "school/person_erase.html", {"person": person}, status=400)
        record = person_erase(person=person, school=school_of(request), actor=request_user(request))
        # Back to the list (the person's pages no longer exist), with the act one click away: answering
        # the POST with the file left the browser on the deleted person's form.
        messages.success(
            request,
            format_html(
                'Данные удалены. Составлен акт № {} об уничтожении персональных данных: <a href="{}">скачать акт</a>.',
                record.number,
                reverse("school-erasure-document", args=[record.pk]),
            ),
        )
        return redirect("school-people")
    return render(request, "school/person_erase.html", {"person": person})


# --- import ---------------------------------------------------------------------------------------------

_IMPORT_SESSION_KEY = "people_import"


@school_staff_required
@require_http_methods(["GET", "POST"])
def people_import_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and "confirm" in request.POST:
        rows = request.session.pop(_IMPORT_SESSION_KEY, None)
        if not rows or any(r["errors"] for r in rows):
            messages.error(request, "Сначала загрузите файл без ошибок.")
            return redirect("school-people-import")
        created = people_import(rows=[r["cleaned"] for r in rows], actor=request_user(request))
        messages.success(request, f"Добавлено участников: {len(created)}.")
        return redirect("school-people")
    rows, error, status = None, "", 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError("Выберите файл XLSX или CSV.")
            rows = people_rows_check(content=upload.read(), file_name=upload.name or "")
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 400
        else:
            request.session[_IMPORT_SESSION_KEY] = rows
            status = 400 if any(r["errors"] for r in rows) else 200
    return render(
        request,
        "school/people_import.html",
        {"rows": rows, "error": error, "has_errors": bool(rows and any(r["errors"] for r in rows))},
        status=status,
    )


@school_staff_required
@require_GET
def people_import_template(request: HttpRequest) -> HttpResponse:
    example = ["Иванова", "Мария", "Петровна", "обучающийся", "2012-03-15", "7Б", "", "", "", "", ""]
    content = template_xlsx(
        columns=PEOPLE_COLUMNS,
        title="Участники",
        example=example,
        notes=[
            ("Категория", "педагог, обучающийся, родитель, выпускник, внешний участник"),
            ("Даты", "ДД.ММ.ГГГГ или ГГГГ-ММ-ДД"),
            ("Класс", "например 7Б"),
        ],
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(True, "Шаблон_участников.xlsx") or ""
    return response
