"""month-end close: periods, FX rates, sign-offs, carried-forward items, attachments

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

import workbench.store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "periods",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reporting_currency", sa.String(length=3), nullable=True),
        sa.Column("fx_source", sa.Text(), nullable=True),
        sa.Column("materiality", workbench.store.types.JSONText(), nullable=True),
        sa.Column("due_days", workbench.store.types.JSONText(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_periods")),
    )
    op.create_table(
        "fx_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rate", workbench.store.types.ExactDecimal(), nullable=False),
        sa.ForeignKeyConstraint(["period"], ["periods.name"], name=op.f("fk_fx_rates_period_periods"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fx_rates")),
        sa.UniqueConstraint("period", "currency", name="uq_fx_rates_period_currency"),
    )
    op.create_index(op.f("ix_fx_rates_period"), "fx_rates", ["period"])
    op.create_table(
        "period_signoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("snapshot", workbench.store.types.JSONText(), nullable=True),
        sa.Column("snapshot_hash", sa.String(length=64), nullable=True),
        sa.Column("trail_count", sa.Integer(), nullable=True),
        sa.Column("trail_head", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["period"], ["periods.name"], name=op.f("fk_period_signoffs_period_periods"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_period_signoffs")),
    )
    op.create_index(op.f("ix_period_signoffs_period"), "period_signoffs", ["period"])
    op.create_table(
        "carry_forwards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("exception_key", sa.String(length=300), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["period"], ["periods.name"], name=op.f("fk_carry_forwards_period_periods"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carry_forwards")),
        sa.UniqueConstraint("period", "exception_key", name="uq_carry_forwards_period_key"),
    )
    op.create_index(op.f("ix_carry_forwards_period"), "carry_forwards", ["period"])
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exception_key", sa.String(length=300), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploader", sa.String(length=120), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    op.create_index(op.f("ix_attachments_exception_key"), "attachments", ["exception_key"])


def downgrade() -> None:
    op.drop_index(op.f("ix_attachments_exception_key"), table_name="attachments")
    op.drop_table("attachments")
    op.drop_index(op.f("ix_carry_forwards_period"), table_name="carry_forwards")
    op.drop_table("carry_forwards")
    op.drop_index(op.f("ix_period_signoffs_period"), table_name="period_signoffs")
    op.drop_table("period_signoffs")
    op.drop_index(op.f("ix_fx_rates_period"), table_name="fx_rates")
    op.drop_table("fx_rates")
    op.drop_table("periods")
