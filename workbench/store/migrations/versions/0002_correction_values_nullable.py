"""corrections: from/to values may be empty

A correction may fill a blank field (from = empty) or clear one (to = empty).

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa  # noqa: F401
import workbench.store.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('corrections') as batch:
        batch.alter_column('from_value', existing_type=workbench.store.types.JSONText(), nullable=True)
        batch.alter_column('to_value', existing_type=workbench.store.types.JSONText(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('corrections') as batch:
        batch.alter_column('from_value', existing_type=workbench.store.types.JSONText(), nullable=False)
        batch.alter_column('to_value', existing_type=workbench.store.types.JSONText(), nullable=False)
