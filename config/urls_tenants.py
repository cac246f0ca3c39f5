"""A school's site (<slug>.<base host>, the school's schema)."""

from django.urls import include, path

from config.urls_common import handler400, handler403, handler404, handler500
from config.urls_common import urlpatterns as common
from core.acts import views as act_views
from core.checklist_views import school_checklist
from core.consents import views as consent_views
from core.incentives import views as incentive_views
from core.indicators import views as indicator_views
from core.monitoring import views as monitoring_views
from core.notifications.urls import calendar_urlpatterns
from core.notifications.urls import urlpatterns as notification_urls
from core.pairs import views as pair_views
from core.people import views as people_views
from core.programmes import rows as programme_rows
from core.programmes import views as programme_views
from core.reporting import views as reporting_views
from core.roadmap import views as roadmap_views
from core.views import school_home, school_invitation_resend, school_users

urlpatterns = [
    path("", school_home, name="home"),
    path("users/", school_users, name="school-users"),
    path("users/invitations/<int:pk>/resend/", school_invitation_resend, name="school-invitation-resend"),
    path("people/", people_views.people_list, name="school-people"),
    path("people/new/", people_views.person_new, name="school-person-new"),
    path("people/import/", people_views.people_import_view, name="school-people-import"),
    path("people/import/template.xlsx", people_views.people_import_template, name="school-people-template"),
    path("people/<int:pk>/", people_views.person_detail, name="school-person"),
    path("people/<int:pk>/edit/", people_views.person_edit, name="school-person-edit"),
    path("people/<int:pk>/link/", people_views.person_link_view, name="school-person-link"),
    path("people/<int:pk>/bank/", people_views.person_bank, name="school-person-bank"),
    path("people/<int:pk>/export/", people_views.person_export_view, name="school-person-export"),
    path("people/<int:pk>/erase/", people_views.person_erase_view, name="school-person-erase"),
    path("people/<int:pk>/consents/new/", consent_views.consent_new, name="school-consent-new"),
    path("banks/<str:bank>/", people_views.bank_view, name="school-bank"),
    path("bank-entries/<int:pk>/status/", people_views.bank_entry_status, name="school-bank-status"),
    path("bank-entries/<int:pk>/edit/", people_views.bank_entry_edit, name="school-bank-entry-edit"),
    path("bank-entries/<int:pk>/row/", people_views.bank_entry_row, name="school-bank-entry-row"),
    path("consents/<int:pk>/withdraw/", consent_views.consent_withdraw_view, name="school-consent-withdraw"),
    path(
        "consents/<int:pk>/document.docx", consent_views.consent_document_view, name="school-consent-document"
    ),
    path("consents/<int:pk>/scan/", consent_views.consent_scan_view, name="school-consent-scan"),
    path("acts/", act_views.acts_list, name="school-acts"),
    path("acts/curator-order/", act_views.curator_order_view, name="school-curator-order"),
    path("acts/policy-order/", act_views.policy_order_view, name="school-policy-order"),
    path("acts/introduction-order/", act_views.introduction_order_view, name="school-introduction-order"),
    path("acts/early-end-order/", act_views.early_end_order_view, name="school-early-end-order"),
    path("acts/<int:pk>/", act_views.act_detail, name="school-act"),
    path("files/acts/<int:pk>/", act_views.act_file_download, name="school-act-file"),
    path("erasure/<int:pk>/document.docx", act_views.erasure_document, name="school-erasure-document"),
    path("incentives/", incentive_views.register, name="school-incentives"),
    path("incentives/new/", incentive_views.incentive_new, name="school-incentive-new"),
    path("incentives/<int:pk>/", incentive_views.incentive_edit, name="school-incentive"),
    path(
        "incentives/<int:pk>/delete/", incentive_views.incentive_delete_view, name="school-incentive-delete"
    ),
    path("reports/annual.docx", reporting_views.annual_report_view, name="school-annual-report"),
    path("incentives/order/", incentive_views.incentives_order_view, name="school-incentives-order"),
    path("trainings/new/", incentive_views.training_new, name="school-training-new"),
    path("trainings/<int:pk>/", incentive_views.training_edit, name="school-training"),
    path("trainings/<int:pk>/delete/", incentive_views.training_delete_view, name="school-training-delete"),
    path("roadmap/", roadmap_views.roadmap, name="school-roadmap"),
    path("roadmap/from-template/", roadmap_views.roadmap_from_template, name="school-roadmap-template"),
    path("roadmap/<int:pk>/", roadmap_views.roadmap_item_update, name="school-roadmap-item"),
    path("roadmap/<int:pk>/edit/", roadmap_views.roadmap_item_edit, name="school-roadmap-item-edit"),
    path("roadmap/<int:pk>/row/", roadmap_views.roadmap_item_row, name="school-roadmap-item-row"),
    path("settings/", act_views.school_settings, name="school-settings"),
    path("pairs/", pair_views.pairs_list, name="school-pairs"),
    path("pairs/new/", pair_views.pair_new, name="school-pair-new"),
    path("pairs/order/", pair_views.pairs_order_view, name="school-pairs-order"),
    path("pairs/<int:pk>/", pair_views.pair_detail, name="school-pair"),
    path("pairs/<int:pk>/meetings/", pair_views.meeting_new, name="school-meeting-new"),
    path("pairs/<int:pk>/end/", pair_views.pair_end_view, name="school-pair-end"),
    path("pairs/<int:pk>/resume/", pair_views.pair_resume_view, name="school-pair-resume"),
    path("pairs/<int:pk>/programme/", programme_views.programme_new, name="school-programme-new"),
    path("programmes/<int:pk>/", programme_views.programme_detail, name="school-programme"),
    path("programmes/<int:pk>/move/", programme_views.programme_move_view, name="school-programme-move"),
    path(
        "programmes/<int:pk>/update/", programme_views.programme_update_view, name="school-programme-update"
    ),
    path(
        "programmes/<int:pk>/document.docx", programme_views.programme_document, name="school-programme-docx"
    ),
    path("tasks/<int:pk>/", programme_views.task_update, name="school-task"),
    path(
        "programmes/<int:pk>/tasks/<int:tid>/edit/",
        programme_rows.task_row_edit,
        name="school-programme-task-edit",
    ),
    path(
        "programmes/<int:pk>/tasks/<int:tid>/row/",
        programme_rows.task_row_show,
        name="school-programme-task-row",
    ),
    path("programmes/<int:pk>/plan/", programme_views.programme_plan_view, name="school-programme-plan"),
    path(
        "programmes/<int:pk>/comment/",
        programme_views.programme_comment_view,
        name="school-programme-comment",
    ),
    path("my/", pair_views.my_pairs, name="school-my"),
    path("pairs/<int:pk>/surveys/", monitoring_views.pair_surveys, name="school-pair-surveys"),
    path(
        "pairs/<int:pk>/surveys/<slug:code>/<str:phase>/", monitoring_views.survey_fill, name="school-survey"
    ),
    path("monitoring/", monitoring_views.monitoring, name="school-monitoring"),
    path("checklist/", school_checklist, name="school-checklist"),
    path("indicators/", indicator_views.indicators, name="school-indicators"),
    *notification_urls,
    *calendar_urlpatterns,
    *common,
    path("api/v1/", include("api.urls_tenants")),
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
