"""Writing the register of incentives and mentor training: one function per action, each journaled."""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model

from core.audit.services import audit_log, changes_between
from core.incentives.models import Incentive, Training
from tenants.models import User


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """Values the journal (JSON) can hold: a person or an act as its text, dates as ДД.ММ.ГГГГ."""

    def one(value: Any) -> Any:
        if isinstance(value, Model):
            return str(value)
        if hasattr(value, "strftime"):
            return value.strftime("%d.%m.%Y")
        if isinstance(value, Decimal):
            return format(value, "f").replace(".", ",")
        return value

    return {name: one(value) for name, value in data.items()}


def _create[M: Model](model: type[M], *, data: dict[str, Any], actor: User | None) -> M:
    obj = model.objects.create(created_by_id=actor.pk if actor else None, **data)  # type: ignore[attr-defined]
    audit_log(actor=actor, action="create", obj=obj, changes=_plain(data))
    return obj


def _update[M: Model](obj: M, *, data: dict[str, Any], actor: User | None) -> M:
    # Read what is stored: a ModelForm has already written the new values onto the instance it was given.
    stored = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    before = {name: getattr(stored, name) for name in data}
    for name, value in data.items():
        setattr(obj, name, value)
    changes = changes_between(_plain(before), _plain(data))
    if changes:
        obj.save(update_fields=list(changes))
        audit_log(actor=actor, action="update", obj=obj, changes=changes)
    return obj


def _delete(obj: Model, *, actor: User | None) -> None:
    audit_log(actor=actor, action="delete", obj=obj)
    obj.delete()


@transaction.atomic
def incentive_create(*, data: dict[str, Any], actor: User | None) -> Incentive:
    return _create(Incentive, data=data, actor=actor)


@transaction.atomic
def incentive_update(*, incentive: Incentive, data: dict[str, Any], actor: User | None) -> Incentive:
    return _update(incentive, data=data, actor=actor)


@transaction.atomic
def incentive_delete(*, incentive: Incentive, actor: User | None) -> None:
    _delete(incentive, actor=actor)


@transaction.atomic
def training_create(*, data: dict[str, Any], actor: User | None) -> Training:
    return _create(Training, data=data, actor=actor)


@transaction.atomic
def training_update(*, training: Training, data: dict[str, Any], actor: User | None) -> Training:
    return _update(training, data=data, actor=actor)


@transaction.atomic
def training_delete(*, training: Training, actor: User | None) -> None:
    _delete(training, actor=actor)
