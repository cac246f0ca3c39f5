"""The home page's «Нет действующих согласий» list: decided partly in SQL for speed (issue 14), it must
name exactly the bank people ``consent_check`` refuses, whatever the mix of ages and consents."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django_tenants.utils import schema_context

from core.consents.models import Consent
from core.consents.selectors import consent_check
from core.people.models import BankEntry, Person
from core.selectors import school_summary

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NAMED = {
    "by_representative": True,
    "representative_last_name": "Иванова",
    "representative_first_name": "Мария",
}


def _person(name: str, born, *consents: dict) -> Person:
    person = Person.objects.create(last_name=name, first_name="Тест", category="student", birth_date=born)
    BankEntry.objects.create(person=person, bank="mentee")
    for extra in consents:
        for kind in Consent.Kind:
            Consent.objects.create(person=person, kind=kind, valid_from=TODAY - timedelta(days=10), **extra)
    return person


def test_the_home_page_names_exactly_the_bank_people_consent_check_refuses(world):
    eighteen_today = TODAY - relativedelta(years=18)
    with schema_context(world.school_a.schema_name):
        _person("Взрослый", TODAY - relativedelta(years=30), {})
        _person("Безрождения", None, {})
        _person("Несовершеннолетний", TODAY - relativedelta(years=12), {})  # own consent: not enough
        _person("Спредставителем", TODAY - relativedelta(years=12), NAMED)
        _person("Безимени", TODAY - relativedelta(years=12), {"by_representative": True})
        _person("Восемнадцать", eighteen_today, {})  # of age today: decided by consent_check itself
        _person("Накануне", eighteen_today + timedelta(days=1), {})  # a minor for one more day
        _person("Отозвал", TODAY - relativedelta(years=30), {"withdrawn_on": TODAY})
        _person("Отзовёт", TODAY - relativedelta(years=30), {"withdrawn_on": TODAY + timedelta(days=3)})
        _person("Истекло", TODAY - relativedelta(years=30), {"valid_until": TODAY - timedelta(days=1)})
        _person("Безсогласий", TODAY - relativedelta(years=30))
        bank_people = (
            Person.objects.filter(bank_entries__isnull=False).distinct().prefetch_related("consents")
        )
        expected = [p.last_name for p in bank_people if not consent_check(person=p, on=TODAY).allowed]
        listed = [p.last_name for p in school_summary(today=TODAY)["without_consent"]]
    assert listed == expected
    assert set(listed) == {"Несовершеннолетний", "Безимени", "Накануне", "Отозвал", "Истекло", "Безсогласий"}
