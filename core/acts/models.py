import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.people.models import Person


class ActKind(models.TextChoices):
    POLICY_TEACHERS = "policy_teachers", _("Положение о наставничестве педагогических работников")
    POLICY_STUDENTS = "policy_students", _("Положение о наставничестве обучающихся")
    ORDER_INTRODUCTION = "order_introduction", _("Приказ о внедрении целевой модели наставничества")
    ROADMAP = "roadmap", _("Дорожная карта")
    ORDER_CURATOR = "order_curator", _("Приказ о назначении куратора")
    ORDER_PAIRS = "order_pairs", _("Приказ о закреплении наставнических пар/групп")
    INCENTIVES = "incentives", _("Положение (приказ) о стимулировании наставников")
    SUPPLEMENTARY = "supplementary", _("Дополнительное соглашение к трудовому договору")
    ORDER_POLICY = "order_policy", _("Приказ об утверждении Положения о системе наставничества")
    ORDER_EARLY_END = "order_early_end", _("Приказ о досрочном прекращении наставничества")
    ORDER_INCENTIVES = "order_incentives", _("Приказ о поощрении наставников")


# Why these registers: a school numbers its orders («приказы по основной деятельности») in one sequence per
# year, so two orders of any kinds with the same number in one year are a typo. A Положение or a roadmap is
# not numbered on its own: it carries the number of the order that approved it (seed 001: the order «Об
# утверждении Положения…» with the Положение and the roadmap as annexes; seed 003: «Приказ от 30.08.2024
# № 151/1» on the programme's title page), so it may share the order's number but not another Положение's.
# A supplementary agreement is numbered per employment contract («№ 1 к трудовому договору № 45»), so
# several «№ 1» in a year are normal and not checked.
ORDER_KINDS: frozenset[str] = frozenset(
    {
        ActKind.ORDER_INTRODUCTION,
        ActKind.ORDER_CURATOR,
        ActKind.ORDER_PAIRS,
        ActKind.ORDER_POLICY,
        ActKind.ORDER_EARLY_END,
        ActKind.ORDER_INCENTIVES,
    }
)
UNNUMBERED_KINDS: frozenset[str] = frozenset({ActKind.SUPPLEMENTARY})


def number_register(kind: str) -> frozenset[str]:
    """The kinds whose numbers must not repeat within a year alongside an act of ``kind`` (empty: none)."""
    if kind in UNNUMBERED_KINDS:
        return frozenset()
    return frozenset(ORDER_KINDS) if kind in ORDER_KINDS else frozenset({kind})


class LocalAct(models.Model):
    """A local act or order of the school, with its file versions."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("проект")
        IN_FORCE = "in_force", _("действует")
        REPEALED = "repealed", _("утратил силу")

    kind = models.CharField(_("вид"), max_length=30, choices=ActKind.choices)
    number = models.CharField(_("номер"), max_length=30, blank=True)
    date = models.DateField(_("дата"), null=True, blank=True)
    title = models.CharField(_("название"), max_length=500)
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    curator = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="curator_orders",
        verbose_name=_("куратор"),
    )
    generated = models.BooleanField(default=False)
    # «утратил силу»: by which later act, from which day, and what the act was before (a draft that never
    # came into force stays out of every «в силе на дату» answer).
    repealed_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repeals",
        verbose_name=_("утратил силу на основании"),
    )
    repealed_on = models.DateField(_("утратил силу с"), null=True, blank=True)
    repealed_from = models.CharField(max_length=20, blank=True)
    # The pair an order on early termination is about (the pairs order links its pairs from Pair.order).
    pair = models.ForeignKey(
        "core.Pair", null=True, blank=True, on_delete=models.SET_NULL, related_name="termination_orders"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by_id = models.BigIntegerField(
        null=True, blank=True
    )  # a public-schema user id: no FK across schemas

    class Meta:
        verbose_name = _("локальный акт")
        verbose_name_plural = _("локальные акты и приказы")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        parts = [self.get_kind_display()]
        if self.number:
            parts.append(f"№ {self.number}")
        if self.date:
            parts.append(f"от {self.date:%d.%m.%Y}")
        return " ".join(parts)

    def in_force_on(self, on: datetime.date) -> bool:
        """In force on ``on``: approved, dated no later than ``on``, not yet repealed (see acts_in_force)."""
        if not (self.number and self.date) or self.date > on:
            return False
        if self.status == self.Status.IN_FORCE:
            return True
        return (
            self.status == self.Status.REPEALED
            and self.repealed_from == self.Status.IN_FORCE
            and self.repealed_on is not None
            and self.repealed_on > on
        )


class ActFile(models.Model):
    act = models.ForeignKey(LocalAct, on_delete=models.CASCADE, related_name="files")
    version = models.PositiveIntegerField()
    file = models.FileField(upload_to="acts/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by_id = models.BigIntegerField(
        null=True, blank=True
    )  # a public-schema user id: no FK across schemas

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["act", "version"], name="act_file_version_unique")]

    def __str__(self) -> str:
        return f"{self.act} v{self.version}"


class OrderCounter(models.Model):
    """Per-year numbering of the orders the system generates."""

    year = models.PositiveIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class CuratorAppointment(models.Model):
    """Who is the school's curator of mentoring, and by which order."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="curator_appointments")
    order = models.ForeignKey(LocalAct, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    since = models.DateField(_("с"))
    until = models.DateField(_("по"), null=True, blank=True)

    class Meta:
        ordering = ["-since"]

    def __str__(self) -> str:
        return f"{self.person} с {self.since:%d.%m.%Y}"


class SchoolProfile(models.Model):
    """The school's own settings (one row)."""

    site_section_url = models.URLField(_("раздел «Наставничество» на сайте школы"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "Настройки школы"
