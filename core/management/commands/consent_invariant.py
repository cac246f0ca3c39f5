"""The consent rule, checked in every school: members of working pairs lacking valid consents (0 expected)."""

import argparse
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from core.dates import DateRefused, read_date
from core.pairs.selectors import consent_rule_breaches
from tenants.models import School


def _date_argument(raw: str) -> date:
    """``--on`` read by the product's one date parser; its Russian message if it is no usable date."""
    try:
        return read_date(raw)
    except DateRefused as refused:
        raise argparse.ArgumentTypeError(str(refused)) from None


class Command(BaseCommand):
    help = (
        "Для каждой школы: сколько участников действующих (не завершённых и не приостановленных) пар "
        "не имеют действующих согласий на дату. Ожидается 0; иначе код выхода 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--on", type=_date_argument, help="дата ДД.ММ.ГГГГ или ГГГГ-ММ-ДД (по умолчанию сегодня)"
        )
        parser.add_argument(
            "--school", action="append", default=[], help="адрес школы (slug); можно несколько"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        on: date = options["on"] or timezone.localdate()
        schools = School.objects.exclude(schema_name="public").order_by("slug")
        if options["school"]:
            schools = schools.filter(slug__in=options["school"])
        broken: list[str] = []
        for school in schools:
            if not schema_exists(school.schema_name):
                self.stdout.write(f"{school.slug}: нет схемы, пропущена")
                continue
            with schema_context(school.schema_name):
                breaches = consent_rule_breaches(on)
            self.stdout.write(f"{school.slug}: {len(breaches)}")
            for member in breaches:
                self.stdout.write(f"  пара № {member.pair_id}: участник id {member.person_id}")
            if breaches:
                broken.append(school.slug)
        if broken:
            raise CommandError(f"Правило согласий нарушено на {on:%d.%m.%Y} в школах: {', '.join(broken)}")
        self.stdout.write(self.style.SUCCESS(f"Правило согласий соблюдено на {on:%d.%m.%Y}."))
