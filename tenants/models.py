from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from tenants import catalogues as catalogues  # the region's reference catalogues are models of this app
from tenants.schema_names import schema_name_validate


class RegionSettings(models.Model):
    """The one region this installation serves (a singleton row)."""

    name = models.CharField(_("субъект РФ"), max_length=200)
    code = models.CharField(_("код субъекта РФ"), max_length=2, help_text=_("Две цифры, например 69."))
    centre_name = models.CharField(_("региональный наставнический центр"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("настройки региона")
        verbose_name_plural = _("настройки региона")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{2}$"), name="region_code_two_digits"),
        ]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    name = models.CharField(_("название"), max_length=200, unique=True)
    oktmo = models.CharField(_("ОКТМО"), max_length=11, blank=True)
    imc_name = models.CharField(_("ИМЦ"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("муниципальное образование")
        verbose_name_plural = _("муниципальные образования")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(TenantMixin):
    """A school: one PostgreSQL schema with all of its people and documents."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("общеобразовательная организация")
        ADDITIONAL = "additional", _("организация дополнительного образования")
        VOCATIONAL = "vocational", _("профессиональная образовательная организация (СПО)")

    class Status(models.TextChoices):
        PENDING = "pending", _("создаётся")
        FAILED = "failed", _("ошибка создания")
        ACTIVE = "active", _("работает")
        ARCHIVED = "archived", _("в архиве")

    name = models.CharField(_("полное наименование"), max_length=500)
    short_name = models.CharField(_("краткое наименование"), max_length=200)
    inn = models.CharField(_("ИНН"), max_length=10, blank=True)
    ogrn = models.CharField(_("ОГРН"), max_length=13, blank=True)
    kpp = models.CharField(_("КПП"), max_length=9, blank=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="schools", verbose_name=_("муниципалитет")
    )
    kind = models.CharField(_("тип"), max_length=20, choices=Kind.choices, default=Kind.GENERAL)
    slug = models.SlugField(_("адрес"), max_length=40, unique=True)
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.PENDING)
    curator_email = models.EmailField(_("e-mail куратора"), blank=True)
    provision_error = models.TextField(_("ошибка создания"), blank=True)
    # The provisioning job's sign of life and how many times it started: the sweeper resumes a school whose
    # job stopped making progress, or fails it with the reason (tenants.sweeper).
    provision_heartbeat_at = models.DateTimeField(null=True, blank=True)
    provision_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    # The schema is created by the onboarding job (tenants.provisioning), not on save.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        verbose_name = _("школа")
        verbose_name_plural = _("школы")
        ordering = ["short_name"]
        indexes = [models.Index(fields=["municipality", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["inn"], condition=~Q(inn=""), name="school_inn_unique"),
        ]

    def __str__(self) -> str:
        return self.short_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Last line of defence: no DDL is ever issued for a name the generator did not produce.
        schema_name_validate(self.schema_name)
        super().save(*args, **kwargs)


class SchemaTemplate(models.Model):
    """The DDL of the pre-migrated template schema for one state of the migrations."""

    fingerprint = models.CharField(max_length=64, unique=True)
    ddl = models.TextField()
    data_tables = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"SchemaTemplate {self.fingerprint[:12]}"


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("домен")
        verbose_name_plural = _("домены")


class UserManager(DjangoUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("E-mail is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":  # type: ignore[override]
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":  # type: ignore[override]
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A login. Personal data of school participants never lives here, only in school schemas."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail"), unique=True)
    last_name = models.CharField(_("фамилия"), max_length=150, blank=True)
    first_name = models.CharField(_("имя"), max_length=150, blank=True)
    middle_name = models.CharField(_("отчество"), max_length=150, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p) or self.email


class Role(models.TextChoices):
    REGIONAL_ADMIN = "regional_admin", _("администратор региона")
    INSPECTOR = "inspector", _("специалист ИМЦ")
    SCHOOL_ADMIN = "school_admin", _("администратор школы")
    CURATOR = "curator", _("куратор")
    MENTOR = "mentor", _("наставник")
    MENTEE = "mentee", _("наставляемый")


REGION_ROLES = frozenset({Role.REGIONAL_ADMIN, Role.INSPECTOR})
SCHOOL_ROLES = frozenset({Role.SCHOOL_ADMIN, Role.CURATOR, Role.MENTOR, Role.MENTEE})
SCHOOL_STAFF_ROLES = frozenset({Role.SCHOOL_ADMIN, Role.CURATOR})

_school_roles_q = Q(role__in=sorted(r.value for r in SCHOOL_ROLES))


class Membership(models.Model):
    """What a user may do where: region-wide, in one municipality, or in one school."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("роль"), max_length=20, choices=Role.choices)
    municipality = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("роль пользователя")
        verbose_name_plural = _("роли пользователей")
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    (Q(role=Role.REGIONAL_ADMIN) & Q(municipality__isnull=True) & Q(school__isnull=True))
                    | (Q(role=Role.INSPECTOR) & Q(municipality__isnull=False) & Q(school__isnull=True))
                    | (_school_roles_q & Q(school__isnull=False) & Q(municipality__isnull=True))
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "municipality", "school"],
                name="membership_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        scope = self.school or self.municipality or _("регион")
        return f"{self.user} — {self.get_role_display()} ({scope})"


class Invitation(models.Model):
    """An e-mailed invitation to take a role; accepting it creates the login and the membership."""

    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("роль"), max_length=20, choices=Role.choices)
    municipality = models.ForeignKey(Municipality, null=True, blank=True, on_delete=models.CASCADE)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE)
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("приглашение")
        verbose_name_plural = _("приглашения")
        constraints = [
            models.CheckConstraint(
                name="invitation_scope_matches_role",
                condition=(
                    (Q(role=Role.REGIONAL_ADMIN) & Q(municipality__isnull=True) & Q(school__isnull=True))
                    | (Q(role=Role.INSPECTOR) & Q(municipality__isnull=False) & Q(school__isnull=True))
                    | (_school_roles_q & Q(school__isnull=False) & Q(municipality__isnull=True))
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()})"


class AuditEvent(models.Model):
    """Who did what on the region's side (onboarding, archiving, deleting schools, invitations)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(_("действие"), max_length=50)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50, blank=True)
    object_repr = models.CharField(max_length=500, blank=True)
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("событие журнала")
        verbose_name_plural = _("журнал действий")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.action} {self.object_repr}"


class OnboardingBatch(models.Model):
    """A list of schools uploaded at once: parsed rows, the preview's verdicts, then progress."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("проверка")
        RUNNING = "running", _("создаются школы")
        DONE = "done", _("завершено")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEW)
    rows = models.JSONField(
        default=list
    )  # [{"line": 2, "data": {...}, "errors": [...], "existing_school_id": …}]
    schools = models.ManyToManyField(School, blank=True, related_name="onboarding_batches")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("пакетное подключение")
        verbose_name_plural = _("пакетные подключения")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class Heartbeat(models.Model):
    """The last sign of life of a background process («worker», «beat»), read by /readyz.

    In the database rather than a cache: under `make run` every process has its own local-memory cache.
    """

    name = models.CharField(max_length=20, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.at:%d.%m.%Y %H:%M:%S}"
