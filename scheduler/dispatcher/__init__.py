"""The outbox dispatcher: claim due rows, send them, record every attempt as it happens.

A claimed batch goes through three steps so no database transaction (and, on SQLite, no
write lock) is held across network I/O:
1. decide (one transaction): who gets what; each send about to happen is written as an
   attempt row with outcome "sending" — so a send cut short by a crash stays on record;
2. send, `concurrency` at a time, the channel pacing them;
3. record: each row's outcome is committed as soon as its sends finish (outcomes that
   arrive while a commit runs share the next one), not after the whole batch.

A crash therefore leaves at most the sends in flight unrecorded. Their rows are claimed
again after the lease; their "sending" attempts become "unknown" (they may have been
delivered) and the message is sent again — the one at-least-once window, countable from
delivery_attempts. Attempts count failures, not claims: a 429 waits its retry_after, a
lease reclaim is not a failure, and a broken channel (invalid token) pauses that channel
without touching the rows' attempts or anyone's reachability.
"""

from scheduler.dispatcher.base import (
    GROUPED_KINDS,
    MOMENT_REST_MAX,
    Delivery,
    DispatcherConfig,
    Outcome,
    Renderer,
    SharedSend,
    TickStats,
)
from scheduler.dispatcher.decide import (
    NOBODY,
    NOBODY_REPORT_AT,
    NOBODY_REPORT_GRACE,
    Closing,
    direct_message,
    nobody_report_due,
    recipients,
    still_wanted,
)
from scheduler.dispatcher.direct import reply_delivery
from scheduler.dispatcher.record import Verdict, after_send
from scheduler.dispatcher.run import Dispatcher

__all__ = [
    "GROUPED_KINDS",
    "MOMENT_REST_MAX",
    "NOBODY",
    "NOBODY_REPORT_AT",
    "NOBODY_REPORT_GRACE",
    "Closing",
    "Delivery",
    "Dispatcher",
    "DispatcherConfig",
    "Outcome",
    "Renderer",
    "SharedSend",
    "TickStats",
    "Verdict",
    "after_send",
    "direct_message",
    "nobody_report_due",
    "reply_delivery",
    "recipients",
    "still_wanted",
]
