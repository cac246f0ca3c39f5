from django.db import models
from django.utils.translation import gettext_lazy as _


class ContingentDeclaration(models.Model):
    """Denominators a school declares for a year when it keeps only part of its people in the system."""

    year = models.PositiveIntegerField(_("год"), unique=True)
    students_10_18 = models.PositiveIntegerField(_("обучающихся 10–18 лет"), null=True, blank=True)
    teachers = models.PositiveIntegerField(_("педагогов"), null=True, blank=True)
    young_teachers = models.PositiveIntegerField(
        _("педагогов до 35 лет со стажем до 3 лет"), null=True, blank=True
    )
    declared_by_email = models.CharField(max_length=254, blank=True)
    declared_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Контингент {self.year}"
