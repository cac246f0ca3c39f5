from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.access import school_staff_required
from core.facts import checklist_evaluate, region_checklist
from tenants.context import school_of

FIX_LINKS = {
    "site_section": "school-settings", "policy_act": "school-acts", "roadmap_act": "school-acts",
    "curator_order": "school-acts", "pairs_order": "school-pairs", "mentor_bank": "school-people",
    "incentives_act": "school-acts", "programmes": "school-pairs", "order_introduction": "school-acts",
    "pairs_count": "school-pairs",
}  # fmt: skip


@school_staff_required
@require_GET
def school_checklist(request: HttpRequest) -> HttpResponse:
    """The school's own checklist, evaluated now from its data, with the ИМЦ's remarks and where to fix."""
    school = school_of(request)
    checklist = region_checklist()
    items = checklist_evaluate(checklist.items(), timezone.localdate())
    remarks = checklist.remarks(school.pk)
    return render(
        request, "school/checklist.html", {"items": items, "remarks": remarks, "fix_links": FIX_LINKS}
    )
