from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet

from core.audit.services import audit_log
from core.roadmap.models import RoadmapItem
from tenants.models import User


@transaction.atomic
def roadmap_start_from_template(*, actor: User | None) -> int:
    """Copy the region's model roadmap into an empty school roadmap."""
    from tenants.catalogues import RoadmapTemplateItem

    if RoadmapItem.objects.exists():
        raise ValidationError(
            "Дорожная карта уже заполнена: шаблон добавляется только в пустую.", code="not_empty"
        )
    items = [
        RoadmapItem(
            stage=t.stage,
            title=t.title,
            period=t.period,
            responsible=t.responsible,
            result=t.result,
            position=t.position,
        )
        for t in RoadmapTemplateItem.objects.all()
    ]
    RoadmapItem.objects.bulk_create(items)
    for item in RoadmapItem.objects.all():
        audit_log(actor=actor, action="create", obj=item)
    return len(items)


@transaction.atomic
def roadmap_item_save(*, item: RoadmapItem | None, data: dict[str, Any], actor: User | None) -> RoadmapItem:
    if item is None:
        position = (RoadmapItem.objects.aggregate(p=Max("position"))["p"] or 0) + 1
        item = RoadmapItem(position=position)
    for field, value in data.items():
        setattr(item, field, value)
    item.save()
    audit_log(actor=actor, action="save", obj=item, changes={"status": item.status})
    return item


CLOSED = (RoadmapItem.Status.DONE, RoadmapItem.Status.CANCELLED)


def roadmap_overdue(*, today: date) -> QuerySet[RoadmapItem]:
    return RoadmapItem.objects.filter(due_date__lt=today).filter(~Q(status__in=CLOSED))


def roadmap_item_is_overdue(item: RoadmapItem, *, today: date) -> bool:
    """The same rule as ``roadmap_overdue`` for one item already in hand (a row saved in place)."""
    return item.due_date is not None and item.due_date < today and item.status not in CLOSED
