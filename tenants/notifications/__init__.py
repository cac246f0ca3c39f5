"""Notifications: the shape both sides share (public schema and platform layer).

A school's notifications live in its own schema (``core.notifications``: a title may name a pupil), the
region's in public (``RegionNotification`` here, since onboarding in this app emits some). Both have the
same columns (``NotificationBase``) and go through the same engine (``engine``): created once per
(event key, recipient) — a unique constraint, so a job run twice or two workers cannot duplicate — and
e-mailed at most once (a row lock and ``emailed_at``). Preferences and calendar tokens belong to a login,
so they live in public beside the user.
"""
