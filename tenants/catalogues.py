"""Reference catalogues the region maintains and every school reads (public schema).

They belong to neither side alone: the region edits them (``regional``), schools read them when they form
pairs, fill questionnaires, start a roadmap or print documents (``core``). Living in the platform app lets
both sides import them while the school side never imports the region side (import-linter contracts in
pyproject.toml). The tables kept their ``regional_*`` names when the models moved here (state-only
migrations tenants 0004 and regional 0016), so no data was copied.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.files.storage import FileSystemStorage, Storage
from django.db import models
from django.utils.translation import gettext_lazy as _


def region_storage() -> Storage:
    """Region files live in one place whatever schema reads them (the default storage is per school)."""
    return FileSystemStorage(location=settings.MEDIA_ROOT / "region")


class DocumentTemplate(models.Model):
    """A DOCX template the region uploaded in place of a built-in one (core.documents.defaults)."""

    class Kind(models.TextChoices):
        ORDER_CURATOR = "order_curator", _("Приказ о назначении куратора")
        ORDER_PAIRS = "order_pairs", _("Приказ о закреплении пар/групп")
        CONSENT = "consent", _("Согласие (участие / персональные данные)")
        ERASURE_ACT = "erasure_act", _("Акт об уничтожении персональных данных")
        PROGRAMME = "programme", _("Персонализированная программа наставничества (ИПР)")
        ROUND_NOTE = "round_note", _("Аналитическая справка по итогам мониторинга (раунд ИМЦ)")
        ORDER_POLICY = "order_policy", _("Приказ об утверждении Положения о наставничестве (с приложениями)")
        ORDER_INTRODUCTION = "order_introduction", _("Приказ о внедрении целевой модели наставничества")
        ORDER_EARLY_END = "order_early_end", _("Приказ о досрочном прекращении наставничества")
        ORDER_INCENTIVES = "order_incentives", _("Приказ о поощрении наставников")
        ANNUAL_REPORT = "annual_report", _("Итоговый аналитический отчёт куратора за год")

    kind = models.CharField(_("документ"), max_length=30, choices=Kind.choices, unique=True)
    file = models.FileField(upload_to="document-templates/", storage=region_storage)
    uploaded_at = models.DateTimeField(auto_now=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        db_table = "regional_documenttemplate"

    def __str__(self) -> str:
        return self.get_kind_display()


class RoadmapTemplateItem(models.Model):
    """The region's model roadmap; a school starts its own roadmap from a copy."""

    stage = models.CharField(_("этап"), max_length=300, blank=True)
    title = models.CharField(_("мероприятие"), max_length=500)
    period = models.CharField(_("сроки"), max_length=100, blank=True)
    responsible = models.CharField(_("ответственный"), max_length=300, blank=True)
    result = models.CharField(_("результат (вид документа)"), max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "regional_roadmaptemplateitem"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


# Where a catalogue entry comes from: the document (seed) that names it. Empty means nobody's document names
# it (an entry added by the product or by the region itself); the «Справочники» page marks such entries.
SOURCE_HELP = _("документ, в котором названа эта запись; пусто — не из документов")


class MentoringForm(models.Model):
    """Форма наставничества, with the participant categories it allows on each side.

    Categories are Person.category values, or «external:<kind>» for external participants.
    """

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("форма"), max_length=200)
    mentor_categories = ArrayField(
        models.CharField(max_length=30), verbose_name=_("кто может быть наставником")
    )
    mentee_categories = ArrayField(
        models.CharField(max_length=30), verbose_name=_("кто может быть наставляемым")
    )
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    source = models.CharField(_("источник"), max_length=300, blank=True, help_text=SOURCE_HELP)

    class Meta:
        db_table = "regional_mentoringform"
        ordering = ["position", "name"]
        verbose_name = _("форма наставничества")
        verbose_name_plural = _("формы наставничества")

    def __str__(self) -> str:
        return self.name


class RoleModel(models.Model):
    form = models.ForeignKey(MentoringForm, on_delete=models.CASCADE, related_name="role_models")
    name = models.CharField(_("ролевая модель"), max_length=200)
    is_active = models.BooleanField(default=True)
    source = models.CharField(_("источник"), max_length=300, blank=True, help_text=SOURCE_HELP)

    class Meta:
        db_table = "regional_rolemodel"
        ordering = ["form__position", "name"]
        verbose_name = _("ролевая модель")
        verbose_name_plural = _("ролевые модели")
        constraints = [models.UniqueConstraint(fields=["form", "name"], name="role_model_unique")]

    def __str__(self) -> str:
        return self.name


class BankRequest(models.Model):
    """A request a mentee brings to the bank (and a mentor says they can help with): seeds 001 and 003.

    Bank entries keep the ``code`` (no foreign key crosses schemas), so a code never changes once used;
    the region renames, reorders, adds or switches entries off on the «Справочники» page.
    """

    class Audience(models.TextChoices):
        TEACHERS = "teachers", _("педагоги")
        STUDENTS = "students", _("обучающиеся")
        ANY = "any", _("все")

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(_("запрос"), max_length=200)
    audience = models.CharField(_("для кого"), max_length=10, choices=Audience.choices, default=Audience.ANY)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    source = models.CharField(_("источник"), max_length=300, blank=True, help_text=SOURCE_HELP)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("запрос базы наставников/наставляемых")
        verbose_name_plural = _("запросы базы наставников/наставляемых")

    def __str__(self) -> str:
        return self.name


def bank_request_names(*, active_only: bool = False) -> dict[str, str]:
    """{code: name} of the requests catalogue, in its order (one query)."""
    requests = BankRequest.objects.all()
    if active_only:
        requests = requests.filter(is_active=True)
    return dict(requests.values_list("code", "name"))


class MentoringKind(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("вид наставничества"), max_length=200)

    class Meta:
        db_table = "regional_mentoringkind"
        ordering = ["pk"]
        verbose_name = _("вид наставничества")
        verbose_name_plural = _("виды наставничества")

    def __str__(self) -> str:
        return self.name


class EndReason(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("причина завершения"), max_length=200)
    early = models.BooleanField(_("досрочно"), default=False)

    class Meta:
        db_table = "regional_endreason"
        ordering = ["pk"]
        verbose_name = _("причина завершения")
        verbose_name_plural = _("причины завершения")

    def __str__(self) -> str:
        return self.name


class SurveyTemplate(models.Model):
    """A regional monitoring questionnaire (seed 003 §10). Questions: [{"code", "text", "kind": scale|text}]."""

    class Audience(models.TextChoices):
        MENTEE = "mentee", _("наставляемые")
        MENTOR = "mentor", _("наставники")
        CURATOR = "curator", _("куратор")
        PARTICIPANT = "participant", _("все участники пары")

    code = models.SlugField(max_length=40, unique=True)
    title = models.CharField(_("название"), max_length=300)
    stage = models.PositiveSmallIntegerField(_("этап мониторинга"), choices=[(1, "этап 1"), (2, "этап 2")])
    audience = models.CharField(_("кто отвечает"), max_length=20, choices=Audience.choices)
    questions = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)

    class Meta:
        db_table = "regional_surveytemplate"
        ordering = ["stage", "pk"]
        verbose_name = _("анкета мониторинга")
        verbose_name_plural = _("анкеты мониторинга")

    def __str__(self) -> str:
        return self.title


class ProgrammeTemplate(models.Model):
    """A template of the personalised programme (ИПР), seed 003: sections of tasks a new programme starts from.

    A pair gets the template marked for its role model, else the one marked for its form. Programmes copy
    the sections and tasks when they are created, so editing or archiving a template never changes them.
    """

    name = models.CharField(_("название"), max_length=300)
    heading = models.CharField(_("форма и ролевая модель (как в шаблоне)"), max_length=500, blank=True)
    note = models.TextField(_("примечания к шаблону"), blank=True)
    form_codes = ArrayField(
        models.CharField(max_length=40), default=list, blank=True, verbose_name=_("для форм наставничества")
    )
    role_models = models.ManyToManyField(
        RoleModel, blank=True, related_name="programme_templates", verbose_name=_("для ролевых моделей")
    )
    source = models.CharField(_("источник"), max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(_("в архиве"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["archived", "position", "pk"]
        verbose_name = _("шаблон программы")
        verbose_name_plural = _("шаблоны программ")

    def __str__(self) -> str:
        return self.name


class ProgrammeTemplateSection(models.Model):
    template = models.ForeignKey(ProgrammeTemplate, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("раздел"), max_length=300)
    note = models.TextField(_("примечание к разделу"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class ProgrammeTemplateTask(models.Model):
    section = models.ForeignKey(ProgrammeTemplateSection, on_delete=models.CASCADE, related_name="tasks")
    task = models.CharField(_("проект, задание"), max_length=500)
    # The text of the «Срок» column («в течение первого месяца», «1 четверть»); seed 003 leaves it blank.
    term = models.CharField(_("срок"), max_length=100, blank=True)
    planned_result = models.CharField(_("планируемый результат"), max_length=500, blank=True)
    note = models.TextField(_("примечание к заданию"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.task
