"""The deploy files agree with the code: compose.yaml readable by Compose v2 and Debian's
docker-compose 1.29, .env.example naming exactly the settings with valid values and safe to
source, and the files the bot writes not readable by everyone."""

from __future__ import annotations

import io
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from dotenv import dotenv_values

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
ENV_EXAMPLE = (ROOT / ".env.example").read_text(encoding="utf-8")
SETTING_LINE = re.compile(r"^#?(NHACVIEC_[A-Z0-9_]+)=(.*)$", re.M)


def _workers() -> dict[str, dict[str, Any]]:
    return {n: s for n, s in COMPOSE["services"].items() if s.get("image", "").startswith("nhacviec")}


def test_compose_has_nothing_docker_compose_1_29_refuses() -> None:
    # 1.29 validates against its compose_spec.json: no top-level `name`, only these keys.
    assert set(COMPOSE) - {"version", "services", "volumes", "networks", "secrets", "configs"} == {"x-worker"}
    assert COMPOSE["version"] == "3.8"  # a string: 1.29 refuses a number


def test_compose_workers_share_files_and_evidence_and_have_limits() -> None:
    workers = _workers()
    assert len(workers) == 2
    for name, service in workers.items():
        env = service["environment"]
        assert "files:/var/lib/nhacviec" in service["volumes"], name
        assert env["NHACVIEC_FILES_PATH"].startswith("/var/lib/nhacviec/"), name
        assert env["NHACVIEC_CHANNELS"].startswith("${NHACVIEC_CHANNELS:?"), name  # never a silent console
        assert env["NHACVIEC_HEALTH_SERVER"] == "true", name
        assert service["logging"]["driver"] == "json-file" and service["logging"]["options"]["max-size"], name
        assert service["mem_limit"] and service["cpus"], name
    assert "files" in COMPOSE["volumes"]
    assert COMPOSE["services"]["db"]["logging"]["options"]["max-file"]


def _example_values() -> dict[str, str]:
    """Each setting's first value in .env.example, as python-dotenv (bot/settings_reader.py,
    docker-compose 1.29) reads it once uncommented."""
    first: dict[str, str] = {}
    for name, raw in SETTING_LINE.findall(ENV_EXAMPLE):
        first.setdefault(name, raw)
    text = "\n".join(f"{n}={v}" for n, v in first.items())
    return {k: v or "" for k, v in dotenv_values(stream=io.StringIO(text)).items()}


def test_env_example_names_exactly_the_settings() -> None:
    named = set(_example_values())
    assert named == {f"NHACVIEC_{f.upper()}" for f in Settings.declared}


def test_env_example_values_are_valid_and_the_defaults_are_the_codes() -> None:
    values = _example_values()
    fields = {f"NHACVIEC_{f.upper()}": f for f in Settings.declared}
    for name, value in values.items():
        field = fields[name]
        if value == "":
            continue
        extra: dict[str, Any] = {"telegram_token": "1:a", "zalo_token": "z"} if field == "channels" else {}
        Settings(_env_file=None, **{field: value, **extra})  # type: ignore[call-arg]  # raises if invalid
        default = Settings.declared[field].default
        if isinstance(default, bool):
            assert value == str(default).lower(), name
        elif isinstance(default, int | float | str) and default is not None:
            assert type(default)(value) == default, name  # e.g. TELEGRAM_MAX_RATE said 29.5, the code 28


def test_env_example_can_be_sourced_by_a_shell_with_every_line_uncommented(tmp_path: Path) -> None:
    """Uncommented (the first line of each setting), the file sources under sh -e and gives
    each variable the value python-dotenv reads: a value with a space is quoted."""
    lines = []
    seen = set()
    for line in ENV_EXAMPLE.splitlines():
        m = SETTING_LINE.match(line)
        if m and m[1] not in seen:
            seen.add(m[1])
            line = line.lstrip("#")
        lines.append(line)
    env_file = tmp_path / "env"
    env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = subprocess.run(
        ["sh", "-ec", f"set -a; . {env_file}; set +a; env"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0, out.stderr
    shell = dict(line.split("=", 1) for line in out.stdout.splitlines() if line.startswith("NHACVIEC_"))
    expected = _example_values()
    assert {k: shell.get(k, "") for k in expected} == expected
    assert shell["NHACVIEC_DIGEST_TIME"] == "MON 07:45"


@pytest.mark.slow
def test_the_database_and_the_report_files_are_not_world_readable(tmp_path: Path) -> None:
    """As installed (the console script sets the umask): the SQLite database and its WAL
    0600, the exported report 0640."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
    env |= {
        "PYTHONPATH": str(ROOT),
        "NHACVIEC_PLAN_PATH": os.environ["NHACVIEC_PLAN_PATH"],
        "NHACVIEC_CALENDAR_PATH": os.environ["NHACVIEC_CALENDAR_PATH"],
        "NHACVIEC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db' / 'nhacviec.db'}",
    }

    def nhacviec(*args: str) -> None:
        # umask 022, the usual default that made everything world-readable.
        code = "import os, sys; os.umask(0o022); from bot.cli.main import entry; sys.exit(entry())"
        done = subprocess.run(
            [sys.executable, "-c", code, *args], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr

    nhacviec("link", "--unit", "VHXH", "--role", "office", "--name", "A")
    nhacviec("export", "--out", str(tmp_path / "bao-cao.xlsx"))
    mode = lambda p: stat.S_IMODE(os.stat(p).st_mode)  # noqa: E731
    assert mode(tmp_path / "db" / "nhacviec.db") == 0o600
    for extra in tmp_path.glob("db/nhacviec.db-*"):
        assert mode(extra) == 0o600, extra
    assert mode(tmp_path / "bao-cao.xlsx") == 0o640


@pytest.mark.parametrize("path", ["Dockerfile", "compose.yaml", "deploy/nhacviec.service"])
def test_deploy_files_use_only_settings_that_exist(path: str) -> None:
    text = (ROOT / path).read_text(encoding="utf-8")
    names = set(re.findall(r"\b(NHACVIEC_[A-Z0-9_]+)\b", text))
    known = {f"NHACVIEC_{f.upper()}" for f in Settings.declared}
    assert names <= known, names - known
