"""stripe payments: checkout sessions, webhook events, refunds, payment audit

Revision ID: 7f3a9c1d5e62
Revises: c4e7b1f0a2d3
Create Date: 2026-11-22 14:40:00

"""
from alembic import op
import sqlalchemy as sa

import shop.sqltypes  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '7f3a9c1d5e62'
down_revision = 'c4e7b1f0a2d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stripe_checkout',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.String(length=255), nullable=False),
    sa.Column('payment_intent_id', sa.String(length=255), nullable=True),
    sa.Column('charge_id', sa.String(length=255), nullable=True),
    sa.Column('session_status', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount_reported', sa.Integer(), nullable=True),
    sa.Column('currency_reported', sa.String(length=3), nullable=True),
    sa.Column('fee', sa.Integer(), nullable=True),
    sa.Column('net', sa.Integer(), nullable=True),
    sa.Column('refunded_amount', sa.Integer(), nullable=False),
    sa.Column('expires_at', shop.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('needs_review', sa.Boolean(), nullable=False),
    sa.Column('refund_due', sa.Boolean(), nullable=False),
    sa.Column('disputed', sa.Boolean(), nullable=False),
    sa.Column('review_reason', sa.String(length=300), nullable=False),
    sa.Column('created_at', shop.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shop.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("session_status IN ('open', 'complete', 'expired')", name=op.f('ck_stripe_checkout_session_status_known')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_stripe_checkout_amount_positive')),
    sa.CheckConstraint('refunded_amount >= 0', name=op.f('ck_stripe_checkout_refunded_nonnegative')),
    sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_stripe_checkout_order_id_shop_order')),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_stripe_checkout_payment_id_payment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_checkout')),
    sa.UniqueConstraint('payment_id', name=op.f('uq_stripe_checkout_payment_id')),
    sa.UniqueConstraint('session_id', name=op.f('uq_stripe_checkout_session_id')),
    sa.UniqueConstraint('payment_intent_id', name=op.f('uq_stripe_checkout_payment_intent_id'))
    )
    with op.batch_alter_table('stripe_checkout', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stripe_checkout_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stripe_checkout_needs_review'), ['needs_review'], unique=False)

    op.create_table('stripe_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=80), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=300), nullable=False),
    sa.Column('stripe_created', shop.sqltypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('received_at', shop.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_stripe_event_order_id_shop_order')),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_stripe_event_payment_id_payment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_event')),
    sa.UniqueConstraint('event_id', name=op.f('uq_stripe_event_event_id'))
    )
    with op.batch_alter_table('stripe_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stripe_event_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stripe_event_payment_id'), ['payment_id'], unique=False)

    op.create_table('stripe_refund',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=80), nullable=False),
    sa.Column('refund_id', sa.String(length=255), nullable=True),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('created_at', shop.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shop.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('requested', 'succeeded', 'failed')", name=op.f('ck_stripe_refund_status_known')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_stripe_refund_amount_positive')),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_stripe_refund_payment_id_payment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_refund')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_stripe_refund_idempotency_key')),
    sa.UniqueConstraint('refund_id', name=op.f('uq_stripe_refund_refund_id'))
    )
    with op.batch_alter_table('stripe_refund', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stripe_refund_payment_id'), ['payment_id'], unique=False)

    op.create_table('payment_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('stripe_event_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', shop.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_payment_change_payment_id_payment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_change'))
    )
    with op.batch_alter_table('payment_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_change_payment_id'), ['payment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('payment_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_change_payment_id'))
    op.drop_table('payment_change')
    with op.batch_alter_table('stripe_refund', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stripe_refund_payment_id'))
    op.drop_table('stripe_refund')
    with op.batch_alter_table('stripe_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stripe_event_payment_id'))
        batch_op.drop_index(batch_op.f('ix_stripe_event_order_id'))
    op.drop_table('stripe_event')
    with op.batch_alter_table('stripe_checkout', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stripe_checkout_needs_review'))
        batch_op.drop_index(batch_op.f('ix_stripe_checkout_order_id'))
    op.drop_table('stripe_checkout')
