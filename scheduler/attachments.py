"""Direct outbox rows that carry a file: the attachment JSON of `reminders.attachment` and the
row dict that addresses a person (or the chat that asked).

The JSON is {"path", "filename", "kind": "document"|"photo", "caption"}; the path is where the
file was written on the machine running the bot (the files folder), so a channel that cannot
send files can still say where it is.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from scheduler.delivery import Attachment
from store.outbox import reminder_row


def encode(attachment: Attachment) -> str:
    return json.dumps(
        {
            "path": attachment.path,
            "filename": attachment.filename,
            "kind": attachment.kind,
            "caption": attachment.caption,
        },
        ensure_ascii=False,
    )


def decode(text: str | None) -> Attachment | None:
    """The row's attachment, or None (no attachment, or JSON this version cannot read)."""
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or not data.get("path"):
        return None
    kind = str(data["kind"]) if data.get("kind") in ("document", "photo") else "document"
    path = str(data["path"])
    return Attachment(
        path=path,
        filename=str(data.get("filename") or path.rsplit("/", 1)[-1]),
        kind=kind,
        caption=str(data.get("caption") or ""),
    )


def direct_row(
    ward_id: int,
    key: str,
    kind: str,
    now: datetime,
    person_id: int,
    body: str,
    *,
    channel: str | None = None,
    chat_id: str | None = None,
    attachment: Attachment | None = None,
) -> dict[str, Any]:
    """A message to one person, due now; with `channel`/`chat_id` it answers that chat.
    Every row has the same columns, so a batch of them inserts in one statement."""
    row = reminder_row(ward_id, key, kind, now, now, person_id=person_id, body=body)
    row.update(
        channel=channel,
        chat_id=chat_id,
        buttons=None,
        attachment=encode(attachment) if attachment is not None else None,
    )
    return row
