"""The region's own data (public schema): checklists, snapshots, rounds, reports.

The reference catalogues schools read (forms, role models, kinds, end reasons, questionnaires, the model
roadmap, document templates) live in ``tenants.catalogues`` so the school side never imports this app.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Re-exported: regional migrations 0003, 0012 and 0013 name ``regional.models.region_storage``.
from tenants.catalogues import region_storage as region_storage


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
    # The school's federal report figures for ``report_on`` (the day of the refresh that computed them), with
    # the region's «early end» reasons they were counted with. An export for that day takes them as they are
    # when nothing is pending and the reasons are still the same; otherwise it recomputes the school.
    report_on = models.DateField(null=True, blank=True)
    report_values = models.JSONField(null=True, blank=True)
    report_early_codes = models.JSONField(default=list, blank=True)
    # core.facts.indicators.figures_definition() they were computed by: a deploy that changes how figures
    # are computed, or migrates the school's tables, makes them stale until the next refresh.
    report_definition = models.CharField(max_length=16, blank=True)

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
    # Whether the school was in the region's picture (not archived) from ``valid_from``: archiving and
    # unarchiving write a version, so the picture of a past date holds the schools that were active then.
    active = models.BooleanField(default=True)

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
