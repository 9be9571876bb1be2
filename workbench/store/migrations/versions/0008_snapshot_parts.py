"""snapshot_parts and snapshot_blobs: a run's pulled data as compressed, content-addressed parts;
exceptions indexed by (run_id, id) for opening a run

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "snapshot_blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_snapshot_blobs")),
    )
    op.create_table(
        "snapshot_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=3), nullable=False),
        sa.Column("part", sa.String(length=80), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_snapshot_parts_run_id_runs"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sha256"], ["snapshot_blobs.sha256"],
                                name=op.f("fk_snapshot_parts_sha256_snapshot_blobs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshot_parts")),
        sa.UniqueConstraint("run_id", "side", "part", name="uq_snapshot_parts_run_side_part"),
    )
    op.create_index(op.f("ix_snapshot_parts_sha256"), "snapshot_parts", ["sha256"])
    # opening a run reads its exceptions in id order: from this index, without sorting them
    op.create_index("ix_exceptions_run_id", "exceptions", ["run_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_exceptions_run_id", table_name="exceptions")
    op.drop_index(op.f("ix_snapshot_parts_sha256"), table_name="snapshot_parts")
    op.drop_table("snapshot_parts")
    op.drop_table("snapshot_blobs")
