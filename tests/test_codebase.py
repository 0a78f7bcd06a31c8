"""House rules the suite enforces: ruff passes and no model change lacks its migration."""

import subprocess
import sys
from io import StringIO

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
