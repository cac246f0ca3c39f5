"""School API for the plan of a personalised programme: sections, tasks, versions, comments.

Views are thin: the serializers check shapes (a list where an object is expected, a 10,000-character text,
NUL — a 400 in the API's error format), the services in core.programmes.plan decide who may change what.
"""

from typing import Any, cast

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.mentoring import _pair_for
from api.permissions import IsSchoolMember
from core.programmes.models import (
    Programme,
    ProgrammeComment,
    ProgrammeSection,
    ProgrammeTask,
    ProgrammeVersion,
)
from core.programmes.plan import (
    comment_add,
    section_add,
    section_edit,
    section_remove,
    task_add,
    task_edit,
    task_remove,
)
from tenants.models import User

ERRORS = {
    400: OpenApiResponse(description="неверные данные или план сейчас менять нельзя"),
    403: OpenApiResponse(description="не ваша пара или нет права менять план"),
    404: OpenApiResponse(description="нет такой программы, раздела или задания"),
}


class PlanTaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgrammeTask
        fields = [
            "id", "section", "position", "task", "due_date", "planned_result", "result", "term", "due_note", "note"
        ]  # fmt: skip
        # term, due_note and note come from the template the programme was created from
        read_only_fields = ["result", "term", "due_note", "note"]
        extra_kwargs = {"section": {"read_only": True}, "position": {"read_only": True}}


class SectionSerializer(serializers.ModelSerializer):
    tasks = PlanTaskSerializer(many=True, read_only=True)

    class Meta:
        model = ProgrammeSection
        fields = ["id", "position", "title", "note", "tasks"]
        extra_kwargs = {"position": {"read_only": True}, "note": {"read_only": True}}


class SectionInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, help_text="название раздела")
    position = serializers.IntegerField(
        min_value=0, max_value=10_000, required=False, help_text="место среди разделов, с 0"
    )


class TaskInputSerializer(serializers.Serializer):
    task = serializers.CharField(max_length=500, help_text="проект, задание")
    due_date = serializers.DateField(required=False, allow_null=True, help_text="срок, в сроках программы")
    planned_result = serializers.CharField(max_length=500, required=False, allow_blank=True)
    position = serializers.IntegerField(
        min_value=0, max_value=10_000, required=False, help_text="место в разделе, с 0"
    )
    section = serializers.IntegerField(
        min_value=1, required=False, help_text="перенести в другой раздел этой программы (id)"
    )


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgrammeVersion
        fields = ["number", "approved_at", "approved_by_id", "approved_by_name", "plan"]


class CommentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgrammeComment
        fields = ["id", "task", "text", "author_name", "role", "created_at"]
        read_only_fields = ["author_name", "role", "created_at"]


class CommentInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    task = serializers.IntegerField(min_value=1, required=False, allow_null=True)


def _programme(request: Request, pk: int) -> tuple[Programme, str]:
    programme = get_object_or_404(Programme.objects.select_related("pair"), pk=pk)
    _pair, role = _pair_for(request, programme.pair_id)
    return programme, role


def _section(request: Request, pk: int, sid: int) -> tuple[ProgrammeSection, str]:
    programme, role = _programme(request, pk)
    section = get_object_or_404(ProgrammeSection, pk=sid, programme=programme)
    section.programme = programme
    return section, role


def _valid(serializer_class: type[serializers.Serializer], request: Request, **kw: Any) -> dict[str, Any]:
    data = serializer_class(data=request.data, **kw)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class SectionListApi(APIView):
    permission_classes = [IsSchoolMember]

    @extend_schema(responses={200: SectionSerializer(many=True), **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        programme, _role = _programme(request, pk)
        sections = programme.sections.prefetch_related("tasks")
        return Response(SectionSerializer(sections, many=True).data)

    @extend_schema(request=SectionInputSerializer, responses={201: SectionSerializer, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        programme, role = _programme(request, pk)
        data = _valid(SectionInputSerializer, request)
        section = section_add(programme=programme, data=data, role=role, actor=cast(User, request.user))
        return Response(SectionSerializer(section).data, status=status.HTTP_201_CREATED)


class SectionApi(APIView):
    permission_classes = [IsSchoolMember]

    @extend_schema(request=SectionInputSerializer, responses={200: SectionSerializer, **ERRORS})
    def patch(self, request: Request, pk: int, sid: int) -> Response:
        section, role = _section(request, pk, sid)
        data = _valid(SectionInputSerializer, request, partial=True)
        section = section_edit(section=section, data=data, role=role, actor=cast(User, request.user))
        return Response(SectionSerializer(section).data)

    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request: Request, pk: int, sid: int) -> Response:
        section, role = _section(request, pk, sid)
        section_remove(section=section, role=role, actor=cast(User, request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SectionTaskListApi(APIView):
    permission_classes = [IsSchoolMember]

    @extend_schema(responses={200: PlanTaskSerializer(many=True), **ERRORS})
    def get(self, request: Request, pk: int, sid: int) -> Response:
        section, _role = _section(request, pk, sid)
        return Response(PlanTaskSerializer(section.tasks.all(), many=True).data)

    @extend_schema(request=TaskInputSerializer, responses={201: PlanTaskSerializer, **ERRORS})
    def post(self, request: Request, pk: int, sid: int) -> Response:
        section, role = _section(request, pk, sid)
        data = _valid(TaskInputSerializer, request)
        data.pop("section", None)  # a new task goes into the section of the URL
        task = task_add(section=section, data=data, role=role, actor=cast(User, request.user))
        return Response(PlanTaskSerializer(task).data, status=status.HTTP_201_CREATED)


class SectionTaskApi(APIView):
    permission_classes = [IsSchoolMember]

    def _task(self, request: Request, pk: int, sid: int, tid: int) -> tuple[ProgrammeTask, str]:
        section, role = _section(request, pk, sid)
        task = get_object_or_404(ProgrammeTask, pk=tid, section=section)
        task.section = section
        return task, role

    @extend_schema(request=TaskInputSerializer, responses={200: PlanTaskSerializer, **ERRORS})
    def patch(self, request: Request, pk: int, sid: int, tid: int) -> Response:
        task, role = self._task(request, pk, sid, tid)
        data = _valid(TaskInputSerializer, request, partial=True)
        task = task_edit(task=task, data=data, role=role, actor=cast(User, request.user))
        return Response(PlanTaskSerializer(task).data)

    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request: Request, pk: int, sid: int, tid: int) -> Response:
        task, role = self._task(request, pk, sid, tid)
        task_remove(task=task, role=role, actor=cast(User, request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class VersionListApi(APIView):
    permission_classes = [IsSchoolMember]

    @extend_schema(responses={200: VersionSerializer(many=True), **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        programme, _role = _programme(request, pk)
        return Response(VersionSerializer(programme.versions.all(), many=True).data)


class CommentListApi(APIView):
    permission_classes = [IsSchoolMember]

    @extend_schema(responses={200: CommentSerializer(many=True), **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        programme, _role = _programme(request, pk)
        return Response(CommentSerializer(programme.comments.all(), many=True).data)

    @extend_schema(request=CommentInputSerializer, responses={201: CommentSerializer, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        programme, role = _programme(request, pk)
        data = _valid(CommentInputSerializer, request)
        comment = comment_add(programme=programme, data=data, role=role, actor=cast(User, request.user))
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
