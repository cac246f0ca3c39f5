"""Real objects in a school of the test world, for tests that need an id of every kind.

Built through the services where the rule matters (a pair needs consents and approved bank entries), in
the school's own schema. Two of everything that is object-scoped: the ``own`` pair has mentor_a and
mentee_a of the world as members (their logins are linked to the people), the ``other`` pair does not —
so a test can ask «may this mentor open a pair that is not theirs?».
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone
from django_tenants.utils import schema_context

from core.acts.services import act_attach_generated_docx, act_create
from core.audit.models import ErasureRecord
from core.consents.models import Consent
from core.incentives.models import Incentive, Training
from core.pairs.models import Meeting, Pair
from core.pairs.services import pair_create
from core.people.models import BankEntry, Category, Person
from core.programmes.models import Programme, ProgrammeTask
from core.programmes.services import programme_create
from core.roadmap.models import RoadmapItem
from tenants.catalogues import RoleModel
from tenants.models import Role, School, User
from tenants.services import invitation_create

TODAY = timezone.localdate()
START = TODAY - timedelta(days=60)
REPRESENTATIVE = {
    "by_representative": True,
    "representative_last_name": "Иванова",
    "representative_first_name": "Анна",
    "representative_relation": "мать",
    "representative_document": "паспорт 2812 000000",
}


@dataclass
class SchoolObjects:
    person: int  # a teacher in no pair
    consent: int
    act: int
    act_file: int
    erasure: int
    bank_entry: int
    roadmap_item: int
    invitation: int
    pair: int  # mentor_a and mentee_a are its members
    programme: int
    task: int
    meeting: int
    other_pair: int  # nobody of the world's logins is in it
    other_programme: int
    other_task: int
    section: int = 0  # the first section of ``programme`` (it holds ``task``)
    other_section: int = 0
    incentive: int = 0  # given to the own pair's mentor
    training: int = 0


def _consents(person: Person, **extra: object) -> Consent:
    consents = [
        Consent.objects.create(person=person, kind=kind, valid_from=START - timedelta(days=10), **extra)
        for kind in Consent.Kind
    ]
    return consents[0]


def _mentor(last: str, user: User | None) -> Person:
    person = Person.objects.create(
        last_name=last, first_name="Дмитрий", category=Category.TEACHER, position="учитель",
        birth_date=TODAY.replace(year=TODAY.year - 40), user_id=user.pk if user else None,
    )  # fmt: skip
    _consents(person)
    BankEntry.objects.create(person=person, bank="mentor", status="approved", capacity=3, requests=["gifted"])
    return person


def _mentee(last: str, user: User | None) -> Person:
    person = Person.objects.create(
        last_name=last, first_name="Пётр", category=Category.STUDENT, school_class="7Б",
        birth_date=TODAY.replace(year=TODAY.year - 13), user_id=user.pk if user else None,
    )  # fmt: skip
    _consents(person, **REPRESENTATIVE)
    BankEntry.objects.create(person=person, bank="mentee", status="approved", requests=["low_results"])
    return person


def _pair(mentor: Person, mentee: Person, actor: User) -> tuple[Pair, Programme]:
    role_model = RoleModel.objects.filter(form__code="teacher_student").order_by("pk")[0]
    pair = pair_create(
        form_code="teacher_student", role_model_id=role_model.pk, kind_code="traditional",
        mentors=[mentor], mentees=[mentee], started_on=START, actor=actor,
    )  # fmt: skip
    programme = programme_create(pair=pair, starts_on=START, ends_on=START + timedelta(days=180), actor=actor)
    return pair, programme


def school_objects(
    school: School, *, curator: User, mentor: User | None = None, mentee: User | None = None
) -> SchoolObjects:
    with schema_context(school.schema_name):
        teacher = Person.objects.create(
            last_name="Сидорова", first_name="Мария", category=Category.TEACHER, position="учитель",
            birth_date=TODAY.replace(year=TODAY.year - 30),
        )  # fmt: skip
        consent = _consents(teacher)
        bank_entry = BankEntry.objects.create(person=teacher, bank="mentor", requests=["gifted"])
        act = act_create(
            data={"kind": "policy_teachers", "number": "1", "date": START, "title": "Положение"},
            actor=curator,
        )
        act_file = act_attach_generated_docx(act=act, content=b"PK\x03\x04 not really a docx", actor=curator)
        erasure = ErasureRecord(number=1, subject="Удалённый Участник", summary={})
        erasure.document.save("erasure-1.docx", ContentFile(b"PK\x03\x04"), save=True)
        roadmap_item = RoadmapItem.objects.create(title="Разработать положение", position=1)
        pair, programme = _pair(_mentor("Васильев", mentor), _mentee("Корнеева", mentee), curator)
        other_pair, other_programme = _pair(_mentor("Петров", None), _mentee("Смирнов", None), curator)
        meeting = Meeting.objects.create(pair=pair, kind="regular", date=TODAY, format="in_person", hours=1)
        pair_mentor = pair.members.get(role="mentor").person
        incentive = Incentive.objects.create(person=pair_mentor, kind="gratitude", given_on=START)
        training = Training.objects.create(
            person=pair_mentor,
            course="Наставничество в школе",
            hours=Decimal("36"),
            starts_on=START,
            ends_on=START,
        )
        objects = SchoolObjects(
            person=teacher.pk,
            consent=consent.pk,
            act=act.pk,
            act_file=act_file.pk,
            erasure=erasure.pk,
            bank_entry=bank_entry.pk,
            roadmap_item=roadmap_item.pk,
            invitation=0,
            pair=pair.pk,
            programme=programme.pk,
            task=ProgrammeTask.objects.filter(section__programme=programme).order_by("pk")[0].pk,
            meeting=meeting.pk,
            other_pair=other_pair.pk,
            other_programme=other_programme.pk,
            other_task=ProgrammeTask.objects.filter(section__programme=other_programme).order_by("pk")[0].pk,
            section=programme.sections.order_by("pk")[0].pk,
            other_section=other_programme.sections.order_by("pk")[0].pk,
            incentive=incentive.pk,
            training=training.pk,
        )
    invitation = invitation_create(
        email="new-teacher@a.test", role=Role.MENTOR, school=school, invited_by=curator
    )
    objects.invitation = invitation.pk
    return objects
