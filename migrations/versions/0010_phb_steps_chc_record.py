"""Personal health budget sign-offs (step, level, who, when) and the adult Continuing Healthcare record (the
Decision Support Tool as the team recorded it, the ICB's eligibility decision)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 05:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('chc_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('domains', sa.JSON(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('note_lang', sa.String(length=8), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_chc_assessments_case_id_cases')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['accounts.id'], name=op.f('fk_chc_assessments_recorded_by_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chc_assessments'))
    )
    with op.batch_alter_table('chc_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chc_assessments_case_id'), ['case_id'], unique=False)

    op.create_table('chc_eligibility_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('eligible', sa.Boolean(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('reasons_lang', sa.String(length=8), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_chc_eligibility_decisions_case_id_cases')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['accounts.id'], name=op.f('fk_chc_eligibility_decisions_recorded_by_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chc_eligibility_decisions'))
    )
    with op.batch_alter_table('chc_eligibility_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chc_eligibility_decisions_case_id'), ['case_id'], unique=False)

    op.create_table('phb_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=32), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('required_level', sa.Integer(), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('by_person', sa.Boolean(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('note_lang', sa.String(length=8), nullable=False),
    sa.Column('phb_form', sa.String(length=32), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_phb_steps_case_id_cases')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['accounts.id'], name=op.f('fk_phb_steps_recorded_by_id_accounts')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['accounts.id'], name=op.f('fk_phb_steps_signed_by_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phb_steps')),
    sa.UniqueConstraint('case_id', 'step', name=op.f('uq_phb_steps_case_id'))
    )
    with op.batch_alter_table('phb_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phb_steps_case_id'), ['case_id'], unique=False)



def downgrade():
    with op.batch_alter_table('phb_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phb_steps_case_id'))

    op.drop_table('phb_steps')
    with op.batch_alter_table('chc_eligibility_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chc_eligibility_decisions_case_id'))

    op.drop_table('chc_eligibility_decisions')
    with op.batch_alter_table('chc_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chc_assessments_case_id'))

    op.drop_table('chc_assessments')
