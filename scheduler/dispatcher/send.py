"""Send: one message to one chat through its channel, paced by the channel, its outcome
classified (sent, worth retrying, recipient gone, message refused, channel down). A channel
that fails as a whole is paused, doubling while it keeps failing."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import timedelta

from scheduler.delivery import ChannelError, ErrorScope
from scheduler.dispatcher.base import Delivery, Outcome, Wiring
from store.enums import AttemptOutcome

log = logging.getLogger("scheduler.dispatcher")

_OUTCOME_OF_SCOPE = {
    ErrorScope.TRANSIENT: AttemptOutcome.TRANSIENT,
    ErrorScope.RECIPIENT: AttemptOutcome.PERMANENT,
    ErrorScope.MESSAGE: AttemptOutcome.REJECTED,
    ErrorScope.CHANNEL: AttemptOutcome.CHANNEL,
}


async def send(w: Wiring, d: Delivery) -> Outcome:
    """Send one delivery (or share the outcome of the message it shares), never raising."""
    if d.shared is not None:
        outcome = await d.shared.run(lambda: _send_once(w, d))
        return replace(outcome, delivery=d)
    return await _send_once(w, d)


async def _send_once(w: Wiring, d: Delivery) -> Outcome:
    started = w.clock.now()
    t0 = time.perf_counter()
    paused = w.paused.get(d.channel)
    if paused is not None and paused[0] > started:
        return Outcome(d, started, 0, AttemptOutcome.CHANNEL, "kênh đang tạm dừng sau lỗi của kênh")
    try:
        result = await w.channels[d.channel].send(d.chat_id, d.message)
    except ChannelError as exc:
        kind = _OUTCOME_OF_SCOPE[exc.scope]
        if kind == AttemptOutcome.TRANSIENT and exc.unknown_outcome:
            kind = AttemptOutcome.UNKNOWN
        if kind == AttemptOutcome.CHANNEL:
            _pause(w, d.channel, str(exc))
        return Outcome(d, started, _ms(t0), kind, str(exc)[:500], retry_after=exc.retry_after)
    except Exception as exc:  # a bug in an adapter must not stop the outbox
        log.exception("channel %s raised", d.channel)
        return Outcome(d, started, _ms(t0), AttemptOutcome.TRANSIENT, f"{type(exc).__name__}: {exc}"[:500])
    w.paused.pop(d.channel, None)
    return Outcome(d, started, _ms(t0), AttemptOutcome.OK, message_id=result.message_id)


def _pause(w: Wiring, channel: str, error: str) -> None:
    now = w.clock.now()
    previous = w.paused.get(channel)
    if previous is not None and previous[0] > now:
        return  # the other sends in flight failed with it: one outage, one pause
    # Failing again after a pause ran out: wait twice as long, up to the maximum.
    seconds = min(previous[1] * 2, w.config.channel_pause_max) if previous else w.config.channel_pause
    w.paused[channel] = (now + timedelta(seconds=seconds), seconds)
    log.error("channel %s failed as a whole (%s); paused for %.0f s, nobody disabled", channel, error, seconds)


def _ms(t0: float) -> int:
    return max(1, int((time.perf_counter() - t0) * 1000))
