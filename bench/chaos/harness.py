"""What every chaos scenario shares: a seeded database, the real `nhacviec run` as a child
process, the independent fake Telegram API, and the figures computed from both sides.

The bot is never imported to *run*: it is started as `nhacviec run` with NHACVIEC_*
settings, so whatever code is checked out is what gets measured. The harness imports the
project only to seed the database through the project's own API (the same calls
`nhacviec link` and the planner make) and reads the results with plain SQL.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from bench import sync_url
from bench.fake_telegram_logger import Entry, FakeTelegramLogger, free_port

ROOT = Path(__file__).resolve().parent.parent.parent
TOKEN = "424242:CHAOS-TOKEN-not-a-real-one"
WEBHOOK_SECRET = "chaos-webhook-secret-0123456789"
WARD = "chaos"
KEY_PREFIX = "chaos:"
CHAT_BASE = 700_000_000
READY_MARKER = "đang chạy"  # "Nhắc việc đang chạy: telegram. …" printed once the bot serves

BODY = (
    "🔔 Sắp đến hạn — Nhiệm vụ {n} (chủ trì)\n"
    "Ban hành văn bản về việc thực hiện kỷ luật, kỷ cương chấp hành thời gian làm việc.\n"
    "Sản phẩm: Công văn\nHạn: Thứ Ba, 30/6/2026 — còn 3 ngày làm việc\n"
    "Đơn vị: Phòng Văn hóa - Xã hội\n(nhắc thử #{n})"
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def git_revision() -> str:
    """The last commit that changed the measured code (bot/, scheduler/, store/), and
    whether the working tree differs from it there."""
    try:
        rev = subprocess.run(
            ["git", "log", "-1", "--format=%h", "--", "bot", "scheduler", "store"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "bot", "scheduler", "store"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        return (rev or "unknown") + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# --- database ---------------------------------------------------------------------------


def database_url(db: str, url: str | None, workdir: Path) -> str:
    if url:
        return url
    if db == "sqlite":
        return f"sqlite+aiosqlite:///{workdir / 'chaos.db'}"
    env = os.environ.get("NHACVIEC_BENCH_POSTGRES_URL") or os.environ.get("NHACVIEC_TEST_POSTGRES_URL")
    if not env:
        raise SystemExit("--db postgres needs --url postgresql+asyncpg://… (that database is wiped)")
    return env


def wipe(url: str) -> None:
    """A PostgreSQL database given to the harness is emptied first (as bench/outbox does)."""
    if make_url(url).get_backend_name() != "postgresql":
        return
    engine = sa.create_engine(sync_url(url))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def seed_database(url: str, count: int, channel: str = "telegram") -> list[str]:
    """Migrate, sync the bundled plan, then add `count` people each with a linked Telegram
    chat and one reminder due now. Returns the chat ids, one per reminder.

    The people have no unit, so the plan's own reminders (addressed to units) never reach
    them and every message the fake sees is one of ours. Linking through `/start CODE`
    1,000 times would measure the conversation, not the outbox; the rows written here are
    those the link flow and `nhacviec remind` write."""
    return asyncio.run(_seed(url, count, channel))


async def _seed(url: str, count: int, channel: str = "telegram") -> list[str]:
    from sqlalchemy import insert

    from bot.app.service import open_context
    from bot.settings import Settings
    from scheduler.clock import SystemClock
    from store.models import ChatIdentity, Person
    from store.outbox import insert_reminders, reminder_row

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        ward=WARD,
        plan_path=ROOT / "data" / "tasks.yaml",
        calendar_path=ROOT / "data" / "calendar.yaml",
    )
    ctx = await open_context(settings, SystemClock())
    chats = [str(CHAT_BASE + i) for i in range(count)]
    try:
        async with ctx.db.session() as s, s.begin():
            now = ctx.now()
            people = [
                {
                    "ward_id": ctx.ward_id,
                    "name": f"Trưởng đơn vị thử {i}",
                    "unit_id": None,
                    "role": "head",
                    "created_at": now,
                }
                for i in range(count)
            ]
            ids = list(await s.scalars(insert(Person).returning(Person.id, sort_by_parameter_order=True), people))
            await s.execute(
                insert(ChatIdentity),
                [
                    {
                        "person_id": pid,
                        "channel": channel,
                        "chat_id": chat,
                        "display_name": f"Người {i}",
                        "linked_at": now,
                    }
                    for i, (pid, chat) in enumerate(zip(ids, chats, strict=True))
                ],
            )
            await insert_reminders(
                s,
                [
                    reminder_row(
                        ctx.ward_id, f"{KEY_PREFIX}{i}", "notice", now, now, person_id=pid, body=BODY.format(n=i)
                    )
                    for i, pid in enumerate(ids)
                ],
            )
    finally:
        await ctx.db.dispose()
    return chats


class Probe:
    """Reads the bot's database with plain SQL (a sync engine; the bot is another process)."""

    def __init__(self, url: str) -> None:
        sync = sync_url(url)
        self.engine: Engine = sa.create_engine(
            sync, connect_args={"timeout": 30} if sync.drivername == "sqlite" else {}
        )

    def _all(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql), params).all()]

    def states(self) -> dict[str, int]:
        rows = self._all("SELECT state, count(*) FROM reminders WHERE key LIKE :p GROUP BY state", p=KEY_PREFIX + "%")
        return {str(state): int(n) for state, n in rows}

    def unfinished(self) -> int:
        """Our rows still to be handled: queued, being sent, or leased."""
        rows = self._all(
            "SELECT count(*) FROM reminders WHERE key LIKE :p AND (state IN ('pending', 'sending') "
            "OR locked_by IS NOT NULL)",
            p=KEY_PREFIX + "%",
        )
        return int(rows[0][0])

    def leased(self) -> int:
        rows = self._all(
            "SELECT count(*) FROM reminders WHERE key LIKE :p AND (locked_by IS NOT NULL OR state = 'sending')",
            p=KEY_PREFIX + "%",
        )
        return int(rows[0][0])

    def attempts(self, channel: str = "telegram") -> list[tuple[str, str, str | None]]:
        """(chat_id, outcome, provider_message_id) of every attempt to one of our chats."""
        rows = self._all(
            "SELECT chat_id, outcome, provider_message_id FROM delivery_attempts WHERE channel = :c", c=channel
        )
        return [(str(c), str(o), None if m is None else str(m)) for c, o, m in rows]

    def unfinished_chats(self) -> set[str]:
        """Chats whose reminder is still queued, being sent, or leased."""
        rows = self._all(
            "SELECT key FROM reminders WHERE key LIKE :p AND (state IN ('pending', 'sending') "
            "OR locked_by IS NOT NULL)",
            p=KEY_PREFIX + "%",
        )
        return {str(CHAT_BASE + int(str(key)[len(KEY_PREFIX) :])) for (key,) in rows}

    def attempts_by_worker(self) -> dict[str, int]:
        rows = self._all("SELECT worker, count(*) FROM delivery_attempts GROUP BY worker")
        return {str(w): int(n) for w, n in rows}

    def claims(self) -> dict[int, int]:
        """How many of our rows carry each `attempts` value (the counter MAX_ATTEMPTS is
        checked against); empty when the column is gone."""
        try:
            rows = self._all(
                "SELECT attempts, count(*) FROM reminders WHERE key LIKE :p GROUP BY attempts ORDER BY attempts",
                p=KEY_PREFIX + "%",
            )
        except sa.exc.DBAPIError:
            return {}
        return {int(a): int(n) for a, n in rows}

    def unreachable(self) -> int:
        rows = self._all("SELECT count(*) FROM chat_identities WHERE unreachable_at IS NOT NULL")
        return int(rows[0][0])

    def dispose(self) -> None:
        self.engine.dispose()


# --- the bot process --------------------------------------------------------------------


def nhacviec_command() -> list[str]:
    script = Path(sys.executable).parent / "nhacviec"
    if script.exists():
        return [str(script), "run"]
    return [
        sys.executable,
        "-c",
        "import sys; from bot.cli.main import main; sys.argv[0] = 'nhacviec'; sys.exit(main())",
        "run",
    ]


def bot_env(url: str, telegram_url: str, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
    env.update(
        {
            "PYTHONUNBUFFERED": "1",
            "NHACVIEC_DATABASE_URL": url,
            "NHACVIEC_WARD": WARD,
            "NHACVIEC_PLAN_PATH": str(ROOT / "data" / "tasks.yaml"),
            "NHACVIEC_CALENDAR_PATH": str(ROOT / "data" / "calendar.yaml"),
            "NHACVIEC_TELEGRAM_TOKEN": TOKEN,
            "NHACVIEC_TELEGRAM_BASE_URL": telegram_url,
            "NHACVIEC_TELEGRAM_BOT_USERNAME": "nhacviec_chaos_bot",
        }
    )
    env.update(extra)
    return env


def webhook_env(port: int) -> dict[str, str]:
    return {
        "NHACVIEC_WEBHOOK_MODE": "true",
        "NHACVIEC_WEBHOOK_LISTEN": "127.0.0.1",
        "NHACVIEC_WEBHOOK_PORT": str(port),
        "NHACVIEC_TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        # Where Telegram would reach this worker; the fake records setWebhook and never calls it.
        "NHACVIEC_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }


@dataclass
class BotProcess:
    """One `nhacviec run`, restarted as systemd's Restart=on-failure would."""

    name: str
    env: dict[str, str]
    workdir: Path
    proc: subprocess.Popen[str] | None = None
    starts: int = 0
    unexpected_exits: list[int] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)
    started_at: float = 0.0
    ready_after: list[float] = field(default_factory=list)
    # Also ready once the fake hears a sendMessage after the start (should the banner change).
    sending_since: Callable[[float], bool] | None = None

    def start(self) -> None:
        self.ready = threading.Event()
        self.starts += 1
        out = (self.workdir / f"{self.name}.log").open("a")
        out.write(f"--- start {self.starts} at {time.strftime('%H:%M:%S')}\n")
        out.flush()
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            nhacviec_command(),
            env=self.env,
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # our signals only, never the terminal's
        )
        threading.Thread(target=self._pump, args=(self.proc, out, self.ready), daemon=True).start()

    def _pump(self, proc: subprocess.Popen[str], out: Any, ready: threading.Event) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            out.write(line)
            out.flush()
            if READY_MARKER in line and not ready.is_set():
                self.ready_after.append(time.monotonic() - self.started_at)
                ready.set()
        out.close()

    def wait_ready(self, timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ready.wait(0.05):
                return True
            if self.sending_since is not None and self.sending_since(self.started_at):
                self.ready_after.append(time.monotonic() - self.started_at)
                self.ready.set()
                return True
            if self.proc is not None and self.proc.poll() is not None:
                return False
        return False

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def supervise(self) -> None:
        """Restart after an exit nobody asked for (counted)."""
        if self.proc is not None and self.proc.poll() is not None:
            self.unexpected_exits.append(self.proc.returncode)
            log(f"{self.name} exited on its own with {self.proc.returncode}; restarting")
            self.start()

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def terminate(self, timeout: float = 30.0) -> tuple[int | None, float]:
        """SIGTERM; (exit code or None when it had to be killed, seconds to exit)."""
        assert self.proc is not None
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code: int | None = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            code = None
        return code, time.monotonic() - t0


# --- figures ----------------------------------------------------------------------------


@dataclass
class Delivery:
    lost: int
    still_queued: int
    duplicates: int
    untraced_duplicates: int
    accepted: int
    answered: dict[str, int]

    def figures(self) -> dict[str, Any]:
        return {
            "lost": self.lost,
            "still_queued": self.still_queued,
            "duplicates": self.duplicates,
            "duplicates_without_attempt_row": self.untraced_duplicates,
            "accepted": self.accepted,
            **{f"answered_{k}": v for k, v in sorted(self.answered.items())},
        }


def delivery(fake: Any, probe: Probe, chats: list[str], channel: str = "telegram") -> Delivery:
    """Lost: a reminder the bot is done with (not queued, not leased) that the fake never
    accepted. Duplicate: accepted more than once. A duplicate without an attempt row is a
    send the database keeps no trace of."""
    entries = fake.snapshot()
    ours = set(chats)
    accepted = Counter(e.chat_id for e in entries if e.outcome == "accepted" and e.chat_id in ours)
    attempts = Counter(chat for chat, _outcome, _mid in probe.attempts(channel) if chat in ours)
    queued = probe.unfinished_chats()
    return Delivery(
        lost=sum(1 for c in chats if accepted[c] == 0 and c not in queued),
        still_queued=len(queued),
        duplicates=sum(n - 1 for n in accepted.values() if n > 1),
        untraced_duplicates=sum(max(0, n - attempts[c]) for c, n in accepted.items() if n > 1),
        accepted=sum(accepted.values()),
        answered=dict(Counter(e.outcome for e in entries)),
    )


def unrecorded(fake: FakeTelegramLogger, probe: Probe) -> set[int]:
    """Message ids the fake accepted that no attempt row records (by provider message id)."""
    recorded = {mid for _chat, _outcome, mid in probe.attempts() if mid is not None}
    return {e.message_id for e in fake.accepted() if e.message_id is not None and str(e.message_id) not in recorded}


def rate(entries: list[Entry]) -> float:
    """Accepted messages per second, first to last as the server saw them."""
    times = sorted(e.received for e in entries if e.outcome == "accepted")
    if len(times) < 2 or times[-1] == times[0]:
        return 0.0
    return (len(times) - 1) / (times[-1] - times[0])


def wait_until(
    condition: Callable[[], bool], timeout: float, every: float = 0.25, tick: Callable[[], None] | None = None
) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if tick is not None:
            tick()
        if condition():
            return True
        time.sleep(every)
    return condition()


@dataclass
class Run:
    """The common set-up of a scenario: work directory, database, fake, seeded chats."""

    scenario: str
    db: str
    url: str
    workdir: Path
    fake: FakeTelegramLogger
    telegram_url: str
    probe: Probe
    chats: list[str]
    rng: random.Random
    keep: bool
    seed_seconds: float = 0.0

    @classmethod
    def prepare(
        cls,
        scenario: str,
        db: str,
        url: str | None,
        reminders: int,
        seed: int,
        keep: bool,
        latency: float = 0.0,
        rate_limit: float | None = None,
        channel: str = "telegram",
    ) -> Run:
        workdir = Path(tempfile.mkdtemp(prefix=f"chaos-{scenario}-"))
        url = database_url(db, url, workdir)
        wipe(url)
        t0 = time.monotonic()
        chats = seed_database(url, reminders, channel)
        seeded = time.monotonic() - t0
        log(f"seeded {reminders} reminders in {seeded:.1f}s ({make_url(url).get_backend_name()}); work dir {workdir}")
        fake = FakeTelegramLogger(latency=latency, rate_limit=rate_limit, log_path=workdir / "fake_telegram.jsonl")
        telegram_url = fake.start()
        return cls(scenario, db, url, workdir, fake, telegram_url, Probe(url), chats, random.Random(seed), keep, seeded)

    def process(self, name: str, extra: dict[str, str] | None = None) -> BotProcess:
        process = BotProcess(name, bot_env(self.url, self.telegram_url, extra or {}), self.workdir)
        process.sending_since = lambda since: self.fake.last_send > since
        return process

    def new_port(self) -> int:
        return free_port()

    def close(self) -> None:
        self.fake.stop()
        self.probe.dispose()
        if not self.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def header(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "db": make_url(self.url).get_backend_name(),
            "code": git_revision(),
            "reminders": len(self.chats),
        }
