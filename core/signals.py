"""Signals the school side sends; the region listens (regional.apps), so the school never imports the region."""

from django.dispatch import Signal

# Sent inside the transaction of every journaled change in the school whose schema is active.
# No arguments: the receiver reads the current schema. Receivers must be cheap and transactional.
school_data_changed = Signal()
