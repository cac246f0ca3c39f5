from django.urls import path

from api.urls_common import urlpatterns as common
from api.views import CurrentSchoolApi

urlpatterns = [
    *common,
    path("school/", CurrentSchoolApi.as_view(), name="api-school"),
]
