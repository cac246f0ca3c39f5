from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    TEACHER = "teacher", _("педагог")
    STUDENT = "student", _("обучающийся")
    PARENT = "parent", _("родитель")
    GRADUATE = "graduate", _("выпускник")
    EXTERNAL = "external", _("внешний участник")


class ExternalKind(models.TextChoices):
    EMPLOYER = "employer", _("работодатель")
    STUDENT = "student", _("студент")
    LECTURER = "lecturer", _("педагог вуза/колледжа")
    PARTNER = "partner", _("социальный партнёр")


class Person(models.Model):
    """A participant of the school's mentoring: its own people and external partners."""

    last_name = models.CharField(_("фамилия"), max_length=100)
    first_name = models.CharField(_("имя"), max_length=100)
    middle_name = models.CharField(_("отчество"), max_length=100, blank=True)
    category = models.CharField(_("категория"), max_length=20, choices=Category.choices)
    external_kind = models.CharField(
        _("вид внешнего участника"), max_length=20, choices=ExternalKind.choices, blank=True
    )
    organisation = models.CharField(_("организация"), max_length=300, blank=True)
    birth_date = models.DateField(_("дата рождения"), null=True, blank=True)
    school_class = models.CharField(_("класс"), max_length=10, blank=True)
    position = models.CharField(_("должность"), max_length=200, blank=True)
    career_start = models.DateField(_("начало педагогической деятельности"), null=True, blank=True)
    hired_on = models.DateField(_("дата приёма на работу"), null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("телефон"), max_length=30, blank=True)
    # The login (public-schema user id) of a mentor or mentee who works in the system themselves.
    user_id = models.BigIntegerField(null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("участник")
        verbose_name_plural = _("участники")
        ordering = ["last_name", "first_name", "middle_name"]
        indexes = [models.Index(fields=["last_name", "first_name"]), models.Index(fields=["category"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def short_name(self) -> str:
        initials = " ".join(f"{p[0]}." for p in (self.first_name, self.middle_name) if p)
        return f"{self.last_name} {initials}".strip()


class BankEntry(models.Model):
    """A person's place in the bank of mentors or of mentees."""

    class Bank(models.TextChoices):
        MENTOR = "mentor", _("база наставников")
        MENTEE = "mentee", _("база наставляемых")

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("кандидат")
        APPROVED = "approved", _("одобрен")
        IN_PAIR = "in_pair", _("в паре")
        LEFT = "left", _("выбыл")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="bank_entries")
    bank = models.CharField(_("база"), max_length=10, choices=Bank.choices)
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.CANDIDATE)
    # Codes of the region's requests catalogue (tenants.catalogues.BankRequest; no foreign key crosses
    # schemas). A mentee's entry: what they ask for; a mentor's: what they can help with (matching pairs them).
    requests = ArrayField(
        models.CharField(max_length=20),
        verbose_name=_("запросы"),
        default=list,
        blank=True,
    )
    competencies = models.TextField(_("компетенции"), blank=True)
    subjects = models.CharField(_("предметы"), max_length=300, blank=True)
    capacity = models.PositiveSmallIntegerField(_("сколько наставляемых может вести"), default=1)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by_id = models.BigIntegerField(
        null=True, blank=True
    )  # a public-schema user id: no FK across schemas
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("запись в базе")
        verbose_name_plural = _("базы наставников и наставляемых")
        constraints = [models.UniqueConstraint(fields=["person", "bank"], name="bank_entry_unique")]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_bank_display()}"

    def request_labels(self, names: dict[str, str]) -> list[str]:
        """Names of this entry's requests from the catalogue ``names`` ({code: name}); unknown codes as is."""
        return [names.get(code, code) for code in self.requests]
