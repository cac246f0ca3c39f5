"""The region's reference catalogues become models of ``tenants`` (``tenants.catalogues``).

State only: the tables keep their ``regional_*`` names (``db_table``) and their rows, so nothing is copied or
locked. regional 0016 removes the same models from the regional app's state. The content types follow the
models, so permissions and admin history that point at them stay attached.
"""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import tenants.catalogues

MOVED = [
    "documenttemplate",
    "endreason",
    "mentoringform",
    "mentoringkind",
    "rolemodel",
    "roadmaptemplateitem",
    "surveytemplate",
]


def _content_types_move(apps, schema_editor, source, target):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not content_type.objects.filter(app_label=target, model=model).exists():
            content_type.objects.filter(app_label=source, model=model).update(app_label=target)


def content_types_forward(apps, schema_editor):
    _content_types_move(apps, schema_editor, "regional", "tenants")


def content_types_backward(apps, schema_editor):
    _content_types_move(apps, schema_editor, "tenants", "regional")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("tenants", "0003_provision_heartbeat"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="EndReason",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("code", models.SlugField(max_length=40, unique=True)),
                        ("name", models.CharField(max_length=200, verbose_name="причина завершения")),
                        ("early", models.BooleanField(default=False, verbose_name="досрочно")),
                    ],
                    options={
                        "verbose_name": "причина завершения",
                        "verbose_name_plural": "причины завершения",
                        "db_table": "regional_endreason",
                        "ordering": ["pk"],
                    },
                ),
                migrations.CreateModel(
                    name="MentoringForm",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("code", models.SlugField(max_length=40, unique=True)),
                        ("name", models.CharField(max_length=200, verbose_name="форма")),
                        (
                            "mentor_categories",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.CharField(max_length=30),
                                size=None,
                                verbose_name="кто может быть наставником",
                            ),
                        ),
                        (
                            "mentee_categories",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.CharField(max_length=30),
                                size=None,
                                verbose_name="кто может быть наставляемым",
                            ),
                        ),
                        ("position", models.PositiveIntegerField(default=0)),
                        ("is_active", models.BooleanField(default=True)),
                    ],
                    options={
                        "verbose_name": "форма наставничества",
                        "verbose_name_plural": "формы наставничества",
                        "db_table": "regional_mentoringform",
                        "ordering": ["position", "name"],
                    },
                ),
                migrations.CreateModel(
                    name="MentoringKind",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("code", models.SlugField(max_length=40, unique=True)),
                        ("name", models.CharField(max_length=200, verbose_name="вид наставничества")),
                    ],
                    options={
                        "verbose_name": "вид наставничества",
                        "verbose_name_plural": "виды наставничества",
                        "db_table": "regional_mentoringkind",
                        "ordering": ["pk"],
                    },
                ),
                migrations.CreateModel(
                    name="RoadmapTemplateItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("stage", models.CharField(blank=True, max_length=300, verbose_name="этап")),
                        ("title", models.CharField(max_length=500, verbose_name="мероприятие")),
                        ("period", models.CharField(blank=True, max_length=100, verbose_name="сроки")),
                        (
                            "responsible",
                            models.CharField(blank=True, max_length=300, verbose_name="ответственный"),
                        ),
                        (
                            "result",
                            models.CharField(
                                blank=True, max_length=500, verbose_name="результат (вид документа)"
                            ),
                        ),
                        ("position", models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        "db_table": "regional_roadmaptemplateitem",
                        "ordering": ["position", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="SurveyTemplate",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("code", models.SlugField(max_length=40, unique=True)),
                        ("title", models.CharField(max_length=300, verbose_name="название")),
                        (
                            "stage",
                            models.PositiveSmallIntegerField(
                                choices=[(1, "этап 1"), (2, "этап 2")], verbose_name="этап мониторинга"
                            ),
                        ),
                        (
                            "audience",
                            models.CharField(
                                choices=[
                                    ("mentee", "наставляемые"),
                                    ("mentor", "наставники"),
                                    ("curator", "куратор"),
                                    ("participant", "все участники пары"),
                                ],
                                max_length=20,
                                verbose_name="кто отвечает",
                            ),
                        ),
                        ("questions", models.JSONField(default=list)),
                        ("is_active", models.BooleanField(default=True)),
                    ],
                    options={
                        "verbose_name": "анкета мониторинга",
                        "verbose_name_plural": "анкеты мониторинга",
                        "db_table": "regional_surveytemplate",
                        "ordering": ["stage", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="DocumentTemplate",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("order_curator", "Приказ о назначении куратора"),
                                    ("order_pairs", "Приказ о закреплении пар/групп"),
                                    ("consent", "Согласие (участие / персональные данные)"),
                                    ("erasure_act", "Акт об уничтожении персональных данных"),
                                ],
                                max_length=30,
                                unique=True,
                                verbose_name="документ",
                            ),
                        ),
                        (
                            "file",
                            models.FileField(
                                storage=tenants.catalogues.region_storage, upload_to="document-templates/"
                            ),
                        ),
                        ("uploaded_at", models.DateTimeField(auto_now=True)),
                        (
                            "uploaded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "regional_documenttemplate",
                    },
                ),
                migrations.CreateModel(
                    name="RoleModel",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=200, verbose_name="ролевая модель")),
                        ("is_active", models.BooleanField(default=True)),
                        (
                            "form",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="role_models",
                                to="tenants.mentoringform",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "ролевая модель",
                        "verbose_name_plural": "ролевые модели",
                        "db_table": "regional_rolemodel",
                        "ordering": ["form__position", "name"],
                        "constraints": [
                            models.UniqueConstraint(fields=("form", "name"), name="role_model_unique")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
