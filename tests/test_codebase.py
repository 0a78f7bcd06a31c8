"""House rules the suite enforces: ruff passes, no model change lacks its migration, and
the layers of docs/architecture.md hold (the import contract in pyproject.toml)."""

import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command


def test_ruff_passes():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail("models changed without a migration:\n" + out.getvalue())


ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)})


def test_the_layers_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_import_contract_refuses_a_service_that_imports_a_door(tmp_path):
    """The control: the same contract, on a copy of the code where a service imports a door."""
    for package in ("tooling", "boxoffice", "events", "sales"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    holds = tmp_path / "sales" / "holds.py"
    holds.write_text(holds.read_text() + "\nfrom sales.channels.shop import views  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "sales.holds is not allowed to import sales.channels.shop" in result.stdout, result.stdout
