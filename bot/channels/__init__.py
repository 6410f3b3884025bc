"""The messengers, one package each of the same shape (console, telegram/, zalo/), the shared
webhook server and what can stop a channel from starting. A channel turns platform updates
into `bot.messages.InboundMessage`s for the handler it is given, and sends outbox rows."""
