"""PostgreSQL login roles for team-mode tests: each person connects as their own role.

The test cluster trusts 127.0.0.1, so a role logs in without a password; what the
workbench sees is what a real server reports after authentication (``session_user``).
Roles belong to the whole cluster, so creating one that exists is fine; rights are
granted on the given database's workbench tables.
"""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def login_urls(db_url: str, *roles: str) -> dict[str, str]:
    """Create the login ``roles`` with rights on the workbench tables of ``db_url``; role -> URL."""
    engine = create_engine(db_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            existing = set(conn.execute(text("select rolname from pg_roles")).scalars())
            for role in roles:
                q = _quoted(role)
                if role not in existing:
                    conn.execute(text(f"CREATE ROLE {q} LOGIN"))
                conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {q}"))
                conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {q}"))
                conn.execute(text(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {q}"))
    finally:
        engine.dispose()
    url = make_url(db_url)
    return {role: url.set(username=role).render_as_string(hide_password=False) for role in roles}
