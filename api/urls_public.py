from django.urls import path

from api.urls_common import urlpatterns as common
from api.views import MunicipalityListApi, SchoolListApi

urlpatterns = [
    *common,
    path("municipalities/", MunicipalityListApi.as_view(), name="api-municipalities"),
    path("schools/", SchoolListApi.as_view(), name="api-schools"),
]
