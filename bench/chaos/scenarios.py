"""The five scenarios of issue 12. Each is bounded in time and count and returns its figures.

What each measures is written next to it; every figure is computed from two witnesses,
the fake's log (what Telegram accepted) and the bot's own database (what it recorded).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from typing import Any

from bench.chaos import edges
from bench.chaos.harness import (
    BotProcess,
    Run,
    delivery,
    log,
    rate,
    unrecorded,
    wait_until,
    webhook_env,
)

Figures = dict[str, Any]


def _prepare(args: argparse.Namespace, name: str, **fake: Any) -> Run:
    return Run.prepare(name, args.db, args.url, args.reminders, args.seed, args.keep, **fake)


def _drain(run: Run, processes: list[BotProcess], timeout: float) -> tuple[bool, float]:
    """Wait until none of our rows is queued or leased (restarting any process that died)."""
    t0 = time.monotonic()

    def supervise() -> None:
        for p in processes:
            p.supervise()

    drained = wait_until(lambda: run.probe.unfinished() == 0, timeout, every=0.5, tick=supervise)
    # Anything still on the wire lands in the fake's log before we count.
    time.sleep(0.5 + run.fake.latency)
    return drained, time.monotonic() - t0


def _after(args: argparse.Namespace, run: Run) -> int:
    """When to strike: a fixed message count, or a random one (seeded) so the fault does not
    always land on a batch boundary."""
    if args.after is not None:
        return int(args.after)
    return run.rng.randint(50, min(250, max(51, len(run.chats) // 2)))


def _wait_accepted(run: Run, count: int, timeout: float, process: BotProcess) -> bool:
    return wait_until(lambda: len(run.fake.accepted()) >= count, timeout, every=0.05, tick=process.supervise)


# --- kill -------------------------------------------------------------------------------


def kill(args: argparse.Namespace) -> Figures:
    """Random SIGKILLs of `nhacviec run` during a burst, a restart after each, then a drain.

    in_flight_at_kills: sendMessage requests on the wire at the fake at the instant of
    each kill. unrecorded_at_kills: messages the fake had accepted that no attempt row
    recorded once the killed process was gone — the most a restart can send twice."""
    run = _prepare(args, "kill", latency=args.latency)
    try:
        bot = run.process("bot", {"NHACVIEC_LEASE_SECONDS": str(args.lease_seconds)})
        kills = in_flight = 0
        unrecorded_seen: set[int] = set()
        per_kill: list[str] = []
        t0 = time.monotonic()
        while kills < args.kills and run.probe.unfinished() > 0:
            bot.start()
            if not bot.wait_ready():
                log("the bot did not become ready; restarting")
                if bot.alive():
                    bot.kill()
                continue
            time.sleep(run.rng.uniform(args.min_delay, args.max_delay))
            if not bot.alive():
                bot.unexpected_exits.append(bot.proc.returncode if bot.proc else -1)
                continue
            instant = time.monotonic()
            bot.kill()
            kills += 1
            time.sleep(run.fake.latency + 0.2)  # requests the dead process left on the wire finish
            on_wire = len(run.fake.open_at(instant))
            lost_track = unrecorded(run.fake, run.probe) - unrecorded_seen
            unrecorded_seen |= lost_track
            in_flight += on_wire
            per_kill.append(f"{on_wire}/{len(lost_track)}")
            log(
                f"kill {kills}: on the wire {on_wire}, accepted but unrecorded {len(lost_track)}, "
                f"accepted so far {len(run.fake.accepted())}"
            )
        kill_phase = time.monotonic() - t0
        bot.start()
        bot.wait_ready()
        drained, drain_seconds = _drain(run, [bot], args.drain_timeout)
        code, _ = bot.terminate()
        d = delivery(run.fake, run.probe, run.chats)
        return {
            **run.header(),
            "kills": kills,
            **d.figures(),
            "in_flight_at_kills": in_flight,
            "unrecorded_at_kills": len(unrecorded_seen),
            "per_kill_on_wire/unrecorded": " ".join(per_kill),
            "drained": drained,
            "kill_phase_s": round(kill_phase, 1),
            "drain_after_kills_s": round(drain_seconds, 1),
            "mean_start_to_ready_s": round(sum(bot.ready_after) / max(1, len(bot.ready_after)), 2),
            "unexpected_exits": bot.unexpected_exits,
            "final_exit_code_on_sigterm": code,
            "states": run.probe.states(),
            "settings": f"lease_seconds={args.lease_seconds} fake_latency={args.latency}s "
            f"kill {args.min_delay}-{args.max_delay}s after ready",
        }
    finally:
        run.close()


# --- workers ----------------------------------------------------------------------------


def workers(args: argparse.Namespace) -> Figures:
    """N worker processes in webhook mode (only one getUpdates poller may run per token) on
    one PostgreSQL, draining one burst against a fake that allows `rate_limit` msg/s per token."""
    run = _prepare(args, "workers", latency=args.latency, rate_limit=args.rate_limit or None)
    try:
        procs = [
            run.process(
                f"worker{i}", {**webhook_env(run.new_port()), "NHACVIEC_LEASE_SECONDS": str(args.lease_seconds)}
            )
            for i in range(args.workers)
        ]
        for p in procs:
            p.start()
        ready = sum(p.wait_ready() for p in procs)
        t0 = time.monotonic()
        drained, elapsed = _drain(run, procs, args.time_limit)
        stops = [p.terminate() for p in procs]
        time.sleep(run.fake.latency + 0.3)
        unrecorded_at_stop = len(unrecorded(run.fake, run.probe))
        d = delivery(run.fake, run.probe, run.chats)
        entries = run.fake.snapshot()
        return {
            **run.header(),
            "workers": args.workers,
            "workers_ready": ready,
            **d.figures(),
            "aggregate_msg_per_s": round(rate(entries), 1),
            "drained": drained,
            "elapsed_s": round(time.monotonic() - t0 if not drained else elapsed, 1),
            "attempt_rows_by_worker": dict(sorted(Counter(run.probe.attempts_by_worker()).items())),
            "exit_codes_on_sigterm": [c for c, _ in stops],
            "unrecorded_sends_after_sigterm": unrecorded_at_stop,
            "unexpected_exits": [c for p in procs for c in p.unexpected_exits],
            "states": run.probe.states(),
            "settings": f"fake rate limit {args.rate_limit or 'none'}/s per token, 429 retry_after 1; "
            f"time limit {args.time_limit}s; lease_seconds={args.lease_seconds}",
        }
    finally:
        run.close()


# --- storm429 ---------------------------------------------------------------------------


def storm429(args: argparse.Namespace) -> Figures:
    """Every sendMessage answered 429 (retry_after) for `storm_seconds` from the moment the
    bot is ready, then normal service; how many rows were given up, how long to drain."""
    run = _prepare(args, "storm429", latency=args.latency)
    try:
        bot = run.process("bot")
        run.fake.storm_retry_after = args.retry_after
        bot.start()
        bot.wait_ready()
        wait_until(lambda: False, args.storm_seconds, every=0.5, tick=bot.supervise)
        run.fake.storm_retry_after = None
        failed_at_end = run.probe.states().get("failed", 0)
        counter_at_end = run.probe.claims()
        accepted_before = len(run.fake.accepted())
        drained, drain_seconds = _drain(run, [bot], args.drain_timeout)
        code, _ = bot.terminate()
        d = delivery(run.fake, run.probe, run.chats)
        states = run.probe.states()
        return {
            **run.header(),
            "storm_s": args.storm_seconds,
            "failed_rows": states.get("failed", 0),
            "failed_rows_when_storm_ended": failed_at_end,
            **d.figures(),
            "delivered_after_storm": len(run.fake.accepted()) - accepted_before,
            "rows_by_attempts_counter_when_storm_ended": counter_at_end,
            "drained": drained,
            "time_to_drain_after_storm_s": round(drain_seconds, 1),
            "unexpected_exits": bot.unexpected_exits,
            "exit_code_on_sigterm": code,
            "states": states,
            "settings": f"429 retry_after={args.retry_after}",
        }
    finally:
        run.close()


# --- unauthorized -----------------------------------------------------------------------


def unauthorized(args: argparse.Namespace) -> Figures:
    """A window of HTTP 401 on every method (token revoked, then restored) mid-burst: how
    many people the bot marked unreachable, and whether the rest still went out."""
    run = _prepare(args, "unauthorized", latency=args.latency)
    try:
        bot = run.process("bot")
        bot.start()
        bot.wait_ready()
        after = _after(args, run)
        _wait_accepted(run, after, 60, bot)
        run.fake.unauthorized = True
        wait_until(lambda: False, args.window, every=0.1, tick=bot.supervise)
        run.fake.unauthorized = False
        marked_in_window = run.probe.unreachable()
        drained, drain_seconds = _drain(run, [bot], args.drain_timeout)
        alive = bot.alive()
        code, _ = bot.terminate() if alive else (bot.proc.returncode if bot.proc else None, 0.0)
        d = delivery(run.fake, run.probe, run.chats)
        return {
            **run.header(),
            "window_s": args.window,
            "people_marked_unreachable": run.probe.unreachable(),
            "marked_by_window_end": marked_in_window,
            **d.figures(),
            "drained": drained,
            "drain_after_window_s": round(drain_seconds, 1),
            "unexpected_exits": bot.unexpected_exits,
            "exit_code_on_sigterm": code,
            "states": run.probe.states(),
            "settings": f"401 on every method for {args.window}s after {after} messages",
        }
    finally:
        run.close()


# --- sigterm ----------------------------------------------------------------------------


def sigterm(args: argparse.Namespace) -> Figures:
    """SIGTERM (what systemd and Docker send) mid-burst, in polling and in webhook mode."""
    out: Figures = {}
    modes = ["polling", "webhook"] if args.mode == "both" else [args.mode]
    for mode in modes:
        run = _prepare(args, f"sigterm-{mode}", latency=args.latency)
        try:
            extra = webhook_env(run.new_port()) if mode == "webhook" else {}
            bot = run.process("bot", extra)
            bot.start()
            bot.wait_ready()
            after = _after(args, run)
            _wait_accepted(run, after, 60, bot)
            instant = time.monotonic()
            code, seconds = bot.terminate(args.stop_timeout)
            time.sleep(run.fake.latency + 0.3)
            accepted_after = sum(1 for e in run.fake.accepted() if e.received > instant)
            d = delivery(run.fake, run.probe, run.chats)
            if not out:
                out.update(run.header())
                out.pop("scenario")
            out.update(
                {
                    f"{mode}.sigterm_after_messages": after,
                    f"{mode}.exit_code": code if code is not None else f"none (killed after {args.stop_timeout}s)",
                    f"{mode}.time_to_exit_s": round(seconds, 2),
                    f"{mode}.unrecorded_sends": len(unrecorded(run.fake, run.probe)),
                    f"{mode}.leased_rows_left": run.probe.leased(),
                    f"{mode}.accepted_before_sigterm": d.accepted - accepted_after,
                    f"{mode}.sends_started_after_sigterm": accepted_after,
                    f"{mode}.states": run.probe.states(),
                }
            )
        finally:
            run.close()
    return {"scenario": "sigterm", **out}


SCENARIOS = {
    "kill": kill,
    "workers": workers,
    "storm429": storm429,
    "unauthorized": unauthorized,
    "sigterm": sigterm,
    "link_lockout": edges.link_lockout,
    "plan_reload": edges.plan_reload,
}
