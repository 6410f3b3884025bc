"""How soon `nhacviec run` answers after it is started, with a folder of N plan files (issue
26: "first answer within 10 s of start whatever the number of wards").

    python -m bench.first_answer [--wards 320] [--url postgresql+asyncpg://…]

The real program as a service starts it (a child `nhacviec run`, stdin /dev/null, Telegram
polling against bench/fake_telegram_logger.py), three times on one database: the first start
on N new plan files (a message from a chat not linked yet: `/help`), a restart with every file
unchanged (a linked head's `/tasks`), and a restart after every file was edited. The message
waits in the fake before the process starts; the figure is the time from the start to the
fake receiving the answer. Printed, never asserted. A PostgreSQL database given with --url
is wiped first.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from bench import sync_url
from bench.fake_telegram_logger import FakeTelegramLogger

ROOT = Path(__file__).resolve().parent.parent
SEED = (ROOT / "data" / "tasks.yaml").read_text(encoding="utf-8")


def write_plans(folder: Path, wards: int, *, edited: bool = False) -> None:
    for i in range(wards):
        text = SEED.replace("Phường Nhị Chiểu", f"Phường Thử {i:04d}")
        if edited:  # the plan's title reworded: every file's bytes change, its identity does not
            text = text.replace("chính trị trên địa bàn", "chính trị tại địa bàn")
        (folder / f"w{i:04d}.yaml").write_text(text, encoding="utf-8")


def wipe(url: str) -> None:
    engine = sa.create_engine(sync_url(url))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


class Bench:
    def __init__(self, work: Path, url: str, fake: FakeTelegramLogger, base: str) -> None:
        self.work, self.fake = work, fake
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
        self.env |= {
            "PYTHONPATH": str(ROOT),
            "NHACVIEC_DATABASE_URL": url,
            "NHACVIEC_PLAN_PATH": str(work / "plans"),
            "NHACVIEC_CALENDAR_PATH": str(ROOT / "data" / "calendar.yaml"),
            "NHACVIEC_FILES_PATH": str(work / "files"),
            "NHACVIEC_TELEGRAM_TOKEN": "123:abc",
            "NHACVIEC_TELEGRAM_BASE_URL": base,
            "NHACVIEC_CHANNELS": "telegram",
            "NHACVIEC_DESK_ENABLED": "false",
        }

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli.main", *args], cwd=self.work, env=self.env, capture_output=True, text=True
        )
        return done.stdout

    def sent_to(self, chat: str) -> int:
        return sum(1 for e in self.fake.accepted() if e.chat_id == chat)

    def start(self, label: str, chat: str, text: str, limit: float = 180) -> subprocess.Popen[str]:
        """Start `nhacviec run` with `text` waiting from `chat`; print when it said it runs
        and when its first answer to that chat arrived."""
        before = self.sent_to(chat)
        self.fake.push_update(chat, text)
        t0 = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", "run"],
            cwd=self.work,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        running: list[float] = []

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                if not running and "đang chạy" in line:
                    running.append(time.monotonic() - t0)

        threading.Thread(target=read, daemon=True).start()
        while time.monotonic() - t0 < limit and self.sent_to(chat) == before:
            time.sleep(0.05)
        answered = [e.received - t0 for e in self.fake.accepted() if e.chat_id == chat][before:]
        said = f"{running[0]:.2f} s" if running else "—"
        first = f"{answered[0]:.2f} s" if answered else f"none in {limit:.0f} s"
        print(f"{label}: running line {said}; first answer to {text!r} {first}", flush=True)
        return proc


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.wait(60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wards", type=int, default=320)
    parser.add_argument("--url", help="PostgreSQL (wiped); default a SQLite file in a temporary folder")
    args = parser.parse_args()
    fake = FakeTelegramLogger()
    base = fake.start()
    with tempfile.TemporaryDirectory(prefix="nhacviec-first-answer-") as tmp:
        work = Path(tmp)
        (work / "plans").mkdir()
        write_plans(work / "plans", args.wards)
        url = args.url or f"sqlite+aiosqlite:///{work / 'bench.db'}"
        if args.url:
            wipe(args.url)
        bench = Bench(work, url, fake, base)
        proc = bench.start(f"first start, {args.wards} new plan files", "2001", "/help")
        code = json.loads(
            bench.cli("link", "--ward", "Phường Thử 0000", "--unit", "VHXH", "--role", "head", "--name", "A", "--json")
        )["code"]
        fake.push_update("1001", f"/start {code}")
        deadline = time.monotonic() + 60
        while bench.sent_to("1001") == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        stop(proc)
        stop(bench.start(f"restart, {args.wards} plan files unchanged", "1001", "/tasks"))
        write_plans(work / "plans", args.wards, edited=True)
        stop(bench.start(f"restart, all {args.wards} plan files edited", "1001", "/tasks"))
    fake.stop()
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
