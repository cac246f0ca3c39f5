from django.urls import path

from api import compliance, onboarding
from api.urls_common import common_patterns

urlpatterns = [
    *common_patterns(site_urlconf="config.urls_public"),
    path("municipalities/", onboarding.MunicipalityListApi.as_view(), name="api-municipalities"),
    path("municipalities/<int:pk>/", onboarding.MunicipalityDetailApi.as_view(), name="api-municipality"),
    path("schools/", onboarding.SchoolListApi.as_view(), name="api-schools"),
    path("schools/<int:pk>/", onboarding.SchoolDetailApi.as_view(), name="api-school-detail"),
    path("schools/<int:pk>/archive/", onboarding.SchoolArchiveApi.as_view(), name="api-school-archive"),
    path("schools/<int:pk>/unarchive/", onboarding.SchoolUnarchiveApi.as_view(), name="api-school-unarchive"),
    path("schools/<int:pk>/retry/", onboarding.SchoolRetryApi.as_view(), name="api-school-retry"),
    path("onboarding-batches/", onboarding.BatchUploadApi.as_view(), name="api-batches"),
    path("onboarding-batches/<int:pk>/", onboarding.BatchDetailApi.as_view(), name="api-batch"),
    path(
        "onboarding-batches/<int:pk>/confirm/", onboarding.BatchConfirmApi.as_view(), name="api-batch-confirm"
    ),
    path("reports/", onboarding.ReportListApi.as_view(), name="api-reports"),
    path("reports/<int:pk>/", onboarding.ReportDetailApi.as_view(), name="api-report"),
    path("compliance/", compliance.ComplianceListApi.as_view(), name="api-compliance"),
    path("invitations/", onboarding.RegionInvitationCreateApi.as_view(), name="api-invitations"),
    path(
        "invitations/<int:pk>/resend/",
        onboarding.RegionInvitationResendApi.as_view(),
        name="api-invitation-resend",
    ),
]
