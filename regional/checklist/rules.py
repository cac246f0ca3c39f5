"""The checklist's states and rule codes, as the school side publishes them (core.facts)."""

from core.facts import DONE, NA, NOT_DONE, PARTIAL, RULES, STATE_LABELS

__all__ = ["DONE", "NA", "NOT_DONE", "PARTIAL", "RULES", "STATE_LABELS"]
