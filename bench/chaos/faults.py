"""The faults of issue 25 that are not crashes: a 429 storm longer than the lease with two
workers, SIGTERM while the API hangs, a Telegram 401 blip in polling mode, Zalo's undocumented
error JSON and its 429. Each prints lost / duplicates / answered, like the issue 12 scenarios
(bench/chaos/scenarios.py), from the fake's log and the bot's database."""

from __future__ import annotations

import argparse
import re
import time
from typing import Any

from bench.chaos.harness import BotProcess, Run, delivery, unrecorded, wait_until, webhook_env
from bench.fake_zalo_logger import FakeZaloLogger

Figures = dict[str, Any]


def _prepare(args: argparse.Namespace, name: str, **fake: Any) -> Run:
    return Run.prepare(name, args.db, args.url, args.reminders, args.seed, args.keep, **fake)


def _drain(run: Run, processes: list[BotProcess], timeout: float, settle: float = 0.5) -> tuple[bool, float]:
    t0 = time.monotonic()

    def supervise() -> None:
        for p in processes:
            p.supervise()

    drained = wait_until(lambda: run.probe.unfinished() == 0, timeout, every=0.5, tick=supervise)
    time.sleep(settle)
    return drained, time.monotonic() - t0


def _outcomes(run: Run, channel: str = "telegram") -> dict[str, int]:
    out: dict[str, int] = {}
    for _chat, outcome, _mid in run.probe.attempts(channel):
        out[outcome] = out.get(outcome, 0) + 1
    return out


def _log_count(process: BotProcess, pattern: str) -> int:
    path = process.workdir / f"{process.name}.log"
    return len(re.findall(pattern, path.read_text(errors="replace"))) if path.exists() else 0


# --- a 429 storm longer than the lease, two workers -------------------------------------


def lease_storm(args: argparse.Namespace) -> Figures:
    """Every sendMessage answered 429 with a retry_after longer than the lease, for
    `storm_seconds`, while two workers drain one burst; then normal service."""
    run = _prepare(args, "lease_storm", latency=args.latency)
    try:
        env = {"NHACVIEC_LEASE_SECONDS": str(args.lease_seconds)}
        procs = [run.process(f"worker{i}", {**webhook_env(run.new_port()), **env}) for i in range(2)]
        run.fake.storm_retry_after = args.retry_after
        for p in procs:
            p.start()
        ready = sum(p.wait_ready() for p in procs)

        def supervise() -> None:
            for p in procs:
                p.supervise()

        wait_until(lambda: False, args.storm_seconds, every=0.5, tick=supervise)
        run.fake.storm_retry_after = None
        drained, drain_s = _drain(run, procs, args.drain_timeout, 0.5 + run.fake.latency)
        stops = [p.terminate() for p in procs]
        d = delivery(run.fake, run.probe, run.chats)
        return {
            **run.header(),
            "workers_ready": ready,
            **d.figures(),
            "drained": drained,
            "drain_after_storm_s": round(drain_s, 1),
            "attempt_rows_by_worker": run.probe.attempts_by_worker(),
            "exit_codes_on_sigterm": [c for c, _ in stops],
            "unexpected_exits": [c for p in procs for c in p.unexpected_exits],
            "states": run.probe.states(),
            "settings": f"2 workers, webhook mode; 429 retry_after={args.retry_after}s for {args.storm_seconds}s; "
            f"lease_seconds={args.lease_seconds}",
        }
    finally:
        run.close()


# --- SIGTERM while the API hangs --------------------------------------------------------


def sigterm_hang(args: argparse.Namespace) -> Figures:
    """The API takes every sendMessage and never answers; SIGTERM; then a restart with the API
    back: how long the stop took, what was left leased, and what the restart sent twice."""
    run = _prepare(args, "sigterm_hang", latency=args.latency)
    try:
        bot = run.process("bot", {"NHACVIEC_LEASE_SECONDS": str(args.lease_seconds)})
        bot.start()
        bot.wait_ready()
        after = args.after or 100
        wait_until(lambda: len(run.fake.accepted()) >= after, 60, every=0.05, tick=bot.supervise)
        run.fake.hang = True
        hung_from = len(run.fake.accepted())
        wait_until(lambda: len(run.fake.accepted()) > hung_from + 3, 10, every=0.05)
        time.sleep(1.0)
        hung = len(run.fake.accepted()) - hung_from
        instant = time.monotonic()
        code, seconds = bot.terminate(args.stop_timeout)
        started_after = sum(1 for e in run.fake.accepted() if e.received > instant)
        leased_left = run.probe.leased()
        unknown_recorded = _outcomes(run).get("unknown", 0)
        unrecorded_at_stop = len(unrecorded(run.fake, run.probe))
        run.fake.hang = False
        bot.start()
        bot.wait_ready()
        drained, drain_s = _drain(run, [bot], args.drain_timeout, 0.5 + run.fake.latency)
        bot.terminate()
        d = delivery(run.fake, run.probe, run.chats)
        return {
            **run.header(),
            "hung_sends_at_sigterm": hung,
            "exit_code": code if code is not None else f"none (killed after {args.stop_timeout}s)",
            "time_to_exit_s": round(seconds, 2),
            "sends_started_after_sigterm": started_after,
            "leased_rows_left": leased_left,
            "unknown_outcomes_recorded": unknown_recorded,
            "accepted_but_unrecorded_at_stop": unrecorded_at_stop,
            **d.figures(),
            "drained_after_restart": drained,
            "drain_s": round(drain_s, 1),
            "states": run.probe.states(),
            "settings": f"sendMessage hangs after {after} messages; lease_seconds={args.lease_seconds}",
        }
    finally:
        run.fake.hang = False
        run.close()


# --- a Telegram 401 blip in polling mode ------------------------------------------------


STRANGER = "699999999"  # a chat nobody linked: it is answered how to link


def telegram401(args: argparse.Namespace) -> Figures:
    """401 on every method for `window` seconds mid-burst (polling mode), then a message from
    a person: is it answered, and how soon?"""
    run = _prepare(args, "telegram401", latency=args.latency)
    try:
        bot = run.process("bot")
        bot.start()
        bot.wait_ready()
        after = args.after or 50
        wait_until(lambda: len(run.fake.accepted()) >= after, 60, every=0.05, tick=bot.supervise)
        run.fake.unauthorized = True
        wait_until(lambda: False, args.window, every=0.1, tick=bot.supervise)
        run.fake.unauthorized = False
        asked = time.monotonic()
        run.fake.push_update(STRANGER, "/help")
        answered = wait_until(
            lambda: any(e.chat_id == STRANGER for e in run.fake.accepted()), args.answer_timeout, every=0.1
        )
        answer_s = time.monotonic() - asked
        drained, drain_s = _drain(run, [bot], args.drain_timeout, 0.5 + run.fake.latency)
        code, _ = bot.terminate()
        d = delivery(run.fake, run.probe, run.chats)
        return {
            **run.header(),
            "window_s": args.window,
            **d.figures(),
            "message_after_401_answered": answered,
            "answer_after_s": round(answer_s, 1) if answered else None,
            "failed_polls_logged": _log_count(bot, r"Telegram getUpdates failed"),
            "people_marked_unreachable": run.probe.unreachable(),
            "drained": drained,
            "drain_s": round(drain_s, 1),
            "exit_code_on_sigterm": code,
            "states": run.probe.states(),
            "settings": f"401 on every method for {args.window}s after {after} messages, polling mode",
        }
    finally:
        run.close()


# --- Zalo: undocumented error JSON, and a 429 storm -------------------------------------


def zalo_errors(args: argparse.Namespace) -> Figures:
    """Zalo only. First every sendMessage answered 429 (Retry-After) for `storm_seconds`: how
    many requests per second still reach Zalo. Then `{"ok":false,"error_code":-201}` for a
    share of sendMessage calls during `window` seconds; then normal service until drained."""
    run = Run.prepare("zalo_errors", args.db, args.url, args.reminders, args.seed, args.keep, channel="zalo")
    zalo = FakeZaloLogger(latency=args.latency, storm_retry_after=args.retry_after)
    base = zalo.start()
    try:
        bot = run.process(
            "bot",
            {
                "NHACVIEC_CHANNELS": "zalo",
                "NHACVIEC_ZALO_TOKEN": "4242:CHAOS-ZALO-not-a-real-one",
                "NHACVIEC_ZALO_BASE_URL": base,
            },
        )
        bot.start()
        bot.wait_ready()
        t0 = time.monotonic()
        wait_until(lambda: False, args.storm_seconds, every=0.5, tick=bot.supervise)
        storm = [e for e in zalo.snapshot() if e.received >= t0]
        zalo.storm_retry_after = None
        zalo.error_ratio = args.error_ratio
        wait_until(lambda: False, args.window, every=0.5, tick=bot.supervise)
        zalo.error_ratio = 0.0
        drained, drain_s = _drain(run, [bot], args.drain_timeout, 0.5 + args.latency)
        code, _ = bot.terminate()
        d = delivery(zalo, run.probe, run.chats, "zalo")
        states = run.probe.states()
        return {
            **run.header(),
            **d.figures(),
            "storm_requests_per_s": round(len(storm) / max(args.storm_seconds, 0.1), 2),
            "answered_-201": sum(1 for e in zalo.snapshot() if e.outcome == "-201"),
            "failed_rows": states.get("failed", 0),
            "rows_retried": sum(n for a, n in run.probe.claims().items() if a > 0),
            "unknown_code_log_lines": _log_count(bot, r"unknown error code -201"),
            "drained": drained,
            "drain_s": round(drain_s, 1),
            "exit_code_on_sigterm": code,
            "states": states,
            "settings": f"Zalo 429 Retry-After {args.retry_after}s for {args.storm_seconds}s, then -201 on "
            f"{args.error_ratio:.0%} of sends for {args.window}s",
        }
    finally:
        zalo.stop()
        run.close()


SCENARIOS = {
    "lease_storm": lease_storm,
    "sigterm_hang": sigterm_hang,
    "telegram401": telegram401,
    "zalo_errors": zalo_errors,
}
