"""Signals of the region's school register; the checklist side (regional.apps) listens."""

from django.dispatch import Signal

# Sent when a school's schema is ready and the school has just become active (provisioning), with
# ``school=<School>``. Sent outside any transaction, so a receiver may run the school's own queries.
school_provisioned = Signal()

# Sent inside the transaction that archives or brings back a school, with ``school=<School>``.
school_status_changed = Signal()
