"""The region's compliance view as data (regional staff; an ИМЦ inspector sees its own municipality)."""

from datetime import date
from typing import Any

from django.core.exceptions import BadRequest
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.permissions import IsRegionalStaff
from regional.checklist.rules import STATE_LABELS
from regional.compliance import NO_DATA, compliance_on, compliance_schools, entered_nothing
from tenants.models import School
from tenants.numbers import number_or_none


class ComplianceRowSerializer(serializers.Serializer):
    """One school: its snapshot's figures, or nulls and ``no_data`` when it has entered nothing yet."""

    school = serializers.IntegerField(source="pk")
    school_name = serializers.CharField(source="short_name")
    municipality_id = serializers.IntegerField()
    school_kind = serializers.CharField(source="kind")
    no_data = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    template_version = serializers.IntegerField(source="snap_template_version", allow_null=True)
    percent = serializers.SerializerMethodField()
    done = serializers.IntegerField(source="snap_done", allow_null=True)
    applicable = serializers.IntegerField(source="snap_applicable", allow_null=True)
    items = serializers.JSONField(source="snap_items", allow_null=True)
    counts = serializers.JSONField(source="snap_counts", allow_null=True)
    computed_at = serializers.DateTimeField(source="snap_computed_at", allow_null=True)

    def get_no_data(self, school: Any) -> bool:
        return entered_nothing(school.snap_items, school.snap_counts)

    def get_status(self, school: Any) -> str:
        return NO_DATA if self.get_no_data(school) else f"{school.snap_percent}%"

    def get_percent(self, school: Any) -> int | None:
        return None if self.get_no_data(school) else school.snap_percent


def _on(raw: str | None) -> date | None:
    try:
        return compliance_on(raw)
    except BadRequest as error:
        raise ValidationError({"on": [str(error)]}) from None


class ComplianceListApi(generics.ListAPIView):
    """Every active school the caller may see, paginated, today or as of ``?on=`` (a past date).

    A school that has no snapshot yet or has entered nothing is listed with ``no_data: true`` and null
    figures, never left out.
    """

    permission_classes = [IsRegionalStaff]
    serializer_class = ComplianceRowSerializer

    def get_queryset(self) -> QuerySet[School]:
        params = self.request.query_params
        municipality = params.get("municipality", "")
        return compliance_schools(
            user=self.request.user,
            municipality_id=number_or_none(municipality),
            kind=params.get("kind", "") if params.get("kind", "") in School.Kind.values else "",
            item=params.get("item", ""),
            state=params.get("state", "") if params.get("state", "") in STATE_LABELS else "",
            on=_on(params.get("on")),
        ).select_related(None)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "on", str, description="по состоянию на: ДД.ММ.ГГГГ или ГГГГ-ММ-ДД (прошедшая дата)"
            ),
            OpenApiParameter("municipality", int),
            OpenApiParameter("kind", str),
            OpenApiParameter("item", str, description="код пункта чек-листа (вместе с state)"),
            OpenApiParameter("state", str, description="done, partial, not_done, na"),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().get(request, *args, **kwargs)
        on = _on(request.query_params.get("on"))
        response.data["on"] = (
            (on or timezone.localdate()).isoformat() if isinstance(response.data, dict) else None
        )
        return response
