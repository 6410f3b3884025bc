"""Issue 25's edges, against the real `nhacviec run` in webhook mode: updates are POSTed to
its webhook as Telegram would, replies are read where they land (the outbox rows and the
fake's log).

link_lockout: can a stranger close linking for everyone? One valid code sent 40 times at
once from one chat, a leaked code raced by 40 chats, 30 wrong codes at once from one chat;
then the next person's valid code: linked or refused, with the line they were sent. Last,
a real flood (wrong codes from many chats) and a valid code after it: the brake should hold.

plan_reload: how long chat answers wait while the office's plan grows to 9,999 tasks and
the running bot reloads it. A probe sends one message a fifth of a second (each from a new
unlinked chat, so the per-chat pace never delays it) and times its answer at the fake.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from bench.chaos.harness import ROOT, WEBHOOK_SECRET, BotProcess, Run, log, wait_until, webhook_env

Figures = dict[str, Any]
_update_ids = iter(range(1, 10**9))
_lock = threading.Lock()


def post_text(port: int, chat_id: int, text: str, timeout: float = 60.0) -> int:
    """One private-chat text message POSTed to the bot's Telegram webhook; the HTTP status."""
    with _lock:
        n = next(_update_ids)
    update = {
        "update_id": n,
        "message": {
            "message_id": n,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Thử"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Thử"},
            "text": text,
        },
    }
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/telegram/webhook",
        data=json.dumps(update).encode(),
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


def _start(run: Run, extra: dict[str, str] | None = None) -> tuple[BotProcess, int]:
    port = run.new_port()
    bot = run.process("bot", {**webhook_env(port), **(extra or {})})
    bot.start()
    if not bot.wait_ready(90):
        raise SystemExit(f"the bot did not become ready; see {run.workdir / 'bot.log'} (--keep)")
    # The banner can come a moment before the webhook port accepts connections: a probe sent
    # in between was refused (and counted unanswered) in the first runs.
    wait_until(lambda: _listening(port), 15, every=0.1)
    return bot, port


def _listening(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # it answered
    except OSError:
        return False


# --- link lockout -----------------------------------------------------------------------


def _issue_codes(url: str, count: int) -> list[str]:
    return asyncio.run(_codes(url, count))


async def _codes(url: str, count: int) -> list[str]:
    from bot.actions.people import create_person, issue_link_code
    from bot.app.service import open_context
    from bot.settings import Settings
    from scheduler.clock import SystemClock

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        ward="chaos",
        plan_path=ROOT / "data" / "tasks.yaml",
        calendar_path=ROOT / "data" / "calendar.yaml",
    )
    ctx = await open_context(settings, SystemClock())
    try:
        async with ctx.db.session() as s, s.begin():
            codes = []
            for i in range(count):
                person = await create_person(s, ctx.ward_id, f"Người liên kết {i}", "head", "VP", ctx.now())
                codes.append((await issue_link_code(s, person, ctx.now(), timedelta(hours=2))).code)
            return codes
    finally:
        await ctx.db.dispose()


def _replies(run: Run, chats: list[int]) -> list[str]:
    rows = run.probe._all(
        "SELECT body FROM reminders WHERE kind = 'reply' AND chat_id IN ("
        + ",".join(f"'{c}'" for c in chats)
        + ") ORDER BY id"
    )
    return [str(body) for (body,) in rows]


def _linked(run: Run, chats: list[int]) -> int:
    rows = run.probe._all(
        "SELECT count(*) FROM chat_identities WHERE chat_id IN (" + ",".join(f"'{c}'" for c in chats) + ")"
    )
    return int(rows[0][0])


def _failures(run: Run) -> int:
    return int(run.probe._all("SELECT count(*) FROM link_failures")[0][0])


def _at_once(port: int, messages: list[tuple[int, str]]) -> Counter[int]:
    with ThreadPoolExecutor(len(messages)) as pool:
        return Counter(pool.map(lambda m: post_text(port, m[0], m[1]), messages))


def _short(lines: list[str]) -> dict[str, int]:
    return dict(Counter(line if len(line) <= 90 else line[:87] + "…" for line in lines))


def link_lockout(args: argparse.Namespace) -> Figures:
    run = Run.prepare("link_lockout", args.db, args.url, 1, args.seed, args.keep)
    try:
        race, leaked, valid, after_flood = _issue_codes(run.url, 4)
        bot, port = _start(run)
        figures: Figures = {**run.header()}
        figures.pop("reminders")

        # 1. One valid code, forty copies at once from one chat.
        racer = 810_000_001
        statuses = _at_once(port, [(racer, f"/start {race}")] * 40)
        replies = _replies(run, [racer])
        figures["race_one_chat.http"] = dict(statuses)
        figures["race_one_chat.linked_chats"] = _linked(run, [racer])
        figures["race_one_chat.replies"] = _short(replies)
        figures["race_one_chat.failures_recorded"] = _failures(run)

        # 2. A leaked code raced by forty chats.
        chats = [810_000_100 + i for i in range(40)]
        statuses = _at_once(port, [(c, f"/start {leaked}") for c in chats])
        figures["race_40_chats.http"] = dict(statuses)
        figures["race_40_chats.linked_chats"] = _linked(run, chats)
        figures["race_40_chats.replies"] = _short(_replies(run, chats))
        figures["race_40_chats.failures_recorded"] = _failures(run)

        # 3. Thirty wrong codes at once from one stranger's chat.
        stranger = 810_000_200
        wrong = [(stranger, f"{(int(valid) + 1 + i) % 1_000_000:06d}") for i in range(30)]
        statuses = _at_once(port, wrong)
        figures["wrong_30_one_chat.http"] = dict(statuses)
        figures["wrong_30_one_chat.replies"] = _short(_replies(run, [stranger]))
        figures["wrong_30_one_chat.failures_recorded"] = _failures(run)

        # 4. The next person's valid code.
        person = 810_000_300
        post_text(port, person, f"/start {valid}")
        got = _replies(run, [person])
        figures["next_valid_code.linked"] = _linked(run, [person]) == 1
        figures["next_valid_code.reply"] = got[-1][:120] if got else None

        # 5. A real flood: one wrong code from each of many chats, then a valid code.
        flooders = [810_000_400 + i for i in range(args.flood_chats)]
        _at_once(port, [(c, f"{(int(after_flood) + 7 + i) % 1_000_000:06d}") for i, c in enumerate(flooders)])
        late = 810_000_500
        post_text(port, late, f"/start {after_flood}")
        got = _replies(run, [late])
        figures["after_flood.flood_chats"] = args.flood_chats
        figures["after_flood.valid_code_linked"] = _linked(run, [late]) == 1
        figures["after_flood.reply"] = got[-1][:120] if got else None
        code, _ = bot.terminate()
        figures["exit_code_on_sigterm"] = code
        figures["unexpected_exits"] = bot.unexpected_exits
        return figures
    finally:
        run.close()


# --- plan reload ------------------------------------------------------------------------


def big_plan(source: Path, target: Path, tasks: int) -> None:
    """The seed plan with `tasks` short tasks (stt 1…N) under the same ward, number and day,
    so the running bot takes it as an edit of its own plan. Under the 2 MB file cap."""
    plan = yaml.safe_load(source.read_text(encoding="utf-8"))
    seed = plan["tasks"]
    plan["tasks"] = [
        {
            "stt": i,
            "content": f"Nhiệm vụ thử {i}",
            "lead": seed[(i - 1) % len(seed)]["lead"][:1],
            "coordinate": [],
            "product": "Báo cáo",
            "deadline": seed[(i - 1) % len(seed)]["deadline"],
        }
        for i in range(1, tasks + 1)
    ]
    target.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")


class Prober(threading.Thread):
    """Sends a message every `every` s from a fresh chat; times the answer at the fake."""

    def __init__(self, run: Run, port: int, every: float) -> None:
        super().__init__(daemon=True)
        self.run_, self.port, self.every = run, port, every
        self.sent: list[tuple[int, float, str]] = []  # chat, when, phase
        self.phase = "before"
        self.stopping = threading.Event()
        self.apologies: Counter[str] = Counter()

    def run(self) -> None:
        chat = 820_000_000
        while not self.stopping.is_set():
            chat += 1
            self.sent.append((chat, time.monotonic(), self.phase))
            threading.Thread(target=post_text, args=(self.port, chat, "/help"), daemon=True).start()
            self.stopping.wait(self.every)

    def latencies(self) -> dict[str, list[float | None]]:
        """Per phase, each probe's wait for its answer (None: no answer). An answer is the
        reply the conversation stored; an apology sent because the message could not be
        handled ("Xin lỗi, đã có lỗi…") is not one, and is counted apart."""
        answered: dict[str, float] = {}
        for e in self.run_.fake.accepted():
            answered.setdefault(e.chat_id, e.received)
        stored = {str(c) for (c,) in self.run_.probe._all("SELECT chat_id FROM reminders WHERE kind = 'reply'")}
        out: dict[str, list[float | None]] = {}
        self.apologies.clear()
        for chat, sent, phase in self.sent:
            at = answered.get(str(chat))
            if at is not None and str(chat) not in stored:
                self.apologies[phase] += 1
                at = None
            out.setdefault(phase, []).append(None if at is None else at - sent)
        return out


def _summary(values: list[float | None]) -> dict[str, Any]:
    got = sorted(v for v in values if v is not None)
    if not got:
        return {"sent": len(values), "answered": 0}
    return {
        "sent": len(values),
        "answered": len(got),
        "median_s": round(statistics.median(got), 3),
        "p95_s": round(got[int(0.95 * (len(got) - 1))], 3),
        "max_s": round(got[-1], 3),
    }


def plan_reload(args: argparse.Namespace) -> Figures:
    run = Run.prepare("plan_reload", args.db, args.url, 1, args.seed, args.keep)
    try:
        plan = run.workdir / "tasks.yaml"
        shutil.copy(ROOT / "data" / "tasks.yaml", plan)
        big = run.workdir / "big.yaml"
        big_plan(plan, big, args.tasks)
        bot, port = _start(run, {"NHACVIEC_PLAN_PATH": str(plan), "NHACVIEC_TICK_SECONDS": "1"})
        prober = Prober(run, port, args.probe_every)
        prober.start()
        time.sleep(args.baseline_seconds)
        prober.phase = "reload"
        t0 = time.monotonic()
        big.replace(plan)  # one rename: the bot never reads a half-written file
        log(f"plan replaced with {args.tasks} tasks; waiting for the bot to plan them")

        def planned() -> bool:
            rows = run.probe._all("SELECT count(*) FROM tasks")
            return int(rows[0][0]) >= args.tasks

        done = wait_until(planned, args.reload_timeout, every=0.5, tick=bot.supervise)
        reload_s = time.monotonic() - t0
        prober.phase = "after"
        time.sleep(args.after_seconds)
        prober.stopping.set()
        time.sleep(5.0)  # answers to the last probes
        lat = prober.latencies()
        phases = {f"{ph}.{k}": v for ph in ("before", "reload", "after") for k, v in _summary(lat.get(ph, [])).items()}
        phases.update({f"{ph}.apologies": n for ph, n in sorted(prober.apologies.items())})
        log_text = (run.workdir / "bot.log").read_text(encoding="utf-8", errors="replace")
        phases["bot_log.update_errors"] = log_text.count("error handling Telegram update")
        code, _ = bot.terminate()
        return {
            **run.header(),
            "tasks": args.tasks,
            "reload_planned": done,
            "reload_to_tasks_in_db_s": round(reload_s, 1),
            **phases,
            "exit_code_on_sigterm": code,
            "unexpected_exits": bot.unexpected_exits,
            "settings": f"one /help every {args.probe_every}s from a new chat; tick 1 s",
        }
    finally:
        run.close()
