"""A school task that exists only for the tests: it proves a queued job writes into the right schema.

It writes a participant named after ``marker`` in the schema it runs in and returns that schema's name, so a
test can check both where the worker ran and that nothing reached another school. The production code has
no such task: the real school tasks are tested where they are defined.
"""

from config.celery import SchoolTask, app
from core.people.models import Category, Person
from tenants.context import current_schema_name


@app.task(base=SchoolTask, name="tests.schema_probe")
def schema_probe(marker: str) -> str:
    Person.objects.create(last_name=marker, first_name="Проба", category=Category.EXTERNAL)
    return current_schema_name()


def probe_written(marker: str) -> bool:
    """Whether the probe wrote ``marker`` in the current schema."""
    return Person.objects.filter(last_name=marker).exists()
