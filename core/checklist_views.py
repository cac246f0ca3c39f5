from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.access import school_staff_required
from regional.checklist.snapshots import checklist_evaluate
from regional.models import InspectionVerdict
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
    items = checklist_evaluate(today=timezone.localdate())
    remarks = InspectionVerdict.objects.filter(
        school=school, verdict=InspectionVerdict.Verdict.REMARK
    ).select_related("round")
    return render(
        request, "school/checklist.html", {"items": items, "remarks": remarks, "fix_links": FIX_LINKS}
    )
