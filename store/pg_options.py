"""What an asyncpg URL may carry, read by bot/settings.py (to refuse the rest in one line) and
store/db.py (to give them their types). Kept apart: the settings import nothing heavy."""

from __future__ import annotations

# asyncpg's connect() arguments a URL may carry that are numbers or a yes/no: a URL gives
# text, which asyncpg would compare with numbers (every connection a TypeError) or take as
# true ("false" is a non-empty string).
NUMBERS: dict[str, type] = {
    "statement_cache_size": int,
    "max_cacheable_statement_size": int,
    "max_cached_statement_lifetime": float,
    "command_timeout": float,
}
FLAGS = ("direct_tls",)

# Everything an asyncpg URL may carry: those, asyncpg's text arguments, SQLAlchemy's own
# (host: a Unix socket's folder; prepared_statement_cache_size), and the two libpq options
# store/db.py translates (sslmode, connect_timeout). Anything else would make every
# connection fail with a TypeError.
OPTIONS = frozenset(
    {
        *NUMBERS,
        *FLAGS,
        "host",
        "sslmode",
        "connect_timeout",
        "ssl",
        "passfile",
        "prepared_statement_cache_size",
        "target_session_attrs",
        "krbsrvname",
        "gsslib",
    }
)
