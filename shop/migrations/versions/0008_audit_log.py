"""audit log: one row for every change a person makes

Revision ID: 0008auditlog
Revises: 4d7e1f0a9b23
Create Date: 2026-12-01 06:40:00
"""
import sqlalchemy as sa
from alembic import op

from shop.sqltypes import UTCDateTime

revision = '0008auditlog'
down_revision = '4d7e1f0a9b23'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('actor', sa.String(length=254), nullable=False),
        sa.Column('facility_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=80), nullable=False),
        sa.Column('object_type', sa.String(length=40), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=True),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=True),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(['facility_id'], ['facility.id'], name=op.f('fk_audit_entry_facility_id_facility')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_audit_entry_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry')),
    )
    op.create_index('ix_audit_entry_object', 'audit_entry', ['object_type', 'object_id'])
    op.create_index('ix_audit_entry_created', 'audit_entry', ['created_at', 'id'])
    op.create_index(op.f('ix_audit_entry_user_id'), 'audit_entry', ['user_id'])
    op.create_index(op.f('ix_audit_entry_facility_id'), 'audit_entry', ['facility_id'])
    op.create_index(op.f('ix_audit_entry_action'), 'audit_entry', ['action'])


def downgrade():
    op.drop_table('audit_entry')
