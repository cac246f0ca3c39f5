from django.apps import AppConfig


class RegionalConfig(AppConfig):
    name = "regional"
    verbose_name = "Региональный уровень"

    def ready(self) -> None:
        # The region listens to the school side and the school register; they never import the region.
        from core.facts import region_checklist_register
        from core.signals import school_data_changed
        from regional.checklist.snapshots import (
            RegionChecklistSource,
            snapshot_active_sync,
            snapshot_first,
            snapshot_request_refresh,
        )
        from tenants.signals import school_provisioned, school_status_changed

        school_data_changed.connect(snapshot_request_refresh, dispatch_uid="regional.snapshot_request")
        school_provisioned.connect(snapshot_first, dispatch_uid="regional.snapshot_first")
        school_status_changed.connect(snapshot_active_sync, dispatch_uid="regional.snapshot_active")
        region_checklist_register(RegionChecklistSource())
