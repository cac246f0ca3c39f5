from django.urls import path

from api import school
from api.urls_common import common_patterns
from api.views import CurrentSchoolApi, SchoolInvitationCreateApi, SchoolMemberListApi

urlpatterns = [
    *common_patterns(site_urlconf="config.urls_tenants"),
    path("school/", CurrentSchoolApi.as_view(), name="api-school"),
    path("members/", SchoolMemberListApi.as_view(), name="api-members"),
    path("invitations/", SchoolInvitationCreateApi.as_view(), name="api-school-invitations"),
    path("people/", school.PersonListApi.as_view(), name="api-people"),
    path("people/<int:pk>/", school.PersonDetailApi.as_view(), name="api-person"),
    path("people/<int:pk>/consent-check/", school.ConsentCheckApi.as_view(), name="api-consent-check"),
    path("consents/", school.ConsentCreateApi.as_view(), name="api-consents"),
    path("consents/<int:pk>/withdraw/", school.ConsentWithdrawApi.as_view(), name="api-consent-withdraw"),
    path("acts/", school.LocalActListApi.as_view(), name="api-acts"),
    path("roadmap/", school.RoadmapListApi.as_view(), name="api-roadmap"),
]
