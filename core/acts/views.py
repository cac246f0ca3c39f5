from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.forms import BaseForm
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import school_staff_required
from core.acts.forms import (
    ActRepealForm,
    CuratorOrderForm,
    EarlyEndOrderForm,
    IntroductionOrderForm,
    LocalActEditForm,
    LocalActForm,
    PolicyOrderForm,
    SchoolSettingsForm,
)
from core.acts.models import ActFile, CuratorAppointment, LocalAct
from core.acts.orders import early_end_order_generate, introduction_order_generate, policy_order_generate
from core.acts.selectors import act_journal
from core.acts.services import (
    act_create,
    act_file_add,
    act_repeal,
    act_set_status,
    act_update,
    curator_order_generate,
    school_profile_get,
    school_profile_update,
)
from core.audit.models import ErasureRecord
from tenants.context import request_school, request_user

# The order forms of «Акты и приказы»: the name the page knows each by, and ids of its own (every one has a
# «date», and a label must point at its own field).
ORDER_FORMS: dict[str, tuple[type[BaseForm], str]] = {
    "order_form": (CuratorOrderForm, "order_%s"),
    "policy_form": (PolicyOrderForm, "policy_%s"),
    "introduction_form": (IntroductionOrderForm, "intro_%s"),
    "early_end_form": (EarlyEndOrderForm, "early_%s"),
}


@school_staff_required
@require_http_methods(["GET", "POST"])
def acts_list(request: HttpRequest) -> HttpResponse:
    form = LocalActForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            act = act_create(data=form.cleaned_data, actor=request_user(request))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Акт добавлен. Загрузите его файл.")
            return redirect("school-act", pk=act.pk)
    return _acts_page(request, form=form)


def _acts_page(
    request: HttpRequest, *, form: LocalActForm | None = None, refused: tuple[str, BaseForm] | None = None
) -> HttpResponse:
    """The acts page; ``refused`` is an order form sent back as it was filled (its errors by its fields)."""
    today = timezone.localdate()
    orders = {
        name: form_class(initial={"date": today}, auto_id=auto_id)
        for name, (form_class, auto_id) in ORDER_FORMS.items()
    }
    if refused:
        orders[refused[0]] = refused[1]
    form = form or LocalActForm()
    kind = request.GET.get("kind", "")
    acts = LocalAct.objects.select_related("repealed_by").prefetch_related("files")
    if kind:
        acts = acts.filter(kind=kind)
    return render(
        request,
        "school/acts.html",
        {"acts": acts, "form": form, "kind": kind, "today": today, **orders},
        status=400 if form.errors or refused else 200,
    )


@school_staff_required
@require_http_methods(["GET", "POST"])
def act_detail(request: HttpRequest, pk: int) -> HttpResponse:
    act = get_object_or_404(LocalAct.objects.select_related("repealed_by", "curator"), pk=pk)
    status = 200
    edit_form = LocalActEditForm(instance=act, prefix="edit")
    repeal_form = ActRepealForm(act=act, prefix="repeal")
    if request.method == "POST":
        try:
            if "file" in request.FILES:
                act_file_add(act=act, upload=request.FILES.getlist("file")[0], actor=request_user(request))
                messages.success(request, "Новая версия файла загружена.")
            elif "edit" in request.POST:
                edit_form = LocalActEditForm(
                    request.POST, instance=LocalAct.objects.get(pk=act.pk), prefix="edit"
                )
                if not edit_form.is_valid():
                    raise ValidationError(_form_messages(edit_form))
                act_update(act=act, data=edit_form.cleaned_data, actor=request_user(request))
                messages.success(request, "Изменения сохранены.")
            elif "repeal" in request.POST:
                repeal_form = ActRepealForm(request.POST, act=act, prefix="repeal")
                if not repeal_form.is_valid():
                    raise ValidationError(_form_messages(repeal_form))
                act_repeal(
                    act=act,
                    by=repeal_form.cleaned_data["repealed_by"],
                    on=repeal_form.cleaned_data["repealed_on"],
                    actor=request_user(request),
                )
                messages.success(request, "Отмечено: акт утратил силу.")
            elif "status" in request.POST:
                if request.POST["status"] not in LocalAct.Status.values:
                    raise BadRequest(f"Неизвестный статус акта: «{request.POST['status'][:40]}».")
                act_set_status(act=act, status=request.POST["status"], actor=request_user(request))
                messages.success(request, "Акт утверждён.")
            else:
                raise BadRequest("Неизвестное действие.")
            return redirect("school-act", pk=act.pk)
        except ValidationError as error:
            for message in _error_messages(error):
                messages.error(request, message)
            status = 400
            act.refresh_from_db()
    return render(
        request,
        "school/act_detail.html",
        {
            "act": act,
            "files": act.files.all(),
            "edit_form": edit_form,
            "repeal_form": repeal_form,
            "repeals": act.repeals.all(),
            "in_force_today": act.in_force_on(timezone.localdate()),
            "journal": act_journal(act),
        },
        status=status,
    )


def _form_messages(form: BaseForm) -> list[str]:
    return [
        f"{form.fields[name].label}: {message}" if name in form.fields else str(message)
        for name, errors in form.errors.items()
        for message in errors
    ]


def _error_messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [str(message) for messages_ in error.message_dict.values() for message in messages_]
    return list(error.messages)


@school_staff_required
@require_POST
def curator_order_view(request: HttpRequest) -> HttpResponse:
    # A person of another school is not among this school's teachers: refused by the form, never selected.
    return _order_from_form(request, "order_form", curator_order_generate, done=_curator_generated)


def _curator_generated(request: HttpRequest, act: LocalAct) -> HttpResponse:
    messages.success(request, f"Сформирован приказ № {act.number}. Проверьте его и переведите в «действует».")
    return redirect("school-act", pk=act.pk)


@school_staff_required
@require_GET
def act_file_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    act_file = get_object_or_404(ActFile, pk=pk)
    return FileResponse(
        act_file.file.open("rb"),
        as_attachment=True,
        filename=act_file.original_name,
        content_type=act_file.content_type,
    )


@school_staff_required
@require_GET
def erasure_document(request: HttpRequest, pk: int) -> HttpResponseBase:
    record = get_object_or_404(ErasureRecord, pk=pk)
    return FileResponse(
        record.document.open("rb"), as_attachment=True, filename=f"Акт_уничтожения_{record.number}.docx"
    )


@school_staff_required
@require_http_methods(["GET", "POST"])
def school_settings(request: HttpRequest) -> HttpResponse:
    profile = school_profile_get()
    form = SchoolSettingsForm(request.POST or None, initial={"site_section_url": profile.site_section_url})
    if request.method == "POST" and form.is_valid():
        school_profile_update(
            site_section_url=form.cleaned_data["site_section_url"], actor=request_user(request)
        )
        messages.success(request, "Настройки сохранены.")
        return redirect("school-settings")
    return render(
        request,
        "school/settings.html",
        {"form": form, "appointments": CuratorAppointment.objects.select_related("person", "order")},
        status=400 if form.errors else 200,
    )


def _generated(request: HttpRequest, act: LocalAct) -> HttpResponse:
    messages.success(
        request, f"Сформирован приказ № {act.number} от {act.date:%d.%m.%Y}. Проверьте его и утвердите."
    )
    return redirect("school-act", pk=act.pk)


def _order_from_form(
    request: HttpRequest,
    name: str,
    generate: Callable[..., LocalAct],
    done: Callable[[HttpRequest, LocalAct], HttpResponse] = _generated,
) -> HttpResponse:
    """One generated order: the form's fields are the generator's arguments, its «Дата приказа» is ``on``.

    A refusal (the form's or the generator's) answers 400 with the acts page and this form as it was sent:
    the chosen person stays chosen in the picker and the typed date stays typed, the error under its field.
    """
    form_class, auto_id = ORDER_FORMS[name]
    form = form_class(request.POST, auto_id=auto_id)
    if form.is_valid():
        arguments = dict(form.cleaned_data)
        try:
            act = generate(
                school=request_school(request),
                on=arguments.pop("date"),
                actor=request_user(request),
                **arguments,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return done(request, act)
    # The summary on top names each field: five forms share the page, and the one refused may be far down.
    for message in _form_messages(form):
        messages.error(request, message)
    return _acts_page(request, refused=(name, form))


def _add_errors(form: BaseForm, error: ValidationError) -> None:
    """A generator's refusal on the form: by its field when the form has that field, above the form otherwise."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@school_staff_required
@require_POST
def policy_order_view(request: HttpRequest) -> HttpResponse:
    return _order_from_form(request, "policy_form", policy_order_generate)


@school_staff_required
@require_POST
def introduction_order_view(request: HttpRequest) -> HttpResponse:
    return _order_from_form(request, "introduction_form", introduction_order_generate)


@school_staff_required
@require_POST
def early_end_order_view(request: HttpRequest) -> HttpResponse:
    return _order_from_form(request, "early_end_form", early_end_order_generate)
