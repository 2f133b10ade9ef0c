"""The case lifecycle: linked cases (correction, review, reconsideration), why staff closed a case, and
decisions without a budget

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 02:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('assessment', 'correction', 'review', 'reconsideration', name='case_kind', native_enum=False, length=32), nullable=False, server_default='assessment'))
        batch_op.add_column(sa.Column('follows_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('closed_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_cases_follows_id'), ['follows_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_cases_follows_id_cases'), 'cases', ['follows_id'], ['id'])
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.alter_column('confirmed_weekly_pence', existing_type=sa.Integer(), nullable=True)


def downgrade():
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.alter_column('confirmed_weekly_pence', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_follows_id_cases'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cases_follows_id'))
        batch_op.drop_column('closed_reason')
        batch_op.drop_column('follows_id')
        batch_op.drop_column('kind')
