"""The plan's quantitative targets: what a unit is asked to report (/chitieu), its figures
recorded per report period (by the unit, or by the office on its behalf) and computed."""

from __future__ import annotations

import re

from bot.conversation.registry import COMMANDS, EVERYONE, OFFICE
from bot.conversation.turn import Reply, Turn
from bot.messages import OutboundMessage
from bot.report.targets import period_text
from bot.texts import targets as tx
from bot.texts.commands import ABOUT, USAGE
from scheduler.folding import fold
from scheduler.plan import Plan, Target
from scheduler.plan import Unit as PlanUnit
from scheduler.targets import by_unit, concerned, keys_of, period_key, previous_year, target_results
from scheduler.windows import ReportWindow, upcoming_window
from store.models import Unit
from store.queries import unit_by_code
from store.targets import figures, record_figures

# "hoinghi 12", "hội nghị: 12", "tructuyen=8" (folded), separated by spaces, commas or ";".
PREVIOUS = "_namtruoc"
_PAIR = re.compile(r"\s*(?P<key>[a-z][a-z_ ]*?)\s*[:=]?\s*(?P<num>\d+(?:[.,]\d+)*)\s*[,;]?")


def read_pairs(text: str) -> list[tuple[str, float]] | None:
    """ "hội nghị 12, trực tuyến 8" → [("hoinghi", 12), ("tructuyen", 8)]; None unless the
    whole text is such pairs. Keys are folded and written without spaces."""
    folded = fold(text)
    pairs: list[tuple[str, float]] = []
    at = 0
    while at < len(folded):
        m = _PAIR.match(folded, at)
        if m is None or m.end() == at:
            return None
        pairs.append((m["key"].replace(" ", ""), _number(m["num"])))
        at = m.end()
    return pairs or None


def _number(text: str) -> float:
    """ "1.234" (thousands) → 1234, "66,7" → 66.7."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text):
        return float(text.replace(".", ""))
    return float(text.replace(",", "."))


def _key(text: str) -> str:
    return text.replace("_", "")


def accepted_keys(targets: list[Target]) -> dict[str, tuple[str, bool]]:
    """What a unit may type (without "_") → (the stored key, whether it is last year's figure).
    A reduction's figure also takes `KEY_namtruoc`: the same period a year earlier, its
    baseline when the plan gives none."""
    out = {_key(k): (k, False) for k in keys_of(targets)}
    for t in targets:
        if t.measure == "reduction":
            out.setdefault(_key(t.figure + PREVIOUS), (t.figure, True))
    return out


@COMMANDS.command(
    "chitieu",
    roles=EVERYONE,
    usage=USAGE["chitieu"],
    description=ABOUT["chitieu"],
)
async def cmd_chitieu(t: Turn) -> Reply:
    """/chitieu — what the unit is asked; /chitieu KEY N … — record its figures; the
    office names a unit first to see or record for it."""
    if not t.plan.targets:
        return [OutboundMessage(tx.NO_TARGETS)]
    unit, rest = _leading_unit(t.plan, t.args)
    office = t.person.role in OFFICE
    if unit is None:
        row = await t.s.get(Unit, t.person.unit_id) if t.person.unit_id else None
        if row is None:
            return [OutboundMessage(tx.NO_UNIT)]
        unit = t.plan.units.get(row.code)
        if unit is None:
            return [OutboundMessage(tx.NO_UNIT)]
    elif not office and (t.person.unit_id is None or await _unit_code(t) != unit.code):
        return [OutboundMessage(tx.OTHER_UNIT)]
    if not rest:
        return await _asked(t, unit)
    pairs = read_pairs(rest)
    if pairs is None:
        return [OutboundMessage(tx.USAGE_CHITIEU)]
    return await _record(t, unit, pairs, on_behalf=await _unit_code(t) != unit.code)


@COMMANDS.words
async def target_words(t: Turn, text: str) -> Reply | None:
    """ "hội nghị 12, trực tuyến 8" from a unit that reports targets: its figures; None for
    anything else (read as a status then)."""
    if not t.plan.targets or t.person.unit_id is None:
        return None
    pairs = read_pairs(text)
    if pairs is None:
        return None
    unit = t.plan.units.get(await _unit_code(t) or "")
    if unit is None:
        return None
    known = accepted_keys(concerned(t.plan, unit.code))
    if not all(_key(k) in known for k, _ in pairs):
        return None
    return await _record(t, unit, pairs, on_behalf=False)


async def _unit_code(t: Turn) -> str | None:
    row = await t.s.get(Unit, t.person.unit_id) if t.person.unit_id else None
    return row.code if row else None


def _window(t: Turn) -> ReportWindow:
    return upcoming_window(t.plan, t.ctx.today())


async def _asked(t: Turn, unit: PlanUnit) -> Reply:
    targets = concerned(t.plan, unit.code)
    if not targets:
        return [OutboundMessage(tx.NOT_CONCERNED.format(unit=unit.name))]
    window = _window(t)
    here, before = period_key(window), period_key(previous_year(window))
    rows = await figures(t.s, t.ward_id, [here, before])
    reported = by_unit([r for r in rows if r.period == here]).get(unit.code, {})
    earlier = by_unit([r for r in rows if r.period == before]).get(unit.code, {})
    baselines = {t.figure: t.label(t.figure) for t in targets if t.measure == "reduction"}
    lines = tx.asked_lines(unit.name, period_text(window), keys_of(targets), reported)
    lines += tx.baseline_lines(baselines, earlier, PREVIOUS)
    lines += ["", tx.TARGETS_HEADING] + [
        tx.result_text(r) for r in await target_results(t.s, t.plan, t.ward_id, window, unit.code)
    ]
    lines += ["", tx.report_figures_hint(keys_of(targets))]
    return [OutboundMessage("\n".join(lines))]


async def _record(t: Turn, unit: PlanUnit, pairs: list[tuple[str, float]], *, on_behalf: bool) -> Reply:
    targets = concerned(t.plan, unit.code)
    if not targets:
        return [OutboundMessage(tx.NOT_CONCERNED.format(unit=unit.name))]
    keys = accepted_keys(targets)
    unknown = [k for k, _ in pairs if _key(k) not in keys]
    if unknown:
        known = ", ".join(k + (PREVIOUS if last_year else "") for k, last_year in keys.values())
        return [OutboundMessage(tx.UNKNOWN_KEYS.format(keys=", ".join(unknown), unit=unit.name, known=known))]
    typed = [(keys[_key(k)], v) for k, v in pairs]
    seen: set[tuple[str, bool]] = set()
    for key, _ in typed:
        if key in seen:
            return [OutboundMessage(tx.REPEATED.format(key=key[0] + (PREVIOUS if key[1] else "")))]
        seen.add(key)
    values = [(k + (PREVIOUS if last_year else ""), v) for (k, last_year), v in typed]
    row = await unit_by_code(t.s, t.ward_id, unit.code)
    if row is None:
        return [OutboundMessage(tx.NOT_CONCERNED.format(unit=unit.name))]
    window = _window(t)
    period = period_text(window)
    for last_year, when in ((False, window), (True, previous_year(window))):
        given = [(k, v) for (k, was), v in typed if was == last_year]
        if given:
            await record_figures(
                t.s,
                t.ward_id,
                row.id,
                period_key(when),
                given,
                t.person.id,
                t.inbound_id,
                t.ctx.now(),
                on_behalf=on_behalf,
            )
    results = await target_results(t.s, t.plan, t.ward_id, window, unit.code)
    touched = [r for r in results if any(k in r.target.keys for k, _ in seen)]
    lines = [tx.recorded(unit.name, period, values, t.person.name if on_behalf else None)]
    lines += [tx.result_text(r) for r in touched]
    return [OutboundMessage("\n".join(lines))]


def _leading_unit(plan: Plan, rest: str) -> tuple[PlanUnit | None, str]:
    """The unit the words start with, and the words after it (None, rest) when none."""
    words = rest.split()
    for n in range(len(words), 0, -1):
        unit = plan.find_unit(" ".join(words[:n]))
        if unit is not None:
            return unit, " ".join(words[n:])
    return None, rest.strip()
