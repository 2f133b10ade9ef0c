"""The person's postal address, for letters to people assessed on the phone or who ask for post

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 05:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address_line_1', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('address_line_2', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('town', sa.String(length=100), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('town')
        batch_op.drop_column('address_line_2')
        batch_op.drop_column('address_line_1')
