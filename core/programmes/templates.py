"""Which template a new programme starts from, and the copy of it the programme keeps.

Templates are the region's reference data (``tenants.catalogues.ProgrammeTemplate``, seeded word for word from
seed 003 and edited on the region's templates page). A pair gets the active template marked for its role
model, else the one marked for its form — so «учитель – ученик» with the role model «педагог – неуспевающий
ученик» gets seed 003's «Работодатель\\педагог – ученик» plan, not the peers' one. The programme copies sections
and tasks, so a later change to the template (or its archiving) never changes a programme already made.
"""

from core.programmes.models import Programme, ProgrammeSection, ProgrammeTask
from core.programmes.terms import spread_deadlines, term_deadline
from tenants.catalogues import ProgrammeTemplate


def template_for(*, form_code: str, role_model_id: int | None) -> ProgrammeTemplate | None:
    active = ProgrammeTemplate.objects.filter(archived=False).order_by("position", "pk")
    if role_model_id:
        by_role = active.filter(role_models=role_model_id).first()
        if by_role is not None:
            return by_role
    return active.filter(form_codes__contains=[form_code]).first()


def plan_from_template(*, programme: Programme, template: ProgrammeTemplate | None) -> int:
    """Copy the template's sections and tasks into the programme, with deadlines; returns the task count.

    A task whose template names a term gets the date that term means for this programme (core.programmes.
    terms); tasks without a term are spread over the programme in plan order.
    """
    if template is None:
        return 0
    sections = list(template.sections.prefetch_related("tasks").order_by("position", "pk"))
    rows = [(section, task) for section in sections for task in section.tasks.all()]
    spread = iter(
        spread_deadlines(starts_on=programme.starts_on, ends_on=programme.ends_on, count=len(rows) or 1)
    )
    created = 0
    for s_pos, section in enumerate(sections):
        copy = ProgrammeSection.objects.create(
            programme=programme, title=section.title, note=section.note, position=s_pos
        )
        for t_pos, task in enumerate(section.tasks.all()):
            slot = next(spread)  # consumed by every task, so the spread follows the plan's order
            if task.term.strip():
                deadline = term_deadline(task.term, starts_on=programme.starts_on, ends_on=programme.ends_on)
                due, due_note = deadline.due, deadline.note
            else:
                due, due_note = slot, ""
            ProgrammeTask.objects.create(
                section=copy,
                task=task.task,
                term=task.term,
                planned_result=task.planned_result,
                note=task.note,
                due_date=due,
                due_note=due_note,
                position=t_pos,
            )
            created += 1
    return created
