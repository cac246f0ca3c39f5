from django.db import models

ACTION_LABELS = {
    "create": "создание", "update": "изменение", "import": "импорт", "view": "просмотр карточки",
    "export": "выгрузка данных", "erase": "удаление данных", "consent_add": "согласие добавлено",
    "consent_scan": "скан согласия", "consent_withdraw": "согласие отозвано", "scan_download": "скан скачан",
    "bank_add": "включение в базу", "bank_update": "изменение в базе", "bank_status": "статус в базе",
    "status": "смена статуса", "file_add": "новая версия файла", "generate": "документ сформирован", "save": "сохранение",
    "plan": "изменение плана программы", "repeal": "утратил силу", "delete": "удаление",
}  # fmt: skip


class AuditEntry(models.Model):
    """Who created, changed, deleted or viewed what in this school (152-ФЗ)."""

    actor_id = models.BigIntegerField(null=True, blank=True)  # a public-schema user id: survives the user
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.action} {self.object_repr}"

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


class ErasureRecord(models.Model):
    """The act recording that a person's data was destroyed at their request (the act itself survives)."""

    number = models.PositiveIntegerField(unique=True)
    performed_at = models.DateTimeField(auto_now_add=True)
    performed_by_email = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300)  # ФИО as it was: the act must say whose data was destroyed
    summary = models.JSONField(default=dict)
    document = models.FileField(upload_to="erasure/")

    def __str__(self) -> str:
        return f"Акт № {self.number}"
