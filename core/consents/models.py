from django.db import models
from django.utils.translation import gettext_lazy as _

from core.people.models import Person


class Consent(models.Model):
    """A signed consent (152-ФЗ): participation and personal data are separate documents."""

    class Kind(models.TextChoices):
        PARTICIPATION = "participation", _("согласие на участие в программе наставничества")
        PERSONAL_DATA = "personal_data", _("согласие на обработку персональных данных")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices)
    by_representative = models.BooleanField(_("даёт законный представитель"), default=False)
    representative_last_name = models.CharField(_("фамилия представителя"), max_length=100, blank=True)
    representative_first_name = models.CharField(_("имя представителя"), max_length=100, blank=True)
    representative_middle_name = models.CharField(_("отчество представителя"), max_length=100, blank=True)
    representative_relation = models.CharField(_("кем приходится"), max_length=100, blank=True)
    representative_document = models.CharField(
        _("документ, подтверждающий полномочия"), max_length=300, blank=True
    )
    valid_from = models.DateField(_("действует с"))
    valid_until = models.DateField(_("действует по"), null=True, blank=True)
    withdrawn_on = models.DateField(_("отозвано"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("причина отзыва"), max_length=300, blank=True)
    scan = models.FileField(_("скан"), upload_to="consents/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by_id = models.BigIntegerField(
        null=True, blank=True
    )  # a public-schema user id: no FK across schemas

    class Meta:
        verbose_name = _("согласие")
        verbose_name_plural = _("согласия")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="consent_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.person}"

    @property
    def representative_name(self) -> str:
        parts = (
            self.representative_last_name,
            self.representative_first_name,
            self.representative_middle_name,
        )
        return " ".join(p for p in parts if p)
