"""Notifications through the API, on either host: the school's own on a school host, the region's on the base.

List (filters ``kind``, ``unread``), mark read (some or all of one's own), and the e-mail preferences.
"""

from typing import Any, cast

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import IsRegionalStaff, IsSchoolMember
from core.notifications.context_processors import notification_model
from tenants.context import request_school
from tenants.models import User
from tenants.notifications.engine import (
    notifications_mark_read,
    notifications_of,
    preferences_of,
    preferences_set,
)
from tenants.notifications.kinds import KINDS, REGION, SCHOOL, Channel, kinds_for
from tenants.notifications.models import NotificationBase


class IsMemberOfThisSite(BasePermission):
    """A school's member on its host; regional staff on the region's."""

    message = "Нет доступа к уведомлениям этого сайта."

    def has_permission(self, request: Request, view: Any) -> bool:
        if request_school(request) is not None:
            return IsSchoolMember().has_permission(request, view)
        return IsRegionalStaff().has_permission(request, view)


def _model(request: Request) -> type[NotificationBase]:
    model = notification_model(request)
    if model is None:
        raise NotFound()
    return model


def _user(request: Request) -> User:
    return cast(User, request.user)  # IsMemberOfThisSite: signed in


class NotificationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    link = serializers.CharField(help_text="Путь на этом же хосте")
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class NotificationListApi(APIView):
    permission_classes = [IsMemberOfThisSite]

    @extend_schema(
        summary="Мои уведомления на этом сайте, новые сверху",
        parameters=[
            OpenApiParameter("kind", str, description="Вид уведомления"),
            OpenApiParameter("unread", bool, description="Только непрочитанные"),
        ],
        responses=NotificationOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        kind = request.query_params.get("kind", "")
        if kind and kind not in KINDS:
            raise serializers.ValidationError({"kind": [f"Нет такого вида уведомлений: «{kind[:40]}»."]})
        unread = request.query_params.get("unread", "") in ("1", "true")
        rows = notifications_of(_model(request), user_id=_user(request).pk, kind=kind, unread=unread)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(NotificationOutput(page, many=True).data)


class NotificationReadApi(APIView):
    permission_classes = [IsMemberOfThisSite]

    class Input(serializers.Serializer):
        ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**62), required=False,
                                    max_length=1000)  # fmt: skip
        all = serializers.BooleanField(required=False, default=False)

        def validate(self, data: dict[str, Any]) -> dict[str, Any]:
            if not data.get("all") and not data.get("ids"):
                raise serializers.ValidationError("Укажите ids уведомлений или all: true.")
            return data

    @extend_schema(
        request=Input,
        responses=inline_serializer("NotificationsMarked", {"marked": serializers.IntegerField()}),
        summary="Отметить свои уведомления прочитанными (ids или все)",
    )
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        ids = None if data.validated_data["all"] else data.validated_data["ids"]
        marked = notifications_mark_read(_model(request), user_id=_user(request).pk, ids=ids)
        return Response({"marked": marked})


# A dict of fields, not a class: a field called ``label`` would shadow Field.label.
PreferenceOutput = inline_serializer(
    "NotificationPreference",
    fields={
        "kind": serializers.CharField(),
        "label": serializers.CharField(),
        "who": serializers.CharField(),
        "channel": serializers.ChoiceField(choices=Channel.choices),
    },
    many=True,
)


class NotificationPreferencesApi(APIView):
    """Per kind: ``immediate`` (e-mail at once), ``digest`` (the daily digest) or ``none``."""

    permission_classes = [IsMemberOfThisSite]

    def _response(self, request: Request) -> Response:
        site = SCHOOL if request_school(request) is not None else REGION
        chosen = preferences_of(_user(request))
        return Response(
            [
                {"kind": k.code, "label": k.label, "who": k.who, "channel": chosen[k.code]}
                for k in kinds_for(site)
            ]
        )

    @extend_schema(summary="Как присылать уведомления на почту, по видам", responses=PreferenceOutput)
    def get(self, request: Request) -> Response:
        return self._response(request)

    @extend_schema(
        summary='Изменить: {"вид": "immediate|digest|none", …}; прочие виды не меняются',
        request={"application/json": {"type": "object", "additionalProperties": {"enum": Channel.values}}},
        responses=PreferenceOutput,
    )
    def put(self, request: Request) -> Response:
        if not isinstance(request.data, dict) or not request.data:
            raise serializers.ValidationError({"non_field_errors": ["Ожидается объект {вид: способ}."]})
        errors = {
            str(kind)[:40]: ["Нет такого вида уведомлений."] if kind not in KINDS
            else ["Способ: immediate, digest или none."]
            for kind, channel in request.data.items()
            if kind not in KINDS or channel not in Channel.values
        }  # fmt: skip
        if errors:
            raise serializers.ValidationError(errors)
        preferences_set(user=_user(request), choices=dict(request.data))
        return self._response(request)
