"""the facility's province on the product, with an index per province sort

Revision ID: 0024productprovince
Revises: 0023catalogversion
Create Date: 2026-12-06 06:20:00

A province spans several facilities, so no index gave a province's products in order:
page 100 read every active product of the province (7,729 at 50,000 products) from
``ix_product_facility_created`` and sorted them (3–5.3 ms on PostgreSQL,
bench/RESULTS.md "Deep category + sort pages"). With the province copied onto the
product (kept by ``create_product`` and ``update_facility``), ``(status, province,
created_at|price, id, hidden_at)`` reads a page in order and skips in the index alone.

The column is added with an empty default (SQLite cannot add a NOT NULL column without
one), filled from the facilities, and the default kept (dropping it on SQLite would
recreate ``product`` and lose its full-text triggers). Plain ``op.create_index`` /
``op.drop_index`` / ``op.drop_column`` (SQLite ≥ 3.35 drops a column in place).
"""

import sqlalchemy as sa
from alembic import op

revision = '0024productprovince'
down_revision = '0023catalogversion'
branch_labels = None
depends_on = None

_INDEXES = {
    'ix_product_province_created': ('status', 'province', 'created_at', 'id', 'hidden_at'),
    'ix_product_province_price': ('status', 'province', 'price', 'id', 'hidden_at'),
}


def upgrade():
    op.add_column(
        'product', sa.Column('province', sa.String(80), nullable=False, server_default='')
    )
    op.execute(
        'UPDATE product SET province = '
        '(SELECT facility.province FROM facility WHERE facility.id = product.facility_id)'
    )
    for name, columns in _INDEXES.items():
        op.create_index(name, 'product', list(columns))


def downgrade():
    for name in _INDEXES:
        op.drop_index(name, table_name='product')
    op.drop_column('product', 'province')
