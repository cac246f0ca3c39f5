from typing import cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import IsRegionalStaff, IsSchoolMember
from api.serializers import MeSerializer, MunicipalitySerializer, SchoolSerializer
from regional.selectors import municipalities_for_user, school_list_for_user
from tenants.context import request_school
from tenants.models import Municipality, School, User
from tenants.selectors import user_workplaces


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


class MunicipalityListApi(generics.ListAPIView):
    permission_classes = [IsRegionalStaff]
    serializer_class = MunicipalitySerializer

    def get_queryset(self) -> QuerySet[Municipality]:
        return municipalities_for_user(user=self.request.user)


class SchoolListApi(generics.ListAPIView):
    """Schools the caller may see: all for the regional admin, own municipality for an inspector."""

    permission_classes = [IsRegionalStaff]
    serializer_class = SchoolSerializer

    def get_queryset(self) -> QuerySet[School]:
        params = self.request.query_params
        municipality = params.get("municipality")
        return school_list_for_user(
            user=self.request.user,
            search=params.get("search", ""),
            municipality_id=int(municipality) if municipality and municipality.isdigit() else None,
        )


class CurrentSchoolApi(APIView):
    permission_classes = [IsSchoolMember]

    @extend_schema(responses=SchoolSerializer, summary="Школа этого хоста")
    def get(self, request: Request) -> Response:
        return Response(SchoolSerializer(request_school(request)).data)
