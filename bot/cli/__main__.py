"""`python -m bot.cli.main …`, the same as `nhacviec …`."""

from bot.cli.main import entry

raise SystemExit(entry())
