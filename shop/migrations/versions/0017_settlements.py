"""settlements: what each facility is paid per period, one item per settled posting

Revision ID: 0017settlements
Revises: 0011backoffice
Create Date: 2026-12-01 07:20:00
"""
import sqlalchemy as sa
from alembic import op

from shop.sqltypes import UTCDateTime

revision = '0017settlements'
down_revision = '0014usersession'
branch_labels = None
depends_on = None

_MONEY = (
    'gross_sales', 'shipping_sold', 'refunds', 'card_fees', 'material_cost', 'premi', 'pnbp',
    'capital', 'shipping', 'amount',
)


def upgrade():
    op.create_table(
        'settlement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('facility_id', sa.Integer(), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _MONEY),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=254), nullable=False),
        sa.Column('approved_at', UTCDateTime(), nullable=True),
        sa.Column('approved_by', sa.String(length=254), nullable=False),
        sa.Column('paid_on', sa.Date(), nullable=True),
        sa.Column('paid_reference', sa.String(length=120), nullable=False),
        sa.Column('paid_by', sa.String(length=254), nullable=False),
        sa.CheckConstraint(
            "state IN ('draft', 'approved', 'paid')", name=op.f('ck_settlement_state_known')
        ),
        sa.CheckConstraint(
            'period_start <= period_end', name=op.f('ck_settlement_period_ordered')
        ),
        sa.CheckConstraint(
            'material_cost + premi + pnbp + capital + shipping = amount',
            name=op.f('ck_settlement_amount_adds_up'),
        ),
        sa.ForeignKeyConstraint(
            ['facility_id'], ['facility.id'], name=op.f('fk_settlement_facility_id_facility')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement')),
        sa.UniqueConstraint(
            'facility_id', 'period_start', name='uq_settlement_facility_period'
        ),
    )
    op.create_index(op.f('ix_settlement_facility_id'), 'settlement', ['facility_id'])
    op.create_index(op.f('ix_settlement_state'), 'settlement', ['state'])
    op.create_table(
        'settlement_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('settlement_id', sa.Integer(), nullable=False),
        sa.Column('posting_id', sa.Integer(), nullable=False),
        sa.Column('facility_order_id', sa.Integer(), nullable=True),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['settlement_id'], ['settlement.id'],
            name=op.f('fk_settlement_item_settlement_id_settlement'),
        ),
        sa.ForeignKeyConstraint(
            ['posting_id'], ['posting.id'], name=op.f('fk_settlement_item_posting_id_posting')
        ),
        sa.ForeignKeyConstraint(
            ['facility_order_id'], ['facility_order.id'],
            name=op.f('fk_settlement_item_facility_order_id_facility_order'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_item')),
        sa.UniqueConstraint('posting_id', name=op.f('uq_settlement_item_posting_id')),
    )
    op.create_index(
        op.f('ix_settlement_item_settlement_id'), 'settlement_item', ['settlement_id']
    )
    op.create_index(
        op.f('ix_settlement_item_facility_order_id'), 'settlement_item', ['facility_order_id']
    )


def downgrade():
    op.drop_index(op.f('ix_settlement_item_facility_order_id'), table_name='settlement_item')
    op.drop_index(op.f('ix_settlement_item_settlement_id'), table_name='settlement_item')
    op.drop_table('settlement_item')
    op.drop_index(op.f('ix_settlement_state'), table_name='settlement')
    op.drop_index(op.f('ix_settlement_facility_id'), table_name='settlement')
    op.drop_table('settlement')
