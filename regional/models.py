"""Region-wide reference data and documents (public schema)."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.files.storage import FileSystemStorage, Storage
from django.db import models
from django.utils.translation import gettext_lazy as _


def region_storage() -> Storage:
    """Region files live in one place whatever schema reads them (the default storage is per school)."""
    return FileSystemStorage(location=settings.MEDIA_ROOT / "region")


class DocumentTemplate(models.Model):
    """A DOCX template the region uploaded in place of a built-in one (core.documents.defaults)."""

    class Kind(models.TextChoices):
        ORDER_CURATOR = "order_curator", _("Приказ о назначении куратора")
        ORDER_PAIRS = "order_pairs", _("Приказ о закреплении пар/групп")
        CONSENT = "consent", _("Согласие (участие / персональные данные)")
        ERASURE_ACT = "erasure_act", _("Акт об уничтожении персональных данных")

    kind = models.CharField(_("документ"), max_length=30, choices=Kind.choices, unique=True)
    file = models.FileField(upload_to="document-templates/", storage=region_storage)
    uploaded_at = models.DateTimeField(auto_now=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    def __str__(self) -> str:
        return self.get_kind_display()


class RoadmapTemplateItem(models.Model):
    """The region's model roadmap; a school starts its own roadmap from a copy."""

    stage = models.CharField(_("этап"), max_length=300, blank=True)
    title = models.CharField(_("мероприятие"), max_length=500)
    period = models.CharField(_("сроки"), max_length=100, blank=True)
    responsible = models.CharField(_("ответственный"), max_length=300, blank=True)
    result = models.CharField(_("результат (вид документа)"), max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class MentoringForm(models.Model):
    """Форма наставничества, with the participant categories it allows on each side.

    Categories are Person.category values, or «external:<kind>» for external participants.
    """

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("форма"), max_length=200)
    mentor_categories = ArrayField(
        models.CharField(max_length=30), verbose_name=_("кто может быть наставником")
    )
    mentee_categories = ArrayField(
        models.CharField(max_length=30), verbose_name=_("кто может быть наставляемым")
    )
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("форма наставничества")
        verbose_name_plural = _("формы наставничества")

    def __str__(self) -> str:
        return self.name


class RoleModel(models.Model):
    form = models.ForeignKey(MentoringForm, on_delete=models.CASCADE, related_name="role_models")
    name = models.CharField(_("ролевая модель"), max_length=200)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["form__position", "name"]
        verbose_name = _("ролевая модель")
        verbose_name_plural = _("ролевые модели")
        constraints = [models.UniqueConstraint(fields=["form", "name"], name="role_model_unique")]

    def __str__(self) -> str:
        return self.name


class MentoringKind(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("вид наставничества"), max_length=200)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("вид наставничества")
        verbose_name_plural = _("виды наставничества")

    def __str__(self) -> str:
        return self.name


class EndReason(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("причина завершения"), max_length=200)
    early = models.BooleanField(_("досрочно"), default=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("причина завершения")
        verbose_name_plural = _("причины завершения")

    def __str__(self) -> str:
        return self.name


class SurveyTemplate(models.Model):
    """A regional monitoring questionnaire (seed 003 §10). Questions: [{"code", "text", "kind": scale|text}]."""

    class Audience(models.TextChoices):
        MENTEE = "mentee", _("наставляемые")
        MENTOR = "mentor", _("наставники")
        CURATOR = "curator", _("куратор")
        PARTICIPANT = "participant", _("все участники пары")

    code = models.SlugField(max_length=40, unique=True)
    title = models.CharField(_("название"), max_length=300)
    stage = models.PositiveSmallIntegerField(_("этап мониторинга"), choices=[(1, "этап 1"), (2, "этап 2")])
    audience = models.CharField(_("кто отвечает"), max_length=20, choices=Audience.choices)
    questions = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["stage", "pk"]
        verbose_name = _("анкета мониторинга")
        verbose_name_plural = _("анкеты мониторинга")

    def __str__(self) -> str:
        return self.title


class ChecklistTemplate(models.Model):
    """A published version of the ИМЦ checklist; items keep stable codes across versions."""

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=300)
    published_at = models.DateTimeField(auto_now_add=True)
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.title} (версия {self.version})"


class ChecklistItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(max_length=40)
    title = models.CharField(max_length=300)
    rule = models.SlugField(
        max_length=40, help_text="код правила автоматической проверки (regional.checklist)"
    )
    optional = models.BooleanField(default=False, help_text="«при наличии»: отсутствие — «не применимо»")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="checklist_item_code_unique")
        ]

    def __str__(self) -> str:
        return self.title


class SchoolSnapshot(models.Model):
    """The one row per school the region reads: checklist states with evidence, counts, indicator inputs.

    Written only by the school's own snapshot job; region pages and exports never read school schemas.
    Municipality and kind are copied here so the compliance view is one indexed query on this table.
    """

    school = models.OneToOneField("tenants.School", on_delete=models.CASCADE, related_name="snapshot")
    municipality_id = models.BigIntegerField(db_index=True)
    school_kind = models.CharField(max_length=20)
    active = models.BooleanField(
        default=True
    )  # False while the school is archived: hidden from the region view
    template_version = models.PositiveIntegerField()
    items = models.JSONField(default=dict)  # {code: {"state": …, "evidence": {...}}}
    counts = models.JSONField(default=dict)
    done = models.PositiveSmallIntegerField(default=0)
    applicable = models.PositiveSmallIntegerField(default=0)
    percent = models.PositiveSmallIntegerField(default=0)
    computed_at = models.DateTimeField()
    # Set (in the changing transaction) by every change in the school; cleared by the refresh that read it.
    # The pending state lives here, not in a process's cache, so no change is lost between processes.
    requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["municipality_id", "percent"]),
            models.Index(fields=["active", "percent"]),
            models.Index(
                fields=["requested_at"],
                name="snapshot_pending",
                condition=models.Q(requested_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Snapshot {self.school_id}: {self.percent}%"


class SchoolSnapshotVersion(models.Model):
    """The dated history of a school's snapshot: a new row only when its values change.

    The version in force on a day D is the latest with ``valid_from`` before the end of D, so «по состоянию
    на D», the trend of a round and the region view for a past date are read from data, not recomputed.
    """

    school = models.ForeignKey("tenants.School", on_delete=models.CASCADE, related_name="snapshot_versions")
    valid_from = models.DateTimeField()
    template_version = models.PositiveIntegerField()
    items = models.JSONField(default=dict)
    counts = models.JSONField(default=dict)
    done = models.PositiveSmallIntegerField(default=0)
    applicable = models.PositiveSmallIntegerField(default=0)
    percent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["school_id", "-valid_from"]
        indexes = [models.Index(fields=["school", "-valid_from"], name="snapshot_version_school_date")]

    def __str__(self) -> str:
        return f"Snapshot {self.school_id} from {self.valid_from:%d.%m.%Y %H:%M}: {self.percent}%"


class InspectionRound(models.Model):
    """A monitoring round (campaign) of an ИМЦ over the schools of a municipality."""

    title = models.CharField(_("название"), max_length=300)
    municipality = models.ForeignKey("tenants.Municipality", on_delete=models.CASCADE, related_name="rounds")
    due_date = models.DateField(_("срок"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    template_version = models.PositiveIntegerField()
    schools = models.ManyToManyField("tenants.School", related_name="rounds")
    # Compliance % of the round's schools when it started, from their snapshots: the trend between rounds.
    baseline_percent = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class InspectionVerdict(models.Model):
    class Verdict(models.TextChoices):
        CONFIRMED = "confirmed", _("подтверждено")
        REMARK = "remark", _("замечание")
        NOT_APPLICABLE = "na", _("не применимо")

    round = models.ForeignKey(InspectionRound, on_delete=models.CASCADE, related_name="verdicts")
    school = models.ForeignKey("tenants.School", on_delete=models.CASCADE, related_name="verdicts")
    item_code = models.SlugField(max_length=40)
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    comment = models.TextField(blank=True)
    auto_state = models.CharField(max_length=20, blank=True)  # what the rule said when the inspector decided
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "school", "item_code"], name="verdict_once_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item_code}: {self.get_verdict_display()}"


class ReportRun(models.Model):
    """A federal reporting export for a date: built by background jobs, stored, listed under «Мои выгрузки»."""

    class Status(models.TextChoices):
        RUNNING = "running", _("формируется")
        DONE = "done", _("готово")
        FAILED = "failed", _("ошибка")

    on = models.DateField(_("по состоянию на"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    total = models.PositiveIntegerField(default=0)
    finished = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="reports/", storage=region_storage, blank=True)
    error = models.TextField(blank=True)
    # The schools the run covers, fixed when it starts: a resumed run recomputes only those still missing.
    school_ids = models.JSONField(default=list)
    # When a batch last stored rows: the sweeper resumes (``attempts`` times) or fails a run that stalls.
    progressed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "progressed_at"], name="report_run_progress")]

    def __str__(self) -> str:
        return f"Отчёт на {self.on:%d.%m.%Y}"


class ReportRow(models.Model):
    """One school's figures in a report run, written by the school's own job."""

    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="rows")
    school = models.ForeignKey("tenants.School", on_delete=models.CASCADE, related_name="+")
    # Names as they were when the row was computed: a later renaming does not change a stored report.
    title = models.CharField(max_length=200, blank=True)
    municipality = models.CharField(max_length=300, blank=True)
    values = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "school"], name="report_row_once")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.school_id}"


class ReportTemplate(models.Model):
    """The region's own XLSX form with placeholders, filled by the same engine as the built-in layout."""

    title = models.CharField(_("название"), max_length=300)
    file = models.FileField(upload_to="report-templates/", storage=region_storage)
    uploaded_at = models.DateTimeField(auto_now=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
