"""One direction of dependency: the import-linter contracts of pyproject.toml hold, and they do bite.

`make lint` runs the same check; here it is also part of the test suite so a stray import fails a test run.
"""

import subprocess
import sys
import tomllib
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def test_the_import_contracts_hold():
    result = _lint_imports(cwd=BASE_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _contracts() -> dict:
    return tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["tool"]["importlinter"]


def _contracts_as_ini() -> str:
    """The project's contracts, without its ignore_imports (they name modules the sample tree lacks)."""
    config = _contracts()
    lines = ["[importlinter]", "root_packages =", *(f"    {p}" for p in config["root_packages"])]
    for contract in config["contracts"]:
        lines += ["", f"[importlinter:contract:{contract['id']}]"]
        for key, value in contract.items():
            if key in ("id", "ignore_imports"):
                continue
            if isinstance(value, bool):
                lines.append(f"{key} = {str(value).lower()}")
            elif isinstance(value, list):
                lines += [f"{key} =", *(f"    {item}" for item in value)]
            else:
                lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


def test_imports_against_the_direction_break_the_contracts(tmp_path):
    # A miniature project with the real package names: the school side reaches into the region inside a
    # function, the way the old cycles were hidden. The contracts must still see it.
    for package in ("api", "config", "core", "regional", "tenants", "core/facts"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    for contract in _contracts()["contracts"]:
        for module in contract.get("forbidden_modules", []):
            (tmp_path / (module.replace(".", "/") + ".py")).write_text("")
    (tmp_path / "regional" / "snapshots.py").write_text("def refresh():\n    pass\n")
    (tmp_path / "core" / "services.py").write_text(
        "def save():\n    from regional.snapshots import refresh\n\n    refresh()\n"
    )
    (tmp_path / "tenants" / "models.py").write_text("from core import services\n")
    # The region may read the school's published facts, not its models.
    (tmp_path / "regional" / "compliance.py").write_text("from core.facts import RULES\n")
    (tmp_path / "regional" / "reports.py").write_text("from core.pairs import Pair\n")
    (tmp_path / ".importlinter").write_text(_contracts_as_ini())

    result = _lint_imports(cwd=tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "core is not allowed to import regional" in result.stdout
    assert "core.services -> regional.snapshots" in result.stdout
    assert "tenants is not allowed to import core" in result.stdout
    assert "regional is not allowed to import core.pairs" in result.stdout
    assert "regional.reports -> core.pairs" in result.stdout
    assert "regional.compliance" not in result.stdout  # reading core.facts is allowed
