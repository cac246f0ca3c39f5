"""The reference catalogues leave the regional app's state: they are ``tenants.catalogues`` models now.

State only: the tables (``regional_*``) and their rows stay where they are; tenants 0004 took them over.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0004_catalogues_from_regional"),
        ("regional", "0015_report_run_progress"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="documenttemplate",
                    name="uploaded_by",
                ),
                migrations.DeleteModel(
                    name="EndReason",
                ),
                migrations.RemoveField(
                    model_name="rolemodel",
                    name="form",
                ),
                migrations.DeleteModel(
                    name="MentoringKind",
                ),
                migrations.DeleteModel(
                    name="RoadmapTemplateItem",
                ),
                migrations.DeleteModel(
                    name="SurveyTemplate",
                ),
                migrations.DeleteModel(
                    name="DocumentTemplate",
                ),
                migrations.DeleteModel(
                    name="MentoringForm",
                ),
                migrations.DeleteModel(
                    name="RoleModel",
                ),
            ],
            database_operations=[],
        ),
    ]
