"""Every kind of notification: what it is called, who gets it, and how it is e-mailed unless the person chose.

One catalogue for both sides, so the preferences page, the README and the e-mail footer agree.
"""

from dataclasses import dataclass

from django.db import models


class Channel(models.TextChoices):
    IMMEDIATE = "immediate", "сразу"
    DIGEST = "digest", "в ежедневной сводке"
    NONE = "none", "не присылать"


SCHOOL, REGION = "school", "region"


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    who: str
    default: str  # a Channel value
    sites: tuple[str, ...]


_ALL = (
    Kind("remark", "Замечание ИМЦ по чек-листу", "кураторы школы", Channel.IMMEDIATE, (SCHOOL,)),
    Kind("remark_fixed", "Школа исправила замечание", "специалист ИМЦ, сделавший замечание",
         Channel.IMMEDIATE, (REGION,)),
    Kind("round_started", "Начат раунд мониторинга", "кураторы школ раунда, специалисты ИМЦ",
         Channel.DIGEST, (SCHOOL, REGION)),
    Kind("round_due", "До срока раунда мониторинга 7 дней", "кураторы школ раунда, специалисты ИМЦ",
         Channel.IMMEDIATE, (SCHOOL, REGION)),
    Kind("round_overdue", "Срок раунда мониторинга прошёл", "кураторы школ раунда, специалисты ИМЦ",
         Channel.IMMEDIATE, (SCHOOL, REGION)),
    Kind("task_due", "Срок задания программы через 7 дней", "наставники пары, кураторы", Channel.DIGEST,
         (SCHOOL,)),
    Kind("task_overdue", "Задание программы просрочено", "наставники пары, кураторы", Channel.IMMEDIATE,
         (SCHOOL,)),
    Kind("roadmap_due", "Срок пункта дорожной карты через 7 дней", "кураторы (ответственные)", Channel.DIGEST,
         (SCHOOL,)),
    Kind("roadmap_overdue", "Пункт дорожной карты просрочен", "кураторы (ответственные)", Channel.IMMEDIATE,
         (SCHOOL,)),
    Kind("programme_submitted", "Программа отправлена на согласование", "кураторы школы", Channel.IMMEDIATE,
         (SCHOOL,)),
    Kind("programme_approved", "Программа утверждена", "наставник и наставляемый", Channel.IMMEDIATE,
         (SCHOOL,)),
    Kind("programme_returned", "Программа возвращена на доработку", "наставник и наставляемый",
         Channel.IMMEDIATE, (SCHOOL,)),
    Kind("consent_expiring", "Согласие истекает через 30 дней", "кураторы школы", Channel.DIGEST, (SCHOOL,)),
    Kind("consent_expired", "Согласие истекло", "кураторы школы", Channel.IMMEDIATE, (SCHOOL,)),
    Kind("student_adult", "Обучающемуся исполняется 18 лет (согласие давал родитель)", "кураторы школы",
         Channel.DIGEST, (SCHOOL,)),
    Kind("pair_inactive", "Пара давно без встреч", "наставники пары, кураторы", Channel.DIGEST, (SCHOOL,)),
    Kind("survey_waiting", "Ждёт анкета мониторинга", "участник пары", Channel.DIGEST, (SCHOOL,)),
    Kind("onboarding_finished", "Школа подключена", "администратор региона, начавший подключение",
         Channel.DIGEST, (REGION,)),
    Kind("onboarding_failed", "Ошибка подключения школы", "администратор региона, начавший подключение",
         Channel.IMMEDIATE, (REGION,)),
    Kind("export_ready", "Выгрузка готова", "кто запустил выгрузку", Channel.IMMEDIATE, (REGION,)),
    Kind("export_failed", "Ошибка выгрузки", "кто запустил выгрузку", Channel.IMMEDIATE, (REGION,)),
)  # fmt: skip

KINDS: dict[str, Kind] = {kind.code: kind for kind in _ALL}
KIND_CHOICES = [(kind.code, kind.label) for kind in _ALL]


def kinds_for(site: str) -> list[Kind]:
    return [kind for kind in _ALL if site in kind.sites]


def kind_label(code: str) -> str:
    kind = KINDS.get(code)
    return kind.label if kind else code
