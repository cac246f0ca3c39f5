"""Signals of the region's school register; the checklist side (regional.apps) listens."""

from django.dispatch import Signal

# Sent when a school's schema is ready and the school is becoming active (provisioning), with
# ``school=<School>``, inside the activating transaction: a receiver's rows commit with the activation.
# A receiver must not break that transaction (run its work in a savepoint and swallow its own errors).
school_provisioned = Signal()

# Sent inside the transaction that archives or brings back a school, with ``school=<School>``.
school_status_changed = Signal()
