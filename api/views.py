from typing import cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import IsSchoolMember
from api.serializers import (
    InvitationInputSerializer,
    InvitationSerializer,
    MembershipSerializer,
    MeSerializer,
    SchoolSerializer,
)
from tenants.context import request_school
from tenants.models import Membership, User
from tenants.selectors import invitable_roles, user_workplaces
from tenants.services import invitation_create


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer, summary="Текущий пользователь и его рабочие места")
    def get(self, request: Request) -> Response:
        user = cast(User, request.user)  # IsAuthenticated
        data = {
            "id": user.pk,
            "email": user.email,
            "last_name": user.last_name,
            "first_name": user.first_name,
            "middle_name": user.middle_name,
            "workplaces": user_workplaces(user),
        }
        return Response(MeSerializer(data).data)


class CurrentSchoolApi(APIView):
    permission_classes = [IsSchoolMember]

    @extend_schema(responses=SchoolSerializer, summary="Школа этого хоста")
    def get(self, request: Request) -> Response:
        return Response(SchoolSerializer(request_school(request)).data)


class SchoolMemberListApi(generics.ListAPIView):
    """The school's logins and roles (for its admin and curator)."""

    permission_classes = [IsSchoolMember]
    serializer_class = MembershipSerializer

    def get_queryset(self) -> QuerySet[Membership]:
        school = request_school(self.request)
        if school is None or not invitable_roles(self.request.user, school=school):
            raise PermissionDenied("Список пользователей видят администратор школы и куратор.")
        return Membership.objects.filter(school=school).select_related("user").order_by("role", "pk")


class SchoolInvitationCreateApi(APIView):
    permission_classes = [IsSchoolMember]

    @extend_schema(request=InvitationInputSerializer, responses={201: InvitationSerializer})
    def post(self, request: Request) -> Response:
        school = request_school(request)
        if not invitable_roles(request.user, school=school):  # refuse before reading the body
            raise PermissionDenied("Приглашать может администратор школы или куратор.")
        data = InvitationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = invitation_create(
            email=data.validated_data["email"],
            role=data.validated_data["role"],
            school=school,
            invited_by=cast(User, request.user),
        )
        return Response(InvitationSerializer(invitation).data, status=201)
