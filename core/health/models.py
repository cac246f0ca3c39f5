from django.db import models


class WorkerCheck(models.Model):
    """A round trip through the queue into this school's schema: proves background jobs work for it."""

    requested_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    processed_in_schema = models.CharField(max_length=63, blank=True)

    class Meta:
        app_label = "core"
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"WorkerCheck {self.pk}"
