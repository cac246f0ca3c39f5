"""The register of incentives actually given to mentors and of mentor training (seed 002: «меры
стимулирования … (при наличии)»; seeds 000, 001, 003: courses, hours, dates)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.acts.models import LocalAct
from core.people.models import Person


class Incentive(models.Model):
    """One incentive given to a mentor: a bonus, a certificate, a letter of thanks, an award."""

    class Kind(models.TextChoices):
        # The kinds seeds 001 and 002 list: «доплата», «грамоты, благодарности», «ведомственные награды».
        BONUS = "bonus", _("доплата (выплата) за наставничество")
        CERTIFICATE = "certificate", _("грамота (диплом)")
        GRATITUDE = "gratitude", _("благодарность (благодарственное письмо)")
        AWARD = "award", _("награда (ведомственная, знак отличия)")
        OTHER = "other", _("иная мера поощрения")

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="incentives", verbose_name=_("наставник")
    )
    kind = models.CharField(_("вид поощрения"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("формулировка"), max_length=300, blank=True)
    given_on = models.DateField(_("дата"))
    amount = models.DecimalField(_("сумма, руб."), max_digits=10, decimal_places=2, null=True, blank=True)
    order = models.ForeignKey(
        LocalAct,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incentives",
        verbose_name=_("приказ о поощрении"),
    )
    note = models.CharField(_("примечание"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by_id = models.BigIntegerField(null=True, blank=True)  # a public-schema user id

    class Meta:
        verbose_name = _("поощрение наставника")
        verbose_name_plural = _("поощрения наставников")
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="incentive_amount_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.person.short_name}, {self.given_on:%d.%m.%Y}"


class Training(models.Model):
    """A course a mentor took (курсы повышения квалификации, установочные сессии): hours and dates."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="trainings", verbose_name=_("наставник")
    )
    course = models.CharField(_("программа (курс)"), max_length=300)
    organiser = models.CharField(_("где (организация)"), max_length=300, blank=True)
    hours = models.DecimalField(_("часов"), max_digits=6, decimal_places=1)
    starts_on = models.DateField(_("начало"))
    ends_on = models.DateField(_("окончание"))
    document = models.CharField(_("документ (удостоверение, сертификат)"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by_id = models.BigIntegerField(null=True, blank=True)  # a public-schema user id

    class Meta:
        verbose_name = _("обучение наставника")
        verbose_name_plural = _("обучение наставников")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="training_hours_positive"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="training_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} — {self.person.short_name}"
