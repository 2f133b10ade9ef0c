"""The final budget's sign-off records the budget it authorises (the confirmed decision and its weekly figure),
so a budget confirmed again needs a new sign-off: each other step is signed once a case, the final budget once for
each budget confirmed. Sign-offs recorded before take the decision confirmed last before them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 09:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('phb_steps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('weekly_pence', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_phb_steps_decision_id_decisions'), 'decisions', ['decision_id'], ['id']
        )
        batch_op.drop_constraint('uq_phb_steps_case_id', type_='unique')

    # The budget a final budget signed off before this change authorised: the last one confirmed before it.
    op.execute(
        "UPDATE phb_steps SET decision_id = (SELECT MAX(d.id) FROM decisions d"
        " WHERE d.case_id = phb_steps.case_id AND d.created_at <= phb_steps.created_at"
        " AND d.confirmed_weekly_pence IS NOT NULL) WHERE step = 'final_budget'"
    )
    op.execute(
        "UPDATE phb_steps SET weekly_pence = (SELECT d.confirmed_weekly_pence FROM decisions d"
        " WHERE d.id = phb_steps.decision_id) WHERE decision_id IS NOT NULL"
    )

    with op.batch_alter_table('phb_steps', schema=None) as batch_op:
        batch_op.create_index(
            'uq_phb_steps_case_id_step',
            ['case_id', 'step'],
            unique=True,
            sqlite_where=sa.text('decision_id IS NULL'),
            postgresql_where=sa.text('decision_id IS NULL'),
        )
        batch_op.create_index(
            'uq_phb_steps_case_id_step_decision_id',
            ['case_id', 'step', 'decision_id'],
            unique=True,
            sqlite_where=sa.text('decision_id IS NOT NULL'),
            postgresql_where=sa.text('decision_id IS NOT NULL'),
        )


def downgrade():
    with op.batch_alter_table('phb_steps', schema=None) as batch_op:
        batch_op.drop_index('uq_phb_steps_case_id_step_decision_id')
        batch_op.drop_index('uq_phb_steps_case_id_step')
    # Only the latest final budget of a case can stay under one sign-off a step.
    op.execute(
        "DELETE FROM phb_steps WHERE step = 'final_budget' AND id < (SELECT MAX(p.id) FROM phb_steps p"
        " WHERE p.case_id = phb_steps.case_id AND p.step = 'final_budget')"
    )
    with op.batch_alter_table('phb_steps', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_phb_steps_case_id'), ['case_id', 'step'])
        batch_op.drop_constraint(batch_op.f('fk_phb_steps_decision_id_decisions'), type_='foreignkey')
        batch_op.drop_column('weekly_pence')
        batch_op.drop_column('decision_id')
