from django.urls import path

from api.urls_common import common_patterns
from api.views import CurrentSchoolApi

urlpatterns = [
    *common_patterns(site_urlconf="config.urls_tenants"),
    path("school/", CurrentSchoolApi.as_view(), name="api-school"),
]
