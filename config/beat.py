"""Celery beat's scheduler with a heartbeat: beat itself records that it is alive (for /readyz).

The worker's heartbeat is a separate periodic task (``tenants.heartbeat``), so a stopped worker and a
stopped beat are told apart.
"""

import logging
import time
from typing import Any

from celery.beat import PersistentScheduler

HEARTBEAT_EVERY_SECONDS = 30.0
log = logging.getLogger(__name__)


class HeartbeatScheduler(PersistentScheduler):
    _last_heartbeat = 0.0

    def tick(self, *args: Any, **kwargs: Any) -> float:
        self.heartbeat()
        return min(super().tick(*args, **kwargs), HEARTBEAT_EVERY_SECONDS)

    def heartbeat(self) -> None:
        now = time.monotonic()
        if now - self._last_heartbeat < HEARTBEAT_EVERY_SECONDS:
            return
        try:
            from tenants.heartbeats import BEAT, heartbeat_record

            heartbeat_record(BEAT)
            self._last_heartbeat = now
        except Exception:  # the database away must not stop the schedule
            log.warning("beat heartbeat not recorded", exc_info=True)
            from django.db import connection

            connection.close()  # beat serves no requests: nothing else would drop a broken connection
