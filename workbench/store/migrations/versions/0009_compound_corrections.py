"""corrections: the further fields a compound correction changes on the same record

A fix that implies another field (an invoice set back to open needs its open balance) is one
correction: ``field``/``from_value``/``to_value`` hold the first change, ``also`` the rest as a
JSON list of {"field", "from", "to"}; empty for a single-field correction.

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa
import workbench.store.types


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("corrections") as batch:
        batch.add_column(sa.Column("also", workbench.store.types.JSONText(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("corrections") as batch:
        batch.drop_column("also")
