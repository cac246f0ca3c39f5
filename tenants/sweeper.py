"""The sweeper: finds background work that stopped making progress and resumes it or fails it with a reason.

Each sweep is a function returning what it did; other apps add theirs with ``sweep_register`` (e.g. the
region's report runs). The periodic task ``tenants.sweep`` (config.celery beat) runs them all; one sweep's
error never stops the others.
"""

import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

Sweep = Callable[[], dict[str, Any]]
SWEEPS: list[Sweep] = []


def sweep_register(sweep: Sweep) -> Sweep:
    if sweep not in SWEEPS:
        SWEEPS.append(sweep)
    return sweep


def sweep_all() -> dict[str, Any]:
    results: dict[str, Any] = {}
    for sweep in SWEEPS:
        name = f"{sweep.__module__}.{sweep.__qualname__}"
        try:
            results[name] = sweep()
        except Exception as error:
            logger.exception("Sweep %s failed", name)
            results[name] = {"error": f"{type(error).__name__}: {error}"}
    return results


@sweep_register
def sweep_onboardings() -> dict[str, Any]:
    from tenants.onboarding import school_provision_sweep

    return school_provision_sweep()
