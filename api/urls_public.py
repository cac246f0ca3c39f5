from django.urls import path

from api.urls_common import common_patterns
from api.views import MunicipalityListApi, SchoolListApi

urlpatterns = [
    *common_patterns(site_urlconf="config.urls_public"),
    path("municipalities/", MunicipalityListApi.as_view(), name="api-municipalities"),
    path("schools/", SchoolListApi.as_view(), name="api-schools"),
]
