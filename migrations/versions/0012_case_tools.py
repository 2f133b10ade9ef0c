"""Tools as data: each case records its tool and the tool's version (existing cases are the adult self-assessment's)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 06:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('tool_key', sa.String(length=40), server_default='adult_social_care', nullable=False)
        )
        batch_op.add_column(sa.Column('tool_version', sa.String(length=64), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('tool_version')
        batch_op.drop_column('tool_key')
