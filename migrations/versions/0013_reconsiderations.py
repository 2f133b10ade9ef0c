"""Asking for a decision to be looked at again: the request (why, what to consider, how it ended) and the files
added with it

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 06:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reconsiderations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('asked_by_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('considered', sa.Text(), nullable=False),
        sa.Column('lang', sa.String(length=8), nullable=False),
        sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('days_taken', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['asked_by_id'], ['accounts.id'], name=op.f('fk_reconsiderations_asked_by_id_accounts')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_reconsiderations_case_id_cases')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_reconsiderations_organisation_id_organisations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reconsiderations')),
        sa.UniqueConstraint('case_id', name=op.f('uq_reconsiderations_case_id')),
    )
    with op.batch_alter_table('reconsiderations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reconsiderations_organisation_id'), ['organisation_id'], unique=False)
    op.create_table(
        'evidence_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=32), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_evidence_files_case_id_cases')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['accounts.id'], name=op.f('fk_evidence_files_uploaded_by_id_accounts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_files')),
        sa.UniqueConstraint('public_id', name=op.f('uq_evidence_files_public_id')),
    )
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_files_case_id'), ['case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_files_case_id'))
    op.drop_table('evidence_files')
    with op.batch_alter_table('reconsiderations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reconsiderations_organisation_id'))
    op.drop_table('reconsiderations')
