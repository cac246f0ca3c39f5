from django.db import models
from django.utils.translation import gettext_lazy as _

from core.pairs.models import Pair
from core.people.models import Person


class SurveyResponse(models.Model):
    """One filled questionnaire. Stage 2 is answered twice per person and pair: on entry and on exit."""

    class Phase(models.TextChoices):
        ONCE = "once", _("однократно")
        ENTRY = "entry", _("на входе")
        EXIT = "exit", _("на выходе")

    template_code = models.SlugField(max_length=40)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="survey_responses"
    )
    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="survey_responses")
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.ONCE)
    answers = models.JSONField(default=dict)
    submitted_at = models.DateTimeField(auto_now_add=True)
    submitted_by_id = models.BigIntegerField(null=True, blank=True)  # a public-schema user id

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["template_code", "person", "pair", "phase"],
                name="survey_once_per_phase",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.template_code} {self.phase}"
