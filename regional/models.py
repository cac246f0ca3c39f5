"""Region-wide reference data and documents (public schema)."""

from django.conf import settings
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

    kind = models.CharField(_("документ"), max_length=30, choices=Kind.choices, unique=True)
    file = models.FileField(upload_to="document-templates/", storage=region_storage)
    uploaded_at = models.DateTimeField(auto_now=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

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
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title
