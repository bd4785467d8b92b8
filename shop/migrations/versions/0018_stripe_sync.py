"""stripe sync: balance transactions and payouts copied from Stripe

Revision ID: 0018stripesync
Revises: 0011backoffice
Create Date: 2026-12-01 07:40:00

Two new tables, keyed by Stripe's ids (unique): ``stripe_balance_transaction`` and
``stripe_payout``. Nothing existing changes; the ledger's new account
``stripe_payouts_in_transit`` is created on first use like the others.
"""
import sqlalchemy as sa
from alembic import op

import shop.sqltypes  # noqa: F401  (custom column types)

revision = '0018stripesync'
down_revision = '0017settlements'
branch_labels = None
depends_on = None

UTC = shop.sqltypes.UTCDateTime(timezone=True)


def upgrade():
    op.create_table(
        'stripe_payout',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('payout_id', sa.String(length=255), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('arrival_date', UTC, nullable=True),
        sa.Column('created', UTC, nullable=False),
        sa.Column('transactions_total', sa.Integer(), nullable=True),
        sa.Column('synced_at', UTC, nullable=False),
        sa.CheckConstraint(
            "status IN ('paid', 'pending', 'in_transit', 'canceled', 'failed')",
            name=op.f('ck_stripe_payout_status_known'),
        ),
        sa.CheckConstraint('amount > 0', name=op.f('ck_stripe_payout_amount_positive')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_payout')),
        sa.UniqueConstraint('payout_id', name=op.f('uq_stripe_payout_payout_id')),
    )
    op.create_index(op.f('ix_stripe_payout_created'), 'stripe_payout', ['created'])

    op.create_table(
        'stripe_balance_transaction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('txn_id', sa.String(length=255), nullable=False),
        sa.Column('type', sa.String(length=40), nullable=False),
        sa.Column('reporting_category', sa.String(length=60), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('fee', sa.Integer(), nullable=False),
        sa.Column('net', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('source_id', sa.String(length=255), nullable=True),
        sa.Column('payment_intent_id', sa.String(length=255), nullable=True),
        sa.Column('payout_id', sa.String(length=255), nullable=True),
        sa.Column('payment_id', sa.Integer(), nullable=True),
        sa.Column('order_id', sa.Integer(), nullable=True),
        sa.Column('created', UTC, nullable=False),
        sa.Column('available_on', UTC, nullable=True),
        sa.Column('synced_at', UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ['order_id'],
            ['shop_order.id'],
            name=op.f('fk_stripe_balance_transaction_order_id_shop_order'),
        ),
        sa.ForeignKeyConstraint(
            ['payment_id'],
            ['payment.id'],
            name=op.f('fk_stripe_balance_transaction_payment_id_payment'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_balance_transaction')),
        sa.UniqueConstraint('txn_id', name=op.f('uq_stripe_balance_transaction_txn_id')),
    )
    for column in ('created', 'order_id', 'payment_id', 'payout_id', 'source_id', 'type'):
        op.create_index(
            op.f(f'ix_stripe_balance_transaction_{column}'),
            'stripe_balance_transaction',
            [column],
        )


def downgrade():
    for column in ('created', 'order_id', 'payment_id', 'payout_id', 'source_id', 'type'):
        op.drop_index(
            op.f(f'ix_stripe_balance_transaction_{column}'),
            table_name='stripe_balance_transaction',
        )
    op.drop_table('stripe_balance_transaction')
    op.drop_index(op.f('ix_stripe_payout_created'), table_name='stripe_payout')
    op.drop_table('stripe_payout')
