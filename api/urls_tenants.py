from django.urls import path

from api import bank, incentives, mentoring, programme_plan, school
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
    path("bank-entries/", bank.BankEntryListApi.as_view(), name="api-bank-entries"),
    path("bank-entries/<int:pk>/status/", bank.BankEntryStatusApi.as_view(), name="api-bank-entry-status"),
    path("bank-requests/", bank.BankRequestListApi.as_view(), name="api-bank-requests"),
    path("consents/", school.ConsentCreateApi.as_view(), name="api-consents"),
    path("consents/<int:pk>/withdraw/", school.ConsentWithdrawApi.as_view(), name="api-consent-withdraw"),
    path("acts/", school.LocalActListApi.as_view(), name="api-acts"),
    path("acts/<int:pk>/", school.LocalActDetailApi.as_view(), name="api-act"),
    path("acts/<int:pk>/repeal/", school.LocalActRepealApi.as_view(), name="api-act-repeal"),
    path("roadmap/", school.RoadmapListApi.as_view(), name="api-roadmap"),
    path("incentives/", incentives.IncentiveListApi.as_view(), name="api-incentives"),
    path("incentives/<int:pk>/", incentives.IncentiveDetailApi.as_view(), name="api-incentive"),
    path("trainings/", incentives.TrainingListApi.as_view(), name="api-trainings"),
    path("trainings/<int:pk>/", incentives.TrainingDetailApi.as_view(), name="api-training"),
    path("pairs/", mentoring.PairListApi.as_view(), name="api-pairs"),
    path("pairs/<int:pk>/", mentoring.PairDetailApi.as_view(), name="api-pair"),
    path("pairs/<int:pk>/end/", mentoring.PairEndApi.as_view(), name="api-pair-end"),
    path("pairs/<int:pk>/meetings/", mentoring.MeetingListApi.as_view(), name="api-meetings"),
    path("programmes/<int:pk>/", mentoring.ProgrammeApi.as_view(), name="api-programme"),
    path("programmes/<int:pk>/move/", mentoring.ProgrammeMoveApi.as_view(), name="api-programme-move"),
    path("tasks/<int:pk>/", mentoring.TaskApi.as_view(), name="api-task"),
    path(
        "programmes/<int:pk>/sections/",
        programme_plan.SectionListApi.as_view(),
        name="api-programme-sections",
    ),
    path(
        "programmes/<int:pk>/sections/<int:sid>/",
        programme_plan.SectionApi.as_view(),
        name="api-programme-section",
    ),
    path(
        "programmes/<int:pk>/sections/<int:sid>/tasks/",
        programme_plan.SectionTaskListApi.as_view(),
        name="api-programme-section-tasks",
    ),
    path(
        "programmes/<int:pk>/sections/<int:sid>/tasks/<int:tid>/",
        programme_plan.SectionTaskApi.as_view(),
        name="api-programme-section-task",
    ),
    path(
        "programmes/<int:pk>/versions/",
        programme_plan.VersionListApi.as_view(),
        name="api-programme-versions",
    ),
    path(
        "programmes/<int:pk>/comments/",
        programme_plan.CommentListApi.as_view(),
        name="api-programme-comments",
    ),
]
