"""Telegram channel on python-telegram-bot 22, run inside our own asyncio program."""

import os

# Opt in to PTB's future behaviour (RetryAfter.retry_after as a timedelta) instead of
# a deprecation warning per 429; bot.channels.telegram.channel handles both forms.
os.environ.setdefault("PTB_TIMEDELTA", "1")
