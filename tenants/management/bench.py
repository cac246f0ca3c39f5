"""What the tenants benchmarks share: the machine's load to print beside every figure, and a bench school."""

import subprocess
from typing import Any

from tenants.validators import inn_complete, ogrn_complete


def load_average() -> str:
    """What `uptime` prints: figures taken on a shared machine mean little without the load beside them."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "?"


def bench_school_data(n: int, municipality: Any) -> dict[str, Any]:
    """The onboarding form's data for bench school number ``n`` (valid INN/OGRN, slug ``bench-<n>``)."""
    return {
        "name": f"Школа № {n}",
        "short_name": f"Школа № {n}",
        "inn": inn_complete(f"{600000000 + n}"),
        "ogrn": ogrn_complete(f"{100000000000 + n}"),
        "kpp": "",
        "municipality": municipality,
        "kind": "general",
        "slug": f"bench-{n}",
        "curator_email": "",
    }
