"""Reviews: a review case's own record (the person's words, what the practitioner records) and the reminders
sent before a review is due (one per person, organisation and due date)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 05:50:00

"""
from alembic import op
import sqlalchemy as sa



revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('working', sa.Text(), nullable=False),
        sa.Column('worries', sa.Text(), nullable=False),
        sa.Column('matters', sa.Text(), nullable=False),
        sa.Column('goals', sa.Text(), nullable=False),
        sa.Column('plan_meets', sa.String(length=16), nullable=False),
        sa.Column('plan_meets_note', sa.Text(), nullable=False),
        sa.Column('words_lang', sa.String(length=8), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=True),
        sa.Column('review_type', sa.String(length=24), nullable=False),
        sa.Column('took_part', sa.Text(), nullable=False),
        sa.Column('carer_assessment', sa.String(length=16), nullable=False),
        sa.Column('carer_assessment_note', sa.Text(), nullable=False),
        sa.Column('capacity', sa.String(length=24), nullable=False),
        sa.Column('capacity_note', sa.Text(), nullable=False),
        sa.Column('outcome', sa.String(length=24), nullable=False),
        sa.Column('next_review_on', sa.Date(), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_reviews_case_id_cases')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['accounts.id'], name=op.f('fk_reviews_recorded_by_id_accounts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
        sa.UniqueConstraint('case_id', name=op.f('uq_reviews_case_id')),
    )
    op.create_table(
        'review_reminders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_review_reminders_case_id_cases')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_review_reminders_organisation_id_organisations')),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_review_reminders_person_id_people')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_reminders')),
        sa.UniqueConstraint('person_id', 'organisation_id', 'due_on', name=op.f('uq_review_reminders_person_id')),
    )
    with op.batch_alter_table('review_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_reminders_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('review_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_reminders_person_id'))
    op.drop_table('review_reminders')
    op.drop_table('reviews')
