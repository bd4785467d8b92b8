"""listing indexes: one per filter and sort, each holding every column the listing reads

Revision ID: 0022listingidx
Revises: 0020notesparams
Create Date: 2026-12-06 04:45:00

A deep listing page (page 100 = 2,376 rows skipped) found its ids on
``(status, created_at, id)`` or ``(status, price, id)`` but read the table row of every
skipped product to test ``hidden_at`` (and the category, facility or price filter):
7–137 ms per statement at 50,000 products (bench/deep_pages.py, bench/RESULTS.md).
Each index below starts with the equality filters of one listing (status, then the
category or facility), follows with its sort (created_at or price, then id, the
tie-break) and ends with the other columns the listing tests, so that the skipped rows
are read from the index alone: a covering index on SQLite, an index-only scan on
PostgreSQL. The whole catalog, a province (several facilities) and a price band use the
first two; a category or one facility use their own pair; the counts of a province or a
price band read the facility and price indexes alone.

Plain ``op.create_index`` / ``op.drop_index`` only: batch mode would recreate ``product``
on SQLite and drop its full-text triggers.
"""

from alembic import op

revision = '0022listingidx'
down_revision = '0020notesparams'
branch_labels = None
depends_on = None

# The two listing indexes of 0007, widened: (columns before, columns after).
_WIDENED = {
    'ix_product_status_created': (
        ('status', 'created_at', 'id'),
        ('status', 'created_at', 'id', 'hidden_at', 'facility_id', 'price'),
    ),
    'ix_product_status_price': (
        ('status', 'price', 'id'),
        ('status', 'price', 'id', 'hidden_at', 'facility_id'),
    ),
}
_NEW = {
    'ix_product_category_created': ('status', 'category_id', 'created_at', 'id', 'hidden_at', 'price'),
    'ix_product_category_price': ('status', 'category_id', 'price', 'id', 'hidden_at'),
    'ix_product_facility_created': ('status', 'facility_id', 'created_at', 'id', 'hidden_at'),
    'ix_product_facility_price': ('status', 'facility_id', 'price', 'id', 'hidden_at'),
}


def upgrade():
    for name, (_before, after) in _WIDENED.items():
        op.drop_index(name, table_name='product')
        op.create_index(name, 'product', list(after))
    for name, columns in _NEW.items():
        op.create_index(name, 'product', list(columns))


def downgrade():
    for name in _NEW:
        op.drop_index(name, table_name='product')
    for name, (before, _after) in _WIDENED.items():
        op.drop_index(name, table_name='product')
        op.create_index(name, 'product', list(before))
