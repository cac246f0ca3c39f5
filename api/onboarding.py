"""Region API for onboarding and offboarding schools (regional admin only; reads also for inspectors)."""

from datetime import date
from typing import cast

from django.db.models import QuerySet
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import IsRegionalAdmin, RegionalStaffReadsAdminWrites
from api.serializers import (
    BatchSerializer,
    BatchUploadInputSerializer,
    InvitationInputSerializer,
    InvitationSerializer,
    MunicipalityInputSerializer,
    MunicipalitySerializer,
    SchoolDeleteInputSerializer,
    SchoolOnboardInputSerializer,
    SchoolSerializer,
)
from core.dates import EARLIEST, LATEST
from regional.models import ReportRun
from regional.report_files import report_csv, report_json
from regional.reports import report_start
from regional.selectors import municipalities_for_user, school_get_for_user, school_list_filtered
from tenants.models import Invitation, Municipality, OnboardingBatch, School, User
from tenants.numbers import number_or_none
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
from tenants.services import invitation_create, invitation_resend


def _actor(request: Request) -> User:
    return cast(User, request.user)


class MunicipalityListApi(generics.ListAPIView):
    permission_classes = [RegionalStaffReadsAdminWrites]
    serializer_class = MunicipalitySerializer

    def get_queryset(self) -> QuerySet[Municipality]:
        return municipalities_for_user(user=self.request.user)

    @extend_schema(request=MunicipalitySerializer, responses={201: MunicipalitySerializer})
    def post(self, request: Request) -> Response:
        data = MunicipalityInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        municipality = Municipality.objects.create(**data.validated_data)
        return Response(MunicipalitySerializer(municipality).data, status=status.HTTP_201_CREATED)


class MunicipalityDetailApi(APIView):
    permission_classes = [IsRegionalAdmin]

    @extend_schema(responses=MunicipalitySerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(MunicipalitySerializer(get_object_or_404(Municipality, pk=pk)).data)

    @extend_schema(request=MunicipalitySerializer, responses=MunicipalitySerializer)
    def patch(self, request: Request, pk: int) -> Response:
        municipality = get_object_or_404(Municipality, pk=pk)
        data = MunicipalityInputSerializer(municipality, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        for field, value in data.validated_data.items():
            setattr(municipality, field, value)
        municipality.save()
        return Response(MunicipalitySerializer(municipality).data)


class SchoolListApi(generics.ListAPIView):
    """Schools the caller may see (all for the regional admin, own municipality for an inspector)."""

    permission_classes = [RegionalStaffReadsAdminWrites]
    serializer_class = SchoolSerializer

    def get_queryset(self) -> QuerySet[School]:
        params = self.request.query_params
        municipality = params.get("municipality", "")
        return school_list_filtered(
            user=self.request.user,
            search=params.get("search", ""),
            municipality_id=number_or_none(municipality),
            kind=params.get("kind", ""),
            status=params.get("status", ""),
            sort=params.get("sort", "municipality"),
        )

    @extend_schema(
        request=SchoolOnboardInputSerializer,
        responses={202: SchoolSerializer},
        summary="Подключить школу (схема создаётся фоновой задачей; статус — в поле status)",
    )
    def post(self, request: Request) -> Response:
        data = SchoolOnboardInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        school = school_onboard(data=data.validated_data, actor=_actor(request))
        school.refresh_from_db()
        return Response(SchoolSerializer(school).data, status=status.HTTP_202_ACCEPTED)


class SchoolDetailApi(APIView):
    permission_classes = [RegionalStaffReadsAdminWrites]

    @extend_schema(responses=SchoolSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(SchoolSerializer(school_get_for_user(user=request.user, pk=pk)).data)

    @extend_schema(
        request=SchoolDeleteInputSerializer, responses={204: None}, summary="Удалить школу навсегда"
    )
    def delete(self, request: Request, pk: int) -> Response:
        school = school_get_for_user(user=request.user, pk=pk)
        data = SchoolDeleteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        school_delete(school=school, actor=_actor(request), confirmation=data.validated_data["confirmation"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class _SchoolActionApi(APIView):
    permission_classes = [IsRegionalAdmin]
    service = staticmethod(school_archive)

    @extend_schema(request=None, responses=SchoolSerializer)
    def post(self, request: Request, pk: int) -> Response:
        school = school_get_for_user(user=request.user, pk=pk)
        return Response(SchoolSerializer(self.service(school=school, actor=_actor(request))).data)


class SchoolArchiveApi(_SchoolActionApi):
    service = staticmethod(school_archive)


class SchoolUnarchiveApi(_SchoolActionApi):
    service = staticmethod(school_unarchive)


class SchoolRetryApi(_SchoolActionApi):
    service = staticmethod(school_provision_retry)


class BatchUploadApi(APIView):
    permission_classes = [IsRegionalAdmin]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": BatchUploadInputSerializer}, responses={201: BatchSerializer}
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["Приложите файл XLSX или CSV."]})
        batch = batch_upload(upload=upload, actor=_actor(request))
        return Response(BatchSerializer(batch).data, status=status.HTTP_201_CREATED)


class BatchDetailApi(APIView):
    permission_classes = [IsRegionalAdmin]

    @extend_schema(responses=BatchSerializer)
    def get(self, request: Request, pk: int) -> Response:
        batch = batch_refresh_status(batch=get_object_or_404(OnboardingBatch, pk=pk))
        return Response(BatchSerializer(batch).data)


class BatchConfirmApi(APIView):
    permission_classes = [IsRegionalAdmin]

    @extend_schema(request=None, responses={202: BatchSerializer})
    def post(self, request: Request, pk: int) -> Response:
        batch = batch_confirm(batch=get_object_or_404(OnboardingBatch, pk=pk), actor=_actor(request))
        return Response(BatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)


class RegionInvitationCreateApi(APIView):
    permission_classes = [IsRegionalAdmin]
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=InvitationInputSerializer, responses={201: InvitationSerializer})
    def post(self, request: Request) -> Response:
        data = InvitationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        school_id = data.validated_data.get("school")
        municipality_id = data.validated_data.get("municipality")
        invitation = invitation_create(
            email=data.validated_data["email"],
            role=data.validated_data["role"],
            school=get_object_or_404(School, pk=school_id) if school_id else None,
            municipality=get_object_or_404(Municipality, pk=municipality_id) if municipality_id else None,
            invited_by=_actor(request),
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class RegionInvitationResendApi(APIView):
    permission_classes = [IsRegionalAdmin]

    @extend_schema(request=None, responses=InvitationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        invitation = invitation_resend(invitation=get_object_or_404(Invitation, pk=pk), actor=_actor(request))
        return Response(InvitationSerializer(invitation).data)


class ReportStartSerializer(serializers.Serializer):
    on = serializers.DateField()

    def validate_on(self, value: date) -> date:
        if not EARLIEST <= value <= LATEST:  # 0001-01-01 would only fail later, inside the report job
            raise ValidationError(f"Дата отчёта — между {EARLIEST:%d.%m.%Y} и {LATEST:%d.%m.%Y}.")
        return value


class ReportRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportRun
        fields = ["id", "on", "status", "total", "finished", "created_at", "finished_at"]


class ReportListApi(APIView):
    """Federal reporting through the API: start a run, then read it as JSON or CSV when it is done."""

    permission_classes = [IsRegionalAdmin]

    @extend_schema(request=ReportStartSerializer, responses={202: ReportRunSerializer})
    def post(self, request: Request) -> Response:
        data = ReportStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["on"] > timezone.localdate():
            raise ValidationError({"on": ["Дата отчёта не может быть в будущем."]})
        run = report_start(on=data.validated_data["on"], actor=_actor(request))
        return Response(ReportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class ReportDetailApi(APIView):
    permission_classes = [IsRegionalAdmin]

    @extend_schema(
        parameters=[OpenApiParameter("as", str, description="json (по умолчанию) или csv")],
        responses=ReportRunSerializer,
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        run = get_object_or_404(ReportRun, pk=pk)
        if run.status != ReportRun.Status.DONE:
            return Response(ReportRunSerializer(run).data)
        if request.query_params.get("as") == "csv":
            return HttpResponse(report_csv(run), content_type="text/csv; charset=utf-8")
        return Response({**ReportRunSerializer(run).data, "report": report_json(run)})
