"""How a question was asked and answered: online, or by phone, letter or in person for a person without an account

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 06:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=16), nullable=False, server_default='online'))


def downgrade():
    with op.batch_alter_table('case_messages', schema=None) as batch_op:
        batch_op.drop_column('channel')
