"""How much memory `nhacviec run` holds once idle (issue 26: "idle ≤ 80 MiB"), beside the
alternative a user would pick: a minimal python-telegram-bot polling bot (one handler).

    python -m bench.idle_memory [--url postgresql+asyncpg://…] [--at 20,60] [--only console,sqlite,pg,ptb]

Each worker is the real program as a service starts it (a child `nhacviec run`, the bundled
plan, the desk on its own port), on a new folder (its database made) and then restarted on
that database:

- `console`: the README's quick start (the console channel; stdin a pipe nobody writes to, as
  a terminal nobody types in — /dev/null is refused as a service without a channel);
- `sqlite`: a Telegram worker (NHACVIEC_CHANNELS=telegram) with the desk, SQLite, polling
  bench/fake_telegram_logger.py;
- `pg`: the same on the PostgreSQL database of --url (wiped first);
- `ptb`: `Application.builder().token(…).base_url(fake).build()`, one CommandHandler,
  `run_polling()` against the same fake.

At each second of --at after the start the child's VmRSS (/proc/PID/status) and its PSS and
USS (private clean + dirty, /proc/PID/smaps_rollup) are printed, in MiB. Printed, never
asserted.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.fake_telegram_logger import FakeTelegramLogger, free_port
from bench.first_answer import wipe

ROOT = Path(__file__).resolve().parent.parent

MINIMAL_PTB = """
import sys
from telegram.ext import Application, CommandHandler

async def start(update, context):
    await update.message.reply_text("Xin chào")

app = Application.builder().token("123:abc").base_url(sys.argv[1]).build()
app.add_handler(CommandHandler("start", start))
app.run_polling()
"""


def memory(pid: int) -> dict[str, float]:
    """VmRSS, PSS and USS of `pid` in MiB."""
    kib: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            kib["rss"] = float(line.split()[1])
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    fields = {ln.split(":")[0]: float(ln.split()[1]) for ln in rollup[1:] if ln.split()[1:2]}
    kib["pss"] = fields.get("Pss", 0.0)
    kib["uss"] = fields.get("Private_Clean", 0.0) + fields.get("Private_Dirty", 0.0)
    return {k: v / 1024 for k, v in kib.items()}


def env_for(work: Path, url: str | None, base: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
    env |= {"PYTHONPATH": str(ROOT), "NHACVIEC_DESK_PORT": str(free_port())}
    if url:
        env["NHACVIEC_DATABASE_URL"] = url
    if base:
        env |= {
            "NHACVIEC_CHANNELS": "telegram",
            "NHACVIEC_TELEGRAM_TOKEN": "123:abc",
            "NHACVIEC_TELEGRAM_BASE_URL": base,
            "NHACVIEC_FILES_PATH": str(work / "files"),
        }
    return env


def measure(label: str, argv: list[str], work: Path, env: dict[str, str], at: list[int], console: bool) -> None:
    proc = subprocess.Popen(
        argv,
        cwd=work,
        env=env,
        stdin=subprocess.PIPE if console else subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    t0 = time.monotonic()
    figures = []
    try:
        for second in at:
            time.sleep(max(0.0, t0 + second - time.monotonic()))
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace")[-800:] if proc.stderr else ""
                print(f"{label}: exited {proc.returncode} before {second} s\n{err}", flush=True)
                return
            m = memory(proc.pid)
            figures.append(f"{second:>3} s RSS {m['rss']:6.1f} PSS {m['pss']:6.1f} USS {m['uss']:6.1f}")
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    print(f"{label:<34} " + " | ".join(figures), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="PostgreSQL for the `pg` worker (wiped); without it `pg` is left out")
    parser.add_argument("--at", default="20,60", help="seconds after the start to read the memory at")
    parser.add_argument("--only", default="console,sqlite,pg,ptb")
    args = parser.parse_args()
    at = sorted(int(s) for s in args.at.split(","))
    only = args.only.split(",")
    fake = FakeTelegramLogger()
    base = fake.start()
    run = [sys.executable, "-m", "bot.cli.main", "run"]
    print(f"MiB; load average at start {os.getloadavg()[0]:.2f}", flush=True)
    for kind in ("console", "sqlite", "pg"):
        if kind not in only or (kind == "pg" and not args.url):
            continue
        with tempfile.TemporaryDirectory(prefix="nhacviec-idle-") as tmp:
            work = Path(tmp)
            if kind == "pg":
                assert args.url
                wipe(args.url)
            env = env_for(work, args.url if kind == "pg" else None, None if kind == "console" else base)
            for start in ("new folder", "restart"):
                measure(f"{kind}, {start}", run, work, env, at, console=kind == "console")
    if "ptb" in only:
        with tempfile.TemporaryDirectory(prefix="nhacviec-idle-") as tmp:
            work = Path(tmp)
            ptb = [sys.executable, "-c", MINIMAL_PTB, base]
            measure("minimal PTB polling bot", ptb, work, env_for(work, None, None), at, console=False)
    fake.stop()
    print(f"load average at end {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
