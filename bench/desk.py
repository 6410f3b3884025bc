"""Issue 21 item 6: the desk's server time and page weight, measured.

    python -m bench.desk [--wards 114] [--reports 200000] [--runs 20] [--url postgresql+asyncpg://…]

Wards are the seed plan (data/tasks.yaml) planned under N ward keys, with `--reports` status
reports spread over them (as bench/scale.py does), as of 20/12/2026. The desk app is driven
in process over ASGI (httpx), logged in through a real one-time link: the times are the
server's own (routing, session, queries, classification, rendering), without a network.
Targets from the issue: `/` of one ward < 150 ms, `/thanh-pho` over 114 wards < 300 ms on
PostgreSQL, a page < 200 KB. Printed, never asserted. A PostgreSQL database given with --url
is wiped first; the default is a fresh SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx
import sqlalchemy as sa

from bench.scale import ROOT, SUMMARY_AT, _add_reports, commit, fresh, seed, ward_key
from bot.actions.desk_links import issue_login_link
from bot.context import AppContext, ServedWard
from bot.desk.app import desk_app
from bot.settings import Settings
from scheduler.clock import ManualClock
from scheduler.planner import plan_ward
from store.models import Assignment, Occurrence, Person


async def _person(ctx: AppContext, ward_id: int, name: str, role: str, unit_id: int | None) -> Person:
    async with ctx.db.session() as s, s.begin():
        p = Person(ward_id=ward_id, name=name, role=role, unit_id=unit_id, created_at=ctx.now())
        s.add(p)
        await s.flush()
        return p


async def _client(ctx: AppContext, person: Person) -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=desk_app(ctx)), base_url="http://desk.bench")
    async with ctx.db.session() as s, s.begin():
        url = await issue_login_link(s, ctx.settings, person, ctx.now())
    path = "/" + url.split("/", 3)[3]
    done = await client.post(path)
    assert done.status_code == 303, done.text
    return client


async def _time(client: httpx.AsyncClient, path: str, runs: int) -> tuple[list[float], int]:
    sizes = 0
    ms = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = await client.get(path)
        ms.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (path, r.status_code)
        sizes = len(r.content)
    return ms, sizes


def _line(path: str, ms: list[float], size: int, extra: int) -> str:
    p95 = sorted(ms)[max(0, int(len(ms) * 0.95) - 1)]
    return (
        f"  GET {path:<14} median {statistics.median(ms):6.1f} ms, p95 {p95:6.1f} ms, max {max(ms):6.1f} ms; "
        f"page {size / 1024:6.1f} KB (+ {extra / 1024:.1f} KB CSS/JS, cached)"
    )


async def bench(args: argparse.Namespace) -> None:
    plan, calendar = seed()
    db = await fresh(args.url, "desk-bench.db")
    ids = []
    for i in range(args.wards):
        async with db.session() as s, s.begin():
            ids.append((await plan_ward(s, ward_key(i), plan, calendar, SUMMARY_AT)).ward_id)
    async with db.session() as s:
        rows = [
            (aid, start)
            for aid, start in (
                await s.execute(
                    sa.select(Assignment.id, Occurrence.start).join(
                        Occurrence, Assignment.occurrence_id == Occurrence.id
                    )
                )
            ).all()
        ]
    if args.reports:
        await _add_reports(db, rows, args.reports)
    settings = Settings(database_url=db.url, _env_file=None)  # type: ignore[call-arg]
    served = {w: ServedWard(w, ward_key(i), ROOT / "data" / "tasks.yaml", plan) for i, w in enumerate(ids)}
    ctx = AppContext(
        db=db,
        settings=settings,
        plan=plan,
        calendar=calendar,
        clock=ManualClock(SUMMARY_AT),
        ward_id=ids[0],
        wards=served,
    )
    office = await _person(ctx, ids[0], "Văn phòng", "office", None)
    city = await _person(ctx, ids[0], "Thành phố", "city", None)
    backend = "postgresql" if db.is_postgres else "sqlite"
    print(
        f"{backend}: desk, {args.wards} ward(s), {args.reports:,} status reports over {len(rows):,} assignments, "
        f"as of {SUMMARY_AT:%d/%m/%Y}, {args.runs} runs each (commit {commit()})"
    )
    static = sum(p.stat().st_size for p in (ROOT / "bot" / "desk" / "static").iterdir())
    client = await _client(ctx, office)
    for path in ("/", "/nhiem-vu/1", "/bao-cao", "/nguoi"):
        await client.get(path)  # templates compiled, connections opened
        ms, size = await _time(client, path, args.runs)
        print(_line(path, ms, size, static))
    await client.aclose()
    client = await _client(ctx, city)
    await client.get("/thanh-pho")
    ms, size = await _time(client, "/thanh-pho", args.runs)
    print(_line("/thanh-pho", ms, size, static))
    await client.aclose()
    await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url")
    parser.add_argument("--wards", type=int, default=114)
    parser.add_argument("--reports", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=20)
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
