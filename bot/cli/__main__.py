"""`python -m bot.cli …`, the same as `nhacviec …`."""

from bot.cli.main import entry

raise SystemExit(entry())
