"""The register of incentives given to mentors and of mentor training (school host; admin and curator).

Bodies are shape-checked here and the rules (a mentor from the bank, no future incentive, hours > 0 with a
decimal comma, dates that exist) are the page's forms (``core.incentives.forms``), so they are written once.
"""

from typing import Any, cast

from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.permissions import IsSchoolMember
from api.validation import FormRulesMixin
from core.access import IsSchoolStaff
from core.incentives.forms import IncentiveForm, TrainingForm
from core.incentives.models import Incentive, Training
from core.incentives.services import (
    incentive_create,
    incentive_delete,
    incentive_update,
    training_create,
    training_delete,
    training_update,
)
from tenants.models import User

STAFF = [IsSchoolMember, IsSchoolStaff]


def _actor(request: Request) -> User:
    return cast(User, request.user)


class IncentiveSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)

    class Meta:
        model = Incentive
        fields = ["id", "person", "person_name", "kind", "title", "given_on", "amount", "order", "note"]


class IncentiveInputSerializer(FormRulesMixin, serializers.Serializer):
    form_class = IncentiveForm
    person = serializers.IntegerField(min_value=1)
    kind = serializers.CharField(max_length=20)
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    given_on = serializers.CharField(max_length=20, help_text="ДД.ММ.ГГГГ или ГГГГ-ММ-ДД")
    amount = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=20)
    order = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class TrainingSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)

    class Meta:
        model = Training
        fields = [
            "id",
            "person",
            "person_name",
            "course",
            "organiser",
            "hours",
            "starts_on",
            "ends_on",
            "document",
        ]


class TrainingInputSerializer(FormRulesMixin, serializers.Serializer):
    form_class = TrainingForm
    person = serializers.IntegerField(min_value=1)
    course = serializers.CharField(max_length=300)
    organiser = serializers.CharField(required=False, allow_blank=True, max_length=300)
    hours = serializers.CharField(max_length=20, help_text="«72» или «1,5»")
    starts_on = serializers.CharField(max_length=20)
    ends_on = serializers.CharField(max_length=20)
    document = serializers.CharField(required=False, allow_blank=True, max_length=200)


def _input(
    serializer: type[serializers.Serializer], request: Request, instance: Model | None
) -> dict[str, Any]:
    data = serializer(instance, data=request.data, partial=instance is not None)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class IncentiveListApi(generics.ListAPIView):
    permission_classes = STAFF
    serializer_class = IncentiveSerializer

    def get_queryset(self) -> QuerySet[Incentive]:
        return Incentive.objects.select_related("person")

    @extend_schema(request=IncentiveInputSerializer, responses={201: IncentiveSerializer})
    def post(self, request: Request) -> Response:
        incentive = incentive_create(
            data=_input(IncentiveInputSerializer, request, None), actor=_actor(request)
        )
        return Response(IncentiveSerializer(incentive).data, status=status.HTTP_201_CREATED)


class IncentiveDetailApi(generics.RetrieveAPIView):
    permission_classes = STAFF
    serializer_class = IncentiveSerializer
    queryset = Incentive.objects.select_related("person")

    @extend_schema(request=IncentiveInputSerializer, responses={200: IncentiveSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        incentive = get_object_or_404(Incentive, pk=pk)
        data = _input(IncentiveInputSerializer, request, incentive)
        incentive = incentive_update(incentive=incentive, data=data, actor=_actor(request))
        return Response(IncentiveSerializer(incentive).data)

    def delete(self, request: Request, pk: int) -> Response:
        incentive_delete(incentive=get_object_or_404(Incentive, pk=pk), actor=_actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TrainingListApi(generics.ListAPIView):
    permission_classes = STAFF
    serializer_class = TrainingSerializer

    def get_queryset(self) -> QuerySet[Training]:
        return Training.objects.select_related("person")

    @extend_schema(request=TrainingInputSerializer, responses={201: TrainingSerializer})
    def post(self, request: Request) -> Response:
        training = training_create(data=_input(TrainingInputSerializer, request, None), actor=_actor(request))
        return Response(TrainingSerializer(training).data, status=status.HTTP_201_CREATED)


class TrainingDetailApi(generics.RetrieveAPIView):
    permission_classes = STAFF
    serializer_class = TrainingSerializer
    queryset = Training.objects.select_related("person")

    @extend_schema(request=TrainingInputSerializer, responses={200: TrainingSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        training = get_object_or_404(Training, pk=pk)
        data = _input(TrainingInputSerializer, request, training)
        training = training_update(training=training, data=data, actor=_actor(request))
        return Response(TrainingSerializer(training).data)

    def delete(self, request: Request, pk: int) -> Response:
        training_delete(training=get_object_or_404(Training, pk=pk), actor=_actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
