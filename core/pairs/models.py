from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.acts.models import LocalAct
from core.people.models import Person


class Pair(models.Model):
    """A mentoring pair or group. Catalogue entries (form, role model, kind, reason) live in the region's
    public schema and are referred to by code or id: no foreign key crosses schemas."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("действует")
        SUSPENDED = "suspended", _("приостановлена")
        ENDED = "ended", _("завершена")

    form_code = models.CharField(_("форма наставничества"), max_length=40)
    role_model_id = models.BigIntegerField(_("ролевая модель"))
    kind_code = models.CharField(_("вид наставничества"), max_length=40)
    started_on = models.DateField(_("начало"))
    ended_on = models.DateField(_("окончание"), null=True, blank=True)
    end_reason_code = models.CharField(_("причина завершения"), max_length=40, blank=True)
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    suspended_reason = models.CharField(max_length=300, blank=True)
    order = models.ForeignKey(
        LocalAct, null=True, blank=True, on_delete=models.SET_NULL, related_name="pairs"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-pk"]
        verbose_name = _("пара (группа)")
        verbose_name_plural = _("пары и группы")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="pair_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"Пара № {self.pk}"


class PairSuspension(models.Model):
    """A period during which a pair was stopped (from ``since`` to ``until`` inclusive; open while it lasts).

    Dated, so that «was this pair working on D?» is answered from what was known about D, and a suspension
    recorded today never changes the figures of an earlier date (``core.pairs.selectors.active_on``).
    """

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="suspensions")
    since = models.DateField(_("приостановлена с"))
    until = models.DateField(_("по"), null=True, blank=True)
    reason = models.CharField(_("причина"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["since", "pk"]
        verbose_name = _("приостановка пары")
        verbose_name_plural = _("приостановки пар")
        indexes = [models.Index(fields=["pair", "since"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(until__isnull=True) | models.Q(until__gte=models.F("since")),
                name="pair_suspension_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"Пара № {self.pair_id} приостановлена с {self.since:%d.%m.%Y}"

    def covers(self, on: date) -> bool:
        return self.since <= on and (self.until is None or self.until >= on)


class PairMember(models.Model):
    """A person in a pair from a date to a date, so the pair's composition on any day can be shown."""

    class Role(models.TextChoices):
        MENTOR = "mentor", _("наставник")
        MENTEE = "mentee", _("наставляемый")

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="pair_memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    since = models.DateField()
    until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["role", "person__last_name"]
        indexes = [models.Index(fields=["person", "role"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()}"


class Meeting(models.Model):
    class Kind(models.TextChoices):
        INTRO = "intro", _("встреча-знакомство")
        TRIAL = "trial", _("пробная встреча")
        PLANNING = "planning", _("встреча-планирование")
        REGULAR = "regular", _("регулярная встреча")
        FINAL = "final", _("итоговая встреча")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("очно")
        REMOTE = "remote", _("дистанционно")

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(_("вид встречи"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("дата"))
    format = models.CharField(_("формат"), max_length=20, choices=Format.choices, default=Format.IN_PERSON)
    hours = models.DecimalField(_("часов"), max_digits=4, decimal_places=1, default=1)
    notes = models.TextField(_("заметки"), blank=True)
    created_by_id = models.BigIntegerField(null=True, blank=True)  # a public-schema user id

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d.%m.%Y}"
