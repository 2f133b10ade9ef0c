"""Reviews due counted in one query: each case's line (the first case it follows), and on each decision the review
it brings (due by, window from), filled in here for the decisions already made

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('line_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_line_id'), ['line_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_cases_line_id_cases'), 'cases', ['line_id'], ['id'])
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('review_window_from', sa.Date(), nullable=True))
    # The decisions already made: the same rule as the list of reviews due (the frequencies as shipped now).
    from portal.review_due import backfill_next_reviews

    backfill_next_reviews(op.get_bind())


def downgrade():
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_column('review_window_from')
        batch_op.drop_column('review_due_on')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_line_id_cases'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cases_line_id'))
        batch_op.drop_column('line_id')
