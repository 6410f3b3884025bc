"""Which ward a turn acts on.

Everyone acts in their own ward only — the Turn carries it and every command scopes by it.
A person who oversees several wards (the `city` role) names the ward first ("/summary Nhị
Chiểu", "/overdue Nhị Chiểu", "/remind Nhị Chiểu 3 VP"): the Turn is then that ward's, and
the command runs as it would for that ward's office. Without a ward, `/summary` rolls all
wards up and any other ward-bound command asks which ward.
"""

from __future__ import annotations

from bot.context import AppContext, NotReadYet, ServedWard
from bot.conversation.turn import Reply, Turn
from bot.messages import OutboundMessage
from bot.report.city import city_rollup, rollup_text
from bot.texts import wards as texts_wards
from scheduler.plan import Plan
from store.enums import PersonRole
from store.models import Person

# Commands that do not act on a ward's plan: a city person uses them as anyone does.
WARD_FREE = frozenset({"start", "help", "prefer", "tasks"})


def home_plan(ctx: AppContext, person: Person) -> Plan | None:
    """The plan of the person's ward; None when this deployment no longer serves it.
    NotReadYet while it may be among the plan files still being read."""
    try:
        return ctx.plan_of(person.ward_id)
    except NotReadYet:
        raise
    except LookupError:
        return None


def leading_ward(ctx: AppContext, text: str) -> tuple[ServedWard, str] | None:
    """The served ward `text` starts with (its longest run of words naming exactly one
    ward) and the rest."""
    words = text.split()
    for n in range(len(words), 0, -1):
        found = ctx.find_served(" ".join(words[:n]))
        if len(found) == 1:
            return found[0], " ".join(words[n:])
    return None


async def choose_ward(t: Turn, command: str) -> Reply | None:
    """For a city person: point the turn at the ward its arguments name, or answer
    (the roll-up for a bare /summary; the question which ward for any other). None:
    run the command on the turn as it is."""
    if t.person.role != PersonRole.CITY or command in WARD_FREE:
        return None
    ctx = t.ctx
    chosen = leading_ward(ctx, t.args)
    if chosen is not None:
        ward, rest = chosen
        t.ward_id, t.plan, t.args = ward.ward_id, ward.plan, rest
        return None
    if command == "summary" and not t.args:
        wards = [(w.ward_id, w.key, w.plan) for w in ctx.served()]
        rollups = await city_rollup(t.s, wards, ctx.calendar, ctx.today(), on_time_against=ctx.settings.on_time_against)
        return [OutboundMessage(rollup_text(rollups, ctx.today()))]
    served = ctx.served()
    example = f"/{command} {served[0].plan.ward}" if served else f"/{command}"
    names = "; ".join(w.plan.ward for w in served)
    return [OutboundMessage(texts_wards.CHOOSE_WARD.format(example=example, wards=names))]
