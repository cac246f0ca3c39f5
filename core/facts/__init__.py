"""The school's published interface: facts computed in the school's own schema, consumed by the region.

The region (``regional``) calls these and stores what they return; it never reads school models itself.
"""

from core.facts.checklist import (
    DONE,
    NA,
    NOT_DONE,
    PARTIAL,
    RULES,
    STATE_LABELS,
    ChecklistItemSpec,
    RegionChecklist,
    Result,
    checklist_evaluate,
    region_checklist,
    region_checklist_register,
    school_counts,
)
from core.facts.evidence import evidence_describe, item_evidence_text

__all__ = [
    "DONE",
    "NA",
    "NOT_DONE",
    "PARTIAL",
    "RULES",
    "STATE_LABELS",
    "ChecklistItemSpec",
    "RegionChecklist",
    "Result",
    "checklist_evaluate",
    "evidence_describe",
    "item_evidence_text",
    "region_checklist",
    "region_checklist_register",
    "school_counts",
]
