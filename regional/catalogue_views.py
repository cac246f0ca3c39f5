"""The region's «Справочники» page: forms of mentoring (who may take each side), role models, the banks'
requests, and the kinds, reasons and questionnaires for reference."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from regional.catalogues import (
    CATEGORY_LABELS,
    bank_request_add,
    bank_request_toggle,
    bank_request_update,
    form_sides_set,
    role_model_add,
    role_model_toggle,
)
from regional.views import regional_admin_required
from tenants.catalogues import BankRequest, EndReason, MentoringForm, MentoringKind, SurveyTemplate
from tenants.context import request_user
from tenants.numbers import is_number


def _action(request: HttpRequest) -> Callable[[], object]:
    """The one change this POST asks for (each form on the page names its action)."""
    post, actor = request.POST, request_user(request)
    # A role model's own button sends «toggle=<id>»; the add form of a form's row sends no action at all.
    action = post.get("action", "role_model_toggle" if "toggle" in post else "role_model_add")
    if action == "role_model_toggle":
        raw = post.get("toggle", "")
        if not is_number(raw):
            raise ValidationError("Ролевая модель не найдена.")
        return lambda: role_model_toggle(role_model_id=int(raw), actor=actor)
    if action == "role_model_add":
        return lambda: role_model_add(form_code=post.get("form", ""), name=post.get("name", ""), actor=actor)
    if action == "form_sides":
        return lambda: form_sides_set(
            form_code=post.get("form", ""),
            mentor_categories=post.getlist("mentors"),
            mentee_categories=post.getlist("mentees"),
            actor=actor,
        )
    if action == "request_add":
        return lambda: bank_request_add(
            code=post.get("code", ""),
            name=post.get("name", ""),
            audience=post.get("audience", ""),
            actor=actor,
        )
    if action == "request_update":
        return lambda: bank_request_update(
            code=post.get("code", ""),
            name=post.get("name", ""),
            audience=post.get("audience", ""),
            actor=actor,
        )
    if action == "request_toggle":
        return lambda: bank_request_toggle(code=post.get("code", ""), actor=actor)
    raise ValidationError("Неизвестное действие.")


@regional_admin_required
@require_http_methods(["GET", "POST"])
def catalogues(request: HttpRequest) -> HttpResponse:
    """Forms with who may take which side, their role models (with the document each comes from), the
    banks' requests; kinds, reasons and questionnaires are listed."""
    status = 200
    if request.method == "POST":
        try:
            _action(request)()
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            status = 400
        else:
            messages.success(request, "Справочник обновлён.")
            return redirect("region-catalogues")
    return render(
        request,
        "region/catalogues.html",
        {
            "forms": MentoringForm.objects.prefetch_related("role_models"),
            "requests": BankRequest.objects.all(),
            "audiences": BankRequest.Audience.choices,
            "kinds": MentoringKind.objects.all(),
            "reasons": EndReason.objects.all(),
            "surveys": SurveyTemplate.objects.all(),
            "category_labels": CATEGORY_LABELS,
        },
        status=status,
    )
