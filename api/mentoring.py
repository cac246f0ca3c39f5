"""School API for the mentoring itself: pairs (state on a date), meetings, programmes.

Curators and school admins see every pair; a mentor or mentee sees only their own (pair_role)."""

from typing import cast

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import IsSchoolMember
from api.validation import FormRulesMixin, on_param
from core.access import user_is_school_staff
from core.pairs.forms import MeetingForm
from core.pairs.models import Meeting, Pair, PairMember
from core.pairs.selectors import pairs_for_user, pairs_on
from core.pairs.services import meeting_add, pair_create, pair_end
from core.pairs.views import pair_role
from core.people.models import Person
from core.programmes.models import Programme, ProgrammeTask
from core.programmes.services import programme_move, task_fill
from tenants.context import request_school, request_user
from tenants.models import User


class MemberSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="person.full_name")

    class Meta:
        model = PairMember
        fields = ["person", "full_name", "role", "since", "until"]


class PairSerializer(serializers.ModelSerializer):
    members = MemberSerializer(many=True, read_only=True)

    class Meta:
        model = Pair
        fields = [
            "id",
            "form_code",
            "role_model_id",
            "kind_code",
            "started_on",
            "ended_on",
            "end_reason_code",
            "status",
            "order",
            "members",
        ]


class PairCreateSerializer(serializers.Serializer):
    form_code = serializers.CharField()
    role_model_id = serializers.IntegerField()
    kind_code = serializers.CharField()
    mentors = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    mentees = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    started_on = serializers.DateField()


class PairEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField()
    reason_code = serializers.CharField()


class MeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "kind", "date", "format", "hours", "notes"]


class MeetingInputSerializer(FormRulesMixin, MeetingSerializer):
    form_class = MeetingForm


class ProgrammeMoveSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Programme.Status.choices, help_text="новый статус")


class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgrammeTask
        fields = ["id", "task", "due_date", "planned_result", "result", "result_text", "mentor_assessment"]
        read_only_fields = ["task", "planned_result"]


class ProgrammeTaskSerializer(TaskSerializer):
    section = serializers.CharField(source="section.title", read_only=True)

    class Meta(TaskSerializer.Meta):
        fields = ["section", *TaskSerializer.Meta.fields]


class ProgrammeSerializer(serializers.ModelSerializer):
    tasks = serializers.SerializerMethodField()

    class Meta:
        model = Programme
        fields = ["id", "pair", "title", "starts_on", "ends_on", "extended", "stage", "status", "tasks"]

    @extend_schema_field(ProgrammeTaskSerializer(many=True))
    def get_tasks(self, programme: Programme) -> list[dict[str, object]]:
        tasks = ProgrammeTask.objects.filter(section__programme=programme).select_related("section")
        ordered = tasks.order_by("section__position", "position")
        return list(ProgrammeTaskSerializer(ordered, many=True).data)


def _pair_for(request: Request, pk: int) -> tuple[Pair, str]:
    pair = get_object_or_404(Pair.objects.prefetch_related("members__person"), pk=pk)
    role = pair_role(request, pair)
    if role is None:
        raise PermissionDenied("Это не ваша пара.")
    return pair, role


def _staff(request: Request) -> bool:
    return user_is_school_staff(request.user, request_school(request))


class PairListApi(APIView):
    permission_classes = [IsSchoolMember]

    @extend_schema(
        parameters=[OpenApiParameter("on", str, description="состояние на дату ГГГГ-ММ-ДД (для куратора)")],
        responses=PairSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        if not _staff(request):
            return Response(PairSerializer(pairs_for_user(user_id=request_user(request).pk), many=True).data)
        on = on_param(request.query_params.get("on"))
        data = []
        for state in pairs_on(on=on):
            item = PairSerializer(state.pair).data
            item["members"] = [
                m for m in item["members"] if m["person"] in {p.pk for p in state.mentors + state.mentees}
            ]
            data.append(item)
        return Response(data)

    @extend_schema(request=PairCreateSerializer, responses={201: PairSerializer})
    def post(self, request: Request) -> Response:
        if not _staff(request):
            raise PermissionDenied("Пары формирует куратор.")
        data = PairCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        people = {p.pk: p for p in Person.objects.filter(pk__in=[*v["mentors"], *v["mentees"]])}
        missing = [pk for pk in [*v["mentors"], *v["mentees"]] if pk not in people]
        if missing:
            raise ValidationError({"mentors": [f"Нет участников с id {missing}."]})
        pair = pair_create(
            form_code=v["form_code"],
            role_model_id=v["role_model_id"],
            kind_code=v["kind_code"],
            mentors=[people[pk] for pk in v["mentors"]],
            mentees=[people[pk] for pk in v["mentees"]],
            started_on=v["started_on"],
            actor=cast(User, request.user),
        )
        return Response(PairSerializer(pair).data, status=status.HTTP_201_CREATED)


class PairDetailApi(APIView):
    permission_classes = [IsSchoolMember]

    @extend_schema(responses=PairSerializer)
    def get(self, request: Request, pk: int) -> Response:
        pair, _role = _pair_for(request, pk)
        return Response(PairSerializer(pair).data)


class PairEndApi(APIView):
    permission_classes = [IsSchoolMember]

    @extend_schema(request=PairEndSerializer, responses=PairSerializer)
    def post(self, request: Request, pk: int) -> Response:
        pair, role = _pair_for(request, pk)
        if role != "staff":
            raise PermissionDenied("Пару завершает куратор.")
        data = PairEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pair = pair_end(
            pair=pair,
            on=data.validated_data["ended_on"],
            reason_code=data.validated_data["reason_code"],
            actor=cast(User, request.user),
        )
        return Response(PairSerializer(pair).data)


class MeetingListApi(APIView):
    permission_classes = [IsSchoolMember]

    @extend_schema(responses=MeetingSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        pair, _role = _pair_for(request, pk)
        return Response(MeetingSerializer(pair.meetings.all(), many=True).data)

    @extend_schema(request=MeetingSerializer, responses={201: MeetingSerializer})
    def post(self, request: Request, pk: int) -> Response:
        pair, role = _pair_for(request, pk)
        if role not in ("staff", "mentor"):
            raise PermissionDenied("Встречи отмечает наставник или куратор.")
        data = MeetingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = meeting_add(pair=pair, data=data.validated_data, actor=cast(User, request.user))
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


class ProgrammeApi(APIView):
    permission_classes = [IsSchoolMember]

    @extend_schema(responses=ProgrammeSerializer)
    def get(self, request: Request, pk: int) -> Response:
        programme = get_object_or_404(Programme, pk=pk)
        _pair_for(request, programme.pair_id)
        return Response(ProgrammeSerializer(programme).data)


class ProgrammeMoveApi(APIView):
    permission_classes = [IsSchoolMember]

    @extend_schema(request=ProgrammeMoveSerializer, responses=ProgrammeSerializer)
    def post(self, request: Request, pk: int) -> Response:
        programme = get_object_or_404(Programme, pk=pk)
        _pair, role = _pair_for(request, programme.pair_id)
        data = ProgrammeMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        programme = programme_move(
            programme=programme, to=data.validated_data["to"], role=role, actor=cast(User, request.user)
        )
        return Response(ProgrammeSerializer(programme).data)


class TaskApi(APIView):
    permission_classes = [IsSchoolMember]

    @extend_schema(request=TaskSerializer, responses=TaskSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        task = get_object_or_404(ProgrammeTask.objects.select_related("section__programme"), pk=pk)
        _pair, role = _pair_for(request, task.section.programme.pair_id)
        data = TaskSerializer(task, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        task = task_fill(task=task, data=dict(data.validated_data), role=role, actor=cast(User, request.user))
        return Response(TaskSerializer(task).data)
