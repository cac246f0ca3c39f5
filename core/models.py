"""Models of a school's schema, one subpackage per subdomain; Django finds them all here."""

from core.acts.models import ActFile, CuratorAppointment, LocalAct, OrderCounter, SchoolProfile
from core.audit.models import AuditEntry, ErasureRecord
from core.consents.models import Consent
from core.incentives.models import Incentive, Training
from core.indicators.models import ContingentDeclaration
from core.monitoring.models import SurveyResponse
from core.notifications.models import Notification
from core.pairs.models import Meeting, Pair, PairMember
from core.people.models import BankEntry, Person
from core.programmes.models import Programme, ProgrammeSection, ProgrammeTask
from core.roadmap.models import RoadmapItem

__all__ = [
    "ActFile", "AuditEntry", "BankEntry", "Consent", "ContingentDeclaration", "CuratorAppointment", "ErasureRecord", "Incentive", "LocalAct",
    "Meeting", "Notification", "OrderCounter", "Pair", "PairMember", "Person", "Programme", "ProgrammeSection", "ProgrammeTask",
    "RoadmapItem", "SchoolProfile", "SurveyResponse", "Training",
]  # fmt: skip
