from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import school_staff_required, user_is_school_staff
from core.acts.forms import OrderDateForm
from core.dates import parse_on_param
from core.pairs.forms import MeetingForm, PairEndForm, PairForm, ProgrammeForm
from core.pairs.models import Pair, PairMember
from core.pairs.selectors import mentee_needs, mentor_suggestions, pairs_for_user, pairs_inactive, pairs_on
from core.pairs.services import meeting_add, pair_create, pair_end, pair_resume, pairs_order_generate
from core.people.selectors import person_get
from tenants.context import request_school, request_user
from tenants.numbers import is_number, number_or_none


def pair_role(request: HttpRequest, pair: Pair) -> str | None:
    """«staff», «mentor», «mentee» for this pair, or None (no access)."""
    if user_is_school_staff(request.user, request_school(request)):
        return "staff"
    member = pair.members.filter(person__user_id=request.user.pk).first()
    return member.role if member else None


def pair_get_for_user(request: HttpRequest, pk: int) -> tuple[Pair, str]:
    """The only way pair views fetch a pair: 404 when it does not exist, 403 when it is not theirs."""
    pair = get_object_or_404(Pair.objects.prefetch_related("members__person"), pk=pk)
    role = pair_role(request, pair)
    if role is None:
        raise PermissionDenied("Это не ваша пара.")
    return pair, role


def _catalogue_names() -> dict[str, dict]:
    from tenants.catalogues import EndReason, MentoringForm, MentoringKind, RoleModel

    return {
        "forms": dict(MentoringForm.objects.values_list("code", "name")),
        "role_models": dict(RoleModel.objects.values_list("pk", "name")),
        "kinds": dict(MentoringKind.objects.values_list("code", "name")),
        "reasons": dict(EndReason.objects.values_list("code", "name")),
    }


def _parse_date(raw: str | None) -> date:
    return parse_on_param(raw)  # an impossible date is a 400, not silently today


@school_staff_required
@require_GET
def pairs_list(request: HttpRequest) -> HttpResponse:
    on = _parse_date(request.GET.get("on"))
    return render(
        request,
        "school/pairs.html",
        {
            "on": on,
            "states": pairs_on(on=on),
            "names": _catalogue_names(),
            "inactive": {
                p.pk for p in pairs_inactive(today=timezone.localdate(), days=settings.PAIR_INACTIVE_DAYS)
            },
            "inactive_days": settings.PAIR_INACTIVE_DAYS,
        },
    )


@school_staff_required
@require_http_methods(["GET", "POST"])
def pair_new(request: HttpRequest) -> HttpResponse:
    form = PairForm(request.POST or None, initial={"started_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                pair = pair_create(
                    form_code=data["form_code"],
                    role_model_id=data["role_model_id"],
                    kind_code=data["kind_code"],
                    mentors=list(data["mentors"]),
                    mentees=list(data["mentees"]),
                    started_on=data["started_on"],
                    actor=request_user(request),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Пара сформирована. Составьте программу и включите пару в приказ.")
                return redirect("school-pair", pk=pair.pk)
        status = 400
    mentee_id = number_or_none(request.GET.get("mentee"))
    suggestions, needs = [], []
    if mentee_id is not None:
        mentee = person_get(pk=mentee_id)
        needs = mentee_needs(mentee)
        suggestions = mentor_suggestions(
            mentee=mentee, form_code=request.GET.get("form", ""), on=timezone.localdate()
        )
    return render(
        request,
        "school/pair_form.html",
        {
            "form": form,
            "suggestions": suggestions,
            "needs": needs,
            "mentees": form.fields["mentees"].queryset,  # type: ignore[attr-defined]
        },
        status=status,
    )


@require_GET
def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pair, role = pair_get_for_user(request, pk)
    return pair_page(request, pair, role)


def pair_page(request: HttpRequest, pair: Pair, role: str, *, status: int = 200) -> HttpResponse:
    """The pair's page; a refused action shows it again with the reason (messages) and a 400."""
    programme = getattr(pair, "programme", None)
    return render(
        request,
        "school/pair_detail.html",
        {
            "pair": pair,
            "role": role,
            "names": _catalogue_names(),
            "members": pair.members.all(),
            "meetings": pair.meetings.all(),
            "programme": programme,
            "meeting_form": MeetingForm(initial={"date": timezone.localdate()}),
            "end_form": PairEndForm(initial={"ended_on": timezone.localdate()}),
            "programme_form": ProgrammeForm(initial={"starts_on": pair.started_on}),
        },
        status=status,
    )


@require_POST
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    pair, role = pair_get_for_user(request, pk)
    if role not in ("staff", "mentor"):
        raise PermissionDenied("Встречи отмечает наставник или куратор.")
    form = MeetingForm(request.POST)
    if form.is_valid():
        try:
            meeting_add(pair=pair, data=form.cleaned_data, actor=request_user(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return pair_page(request, pair, role, status=400)
        else:
            messages.success(request, "Встреча записана.")
    else:
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
    return redirect("school-pair", pk=pair.pk)


@school_staff_required
@require_POST
def pair_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    pair = get_object_or_404(Pair, pk=pk)
    form = PairEndForm(request.POST)
    if form.is_valid():
        try:
            pair_end(
                pair=pair,
                on=form.cleaned_data["ended_on"],
                reason_code=form.cleaned_data["reason_code"],
                actor=request_user(request),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Пара завершена.")
    else:
        messages.error(request, "Укажите дату и причину.")
    return redirect("school-pair", pk=pair.pk)


@school_staff_required
@require_POST
def pair_resume_view(request: HttpRequest, pk: int) -> HttpResponse:
    pair = get_object_or_404(Pair, pk=pk)
    try:
        pair_resume(pair=pair, on=timezone.localdate(), actor=request_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Пара снова работает.")
    return redirect("school-pair", pk=pair.pk)


@school_staff_required
@require_POST
def pairs_order_view(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("pairs") if is_number(i)]
    pairs = list(Pair.objects.filter(pk__in=ids, status=Pair.Status.ACTIVE))
    form = OrderDateForm(request.POST)  # the order's date is the date chosen, not always today
    if not form.is_valid():
        for message in form.errors.get("date", []):
            messages.error(request, f"Дата приказа: {message}")
        return redirect("school-pairs")
    try:
        act = pairs_order_generate(
            school=request_school(request),  # type: ignore[arg-type]
            pairs=pairs,
            on=form.cleaned_data["date"],
            actor=request_user(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("school-pairs")
    messages.success(request, f"Сформирован приказ № {act.number} о закреплении пар: {len(pairs)}.")
    return redirect("school-act", pk=act.pk)


@require_GET
def my_pairs(request: HttpRequest) -> HttpResponse:
    """A mentor's or mentee's own pairs and programmes."""
    pairs = pairs_for_user(user_id=request_user(request).pk)
    return render(
        request,
        "school/my_pairs.html",
        {"pairs": pairs, "names": _catalogue_names(), "roles": PairMember.Role},
    )
