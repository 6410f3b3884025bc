"""Chat commands, one module per area; each command is a plain `async def (turn) -> Reply`
registered in `bot.conversation.registry.COMMANDS` with its roles and usage line.

Importing this package registers them all (the composition root and the tests do): the
conversation knows the registry, never the command modules."""

from bot.commands import desk, extensions, office, people, review, targets, unit

__all__ = ["desk", "extensions", "office", "people", "review", "targets", "unit"]
