"""The five stages of a programme (seed 001) follow its lifecycle.

Seed 001: 1. Подготовительный — выявление проблемы, отбор наставников и наставляемых, …; 2. Проектировочный —
работа наставника и наставляемого по построению индивидуальной программы; 3. Реализационный — работа по
выполнению дорожной карты и реализации индивидуальной программы; 4. Рефлексивно-аналитический — оценка
эффективности выполнения индивидуальных программ; 5. Результативный — наставник дистанцируется, наставляемый
самостоятельно ставит новые цели. So a plan still being written (draft, on review) is at most «проектировочный»,
only a running programme is being implemented or evaluated, and only a completed one can be «результативный».
"""

from django.core.exceptions import ValidationError

from core.programmes.models import Programme

Stage, Status = Programme.Stage, Programme.Status
ORDER = list(Stage.values)

ALLOWED: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (Stage.PREPARATORY, Stage.DESIGN),
    Status.REVIEW: (Stage.DESIGN,),
    # «на доработке»: a new plan is being written; a running programme reworked keeps the stage it was at.
    Status.REVISION: (Stage.DESIGN, Stage.IMPLEMENTATION, Stage.REFLECTION),
    Status.APPROVED: (Stage.DESIGN, Stage.IMPLEMENTATION),
    Status.RUNNING: (Stage.IMPLEMENTATION, Stage.REFLECTION),
    Status.COMPLETED: (Stage.REFLECTION, Stage.RESULTS),
    # Stopped early: whatever stage it reached, but its results were not achieved.
    Status.TERMINATED: (Stage.PREPARATORY, Stage.DESIGN, Stage.IMPLEMENTATION, Stage.REFLECTION),
}


def stages_allowed(status: str) -> list[tuple[str, str]]:
    return [(value, str(Stage(value).label)) for value in ALLOWED[status]]


def _labels(status: str) -> str:
    labels = [f"«{Stage(value).label}»" for value in ALLOWED[status]]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " или " + labels[-1]


def stage_check(*, stage: str, status: str) -> None:
    if stage not in Stage.values:
        raise ValidationError({"stage": "Выберите этап программы из списка."})
    if stage not in ALLOWED[status]:
        raise ValidationError(
            {
                "stage": f"Этап «{Stage(stage).label}» не подходит программе в статусе «{Status(status).label}»: "
                f"возможен этап {_labels(status)}."
            }
        )


def stage_fit(*, stage: str, status: str) -> str:
    """The stage a programme moves to with its status: kept when it fits, else the nearest that does
    (approving moves «проектировочный» on to nothing, starting moves it to «реализационный»)."""
    allowed = ALLOWED[status]
    if stage in allowed:
        return stage
    here = ORDER.index(stage) if stage in ORDER else 0
    # the nearest allowed stage; on a tie the later one, since a status change moves a programme forward
    return min(allowed, key=lambda value: (abs(ORDER.index(value) - here), -ORDER.index(value)))
