"""A school's notifications (its own schema): events of its services and of its daily reminder job.

The shape, the e-mail engine and the kinds are shared with the region (``tenants.notifications``).
"""
