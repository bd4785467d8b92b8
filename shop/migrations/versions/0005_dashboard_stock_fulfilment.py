"""dashboard: stock movement reasons, facility parts cancelled after payment (refund flag)

Revision ID: 3b8d2e6f4a15
Revises: 7f3a9c1d5e62
Create Date: 2026-11-23 09:00:00

Plain ADD COLUMNs (no batch mode): fine on SQLite and PostgreSQL, and no table that
carries triggers (``product``) is touched.
"""
from alembic import op
import sqlalchemy as sa

import shop.sqltypes  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '3b8d2e6f4a15'
down_revision = '7f3a9c1d5e62'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        'stock_movement',
        sa.Column('reason_code', sa.String(length=20), nullable=False, server_default=''),
    )
    op.create_index(
        'ix_stock_movement_product_created', 'stock_movement', ['product_id', 'created_at']
    )
    op.add_column(
        'facility_order',
        sa.Column('refund_due', sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        'facility_order',
        sa.Column('cancel_reason', sa.String(length=300), nullable=False, server_default=''),
    )
    op.add_column(
        'facility_order',
        sa.Column('cancelled_at', shop.sqltypes.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade():
    # Plain DROP COLUMNs too (SQLite 3.35+ has them): batch mode would recreate
    # ``facility_order``, and dropping the old table fails on SQLite (foreign keys on)
    # once an order line points at a part.
    op.drop_column('facility_order', 'cancelled_at')
    op.drop_column('facility_order', 'cancel_reason')
    op.drop_column('facility_order', 'refund_due')
    op.drop_index('ix_stock_movement_product_created', table_name='stock_movement')
    op.drop_column('stock_movement', 'reason_code')
