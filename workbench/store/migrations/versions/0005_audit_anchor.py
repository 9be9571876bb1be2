"""audit_anchor: the chain's head, keyed; on PostgreSQL audit_events becomes append-only

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# PostgreSQL: no UPDATE, DELETE or TRUNCATE of audit events, whoever asks (the table owner can
# still drop the trigger; docs/guide/audit.md says what that leaves detectable).
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION workbench_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION workbench_audit_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION workbench_audit_append_only();
"""


def upgrade() -> None:
    op.create_table(
        "audit_anchor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_anchor")),
    )
    bind = op.get_bind()
    # An existing trail gets its anchor now, so from here on a cut trail is told from an old one
    # (an offline SQL script cannot read the trail: the first change after it anchors it).
    from workbench.store.anchor import anchor_values
    last = None if op.get_context().as_sql else bind.execute(
        sa.text("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1")).first()
    if last is not None:
        events, head, mac = anchor_values(bind.engine.url, int(last[0]), str(last[1]))
        bind.execute(sa.text("INSERT INTO audit_anchor (id, events, head_hash, mac) VALUES (1, :n, :h, :m)"),
                     {"n": events, "h": head, "m": mac})
    if bind.dialect.name == "postgresql":
        op.execute(APPEND_ONLY)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS workbench_audit_append_only()")
    op.drop_table("audit_anchor")
