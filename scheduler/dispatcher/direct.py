"""An answer sent by the dispatcher of the process that wrote it, without waiting for a claim.

The conversation writes the answer to a message already claimed by this process's dispatcher
(state "sending", leased to its worker) with the "sending" attempt of its one send, in the
transaction that records what the message said (store.outbox `queue_leased_reply`). Once
that commits, the dispatcher sends it and records the outcome as for any claimed row
(`Dispatcher.send_claimed`). What a claim and a decision would have done for a reply is
done there, and no guarantee is lost:

- the answer and its attempt are committed before the send, as after a claim and a decision;
- no other worker can claim the row while its lease runs (renewed while it is in hand), and
  a row left by a crash is claimed again after its lease: its "sending" attempt becomes
  "unknown" and the answer is sent, as after a crash once a decision was committed;
- a reply has no task to be closed, nobody else to reach and no age yet, so the decision's
  checks (scheduler.dispatcher.decide) would not refuse it; a reply for a channel this
  process does not send on is queued unclaimed, for a worker that does.

Two transactions fewer before an answer leaves: the claim and the decision (issue 26).
"""

from __future__ import annotations

from scheduler.dispatcher.base import Delivery
from scheduler.dispatcher.decide import direct_message
from store.models import Reminder
from store.outbox import LeasedReply


def reply_delivery(reply: LeasedReply) -> Delivery:
    """The send of an answer written claimed, its words read as a decision reads the row."""
    row = Reminder(body=reply.body, buttons=reply.buttons, attachment=None)
    return Delivery(reply.person_id, None, reply.channel, reply.chat_id, direct_message(row), reply.attempt_id)
