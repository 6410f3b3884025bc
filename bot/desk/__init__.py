"""The office's desk: a server-rendered web page in the bot's own process, on the same use
cases, roles and ward scoping as the chat (DESIGN.md decision 13). Login by a one-time link;
no passwords (bot/desk/auth.py)."""
