"""`nhacviec --help` answers without loading the database or the file writers: a text module
importing a store type at run time once pulled SQLAlchemy (and ~0.3 s) into every command."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("sqlalchemy", "alembic", "openpyxl", "docx", "matplotlib", "telegram")

PROBE = f"""
import contextlib, io, sys
from bot.cli.main import main
with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):
    main(["--help"])
print(",".join(m for m in {HEAVY!r} if m in sys.modules))
"""


@pytest.mark.slow
def test_help_loads_neither_the_database_nor_the_file_writers() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == ""
