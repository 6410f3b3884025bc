"""The Telegram channel: our own small Bot API client (api.py) over httpx, run inside our
own asyncio program (docs/architecture.md, decision 3)."""
