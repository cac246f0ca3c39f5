from django.db import models
from django.utils.translation import gettext_lazy as _

from core.pairs.models import Pair


class Programme(models.Model):
    """Персонализированная программа наставничества of one pair or group."""

    class Stage(models.TextChoices):
        PREPARATORY = "preparatory", _("подготовительный")
        DESIGN = "design", _("проектировочный")
        IMPLEMENTATION = "implementation", _("реализационный")
        REFLECTION = "reflection", _("рефлексивно-аналитический")
        RESULTS = "results", _("результативный")

    class Status(models.TextChoices):
        DRAFT = "draft", _("черновик")
        REVIEW = "review", _("на согласовании")
        # A plan changed after approval (or returned by the curator): a new draft version until approved again.
        REVISION = "revision", _("на доработке")
        APPROVED = "approved", _("утверждена")
        RUNNING = "running", _("выполняется")
        COMPLETED = "completed", _("завершена")
        TERMINATED = "terminated", _("прекращена")

    pair = models.OneToOneField(Pair, on_delete=models.CASCADE, related_name="programme")
    title = models.CharField(_("название"), max_length=300)
    starts_on = models.DateField(_("начало"))
    ends_on = models.DateField(_("окончание"))
    extended = models.BooleanField(_("продлена сверх года"), default=False)
    stage = models.CharField(_("этап"), max_length=20, choices=Stage.choices, default=Stage.PREPARATORY)
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    # The day it was actually completed or terminated: «completed by D» reads this, not the planned ``ends_on``.
    completed_on = models.DateField(_("завершена фактически"), null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by_id = models.BigIntegerField(null=True, blank=True)  # a public-schema user id
    # While «на доработке»: the status the approved programme had (approved or running), restored on approval.
    resume_status = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        verbose_name = _("персонализированная программа")
        verbose_name_plural = _("персонализированные программы")

    def __str__(self) -> str:
        return self.title


class ProgrammeSection(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=300)
    # Copied from the template: seed 003's «Данный раздел заполняется исключительно для вновь принятых педагогов».
    note = models.TextField(_("примечание к разделу"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class ProgrammeTask(models.Model):
    class Result(models.TextChoices):
        FULL = "full", _("достигнут в полной мере")
        PARTIAL = "partial", _("достигнут не в полной мере")
        NONE = "none", _("не достигнут")
        EXCEEDED = "exceeded", _("превышен")

    section = models.ForeignKey(ProgrammeSection, on_delete=models.CASCADE, related_name="tasks")
    task = models.CharField(_("проект, задание"), max_length=500)
    due_date = models.DateField(_("срок"), null=True, blank=True)
    # The template's «Срок» text the deadline was computed from, and why a deadline is only a placeholder
    # («срок не распознан — поставлено окончание программы»), shown next to the date until someone sets it.
    term = models.CharField(_("срок по шаблону"), max_length=100, blank=True)
    due_note = models.CharField(_("примечание к сроку"), max_length=300, blank=True)
    note = models.TextField(_("примечание к заданию"), blank=True)
    planned_result = models.CharField(_("планируемый результат"), max_length=500, blank=True)
    result = models.CharField(_("фактический результат"), max_length=20, choices=Result.choices, blank=True)
    result_text = models.TextField(_("фактический результат (описание)"), blank=True)
    mentor_assessment = models.TextField(_("оценка наставника"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.task


class ProgrammeVersion(models.Model):
    """An approved plan, frozen: the sections and tasks as they were when the curator approved them."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    plan = models.JSONField(default=list)  # [{"title": …, "tasks": [{"task", "due_date", "planned_result"}]}]
    approved_at = models.DateTimeField()
    approved_by_id = models.BigIntegerField(null=True, blank=True)  # a public-schema user id
    approved_by_name = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="programme_version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.programme} — версия {self.number}"


class ProgrammeComment(models.Model):
    """A remark on the plan (the mentee's voice in «разрабатывается совместно»), optionally on one task."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="comments")
    task = models.ForeignKey(
        ProgrammeTask, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    text = models.TextField(_("комментарий"))
    author_id = models.BigIntegerField(null=True, blank=True)  # a public-schema user id
    author_name = models.CharField(max_length=300, blank=True)
    role = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:50]
