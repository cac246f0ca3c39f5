from django.urls import path

from regional import (
    catalogue_views,
    compliance_views,
    document_template_views,
    programme_template_views,
    report_views,
    views,
)

urlpatterns = [
    path("", views.school_list, name="home"),
    path("schools/new/", views.school_onboard_view, name="region-school-new"),
    path("schools/import/", views.batch_upload_view, name="region-batch-upload"),
    path("schools/import/template.xlsx", views.batch_template, name="region-batch-template"),
    path("schools/import/<int:pk>/", views.batch_detail, name="region-batch-detail"),
    path("schools/import/<int:pk>/progress/", views.batch_progress_view, name="region-batch-progress"),
    path("schools/<int:pk>/", views.school_detail, name="region-school-detail"),
    path("schools/<int:pk>/status/", views.school_status, name="region-school-status"),
    path("schools/<int:pk>/retry/", views.school_retry_view, name="region-school-retry"),
    path("schools/<int:pk>/archive/", views.school_archive_view, name="region-school-archive"),
    path("schools/<int:pk>/unarchive/", views.school_unarchive_view, name="region-school-unarchive"),
    path("schools/<int:pk>/delete/", views.school_delete_view, name="region-school-delete"),
    path("schools/<int:pk>/invite/", views.school_invite_view, name="region-school-invite"),
    path("invitations/<int:pk>/resend/", views.invitation_resend_view, name="region-invitation-resend"),
    path("document-templates/", document_template_views.document_templates, name="region-document-templates"),
    path(
        "document-templates/<str:kind>.docx",
        document_template_views.document_template_download,
        name="region-document-template",
    ),
    path("compliance/", compliance_views.compliance, name="region-compliance"),
    path("compliance/publish/", compliance_views.checklist_publish_view, name="region-checklist-publish"),
    path("compliance.xlsx", compliance_views.compliance_xlsx, name="region-compliance-xlsx"),
    path("schools/<int:pk>/checklist/", compliance_views.school_checklist, name="region-school-checklist"),
    path("rounds/", compliance_views.rounds, name="region-rounds"),
    path("rounds/<int:pk>/", compliance_views.round_detail, name="region-round"),
    path("rounds/<int:pk>/note.docx", compliance_views.round_note, name="region-round-note"),
    path(
        "rounds/<int:pk>/schools/<int:school_pk>/", compliance_views.round_school, name="region-round-school"
    ),
    path("reports/", report_views.reports, name="region-reports"),
    path("reports/<int:pk>/", report_views.report_detail, name="region-report"),
    path("reports/<int:pk>/retry/", report_views.report_retry_view, name="region-report-retry"),
    path("reports/templates/", report_views.report_template_upload, name="region-report-template-upload"),
    path(
        "reports/<int:pk>/templates/<int:template_pk>/",
        report_views.report_download_template,
        name="region-report-template",
    ),
    path("reports/<int:pk>/download.<str:fmt>", report_views.report_download, name="region-report-download"),
    path("catalogues/", catalogue_views.catalogues, name="region-catalogues"),
    path(
        "programme-templates/",
        programme_template_views.programme_templates,
        name="region-programme-templates",
    ),
    path(
        "programme-templates/<int:pk>/",
        programme_template_views.programme_template,
        name="region-programme-template",
    ),
    path("municipalities/", views.municipality_list, name="region-municipalities"),
    path("municipalities/<int:pk>/", views.municipality_detail, name="region-municipality-detail"),
]
