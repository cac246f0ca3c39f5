from django.urls import path

from api.urls_common import common_patterns
from api.views import CurrentSchoolApi, SchoolInvitationCreateApi, SchoolMemberListApi

urlpatterns = [
    *common_patterns(site_urlconf="config.urls_tenants"),
    path("school/", CurrentSchoolApi.as_view(), name="api-school"),
    path("members/", SchoolMemberListApi.as_view(), name="api-members"),
    path("invitations/", SchoolInvitationCreateApi.as_view(), name="api-school-invitations"),
]
