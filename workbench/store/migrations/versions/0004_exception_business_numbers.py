"""exceptions: the business numbers of both records (customer, invoice, order, item number)

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exceptions") as batch:
        batch.add_column(sa.Column("crm_number", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("erp_number", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("exceptions") as batch:
        batch.drop_column("erp_number")
        batch.drop_column("crm_number")
