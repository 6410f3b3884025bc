"""Checks of the deploy files that need no Docker engine (`--scenario deploy`).

- compose.yaml parses, has PostgreSQL 15 and at least two webhook-mode workers on distinct
  host ports, stopped by SIGTERM with a grace period, configured from .env;
- .env.example names every field of bot/settings.py (a new setting without a line fails);
- the Dockerfile is python:3.11-slim, drops root, has a /healthz HEALTHCHECK;
- deploy/nhacviec.service has what the docs promise (and passes `systemd-analyze verify`
  where systemd is installed, apart from the ExecStart path not existing here);
- the package as the image installs it (`pip install .`, not editable) upgrades a fresh
  SQLite database and syncs the bundled plan from an unrelated working directory;
- `docker compose config` runs when the compose plugin exists.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

import yaml

from bench.chaos.harness import ROOT


def _compose() -> tuple[list[str], dict[str, Any]]:
    problems: list[str] = []
    doc = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services: dict[str, Any] = doc.get("services", {})
    db = [s for s in services.values() if str(s.get("image", "")).startswith("postgres:15")]
    if not db:
        problems.append("compose: no postgres:15 service")
    workers = {n: s for n, s in services.items() if "build" in s or str(s.get("image", "")).startswith("nhacviec")}
    if len(workers) < 2:
        problems.append(f"compose: {len(workers)} worker(s), want 2")
    ports: list[str] = []
    for name, s in workers.items():
        env = s.get("environment", {})
        if str(env.get("NHACVIEC_WEBHOOK_MODE", "")).lower() != "true":
            problems.append(f"compose: {name} is not in webhook mode")
        if not str(env.get("NHACVIEC_DATABASE_URL", "")).startswith(("postgresql://", "postgresql+")):
            problems.append(f"compose: {name} does not use PostgreSQL")
        if s.get("stop_signal") != "SIGTERM" or "stop_grace_period" not in s:
            problems.append(f"compose: {name} lacks stop_signal SIGTERM / stop_grace_period")
        if ".env" not in (s.get("env_file") if isinstance(s.get("env_file"), list) else [s.get("env_file")]):
            problems.append(f"compose: {name} does not read .env")
        ports += [str(p).rsplit(":", 1)[0] for p in s.get("ports", [])]
    if len(set(ports)) != len(ports):
        problems.append(f"compose: workers share a host port: {ports}")
    return problems, {"compose_services": sorted(services), "compose_workers": sorted(workers)}


def _env_example() -> tuple[list[str], dict[str, Any]]:
    from bot.settings import Settings

    text = (ROOT / ".env.example").read_text()
    named = set(re.findall(r"^#?\s*(NHACVIEC_[A-Z0-9_]+)=", text, flags=re.M))
    fields = {f"NHACVIEC_{name.upper()}" for name in Settings.declared}
    missing = sorted(fields - named)
    problems = [f".env.example lacks {m}" for m in missing]
    # Every setting line has a comment right above it.
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^#?NHACVIEC_[A-Z0-9_]+=", line) and i and not lines[i - 1].startswith("#"):
            problems.append(f".env.example: {line.split('=')[0].lstrip('#')} has no comment")
    return problems, {"settings_fields": len(fields), "env_example_extra": sorted(named - fields)}


def _dockerfile() -> list[str]:
    text = (ROOT / "Dockerfile").read_text()
    problems = []
    stages = re.findall(r"^FROM\s+(\S+)", text, flags=re.M)
    if not stages or stages[-1] != "python:3.11-slim":
        problems.append(f"Dockerfile: final stage is {stages[-1:]} not python:3.11-slim")
    users = re.findall(r"^USER\s+(\S+)", text, flags=re.M)
    if not users or users[-1].split(":")[0] in ("root", "0"):
        problems.append("Dockerfile: runs as root")
    if not re.search(r"^HEALTHCHECK .*(\n\s+.*)*?/healthz", text, flags=re.M):
        problems.append("Dockerfile: no HEALTHCHECK on /healthz")
    if "pip install ." not in text:
        problems.append("Dockerfile: does not pip install .")
    ignored = (ROOT / ".dockerignore").read_text().split()
    for must in (".git", ".venv", ".env", "*.db"):
        if must not in ignored:
            problems.append(f".dockerignore: {must} is not ignored")
    return problems


def _unit() -> tuple[list[str], str]:
    path = ROOT / "deploy" / "nhacviec.service"
    text = path.read_text()
    problems = [
        f"systemd unit lacks {key}"
        for key in ("Restart=on-failure", "KillSignal=SIGTERM", "TimeoutStopSec=", "EnvironmentFile=")
        if key not in text
    ]
    verdict = "systemd-analyze not installed"
    if shutil.which("systemd-analyze"):
        out = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True)
        complaints = [
            line
            for line in (out.stdout + out.stderr).splitlines()
            if line.strip() and "is not executable" not in line and "No such file" not in line
        ]
        problems += [f"systemd-analyze: {c}" for c in complaints]
        verdict = "clean (ExecStart path absent here)" if not complaints else "complaints"
    return problems, verdict


def _build_context(dest: Path) -> None:
    """Copy what the Dockerfile's build stage COPYs, as it lays it out, into `dest`."""
    text = (ROOT / "Dockerfile").read_text()
    build_stage = re.split(r"^FROM\s", text, flags=re.M)[1]
    for line in build_stage.splitlines():
        parts = line.split()
        if not parts or parts[0] != "COPY" or any(p.startswith("--") for p in parts):
            continue
        *sources, target = parts[1:]
        for src in sources:
            into = dest / (Path(src).name if target.endswith("/") else target)
            if (ROOT / src).is_dir():
                shutil.copytree(ROOT / src, into, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                into.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / src, into)


def _installed_package() -> tuple[list[str], str]:
    """Build the distribution from exactly what the Dockerfile copies, install it as the
    image does (`pip install .`, not editable) into a scratch directory, and run
    `nhacviec link` from a directory without data/: the schema is migrated from the
    installed package data and the plan is found through NHACVIEC_PLAN_PATH, as in the image."""
    with tempfile.TemporaryDirectory(prefix="chaos-deploy-") as tmp:
        context, target, work = Path(tmp) / "src", Path(tmp) / "site", Path(tmp) / "work"
        context.mkdir()
        work.mkdir()
        _build_context(context)
        pip = subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(context)],
            capture_output=True,
            text=True,
        )
        if pip.returncode:
            return [f"pip install . failed: {pip.stderr.strip()[-300:]}"], "pip install failed"
        # Dependencies come from this venv; the project itself only from the scratch install.
        path = [str(target), sysconfig.get_paths()["purelib"]]
        prelude = f"import sys; sys.path[:0] = {path!r}; "
        env = {
            "PATH": "/usr/bin:/bin",
            "NHACVIEC_DATABASE_URL": f"sqlite+aiosqlite:///{work / 'nhacviec.db'}",
            "NHACVIEC_PLAN_PATH": str(ROOT / "data" / "tasks.yaml"),
            "NHACVIEC_CALENDAR_PATH": str(ROOT / "data" / "calendar.yaml"),
        }
        origin = subprocess.run(
            [sys.executable, "-I", "-c", prelude + "import bot; print(bot.__file__)"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
        ).stdout.strip()
        if not origin.startswith(str(target)):
            return [f"installed package check imported {origin!r}, not the installed copy"], "inconclusive"
        run = subprocess.run(
            [sys.executable, "-I", "-c", prelude + "from bot.cli.main import main; sys.exit(main())"]
            + ["link", "--unit", "VHXH", "--role", "office", "--name", "Kiểm tra"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if run.returncode:
            return [f"installed package: nhacviec link failed: {(run.stdout + run.stderr).strip()[-400:]}"], "failed"
        return [], "built from the Dockerfile's COPY set; migrated + plan synced from the non-editable install"


def _docker() -> dict[str, Any]:
    if not shutil.which("docker"):
        return {"docker_client": "absent"}
    info = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True)
    engine = info.stdout.strip() if info.returncode == 0 else "unavailable (no engine on this machine)"
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0:
        return {"docker_engine": engine, "docker_compose_config": "compose plugin not installed"}
    compose = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env={"POSTGRES_PASSWORD": "check", "PATH": "/usr/local/bin:/usr/bin:/bin"},
    )
    verdict = "valid" if compose.returncode == 0 else f"rejected: {compose.stderr.strip()[-300:]}"
    return {"docker_engine": engine, "docker_compose_config": verdict}


def check() -> dict[str, Any]:
    problems, figures = _compose()
    env_problems, env_figures = _env_example()
    problems += env_problems + _dockerfile()
    unit_problems, unit_verdict = _unit()
    problems += unit_problems
    install_problems, install_verdict = _installed_package()
    problems += install_problems
    return {
        "scenario": "deploy",
        **figures,
        **env_figures,
        "systemd_unit": unit_verdict,
        "installed_package": install_verdict,
        **_docker(),
        "problems": problems or "none",
    }
