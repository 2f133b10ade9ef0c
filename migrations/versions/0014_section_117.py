"""Section 117: detentions giving the right to aftercare and joint decisions ending it, what a case's aftercare
covers (lines that are not aftercare, a section 117A top-up), a partnership's pooled splits over time, splits agreed
for one person, and the split an estimate used

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 05:35:01.153385

"""
from alembic import op
import sqlalchemy as sa



revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pooled_splits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('council_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_pooled_splits_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['accounts.id'], name=op.f('fk_pooled_splits_recorded_by_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pooled_splits'))
    )
    with op.batch_alter_table('pooled_splits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pooled_splits_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('agreed_splits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('council_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['accounts.id'], name=op.f('fk_agreed_splits_decided_by_id_accounts')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_agreed_splits_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_agreed_splits_person_id_people')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['accounts.id'], name=op.f('fk_agreed_splits_proposed_by_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreed_splits')),
    sa.UniqueConstraint('public_id', name=op.f('uq_agreed_splits_public_id'))
    )
    with op.batch_alter_table('agreed_splits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreed_splits_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreed_splits_person_id'), ['person_id'], unique=False)

    op.create_table('section117_detentions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=8), nullable=False),
    sa.Column('detained_on', sa.Date(), nullable=False),
    sa.Column('discharged_on', sa.Date(), nullable=True),
    sa.Column('responsible_council', sa.String(length=200), nullable=False),
    sa.Column('responsible_icb', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_section117_detentions_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_section117_detentions_person_id_people')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['accounts.id'], name=op.f('fk_section117_detentions_recorded_by_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_section117_detentions')),
    sa.UniqueConstraint('public_id', name=op.f('uq_section117_detentions_public_id'))
    )
    with op.batch_alter_table('section117_detentions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_section117_detentions_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_section117_detentions_person_id'), ['person_id'], unique=False)

    op.create_table('section117_case_details',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('not_aftercare', sa.JSON(), nullable=False),
    sa.Column('not_aftercare_reason', sa.Text(), nullable=False),
    sa.Column('top_up_pence', sa.Integer(), nullable=True),
    sa.Column('top_up_paid_by', sa.String(length=200), nullable=False),
    sa.Column('top_up_accommodation', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_section117_case_details_case_id_cases')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['accounts.id'], name=op.f('fk_section117_case_details_updated_by_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_section117_case_details')),
    sa.UniqueConstraint('case_id', name=op.f('uq_section117_case_details_case_id'))
    )
    op.create_table('section117_endings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('detention_id', sa.Integer(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('council_decided_by', sa.String(length=200), nullable=False),
    sa.Column('icb_decided_by', sa.String(length=200), nullable=False),
    sa.Column('person_involved', sa.Boolean(), nullable=False),
    sa.Column('person_view', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['detention_id'], ['section117_detentions.id'], name=op.f('fk_section117_endings_detention_id_section117_detentions')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_section117_endings_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_section117_endings_person_id_people')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['accounts.id'], name=op.f('fk_section117_endings_recorded_by_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_section117_endings'))
    )
    with op.batch_alter_table('section117_endings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_section117_endings_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_section117_endings_person_id'), ['person_id'], unique=False)

    with op.batch_alter_table('estimates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('split_basis', sa.JSON(), nullable=False, server_default='{}'))



def downgrade():
    with op.batch_alter_table('estimates', schema=None) as batch_op:
        batch_op.drop_column('split_basis')

    with op.batch_alter_table('section117_endings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_section117_endings_person_id'))
        batch_op.drop_index(batch_op.f('ix_section117_endings_organisation_id'))

    op.drop_table('section117_endings')
    op.drop_table('section117_case_details')
    with op.batch_alter_table('section117_detentions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_section117_detentions_person_id'))
        batch_op.drop_index(batch_op.f('ix_section117_detentions_organisation_id'))

    op.drop_table('section117_detentions')
    with op.batch_alter_table('agreed_splits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreed_splits_person_id'))
        batch_op.drop_index(batch_op.f('ix_agreed_splits_organisation_id'))

    op.drop_table('agreed_splits')
    with op.batch_alter_table('pooled_splits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pooled_splits_organisation_id'))

    op.drop_table('pooled_splits')
