"""Memory: SQLAlchemy models, engine and sessions, Alembic migrations, queries."""
