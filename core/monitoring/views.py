from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.access import school_staff_required
from core.monitoring.services import (
    measures_compare,
    satisfaction_average,
    survey_completion,
    survey_submit,
    survey_templates,
    surveys_for,
)
from core.pairs.models import Pair
from core.pairs.views import pair_get_for_user
from core.people.models import Person
from tenants.context import request_user


def _person_for(request: HttpRequest, pair: Pair, role: str) -> Person | None:
    if role == "staff":
        return None
    member = pair.members.filter(person__user_id=request.user.pk).select_related("person").first()
    return member.person if member else None


@require_GET
def pair_surveys(request: HttpRequest, pk: int) -> HttpResponse:
    pair, role = pair_get_for_user(request, pk)
    person = _person_for(request, pair, role)
    return render(
        request,
        "school/surveys.html",
        {
            "pair": pair,
            "due": surveys_for(pair=pair, person=person, role=role),
            "changes": measures_compare(pair=pair),
        },
    )


@require_http_methods(["GET", "POST"])
def survey_fill(request: HttpRequest, pk: int, code: str, phase: str) -> HttpResponse:
    pair, role = pair_get_for_user(request, pk)
    template = survey_templates().filter(code=code).first()
    if template is None:
        raise Http404
    person = _person_for(request, pair, role)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            survey_submit(
                template_code=code,
                pair=pair,
                person=person,
                role=role,
                phase=phase,
                answers={q["code"]: request.POST.get(q["code"], "") for q in template.questions},
                actor=request_user(request),
            )
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"form": error.messages}
        else:
            messages.success(request, "Спасибо! Анкета сохранена.")
            return redirect("school-pair-surveys", pk=pair.pk)
    return render(
        request,
        "school/survey_form.html",
        {
            "pair": pair,
            "template": template,
            "phase": phase,
            "errors": errors,
            "values": request.POST,
            "scale": range(1, 11),
        },
        status=400 if errors else 200,
    )


@school_staff_required
@require_GET
def monitoring(request: HttpRequest) -> HttpResponse:
    filled, expected = survey_completion()
    pairs = Pair.objects.filter(survey_responses__template_code="personal_measures").distinct()
    return render(
        request,
        "school/monitoring.html",
        {
            "filled": filled,
            "expected": expected,
            "satisfaction": satisfaction_average(),
            "comparisons": [(pair, measures_compare(pair=pair)) for pair in pairs],
        },
    )
