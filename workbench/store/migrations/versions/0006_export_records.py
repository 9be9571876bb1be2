"""export_records: each exported workbook's manifest, presentation and trail anchor, kept by the store

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

import workbench.store.types


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "export_records",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("exported_by", sa.String(length=120), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("manifest", sa.String(length=64), nullable=False),
        sa.Column("sheet_hashes", workbench.store.types.JSONText(), nullable=False),
        sa.Column("presentation", workbench.store.types.JSONText(), nullable=False),
        sa.Column("trail_head", sa.String(length=64), nullable=False),
        sa.Column("trail_events", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_export_records_run_id_runs", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_export_records"),
    )
    op.create_index("ix_export_records_run_id", "export_records", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_export_records_run_id", table_name="export_records")
    op.drop_table("export_records")
