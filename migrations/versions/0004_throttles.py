"""Sign-in, reset-email and registration counters shared by every web process; the per-account lock goes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 02:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('throttles',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_throttles'))
    )
    # The old per-account lock let anyone lock anyone out; portal/throttle.py replaces it.
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('failed_sign_ins')
        batch_op.drop_column('throttled_until')


def downgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('throttled_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_sign_ins', sa.Integer(), nullable=False, server_default='0'))
    op.drop_table('throttles')
