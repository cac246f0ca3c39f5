from django.db import models
from django.utils.translation import gettext_lazy as _


class RoadmapItem(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("запланировано")
        IN_PROGRESS = "in_progress", _("выполняется")
        DONE = "done", _("выполнено")
        CANCELLED = "cancelled", _("отменено")

    stage = models.CharField(_("этап"), max_length=300, blank=True)
    title = models.CharField(_("мероприятие"), max_length=500)
    period = models.CharField(_("сроки (как в плане)"), max_length=100, blank=True)
    due_date = models.DateField(_("срок"), null=True, blank=True)
    responsible = models.CharField(_("ответственный"), max_length=300, blank=True)
    result = models.CharField(_("результат (вид документа)"), max_length=500, blank=True)
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("пункт дорожной карты")
        verbose_name_plural = _("дорожная карта")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title
