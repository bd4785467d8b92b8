"""reconciliation: imported bank statements, their lines and matches to orders

Revision ID: 0015bankstatements
Revises: 0008auditlog
Create Date: 2026-12-01 07:00:00

New tables only: fine on SQLite and PostgreSQL without batch mode.
"""
import sqlalchemy as sa
from alembic import op

from shop.sqltypes import UTCDateTime

revision = '0015bankstatements'
down_revision = '0011backoffice'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'statement_import',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('bank', sa.String(length=10), nullable=False),
        sa.Column('account_no', sa.String(length=40), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=True),
        sa.Column('period_end', sa.Date(), nullable=True),
        sa.Column('rows_read', sa.Integer(), nullable=False),
        sa.Column('lines_new', sa.Integer(), nullable=False),
        sa.Column('lines_known', sa.Integer(), nullable=False),
        sa.Column('problems', sa.JSON(), nullable=True),
        sa.Column('created_by', sa.String(length=254), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_import')),
    )
    op.create_index(op.f('ix_statement_import_created_at'), 'statement_import', ['created_at'])
    op.create_table(
        'statement_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('import_id', sa.Integer(), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('occurrence', sa.Integer(), nullable=False),
        sa.Column('source_line', sa.Integer(), nullable=False),
        sa.Column('bank', sa.String(length=10), nullable=False),
        sa.Column('account_no', sa.String(length=40), nullable=False),
        sa.Column('booked_on', sa.Date(), nullable=False),
        sa.Column('description', sa.String(length=500), nullable=False),
        sa.Column('reference', sa.String(length=120), nullable=False),
        sa.Column('direction', sa.String(length=1), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('balance', sa.BigInteger(), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('handled_by', sa.String(length=254), nullable=False),
        sa.Column('handled_at', UTCDateTime(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('unmatched', 'matched', 'not_ours', 'debit')", name=op.f('ck_statement_line_status_known')),
        sa.CheckConstraint("direction IN ('C', 'D')", name=op.f('ck_statement_line_direction_known')),
        sa.CheckConstraint('amount > 0', name=op.f('ck_statement_line_amount_positive')),
        sa.CheckConstraint('occurrence >= 1', name=op.f('ck_statement_line_occurrence_positive')),
        sa.ForeignKeyConstraint(['import_id'], ['statement_import.id'], name=op.f('fk_statement_line_import_id_statement_import')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_line')),
        sa.UniqueConstraint('fingerprint', name=op.f('uq_statement_line_fingerprint')),
    )
    op.create_index('ix_statement_line_import_status', 'statement_line', ['import_id', 'status'])
    op.create_index(op.f('ix_statement_line_booked_on'), 'statement_line', ['booked_on'])
    op.create_table(
        'statement_match',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('line_id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('payment_id', sa.Integer(), nullable=True),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('actor', sa.String(length=254), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('undone_at', UTCDateTime(), nullable=True),
        sa.Column('undone_by', sa.String(length=254), nullable=False),
        sa.CheckConstraint("kind IN ('auto', 'hand', 'split')", name=op.f('ck_statement_match_kind_known')),
        sa.CheckConstraint('amount > 0', name=op.f('ck_statement_match_amount_positive')),
        sa.ForeignKeyConstraint(['line_id'], ['statement_line.id'], name=op.f('fk_statement_match_line_id_statement_line')),
        sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_statement_match_order_id_shop_order')),
        sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_statement_match_payment_id_payment')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_match')),
    )
    op.create_index(op.f('ix_statement_match_line_id'), 'statement_match', ['line_id'])
    op.create_index(op.f('ix_statement_match_order_id'), 'statement_match', ['order_id'])


def downgrade():
    op.drop_table('statement_match')
    op.drop_table('statement_line')
    op.drop_table('statement_import')
