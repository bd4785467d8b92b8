"""reconciliation: resolved exceptions, and statement lines written off

Revision ID: 0020reconwriteoff
Revises: 0016searchvocab
Create Date: 2026-12-06 03:40:00

A new table, and a wider status check on ``statement_line`` (batch mode on SQLite).
"""
import sqlalchemy as sa
from alembic import op

from shop.sqltypes import UTCDateTime

revision = '0020reconwriteoff'
down_revision = '0016searchvocab'
branch_labels = None
depends_on = None

OLD = "status IN ('unmatched', 'matched', 'not_ours', 'debit')"
NEW = "status IN ('unmatched', 'matched', 'not_ours', 'debit', 'written_off')"


def upgrade():
    op.create_table(
        'recon_resolution',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=True),
        sa.Column('payment_id', sa.Integer(), nullable=True),
        sa.Column('line_id', sa.Integer(), nullable=True),
        sa.Column('stripe_txn_id', sa.Integer(), nullable=True),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('actor', sa.String(length=254), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('no_money', 'write_off', 'dispute', 'stripe_refund')",
            name=op.f('ck_recon_resolution_kind_known'),
        ),
        sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_recon_resolution_order_id_shop_order')),
        sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_recon_resolution_payment_id_payment')),
        sa.ForeignKeyConstraint(['line_id'], ['statement_line.id'], name=op.f('fk_recon_resolution_line_id_statement_line')),
        sa.ForeignKeyConstraint(['stripe_txn_id'], ['stripe_balance_transaction.id'], name=op.f('fk_recon_resolution_stripe_txn_id_stripe_balance_transaction')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recon_resolution')),
        sa.UniqueConstraint('kind', 'subject', name='uq_recon_resolution_subject'),
    )
    op.create_index(op.f('ix_recon_resolution_order_id'), 'recon_resolution', ['order_id'])
    with op.batch_alter_table('statement_line', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_statement_line_status_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_statement_line_status_known'), NEW)


def downgrade():
    with op.batch_alter_table('statement_line', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_statement_line_status_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_statement_line_status_known'), OLD)
    op.drop_index(op.f('ix_recon_resolution_order_id'), table_name='recon_resolution')
    op.drop_table('recon_resolution')
