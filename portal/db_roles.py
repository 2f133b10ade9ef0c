"""Two PostgreSQL roles: the owner, who runs the migrations, and the app, which the web and worker run as.

The app role owns nothing, so it cannot alter, drop or truncate a table, nor disable or drop a trigger (all
need ownership or a privilege we never grant). It may read and write the tables, except the audit trail,
where it may only add and read rows: the trigger that refuses UPDATE and DELETE stays, and TRUNCATE, which
fires no row trigger, is not granted. docs/decisions/0008-production-and-security.md has the set-up.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from portal.extensions import db

APPEND_ONLY = frozenset({"audit_events"})
READ_ONLY = frozenset({"alembic_version"})


def grant_app_role(connection: Connection, role: str) -> list[str]:
    """Give ``role`` exactly the rights the app needs on every table; return the statements run.

    Run as the owner after every migration (new tables need their grants). Repeatable: it first takes back
    whatever the role had.
    """
    if connection.dialect.name != "postgresql":
        raise RuntimeError("database roles are a PostgreSQL feature; SQLite has none")
    exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}).first()
    if exists is None:
        raise RuntimeError(f"there is no database role {role!r}: create it first (see the README)")
    quoted = connection.dialect.identifier_preparer.quote(role)
    tables = sorted(table.name for table in db.metadata.sorted_tables) + sorted(READ_ONLY)
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quoted}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {quoted}",
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
    ]
    for table in tables:
        name = connection.dialect.identifier_preparer.quote(table)
        if table in READ_ONLY:
            rights = "SELECT"
        elif table in APPEND_ONLY:
            rights = "SELECT, INSERT"
        else:
            rights = "SELECT, INSERT, UPDATE, DELETE"
        statements.append(f"GRANT {rights} ON {name} TO {quoted}")
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
    for statement in statements:
        connection.execute(text(statement))
    return statements
