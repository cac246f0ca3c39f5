"""Banks of mentors and mentees (school host; the school's admin and curator): entries, their status steps,
and the requests catalogue their entries choose from. The same services as the pages: who may take which
status step is decided there (core.people.services.BANK_STATUS_MOVES), not here."""

from typing import Any, cast

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import IsSchoolMember
from api.validation import FormRulesMixin
from core.access import IsSchoolStaff
from core.people.forms import BankEntryForm
from core.people.models import BankEntry, Person
from core.people.selectors import bank_list
from core.people.services import bank_entry_save, bank_entry_set_status
from tenants.catalogues import BankRequest
from tenants.context import school_of
from tenants.models import User

STAFF = [IsSchoolMember, IsSchoolStaff]


class BankEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = BankEntry
        fields = [
            "id", "person", "bank", "status", "requests", "competencies", "subjects", "capacity", "approved_at",
        ]  # fmt: skip
        read_only_fields = ["status", "approved_at"]


class BankEntryInputSerializer(FormRulesMixin, serializers.Serializer):
    """The page's form over type-checked values: a list of request codes, never a bare string."""

    form_class = BankEntryForm

    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    bank = serializers.ChoiceField(choices=BankEntry.Bank.choices)
    requests = serializers.ListField(child=serializers.CharField(max_length=20), required=False, default=list)
    competencies = serializers.CharField(required=False, allow_blank=True, default="")
    subjects = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    capacity = serializers.IntegerField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        person = attrs.pop("person")
        return {**super().validate(attrs), "person": person}


class BankStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=BankEntry.Status.choices,
        error_messages={"invalid_choice": "Статус — одно из: candidate, approved, in_pair, left."},
    )


class BankRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = BankRequest
        fields = ["code", "name", "audience", "source"]


class BankEntryListApi(APIView):
    """The bank's entries (``?bank=mentor|mentee``, ``?status=``); POST includes a person or updates them."""

    permission_classes = STAFF

    @extend_schema(
        parameters=[OpenApiParameter("bank", str), OpenApiParameter("status", str)],
        responses=BankEntrySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        bank = request.query_params.get("bank", BankEntry.Bank.MENTOR)
        if bank not in BankEntry.Bank.values:
            return Response(
                {"error": {"code": "invalid", "message": "bank — mentor или mentee.", "fields": {}}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        entries = bank_list(bank=bank, status=request.query_params.get("status", ""))
        return Response(BankEntrySerializer(entries, many=True).data)

    @extend_schema(request=BankEntryInputSerializer, responses={201: BankEntrySerializer})
    def post(self, request: Request) -> Response:
        data = BankEntryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        person = fields.pop("person")
        entry = bank_entry_save(
            person=person, data=fields, actor=cast(User, request.user), school=school_of(request)
        )
        return Response(BankEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class BankEntryStatusApi(APIView):
    """One status step (кандидат → одобрен → …); refused with the reason when the step or the role is wrong."""

    permission_classes = STAFF

    @extend_schema(request=BankStatusSerializer, responses=BankEntrySerializer)
    def post(self, request: Request, pk: int) -> Response:
        entry = get_object_or_404(BankEntry, pk=pk)
        data = BankStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = bank_entry_set_status(
            entry=entry,
            status=data.validated_data["status"],
            actor=cast(User, request.user),
            school=school_of(request),
        )
        return Response(BankEntrySerializer(entry).data)


class BankRequestListApi(APIView):
    """The region's requests catalogue: the codes a bank entry's ``requests`` take."""

    permission_classes = STAFF

    @extend_schema(responses=BankRequestSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(BankRequestSerializer(BankRequest.objects.filter(is_active=True), many=True).data)
