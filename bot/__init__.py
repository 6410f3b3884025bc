"""Talk: channel adapters, the channel-agnostic conversation, summaries and the CLI."""
