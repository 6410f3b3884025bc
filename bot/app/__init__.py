"""The composition root: builds the context, runs the ticker (planning, outbox, periodic
work), wires the messengers and the health check. Only `bot.cli.main.main` imports it."""
