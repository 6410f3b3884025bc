"""Heavy work kept off the event loop. The conversation, the webhooks and the outbox share
one event loop, so anything that computes for seconds — reading a 9,999-task plan, syncing
it into the database — runs on a worker thread instead: chat answers keep flowing while it
does (the thread and the loop take turns at the interpreter every few milliseconds)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from store.db import Database

T = TypeVar("T")


async def in_worker_transaction(db: Database, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """`work` in one transaction, run on a worker thread with an event loop and an engine
    of its own (an engine's connections belong to the loop that opened them). An
    in-memory SQLite database exists only on its own engine: there it runs here."""
    if db.dialect == "sqlite" and make_url(db.url).database in (None, "", ":memory:"):
        async with db.session() as session, session.begin():
            return await work(session)
    return await asyncio.to_thread(asyncio.run, _own_engine(db.url, work))


async def _own_engine(url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    db = Database(url)
    try:
        async with db.session() as session, session.begin():
            return await work(session)
    finally:
        await db.dispose()
