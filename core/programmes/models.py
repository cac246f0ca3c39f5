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

    class Meta:
        verbose_name = _("персонализированная программа")
        verbose_name_plural = _("персонализированные программы")

    def __str__(self) -> str:
        return self.title


class ProgrammeSection(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=300)
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
    planned_result = models.CharField(_("планируемый результат"), max_length=500, blank=True)
    result = models.CharField(_("фактический результат"), max_length=20, choices=Result.choices, blank=True)
    result_text = models.TextField(_("фактический результат (описание)"), blank=True)
    mentor_assessment = models.TextField(_("оценка наставника"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.task
