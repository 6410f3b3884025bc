"""Chat commands, one module per area; each command is a plain `async def (turn) -> Reply`
registered in `bot.conversation.handle.handle.registry.COMMANDS` with its roles and usage line."""
